/**
 * The only code of synchronize that changes anything: executes a Plan through the transports.
 * Transfers run first, in checklist order, several at a time over a pool of connections (their
 * output still appears in checklist order); deletions run last, and only when every listing and
 * every transfer succeeded and the plan stays under `--max-delete`.
 *
 * compat: WinSCP interleaves deletions with transfers in checklist order and deletes even when
 * something failed; winscript deletes last and never on doubt.
 */
import fsp from 'node:fs/promises';
import { removeRecursive } from '../commands/remote-util.js';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import type { Session } from '../session/session.js';
import { isTransportError, type Transport } from '../transports/transport.js';
import { newRun, type TransferRun, transferItem } from '../transfer/tree.js';
import type { TransferSettings } from '../transfer/settings.js';
import { orderedMap } from '../util/ordered-pool.js';
import { ConnectionPool, transfersPerConnection } from '../transfer/pool.js';
import { osErrorLines } from '../util/os-error.js';
import { deletions, type Plan, type SyncAction, type SyncMode } from './plan.js';

export const ARROWS: Record<SyncMode, string> = { remote: '=>', local: '<=', both: '<=>' };

export interface ApplyInput {
  ctx: Context;
  session: Session;
  plan: Plan;
  mode: SyncMode;
  settings: TransferSettings;
  local: Transport;
  /** Remote connections for transfers (the session's first). */
  workers: Transport[];
  localRoot: string;
  remoteRoot: string;
}

export interface ApplyResult {
  failures: number;
  deleted: number;
  deletionsSkipped: boolean;
}

/** Prints `Local '<l>' <arrow> Remote '<r>'` when the directory pair changes. */
class PairIntro {
  private last: string | undefined;
  constructor(
    private readonly ctx: Context,
    private readonly arrow: string,
  ) {}
  show(a: SyncAction): void {
    const key = `${a.localDir}\0${a.remoteDir}`;
    if (key === this.last) return;
    this.last = key;
    this.ctx.out.line(`Local '${a.localDir}' ${this.arrow} Remote '${a.remoteDir}'`);
  }
}

export async function applyPlan(input: ApplyInput): Promise<ApplyResult> {
  const { ctx, plan, mode, settings } = input;
  const intro = new PairIntro(ctx, ARROWS[mode]);
  const transfers = plan.actions.filter((a) => a.kind !== 'delete-local' && a.kind !== 'delete-remote');
  // One upload run and one download run for the whole plan: they share the target listings
  // and the pool; listing and directory creation use the session's connection.
  const pool = new ConnectionPool(input.workers, transfersPerConnection(input.workers[0]!));
  const primary = input.workers[0]!;
  const up: TransferRun = { ...newRun(ctx, settings, 'upload', input.local, primary, input.localRoot), forSync: true, pool, parallel: pool.size };
  const down: TransferRun = { ...newRun(ctx, settings, 'download', primary, input.local, input.remoteRoot), forSync: true, pool, parallel: pool.size };
  await orderedMap(
    ctx.bus,
    transfers,
    async (a) => {
      if (a.kind === 'upload-new' || a.kind === 'upload-update') await transferItem(up, a.localPath, a.local!, a.remotePath);
      else await transferItem(down, a.remotePath, a.remote!, a.localPath);
    },
    { limit: pool.size, shouldStop: () => ctx.abortController.signal.aborted, beforeOutput: (a, has) => has && intro.show(a) },
  );
  const failures = up.failures + down.failures;

  const dels = deletions(plan);
  const result: ApplyResult = { failures, deleted: 0, deletionsSkipped: false };
  if (dels.length === 0) return result;
  if (failures > 0 || plan.errors.length > 0 || ctx.abortController.signal.aborted) {
    result.deletionsSkipped = true;
    throw new ScriptError(
      `Not deleting ${dels.length} ${dels.length === 1 ? 'item' : 'items'}: ${plan.errors.length > 0 ? 'a directory could not be listed' : 'a transfer failed'}, so the listing cannot be trusted to decide what is obsolete.`,
    );
  }
  for (const a of dels) {
    if (ctx.abortController.signal.aborted) break;
    intro.show(a);
    for (;;) {
      try {
        if (a.kind === 'delete-remote') {
          await removeRecursive(input.session.transport, a.remotePath, a.remote!, input.session.recycleBin);
          ctx.out.operation({ kind: 'rm', values: [['filename', a.remotePath]], success: true, recursive: a.isDir || undefined });
          ctx.out.line(`'${a.remotePath}' deleted`);
        } else {
          await fsp.rm(a.localPath, { recursive: a.isDir, force: false });
          ctx.out.line(`'${a.localPath}' deleted`);
        }
        result.deleted++;
        break;
      } catch (e) {
        const path = a.kind === 'delete-remote' ? a.remotePath : a.localPath;
        const details = e instanceof ScriptError ? e.lines : isTransportError(e) ? e.details : osErrorLines(e);
        const lines = [`Error deleting file '${path}'.`, ...details];
        result.failures++;
        const answer = a.kind === 'delete-remote' ? await ctx.failedOperation(lines, { kind: 'rm', values: [['filename', path]], success: false }, true) : await ctx.errorQuery(lines);
        if (answer === 'Skip') break;
      }
    }
  }
  return result;
}
