/**
 * The synchronize planner (sync spec §3.2-3.6): PURE. Two listings per directory pair, the
 * criteria, the masks and the transports' capabilities go in; an ordered checklist of actions
 * comes out. No I/O happens here: the scanner has listed everything beforehand, and checksums
 * (when asked for) are passed in as data.
 *
 * Safer than WinSCP (documented in the README):
 * - an unreadable directory is never treated as empty: the pair is reported and nothing below
 *   it is planned; any such error blocks every deletion of the run (see `blockedDeletes`);
 * - when both sides are case-sensitive, names pair exactly (WinSCP pairs case-insensitively and
 *   ignores one of two names that differ only by case);
 * - a remote symlink to a directory with a same-named local directory is skipped with a warning
 *   instead of uploading into the link target.
 */
import type { FileMask } from '../masks/file-mask.js';
import { maskAllows } from '../masks/file-mask.js';
import type { Entry, TimePrecision } from '../transports/transport.js';
import { isTempName } from '../transfer/copy.js';
import { compareNames } from '../util/collate.js';
import { cmpTime, reduceTime } from './compare.js';

export type SyncMode = 'remote' | 'local' | 'both';

export interface Criteria {
  time: boolean;
  size: boolean;
  checksum: boolean;
}

/** One directory pair as scanned: the two listings (or the error that prevented one). */
export interface DirPair {
  localPath: string;
  remotePath: string;
  local: Entry[] | { error: string[] };
  remote: Entry[] | { error: string[] };
  /** Sub-pairs for directories present on both sides, by local name. */
  children: Map<string, DirPair>;
}

export interface PlanOptions {
  mode: SyncMode;
  criteria: Criteria;
  /** `-delete` (ignored in both mode). */
  delete: boolean;
  /** `-mirror` (ignored in both mode). */
  mirror: boolean;
  mask?: FileMask;
  localRoot: string;
  remoteRoot: string;
  localCaseSensitive: boolean;
  remoteCaseSensitive: boolean;
  excludeHidden?: boolean;
  /** Checksum equality of file pairs, by `localPath` (computed beforehand when criteria has checksum). */
  checksumsEqual?: ReadonlyMap<string, boolean>;
}

export type ActionKind = 'upload-new' | 'upload-update' | 'download-new' | 'download-update' | 'delete-remote' | 'delete-local';

export interface SyncAction {
  kind: ActionKind;
  isDir: boolean;
  /** Name on the side that has the item (remote name when both). */
  name: string;
  /** Full paths (the one missing on a side is where it will be created). */
  localPath: string;
  remotePath: string;
  local?: Entry;
  remote?: Entry;
  /** The directory pair this item belongs to (for the `Local '…' => Remote '…'` lines). */
  localDir: string;
  remoteDir: string;
}

export interface Plan {
  actions: SyncAction[];
  /** Directory pairs that could not be listed: error lines, in visit order. */
  errors: { localDir: string; remoteDir: string; lines: string[] }[];
  /** Warnings (skipped name clashes...). */
  warnings: string[];
  /** The pair a depth-first walk visits last (its collection line is the one left on screen). */
  last: { localDir: string; remoteDir: string } | undefined;
}

const isDir = (e: Entry) => e.type === 'dir' || (e.type === 'symlink' && e.targetType === 'dir');

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** `-criteria` parsing (§3.2); undefined when the value is to be silently ignored. */
export function parseCriteria(value: string | undefined): Criteria | undefined {
  if (value === undefined || value.trim() === '') return { time: false, size: false, checksum: false };
  const v = value.trim().toLowerCase();
  const one = (word: string, names: string[]) => {
    const exact = names.find((n) => n === word);
    if (exact) return exact;
    const c = names.filter((n) => n.startsWith(word));
    return c.length === 1 ? c[0] : undefined;
  };
  const whole = one(v, ['none', 'either', 'both']);
  if (whole === 'none') return { time: false, size: false, checksum: false };
  if (whole === 'either' || whole === 'both') return { time: true, size: true, checksum: false };
  const c: Criteria = { time: false, size: false, checksum: false };
  for (const tok of v.split(',')) {
    const t = one(tok.trim(), ['time', 'size', 'checksum']);
    if (!t) return undefined;
    c[t as keyof Criteria] = true;
  }
  return c;
}

