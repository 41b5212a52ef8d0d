/**
 * The remote recycle bin of a session (raw settings DeleteToRecycleBin, OverwrittenToRecycleBin,
 * RecycleBinPath; WinSCP's default folder is /tmp): deleted and overwritten remote files are
 * moved into that folder under a time-stamped name instead of being destroyed. Deleting
 * something that is already inside the folder deletes it for real.
 */
import { baseName, isTransportError, joinPath, type Transport, TransportError } from '../transports/transport.js';
import { rawBool } from './raw-settings.js';

export interface RecycleBin {
  /** Absolute remote folder. */
  dir: string;
  /** rm, rmdir, synchronize -delete, get -delete. */
  deletes: boolean;
  /** Files replaced by put and synchronize. */
  overwrites: boolean;
}

export function recycleBinFromRaw(raw: ReadonlyMap<string, string>, home: string): RecycleBin | undefined {
  const deletes = rawBool(raw, 'deletetorecyclebin');
  const overwrites = rawBool(raw, 'overwrittentorecyclebin');
  if (!deletes && !overwrites) return undefined;
  const path = (raw.get('recyclebinpath') ?? '/tmp').trim() || '/tmp';
  const dir = path.startsWith('/') ? path : joinPath(home, path);
  return { dir: dir.length > 1 ? dir.replace(/\/+$/, '') : dir, deletes, overwrites };
}

export function isInBin(bin: RecycleBin, path: string): boolean {
  return path === bin.dir || path.startsWith(bin.dir === '/' ? '/' : `${bin.dir}/`);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `report.csv` -> `report-20261201-221500.csv` (local time); `n` > 0 adds `-n` for a clash. */
export function recycledName(name: string, now: Date, n = 0): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}${n > 0 ? `-${n}` : ''}`;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-${stamp}${name.slice(dot)}` : `${name}-${stamp}`;
}

/**
 * Moves `path` (file or whole directory) into the bin under a name no file there has yet. Throws
 * the transport's error when it cannot (a missing bin folder is an error, nothing is deleted).
 */
export async function moveToBin(t: Transport, bin: RecycleBin, path: string, now = new Date()): Promise<string> {
  for (let n = 0; ; n++) {
    const target = joinPath(bin.dir, recycledName(baseName(path), now, n));
    try {
      await t.lstat(target);
      continue; // taken: never overwrite something already recycled
    } catch (e) {
      if (!isTransportError(e, 'ENOENT')) throw e;
    }
    try {
      await t.rename(path, target);
    } catch (e) {
      const details = isTransportError(e) ? e.details : [String(e)];
      throw new TransportError(isTransportError(e) ? e.code : 'EFAILURE', [`Cannot move '${path}' to the recycle bin folder '${bin.dir}' (raw setting RecycleBinPath).`, ...details], { cause: e });
    }
    return target;
  }
}
