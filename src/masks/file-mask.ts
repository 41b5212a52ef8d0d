/**
 * WinSCP file masks (M1, sync spec §1.2-1.9): `;`/`,` lists, `|` include/exclude, directory
 * masks (trailing slash), path masks, size and time bounds. Used by `-filemask`,
 * `option include/exclude`, the ascii mask and (single-element mode, §1.10) remote operands.
 * Matching is always case-insensitive.
 */
import { applyRelativeTime, parseRelativeTime } from '../util/relative-time.js';
import { compileTMask, MaskError, nameMaskMatch, tmaskMatch } from './wildcard.js';

export interface Bound {
  op: '>' | '>=' | '<' | '<=';
  kind: 'size' | 'time';
  /** Bytes, or ms since the epoch. */
  value: number;
}

export interface MaskElement {
  text: string;
  /** Directory part (`/home/u`, `*`, `./img`), matched against the item's directory path. */
  pathPart?: string;
  namePart: string;
  dir: boolean;
  bounds: Bound[];
}

export interface FileMask {
  text: string;
  includeFile: MaskElement[];
  excludeFile: MaskElement[];
  includeDir: MaskElement[];
  excludeDir: MaskElement[];
}

/** One item to test: its bare name and the full path of the directory it is in. */
export interface MaskItem {
  name: string;
  /** Directory containing the item, `/`-separated, no trailing slash (`/` for the root). */
  dirPath: string;
  isDir: boolean;
  size?: number;
  /** ms since the epoch. */
  mtime?: number;
}

export interface MaskRoots {
  /** Operation root for `./` path parts (synchronize: the directory given; get/put: §1.7). */
  root?: string;
}

/** Splits `text` at single `sep` characters; a doubled one is a literal. */
function splitEscaped(text: string, seps: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (seps.includes(c)) {
      if (text[i + 1] === c) {
        cur += c;
        i++;
        continue;
      }
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Splits at `<`/`>` (doubled = literal) keeping the operator that starts each constraint. */
function splitConstraints(element: string): { name: string; constraints: { op: string; text: string }[] } {
  const constraints: { op: string; text: string }[] = [];
  let name: string | undefined;
  let cur = '';
  let op = '';
  for (let i = 0; i < element.length; i++) {
    const c = element[i]!;
    if (c === '<' || c === '>') {
      if (element[i + 1] === c) {
        cur += c;
        i++;
        continue;
      }
      if (name === undefined) name = cur;
      else constraints.push({ op, text: cur });
      cur = '';
      op = c;
    } else cur += c;
  }
  if (name === undefined) name = cur;
  else constraints.push({ op, text: cur });
  return { name: name.trim(), constraints };
}

const ABS_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const SIZE = /^(\d+)\s*([KMG])?$/i;

function parseBoundValue(text: string, now: Date, fragment: string): Omit<Bound, 'op'> {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return { kind: 'size', value: Number(t) };
  const d = ABS_DATE.exec(t);
  if (d) {
    const when = new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(d[4] ?? 0), Number(d[5] ?? 0), Number(d[6] ?? 0));
    if (!Number.isNaN(when.getTime())) return { kind: 'time', value: when.getTime() };
  }
  const rel = parseRelativeTime(t);
  if (rel) return { kind: 'time', value: applyRelativeTime(now, rel, false).getTime() };
  const s = SIZE.exec(t);
  if (s) {
    const mult = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(s[2] ?? '').toUpperCase() as 'K' | 'M' | 'G'] ?? 1;
    return { kind: 'size', value: Number(s[1]) * mult };
  }
  throw new MaskError(fragment);
}

/** Parses one element (`*.txt`, `img/`, `/home/u/*.log>1M<7D`). */
export function parseElement(raw: string, now: Date = new Date()): MaskElement {
  const text = raw.trim();
  const { name: namePiece, constraints } = splitConstraints(text);
  let piece = namePiece;
  let dir = false;
  if (/[/\\]$/.test(piece)) {
    dir = true;
    piece = piece.replace(/[/\\]+$/, '');
  }
  let pathPart: string | undefined;
  let namePart = piece;
  const sep = Math.max(piece.lastIndexOf('/'), piece.lastIndexOf('\\'));
  if (sep >= 0) {
    pathPart = piece.slice(0, sep).replace(/\\/g, '/');
    if (pathPart === '') pathPart = '/';
    namePart = piece.slice(sep + 1);
  }
  if (dir && constraints.length > 0) throw new MaskError(text);
  // Compile now so that an invalid pattern fails when the mask is parsed, not when it is used.
  compileTMask(namePart);
  if (pathPart !== undefined) compileTMask(pathPart);
  const bounds: Bound[] = [];
  for (const c of constraints) {
    let body = c.text;
    let op = c.op as Bound['op'];
    if (body.startsWith('=')) {
      op = `${c.op}=` as Bound['op'];
      body = body.slice(1);
    }
    const b = { op, ...parseBoundValue(body, now, `${c.op}${c.text}`) };
    const lower = b.op.startsWith('>');
    if (bounds.some((x) => x.kind === b.kind && x.op.startsWith('>') === lower)) throw new MaskError(`${c.op}${c.text}`);
    bounds.push(b);
  }
  return { text, pathPart, namePart, dir, bounds };
}