function allowed(o: PlanOptions, e: Entry, dirPath: string, root: string): boolean {
  if (isTempName(e.name)) return false;
  if (o.excludeHidden && e.name.startsWith('.')) return false;
  return maskAllows(o.mask, { name: e.name, dirPath, isDir: isDir(e), size: e.size, mtime: e.mtime }, { root });
}

/** Compares a file present on both sides: 1 local newer, -1 remote newer, 2 different, 0 same. */
export function compareFiles(l: Entry, r: Entry, criteria: Criteria, checksumEqual?: boolean): -1 | 0 | 1 | 2 {
  if (criteria.time && l.mtime !== undefined && r.mtime !== undefined) {
    const lt = reduceTime(l.mtime, r.precision);
    const rt = r.precision === 'none' ? 0 : r.mtime;
    const t = cmpTime(lt, rt);
    if (t !== 0) return t;
  }
  if (criteria.size && l.size !== r.size) return 2;
  if (criteria.checksum && checksumEqual === false) return 2;
  return 0;
}

/** File pairs of one directory the checksum criterion needs hashed (equal by time and size so far). */
export function pairsNeedingChecksum(p: DirPair, o: PlanOptions): { localPath: string; remotePath: string; local: Entry; remote: Entry }[] {
  if (!o.criteria.checksum || o.mode === 'both' || 'error' in p.local || 'error' in p.remote) return [];
  const out: { localPath: string; remotePath: string; local: Entry; remote: Entry }[] = [];
  for (const { l, r } of pairUp(p, o).pairs) {
    if (!l || !r || isDir(l) || isDir(r)) continue;
    if (compareFiles(l, r, { ...o.criteria, checksum: false }) === 0) out.push({ localPath: join(p.localPath, l.name), remotePath: join(p.remotePath, r.name), local: l, remote: r });
  }
  return out;
}

interface Paired {
  l?: Entry;
  r?: Entry;
}

function pairUp(p: DirPair, o: PlanOptions): { pairs: Paired[]; warnings: string[] } {
  const warnings: string[] = [];
  const local = (p.local as Entry[]).filter((e) => allowed(o, e, p.localPath, o.localRoot));
  const remote = (p.remote as Entry[]).filter((e) => allowed(o, e, p.remotePath, o.remoteRoot));
  const exact = o.localCaseSensitive && o.remoteCaseSensitive;
  const key = (n: string) => (exact ? n : n.toLowerCase());
  const lmap = new Map<string, Entry>();
  for (const e of local) {
    const k = key(e.name);
    if (lmap.has(k)) warnings.push(`Local '${join(p.localPath, e.name)}' is ignored: its name differs from '${lmap.get(k)!.name}' only by case.`);
    else lmap.set(k, e);
  }
  const matched = new Set<string>();
  const pairs: Paired[] = [];
  for (const r of remote) {
    const k = key(r.name);
    const l = lmap.get(k);
    if (r.type === 'symlink' && r.targetType === 'dir') {
      // Symlinks to directories are not followed (WinSCP's default).
      if (l) {
        matched.add(k);
        warnings.push(`Remote '${join(p.remotePath, r.name)}' is a symbolic link to a directory: it and local '${join(p.localPath, l.name)}' are skipped.`);
      }
      continue;
    }
    if (l) matched.add(k);
    pairs.push({ l, r });
  }
  for (const [k, l] of lmap) if (!matched.has(k)) pairs.push({ l });
  return { pairs, warnings };
}

/** An empty plan to fill with planPair. */
export function emptyPlan(): Plan {
  return { actions: [], errors: [], warnings: [], last: undefined };
}

/**
 * Plans ONE directory pair (non-recursive): its actions, warnings or listing error go into
 * `out`. Returns the sub-directory pairs present on both sides (and let in by the mask), which
 * the caller lists and plans next. One-sided directories are single actions, never descended
 * into. Pure.
 */
