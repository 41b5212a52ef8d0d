/**
 * Transfers one selected item, recursively for directories, in either direction (get: remote ->
 * local, put: local -> remote). Applies the file mask at every level, `-neweronly`, overwrite
 * confirmation, `-delete` (move), time and permission preservation, progress lines and the XML
 * log records (sync spec §5).
 */
import { isInBin, moveToBin, type RecycleBin } from '../session/recycle-bin.js';
import path from 'node:path';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { maskAllows } from '../masks/file-mask.js';
import { xmlTime, rightsText } from '../output/formats.js';
import { sourceIsNewer } from '../sync/compare.js';
import { type Entry, isSafeName, isTransportError, joinPath, parentOf, type Transport } from '../transports/transport.js';
import { copyFile, PART_SUFFIX } from './copy.js';
import { ItemProgress, SpeedMeter } from './progress.js';
import type { ConnectionPool } from './pool.js';
import type { TransferSettings } from './settings.js';
import { compareNames } from '../util/collate.js';
import { orderedMap } from '../util/ordered-pool.js';

export interface TransferRun {
  ctx: Context;
  settings: TransferSettings;
  direction: 'upload' | 'download';
  /** Where the data comes from and goes to. */
  src: Transport;
  dst: Transport;
  meter: SpeedMeter;
  /** Operation root of the source side, for `./` path masks (§1.7). */
  srcRoot?: string;
  /** Listings of target directories, for existence checks without a stat per file. */
  dstListings: Map<string, Promise<Map<string, Entry> | null>>;
  /** Synchronize: overwrite without asking, no `-neweronly` unless given, no operation mask. */
  forSync?: boolean;
  /** Errors met (skipped under `batch continue`); synchronize deletes nothing when non-zero. */
  failures: number;
  /** Connections for the data of file transfers (the remote side); none = use src/dst. */
  pool?: ConnectionPool;
  /** Items of a directory transferred at once (1 = one by one, as WinSCP). */
  parallel: number;
  /** The remote side's recycle bin (raw settings DeleteToRecycleBin, OverwrittenToRecycleBin). */
  recycleBin?: RecycleBin;
}

export function newRun(ctx: Context, settings: TransferSettings, direction: 'upload' | 'download', src: Transport, dst: Transport, srcRoot?: string): TransferRun {
  return { ctx, settings, direction, src, dst, meter: new SpeedMeter(), srcRoot, dstListings: new Map(), failures: 0, parallel: 1, recycleBin: ctx.session?.recycleBin };
}

/** What the target directory holds (null when it cannot be listed, e.g. it does not exist). */
async function targetListing(run: TransferRun, dir: string): Promise<Map<string, Entry> | null> {
  let p = run.dstListings.get(dir);
  if (!p) {
    p = run.dst.list(dir).then(
      (entries) => new Map(entries.map((e) => [e.name, e])),
      () => null,
    );
    run.dstListings.set(dir, p);
  }
  return p;
}

function forget(run: TransferRun, dir: string): void {
  run.dstListings.delete(dir);
}

/**
 * Updates a cached target listing after a change we made, instead of listing the directory
 * again (a re-list per file made large uploads quadratic).
 */
async function remember(run: TransferRun, dir: string, name: string, entry: Entry | null): Promise<void> {
  const p = run.dstListings.get(dir);
  if (!p) return;
  const m = await p;
  if (!m) return forget(run, dir);
  if (entry) m.set(name, entry);
  else m.delete(name);
}

/** `FileNameCase` raw setting (§5.10). */
export function convertName(name: string, fileNameCase: number): string {
  switch (fileNameCase) {
    case 1:
      return name.toUpperCase();
    case 2:
      return name.toLowerCase();
    case 3:
      return name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
    case 4:
      return name === name.toUpperCase() && /^[^.]{1,8}(\.[^.]{0,3})?$/.test(name) ? name.toLowerCase() : name;
    default:
      return name;
  }
}

function isDirEntry(e: Entry): boolean {
  return e.type === 'dir' || (e.type === 'symlink' && e.targetType === 'dir');
}

