/**
 * Helpers shared by the remote commands: path resolution, error wrapping with the server's
 * detail lines, and operand selection (wildcards in the last component, sync spec §1.10).
 */
import { isInBin, moveToBin, type RecycleBin } from '../session/recycle-bin.js';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { singleMaskMatch } from '../masks/file-mask.js';
import { hasTMaskWildcards, MaskError } from '../masks/wildcard.js';
import type { Session } from '../session/session.js';
import { type Entry, isSafeName, isTransportError, joinPath, resolveRemote, type Transport } from '../transports/transport.js';

export const AMBIGUOUS_SLASH =
  'Selecting files using a path ending with slash is ambiguous. Remove the slash to select the folder. Append * mask to select all files in the folder.';

/** A command failure: WinSCP's main line plus the transport's detail lines. */
export function remoteFail(main: string, e: unknown): ScriptError {
  if (e instanceof ScriptError) return e;
  if (isTransportError(e)) return new ScriptError([main, ...e.details], { fatal: e.code === 'ECONNLOST', cause: e });
  return new ScriptError([main, e instanceof Error ? e.message : String(e)], { cause: e });
}

export function remotePath(s: Session, p: string): string {
  return resolveRemote(s.cwd, p);
}

/** One selected remote item. */
export interface Selected {
  entry: Entry;
  /** Absolute remote path. */
  path: string;
  /** The operand as typed, or `<dir part as typed><name>` for wildcard matches. */
  shown: string;
}

/** Splits `a/b/c` into `a/b/` (as typed, with the slash) and `c`. */
export function splitDirPart(p: string): [string, string] {
  const i = p.lastIndexOf('/');
  return i < 0 ? ['', p] : [p.slice(0, i + 1), p.slice(i + 1)];
}

/** Caches directory listings within one command. */
export class ListingCache {
  private readonly map = new Map<string, Promise<Entry[]>>();
  constructor(private readonly t: Transport) {}
  list(dir: string): Promise<Entry[]> {
    let p = this.map.get(dir);
    if (!p) {
      p = this.t.list(dir);
      this.map.set(dir, p);
    }
    return p;
  }
}

/**
 * Expands remote operands: a wildcard in the last component lists the directory part once and
 * matches names (no match: `No file matching …`, subject to failonnomatch); other operands are
 * looked up (missing: `Can't get attributes of file '…'.`). Symlinks are followed when
 * `follow` (get), otherwise the link itself is selected (rm).
 */
export async function selectRemote(ctx: Context, s: Session, operands: string[], opts: { follow: boolean; cache?: ListingCache }): Promise<Selected[]> {
  const cache = opts.cache ?? new ListingCache(s.transport);
  const out: Selected[] = [];
  for (const op of operands) {
    if (op.length > 1 && op.endsWith('/')) ctx.out.line(AMBIGUOUS_SLASH);
    const [dirPart, last] = splitDirPart(op);
    if (hasTMaskWildcards(last)) {
      const dir = remotePath(s, dirPart === '' ? '.' : dirPart);
      let entries: Entry[];
      try {
        entries = await cache.list(dir);
      } catch (e) {
        throw remoteFail(`Error listing directory '${dir}'.`, e);
      }
      let matched: Entry[];
      try {
        matched = entries.filter((e) => singleMaskMatch(last, e.name, e.size, e.mtime));
      } catch (e) {
        if (e instanceof MaskError) throw new ScriptError(e.message);
        throw e;
      }
      if (matched.length === 0) ctx.noMatch(`No file matching '${last}' found.`);
      for (const e of matched) out.push({ entry: opts.follow ? await followLink(s.transport, joinPath(dir, e.name), e) : e, path: joinPath(dir, e.name), shown: dirPart + e.name });
      continue;
    }
    const path = remotePath(s, op);
    try {
      const entry = opts.follow ? await s.transport.stat(path) : await s.transport.lstat(path);
      out.push({ entry, path, shown: op });
    } catch (e) {
      throw remoteFail(`Can't get attributes of file '${op}'.`, e);
    }
  }
  return out;
}

/** For a symlink entry, the attributes of its target (type and size), keeping the name. */
async function followLink(t: Transport, path: string, e: Entry): Promise<Entry> {
  if (e.type !== 'symlink') return e;
  try {
    const target = await t.stat(path);
    return { ...target, name: e.name };
  } catch {
    return e;
  }
}

/** Splits a target operand into directory (absolute) and name/operation mask (§8.7, §5.2). */
export function splitTarget(s: Session, target: string): { dir: string; mask: string } {
  const [dirPart, name] = splitDirPart(target);
  return { dir: remotePath(s, dirPart === '' ? '.' : dirPart), mask: name };
}

/** A name a server returned that would leave the directory (`..`, `/`, `\\`): refused. */
export function unsafeNameError(dir: string, name: string): ScriptError {
  return new ScriptError([`Refusing the file name '${name}' listed in '${dir}': it is not a plain file name.`]);
}

/**
 * Removes a path, directories recursively (contents first); with the session's recycle bin
 * (DeleteToRecycleBin) the file or whole directory is moved there instead.
 */
export async function removeRecursive(t: Transport, path: string, entry: Entry, bin?: RecycleBin): Promise<void> {
  if (bin?.deletes && !isInBin(bin, path)) {
    await moveToBin(t, bin, path);
    return;
  }
  if (entry.type === 'dir') {
    for (const child of await t.list(path)) {
      if (!isSafeName(child.name)) throw unsafeNameError(path, child.name);
      await removeRecursive(t, joinPath(path, child.name), child);
    }
    await t.rmdir(path);
  } else {
    await t.remove(path);
  }
}