export function planPair(p: DirPair, o: PlanOptions, out: Plan): DirPair[] {
  const mode = o.mode;
  const criteria: Criteria = mode === 'both' ? { time: true, size: false, checksum: false } : o.criteria;
  const del = mode !== 'both' && o.delete;
  const mirror = mode !== 'both' && o.mirror;
  const visited = { localDir: p.localPath, remoteDir: p.remotePath };
  if (!out.last || dfsBefore(out.last.localDir, visited.localDir)) out.last = visited;
  const errs = [...('error' in p.local ? p.local.error : []), ...('error' in p.remote ? p.remote.error : [])];
  if (errs.length) {
    out.errors.push({ localDir: p.localPath, remoteDir: p.remotePath, lines: errs });
    return [];
  }
  const { pairs, warnings } = pairUp(p, o);
  for (const w of warnings) out.warnings.push(w);
  const add = (kind: ActionKind, name: string, isDirItem: boolean, l: Entry | undefined, r: Entry | undefined, localName: string) => {
    out.actions.push({ kind, isDir: isDirItem, name, localPath: join(p.localPath, localName), remotePath: join(p.remotePath, r ? r.name : localName), local: l, remote: r, localDir: p.localPath, remoteDir: p.remotePath });
  };
  const children: DirPair[] = [];
  for (const { l, r } of pairs) {
    if (l && r) {
      const ld = isDir(l);
      if (ld !== isDir(r)) {
        out.warnings.push(`'${join(p.localPath, l.name)}' is a ${ld ? 'directory' : 'file'} locally and a ${ld ? 'file' : 'directory'} on the server: skipped.`);
        continue;
      }
      if (ld) {
        children.push(p.children.get(l.name) ?? { localPath: join(p.localPath, l.name), remotePath: join(p.remotePath, r.name), local: [], remote: [], children: new Map() });
        continue;
      }
      const c = compareFiles(l, r, criteria, o.checksumsEqual?.get(join(p.localPath, l.name)));
      if (c === 0) continue;
      if (mode === 'remote') {
        if (c === 1 || c === 2 || (c === -1 && mirror)) add('upload-update', r.name, false, l, r, l.name);
      } else if (mode === 'local') {
        if (c === -1 || c === 2 || (c === 1 && mirror)) add('download-update', r.name, false, l, r, l.name);
      } else if (c === 1) add('upload-update', r.name, false, l, r, l.name);
      else if (c === -1) add('download-update', r.name, false, l, r, l.name);
    } else if (l) {
      if (mode === 'remote' || mode === 'both') add('upload-new', l.name, isDir(l), l, undefined, l.name);
      else if (del) add('delete-local', l.name, isDir(l), l, undefined, l.name);
    } else if (r) {
      if (mode === 'local' || mode === 'both') add('download-new', r.name, isDir(r), undefined, r, r.name);
      else if (del) add('delete-remote', r.name, isDir(r), undefined, r, r.name);
    }
  }
  return children;
}

/**
 * Order of a depth-first walk with children in name order: the last pair such a walk visits
 * is the one whose `Local '…' => Remote '…'` line survives in redirected output.
 */
function dfsBefore(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareNames(x[i]!, y[i]!);
    if (c !== 0) return c < 0;
  }
  return x.length < y.length;
}

/** Plans a whole scanned tree (children already listed in `root.children`). Pure. */
export function plan(root: DirPair, o: PlanOptions): Plan {
  const out = emptyPlan();
  const visit = (p: DirPair) => {
    for (const child of planPair(p, o, out)) visit(child);
  };
  visit(root);
  out.actions.sort(checklistOrder);
  return out;
}

/** §3.6: by local directory path, then name, both case-insensitively. */
export function checklistOrder(a: SyncAction, b: SyncAction): number {
  return compareNames(a.localDir, b.localDir) || compareNames(a.name, b.name);
}

/** Deletions in a plan. */
export function deletions(p: Plan): SyncAction[] {
  return p.actions.filter((a) => a.kind === 'delete-local' || a.kind === 'delete-remote');
}

export type { TimePrecision };