export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** Item passes `-filemask` and the hidden-file rule. */
export function passesMask(run: TransferRun, srcPath: string, e: Entry): boolean {
  if (run.settings.excludeHidden && isHidden(e.name)) return false;
  return maskAllows(run.settings.fileMask, { name: e.name, dirPath: parentOf(srcPath), isDir: isDirEntry(e), size: e.size, mtime: e.mtime }, { root: run.srcRoot });
}

/** The message for a failed transfer, naming the side that failed. */
function failureLines(run: TransferRun, srcPath: string, dstPath: string, e: unknown): string[] {
  const side = (e as { side?: 'from' | 'to' } | undefined)?.side;
  const details = isTransportError(e) ? e.details : [e instanceof Error ? e.message : String(e)];
  const remoteFailed = run.direction === 'upload' ? side !== 'from' : side !== 'to';
  let main: string;
  if (run.direction === 'upload') main = remoteFailed ? `Cannot create remote file '${dstPath}'.` : `Can't open file '${srcPath}'.`;
  else main = remoteFailed ? `Cannot open remote file '${srcPath}'.` : `Can't create file '${dstPath}'.`;
  return [main, ...details];
}

/**
 * Transfers one item. Resolves to true when everything below it was transferred (nothing
 * skipped), which `-delete` needs to decide whether a source directory may go.
 */
export async function transferItem(run: TransferRun, srcPath: string, e: Entry, dstPath: string): Promise<boolean> {
  if (!passesMask(run, srcPath, e)) return false;
  if (isDirEntry(e)) {
    if (e.type === 'symlink') {
      run.ctx.out.debug(`Skipping symlink to directory '${srcPath}'.`);
      return false;
    }
    return transferDir(run, srcPath, e, dstPath);
  }
  return transferFile(run, srcPath, e, dstPath);
}

async function ensureDir(run: TransferRun, dstPath: string): Promise<void> {
  const { ctx, dst } = run;
  const listing = await targetListing(run, parentOf(dstPath));
  const existing = listing?.get(path.posix.basename(dstPath)) ?? (listing ? null : await dst.lstat(dstPath).catch(() => null));
  if (existing) {
    if (!isDirEntry(existing)) throw new ScriptError(`'${dstPath}' is not folder!`);
    return;
  }
  try {
    await dst.mkdir(dstPath);
  } catch (err) {
    // Downloads create missing parents too (§5.3).
    if (run.direction === 'download' && isTransportError(err, 'ENOENT')) {
      await ensureDir(run, parentOf(dstPath));
      await dst.mkdir(dstPath);
    } else if (!(await dst.stat(dstPath).then((x) => x.type === 'dir', () => false))) {
      const lines = [`Error creating folder '${dstPath}'.`, ...(isTransportError(err) ? err.details : [String(err)])];
      if (run.direction === 'upload') ctx.out.operation({ kind: 'mkdir', values: [['filename', dstPath]], success: false, messages: lines });
      throw new ScriptError(lines);
    }
  }
  const name = path.posix.basename(dstPath);
  await remember(run, parentOf(dstPath), name, { name, type: 'dir', size: 0, precision: 'none' });
  run.dstListings.set(dstPath, Promise.resolve(new Map())); // a new directory is empty
  if (run.direction === 'upload') {
    ctx.out.operation({ kind: 'mkdir', values: [['filename', dstPath]], success: true });
    const perm = run.settings.permissions;
    if (perm !== undefined && dst.capabilities.canChmod) {
      const mode = run.settings.addXToDirectories ? addX(perm) : perm;
      await dst.chmod(dstPath, mode).catch(() => {});
      ctx.out.operation({ kind: 'chmod', values: [['filename', dstPath], ['permissions', rightsText(mode)]], success: true });
    }
  }
}

/** Adds execute bits for every class with read or write (`644` -> `755`). */
export function addX(mode: number): number {
  let m = mode;
  if (m & 0o600) m |= 0o100;
  if (m & 0o060) m |= 0o010;
  if (m & 0o006) m |= 0o001;
  return m;
}

