/**
 * Lists both sides of a synchronization into DirPair trees, descending only into directories
 * present on both sides, several listings at a time. Listing errors are recorded, never turned
 * into empty listings.
 */
import { isTransportError, type Entry, type Transport } from '../transports/transport.js';
import { type DirPair, type PlanOptions, subdirsToScan } from './plan.js';

export interface ScanSides {
  local: Transport;
  /** Remote connections to list with (the session's plus pool connections). */
  remote: Transport[];
}

function errLines(kind: 'local' | 'remote', path: string, e: unknown): string[] {
  const details = isTransportError(e) ? e.details : [e instanceof Error ? e.message : String(e)];
  return [`Error listing directory '${kind === 'local' ? `${path}/*.*` : path}'.`, ...details];
}

async function listSide(t: Transport, kind: 'local' | 'remote', path: string): Promise<Entry[] | { error: string[] }> {
  try {
    return await t.list(path);
  } catch (e) {
    return { error: errLines(kind, path, e) };
  }
}

/**
 * Scans from the roots. `onVisit` is called for every pair as it is listed (the collection
 * progress lines). Concurrency is the number of remote connections (times two).
 */
export async function scan(sides: ScanSides, localRoot: string, remoteRoot: string, o: PlanOptions, onVisit?: (localDir: string, remoteDir: string) => void): Promise<DirPair> {
  const root: DirPair = { localPath: localRoot, remotePath: remoteRoot, local: [], remote: [], children: new Map() };
  const queue: DirPair[] = [root];
  const limit = Math.max(1, sides.remote.length * 2);
  let active = 0;
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (active === 0 && queue.length === 0) return resolve();
      while (active < limit && queue.length > 0) {
        const pair = queue.shift()!;
        const t = sides.remote[next++ % sides.remote.length]!;
        active++;
        onVisit?.(pair.localPath, pair.remotePath);
        Promise.all([listSide(sides.local, 'local', pair.localPath), listSide(t, 'remote', pair.remotePath)])
          .then(([l, r]) => {
            pair.local = l;
            pair.remote = r;
            for (const { local, remote } of subdirsToScan(pair, o)) {
              const child: DirPair = {
                localPath: join(pair.localPath, local.name),
                remotePath: join(pair.remotePath, remote.name),
                local: [],
                remote: [],
                children: new Map(),
              };
              pair.children.set(local.name, child);
              queue.push(child);
            }
            active--;
            pump();
          })
          .catch(reject);
      }
    };
    pump();
  });
  return root;
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}