/** Parses a full mask. Throws MaskError (`Mask is invalid near '...'.`). */
export function parseFileMask(text: string, now: Date = new Date()): FileMask {
  const parts = splitEscaped(text, '|');
  if (parts.length > 2) throw new MaskError(parts.slice(2).join('|') || text);
  const mask: FileMask = { text, includeFile: [], excludeFile: [], includeDir: [], excludeDir: [] };
  parts.forEach((part, i) => {
    for (const raw of splitEscaped(part, ';,')) {
      if (raw.trim() === '') continue;
      // Doubled delimiters were literals; splitEscaped already folded them.
      const el = parseElement(raw, now);
      const list = i === 0 ? (el.dir ? mask.includeDir : mask.includeFile) : el.dir ? mask.excludeDir : mask.excludeFile;
      list.push(el);
    }
  });
  return mask;
}

export function isEmptyMask(m: FileMask | undefined): boolean {
  return !m || (m.includeFile.length + m.excludeFile.length + m.includeDir.length + m.excludeDir.length === 0);
}

function escapeForMask(s: string): string {
  return s.replace(/[*?[]/g, (c) => `[${c}]`);
}

function boundHolds(b: Bound, size: number | undefined, mtime: number | undefined): boolean {
  const v = b.kind === 'size' ? size : mtime;
  if (v === undefined) return false;
  switch (b.op) {
    case '>':
      return v > b.value;
    case '>=':
      return v >= b.value;
    case '<':
      return v < b.value;
    case '<=':
      return v <= b.value;
  }
}

export function elementMatches(e: MaskElement, name: string, dirPath: string, size: number | undefined, mtime: number | undefined, roots: MaskRoots): boolean {
  if (e.pathPart !== undefined) {
    let p = e.pathPart;
    if ((p === '.' || p.startsWith('./')) && roots.root !== undefined) {
      const root = roots.root.length > 1 ? roots.root.replace(/\/+$/, '') : roots.root;
      p = escapeForMask(root) + p.slice(1);
    }
    if (!tmaskMatch(p, dirPath)) return false;
  }
  if (!nameMaskMatch(e.namePart, name)) return false;
  return e.bounds.every((b) => boundHolds(b, size, mtime));
}

function anyMatches(list: MaskElement[], name: string, dirPath: string, size: number | undefined, mtime: number | undefined, roots: MaskRoots, recurseUp: boolean): boolean {
  if (list.some((e) => elementMatches(e, name, dirPath, size, mtime, roots))) return true;
  if (recurseUp && dirPath !== '/' && dirPath !== '') {
    const i = dirPath.lastIndexOf('/');
    const parent = i <= 0 ? '/' : dirPath.slice(0, i);
    return anyMatches(list, dirPath.slice(i + 1), parent, undefined, undefined, roots, true);
  }
  return false;
}

/** §1.9: does the mask let this item through? An absent mask lets everything through. */
export function maskAllows(mask: FileMask | undefined, item: MaskItem, roots: MaskRoots = {}): boolean {
  if (!mask) return true;
  const inc = item.isDir ? mask.includeDir : mask.includeFile;
  const exc = item.isDir ? mask.excludeDir : mask.excludeFile;
  const included = inc.length === 0 || anyMatches(inc, item.name, item.dirPath, item.size, item.mtime, roots, item.isDir);
  return included && !anyMatches(exc, item.name, item.dirPath, item.size, item.mtime, roots, false);
}

/**
 * Single-mask mode (M2, §1.10): the last component of a remote operand as one element, name
 * only, no list splitting; `.` and `..` never match.
 */
export function singleMaskMatch(pattern: string, name: string, size?: number, mtime?: number, now: Date = new Date()): boolean {
  if (name === '.' || name === '..' || pattern.includes('\\')) return false;
  const { name: namePart, constraints } = splitConstraints(pattern);
  if (constraints.length === 0) return nameMaskMatch(namePart, name);
  const el = parseElement(pattern, now);
  return nameMaskMatch(el.namePart, name) && el.bounds.every((b) => boundHolds(b, size, mtime));
}