async function transferDir(run: TransferRun, srcPath: string, e: Entry, dstPath: string): Promise<boolean> {
  const { ctx, settings } = run;
  // WinSCP prints a progress line for each directory too (0 B, 0 %).
  new ItemProgress(ctx, run.meter, run.direction === 'upload' ? srcPath : e.name, 0, 'binary', run.direction);
  let children: Entry[];
  for (;;) {
    try {
      children = await run.src.list(srcPath);
      break;
    } catch (err) {
      const lines = [`Error listing directory '${srcPath}'.`, ...(isTransportError(err) ? err.details : [String(err)])];
      run.failures++;
      if ((await ctx.errorQuery(lines)) === 'Skip') return false;
    }
  }
  // Children in name order (as WinSCP shows them on NTFS), whatever order the file system lists.
  children.sort((a, b) => compareNames(a.name, b.name));
  let creating: Promise<boolean> | undefined;
  /** Creates the target directory before the first child (or at once); false when skipped. */
  const create = (): Promise<boolean> =>
    (creating ??= (async () => {
      try {
        await ensureDir(run, dstPath);
        return true;
      } catch (err) {
        if (!(err instanceof ScriptError) || err.fatal) throw err;
        run.failures++;
        await ctx.errorQuery(err.lines);
        return false;
      }
    })());
  if (!settings.excludeEmptyDirectories && !(await create())) return false;
  /** One child: false when anything below it was skipped. */
  const child = async (c: Entry): Promise<boolean> => {
    if (!isSafeName(c.name)) {
      const lines = [`Refusing the file name '${c.name}' listed in '${srcPath}': it is not a plain file name.`];
      run.failures++;
      await ctx.errorQuery(lines);
      return false;
    }
    const childSrc = joinPath(srcPath, c.name);
    if (!passesMask(run, childSrc, c)) return false;
    if (!(await create())) return false;
    return transferItem(run, childSrc, c, joinPath(dstPath, convertName(c.name, settings.fileNameCase)));
  };
  const results = await orderedMap(ctx.bus, children, child, { limit: run.parallel, shouldStop: () => ctx.abortController.signal.aborted });
  const complete = results.every((r) => r === true);
  const created = creating !== undefined && (await creating);
  if (!created) return false;
  if (settings.preserveTimeDirs && e.mtime !== undefined && run.dst.capabilities.canSetMtime) {
    await run.dst.setTimes(dstPath, e.mtime).catch(() => {});
  }
  if (settings.deleteSource && complete) {
    // get: remove the remote directory (non-recursive); put: remove the local one if empty.
    try {
      await run.src.rmdir(srcPath);
      if (run.direction === 'download') ctx.out.operation({ kind: 'rm', values: [['filename', srcPath]], success: true });
    } catch {
      /* kept: something is still inside */
    }
  }
  return complete;
}

