/**
 * Lists both sides of a synchronization and plans each directory pair as soon as both of its
 * listings arrive, several listings at a time. Only directories present on both sides are
 * descended into. A pair's listings are dropped once it is planned, so memory holds the
 * directories in flight and the actions, not the whole tree (twice). Listing errors are
 * recorded, never turned into empty listings.
 */
import { isTransportError, type Entry, type Transport } from '../transports/transport.js';
import { checklistOrder, type DirPair, emptyPlan, type Plan, planPair, type PlanOptions } from './plan.js';

export interface ScanSides {
  local: Transport;
  /** Remote connections to list with (the session's plus pool connections). */
  remote: Transport[];
}

export interface ScanHooks {
  /** Called for every pair as it is listed (the collection progress lines). */
  onVisit?: (localDir: string, remoteDir: string) => void;
  /**
   * Called after a pair is listed and before it is planned (checksum criterion: hash the file
   * pairs that time and size call equal, and record the results in `o.checksumsEqual`).
   */
  beforePlan?: (pair: DirPair) => Promise<void>;
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

/** Scans from the roots and returns the plan in checklist order. */
export async function scanAndPlan(sides: ScanSides, localRoot: string, remoteRoot: string, o: PlanOptions, hooks: ScanHooks = {}): Promise<Plan> {
  const out = emptyPlan();
  const queue: DirPair[] = [{ localPath: localRoot, remotePath: remoteRoot, local: [], remote: [], children: new Map() }];
  // Several listing requests in flight per connection: SFTP pipelines them; the FTP transport
  // queues them itself.
  const limit = Math.max(16, sides.remote.length * 8);
  let active = 0;
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (active === 0 && queue.length === 0) return resolve();
      while (active < limit && queue.length > 0) {
        const pair = queue.shift()!;
        const t = sides.remote[next++ % sides.remote.length]!;
        active++;
        hooks.onVisit?.(pair.localPath, pair.remotePath);
        Promise.all([listSide(sides.local, 'local', pair.localPath), listSide(t, 'remote', pair.remotePath)])
          .then(async ([l, r]) => {
            pair.local = l;
            pair.remote = r;
            await hooks.beforePlan?.(pair);
            queue.push(...planPair(pair, o, out));
            pair.local = [];
            pair.remote = [];
            active--;
            pump();
          })
          .catch(reject);
      }
    };
    pump();
  });
  out.actions.sort(checklistOrder);
  return out;
}
