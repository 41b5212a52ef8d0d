/**
 * `synchronize -preview` output (sync spec §3.7): `Differences found:` and one line per checked
 * item in checklist order, or `Nothing to synchronize.`.
 *
 * compat: with a remote root of `/`, WinSCP glues the `.` to the name (`.a.txt`); winscript
 * prints `./a.txt`.
 */
import { formatRemoteTime } from '../output/formats.js';
import type { Entry } from '../transports/transport.js';
import type { SyncAction } from './plan.js';

/** `./sub/a.txt` when `p` is under `root` (case-insensitive prefix test), else `p`. */
export function relativeRecord(p: string, root: string): string {
  const r = root.endsWith('/') ? root : root + '/';
  if (p.toLowerCase().startsWith(r.toLowerCase())) return './' + p.slice(r.length);
  return p;
}

function record(path: string, root: string, e: Entry | undefined, isDir: boolean): string {
  const rel = relativeRecord(path, root);
  if (isDir) return rel + '/';
  if (!e) return rel;
  return `${rel} [${e.size}, ${formatRemoteTime(e.mtime, e.precision)}]`;
}

export function previewLine(a: SyncAction, localRoot: string, remoteRoot: string): string {
  const L = record(a.localPath, localRoot, a.local, a.isDir);
  const R = record(a.remotePath, remoteRoot, a.remote, a.isDir);
  switch (a.kind) {
    case 'upload-new':
      return `New local file ${L}`;
    case 'download-new':
      return `New remote file ${R}`;
    case 'upload-update':
      return `Local file ${L} newer than remote file ${R}`;
    case 'download-update':
      return `Remote file ${R} newer than local file ${L}`;
    case 'delete-remote':
      return `Orphan remote file ${R}`;
    case 'delete-local':
      return `Orphan local file ${L}`;
  }
}

/** XML `<difference>` action names. */
export const DIFFERENCE_ACTION: Record<SyncAction['kind'], string> = {
  'upload-new': 'uploadnew',
  'download-new': 'downloadnew',
  'upload-update': 'uploadupdate',
  'download-update': 'downloadupdate',
  'delete-remote': 'deleteremote',
  'delete-local': 'deletelocal',
};