async function transferFile(run: TransferRun, srcPath: string, e: Entry, dstPath: string): Promise<boolean> {
  const { ctx, settings, src, dst } = run;
  const ascii = settings.mode === 'ascii' || (settings.mode === 'automatic' && maskAllows(settings.asciiMask, { name: e.name, dirPath: '', isDir: false }));
  const progress = new ItemProgress(ctx, run.meter, run.direction === 'upload' ? srcPath : e.name, e.size, ascii ? 'ascii' : 'binary', run.direction);
  const dir = parentOf(dstPath);
  const name = path.posix.basename(dstPath);
  const listing = await targetListing(run, dir);
  const existing = listing ? (listing.get(name) ?? null) : null;
  const part = listing ? (listing.get(name + PART_SUFFIX) ?? null) : undefined;
  if (existing && isDirEntry(existing)) {
    const lines = [`'${dstPath}' is not file!`];
    run.failures++;
    await ctx.errorQuery(lines);
    return false;
  }
  const resumable = !ascii && (settings.resumeSupport === 'on' || settings.resume || (settings.resumeSupport === 'smart' && e.size >= settings.resumeThreshold));
  const resumingPart = Boolean(part && resumable && part.size <= e.size);
  if (existing && !resumingPart && !settings.append && !settings.resume) {
    if (settings.newerOnly && !sourceIsNewer(e, existing)) return false;
    if (ctx.options.confirm && !run.forSync) {
      const answer = await ctx.ask([`File '${dstPath}' already exists. Overwrite it?`], ['Yes', 'No', 'Cancel']);
      if (answer === 'No') return false;
      if (answer !== 'Yes') throw new ScriptError([`File '${dstPath}' already exists.`], { reported: true });
    }
  }
  const oldMode = existing?.mode;
  const setMode = run.direction === 'upload' ? (settings.permissions ?? oldMode) : oldMode;
  const direct = settings.append || (settings.resume && !part && existing && existing.size < e.size && !ascii);
  const job = (conn: Transport | undefined) =>
    copyFile({
      from: { t: run.direction === 'download' && conn ? conn : src, path: srcPath },
      to: { t: run.direction === 'upload' && conn ? conn : dst, path: dstPath },
      size: e.size,
      mtime: e.precision === 'none' ? undefined : e.mtime,
      preserveTime: settings.preserveTime,
      setMode,
      temp: !direct,
      resumeTemp: resumable,
      resumeTarget: Boolean(direct && settings.resume),
      append: settings.append,
      ascii: ascii ? { removeBOM: run.direction === 'upload' && settings.removeBOM, removeCtrlZ: run.direction === 'upload' && settings.removeCtrlZ } : undefined,
      speedLimit: settings.speedLimit,
      progress,
      signal: ctx.abortController.signal,
      tempEntry: part,
      targetEntry: listing ? existing : undefined,
      recycleBin: run.direction === 'upload' && run.recycleBin?.overwrites && !isInBin(run.recycleBin, dstPath) ? run.recycleBin : undefined,
    });
  for (;;) {
    try {
      // The data goes over a pooled connection when there is a pool (parallel transfers).
      const r = run.pool ? await run.pool.with(job, e.size) : await job(undefined);
      await remember(run, dir, name, { name, type: 'file', size: r.bytes, mtime: e.mtime, precision: 'full' });
      await remember(run, dir, name + PART_SUFFIX, null);
      if (run.direction === 'upload') {
        ctx.out.operation({ kind: 'upload', values: [['filename', srcPath], ['destination', dstPath], ['size', String(r.bytes)]], success: true });
        if (r.touched && e.mtime !== undefined) ctx.out.operation({ kind: 'touch', values: [['filename', dstPath], ['modification', xmlTime(Math.floor(e.mtime / 1000) * 1000)]], success: true });
        if (r.chmodded && settings.permissions !== undefined) ctx.out.operation({ kind: 'chmod', values: [['filename', dstPath], ['permissions', rightsText(settings.permissions)]], success: true });
      } else {
        ctx.out.operation({ kind: 'download', values: [['filename', srcPath], ['destination', dstPath], ['size', String(r.bytes)]], success: true });
      }
      break;
    } catch (err) {
      if (ctx.abortController.signal.aborted) throw err;
      forget(run, dir);
      const lines = failureLines(run, srcPath, dstPath, err);
      run.failures++;
      const op = { kind: run.direction, values: [['filename', srcPath], ['destination', dstPath]] as [string, string][], success: false };
      if (isTransportError(err, 'ECONNLOST')) {
        ctx.out.operation({ ...op, messages: lines });
        throw new ScriptError(lines, { fatal: true });
      }
      if ((await ctx.failedOperation(lines, op, false)) === 'Skip') return false;
    }
  }
  if (settings.deleteSource) {
    try {
      const bin = run.direction === 'download' && run.recycleBin?.deletes && !isInBin(run.recycleBin, srcPath) ? run.recycleBin : undefined;
      if (bin) await moveToBin(src, bin, srcPath);
      else await src.remove(srcPath);
      if (run.direction === 'download') ctx.out.operation({ kind: 'rm', values: [['filename', srcPath]], success: true });
    } catch (err) {
      const lines = [`Error deleting file '${srcPath}'.`, ...(isTransportError(err) ? err.details : [String(err)])];
      run.failures++;
      if ((await ctx.errorQuery(lines)) === 'Skip') return false;
    }
  }
  return true;
}
