import { getSwitch } from '../../grammar/ast.js';
import { matchPrefix } from '../../grammar/command-table.js';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import type { Session } from '../session/session.js';
import { LocalTransport } from '../transports/local.js';
import { isTransportError, type Transport } from '../transports/transport.js';
import { settingsFromNode } from '../transfer/settings.js';
import { applyPlan, ARROWS } from '../sync/apply.js';
import { type Criteria, deletions, pairsNeedingChecksum, parseCriteria, type PlanOptions, type SyncMode } from '../sync/plan.js';
import { DIFFERENCE_ACTION, previewLine } from '../sync/preview.js';
import { scanAndPlan } from '../sync/scan.js';
import { ReadOnlyTransport } from '../transports/read-only.js';
import { fileRecord } from './ls.js';
import { remotePath } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** Opens pool connections up to `n` in all, at the same time (kept in the session for later commands). */
export async function workersFor(ctx: Context, s: Session, n: number): Promise<Transport[]> {
  const want = Math.min(n, s.transport.capabilities.maxConnections);
  const missing = s.connectAnother ? Math.max(0, want - 1 - s.pool.length) : 0;
  const opened = await Promise.allSettled(Array.from({ length: missing }, () => s.connectAnother!()));
  for (const r of opened) {
    if (r.status === 'fulfilled') s.pool.push(r.value);
    else ctx.out.debug(`Could not open another connection: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
  }
  return [s.transport, ...s.pool.slice(0, Math.max(0, want - 1))];
}

/** Hashes the given file pairs on both sides (sha256, else sha1) and records equality in `out`. */
async function checksumsEqual(local: Transport, remote: Transport, pairs: ReturnType<typeof pairsNeedingChecksum>, out: Map<string, boolean>): Promise<void> {
  for (const p of pairs) {
    let alg = 'sha256';
    let remoteHex: string;
    try {
      remoteHex = await remote.checksum(alg, p.remotePath);
    } catch (e) {
      if (!isTransportError(e, 'EUNSUPPORTED')) throw new ScriptError([`Error calculating checksum of file '${p.remotePath}'.`, ...(isTransportError(e) ? e.details : [String(e)])]);
      alg = 'sha1';
      try {
        remoteHex = await remote.checksum(alg, p.remotePath);
      } catch {
        throw new ScriptError(['Checksum comparison is not supported by this server.', 'Operation not supported.']);
      }
    }
    const localHex = await local.checksum(alg, p.localPath);
    out.set(p.localPath, localHex.toLowerCase() === remoteHex.toLowerCase());
  }
}

/**
 * `synchronize local|remote|both [<local dir> [<remote dir>]]` (script spec §8.27, sync spec §3):
 * scan both sides, plan purely, then preview or apply.
 */
export const synchronize: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const [modeParam, localParam, remoteParam] = node.params.map((p) => p.value);
  const mode = matchPrefix(modeParam!, ['local', 'remote', 'both']).match as SyncMode | undefined;
  if (!mode) throw new ScriptError(`Unknown option '${modeParam}'.`);
  const localRoot = localParam !== undefined ? ctx.localPath(localParam) : ctx.localCwd;
  const remoteRoot = remoteParam !== undefined ? remotePath(s, remoteParam) : s.cwd;
  const preview = Boolean(getSwitch(node, 'preview'));
  const criteriaSwitch = getSwitch(node, 'criteria');
  const criteria: Criteria = (criteriaSwitch ? parseCriteria(criteriaSwitch.value) : undefined) ?? { time: true, size: false, checksum: false };
  const settings = settingsFromNode(ctx, node);
  settings.deleteSource = false;
  if (criteria.time) settings.preserveTime = true;
  settings.newerOnly = Boolean(getSwitch(node, 'neweronly')) && !getSwitch(node, 'noneweronly');

  const local = new LocalTransport();
  // Listing uses the connections already open (requests are pipelined); more are opened only
  // when the plan has enough to transfer to be worth their logins.
  const scanWith = [s.transport, ...s.pool];
  // -preview runs on read-only wrappers: no write call is possible.
  const sides = preview
    ? { local: new ReadOnlyTransport(local), remote: scanWith.map((w) => new ReadOnlyTransport(w)) }
    : { local, remote: scanWith };
  const o: PlanOptions = {
    mode,
    criteria,
    delete: Boolean(getSwitch(node, 'delete')) || ctx.options.synchdelete,
    mirror: Boolean(getSwitch(node, 'mirror')),
    mask: settings.fileMask,
    localRoot,
    remoteRoot,
    localCaseSensitive: local.capabilities.caseSensitive,
    remoteCaseSensitive: s.transport.capabilities.caseSensitive,
    excludeHidden: settings.excludeHidden,
  };
  const arrow = ARROWS[mode];
  ctx.out.line('Comparing...');
  const sums = new Map<string, boolean>();
  o.checksumsEqual = sums;
  const p = await scanAndPlan(sides, localRoot, remoteRoot, o, {
    onVisit: (l, r) => ctx.out.progress('sync-collect', `Local '${l}' ${arrow} Remote '${r}'`),
    beforePlan: o.criteria.checksum ? (pair) => checksumsEqual(sides.local, sides.remote[0]!, pairsNeedingChecksum(pair, o), sums) : undefined,
  });
  const last = p.last;
  if (last) ctx.out.progress('sync-collect', `Local '${last.localDir}' ${arrow} Remote '${last.remoteDir}'`);
  for (const w of p.warnings) ctx.out.warning(w);

  for (const err of p.errors) {
    const isRoot = err.localDir === localRoot && err.remoteDir === remoteRoot;
    // An unreadable root, or any unreadable directory outside `batch continue`: nothing is applied.
    if (isRoot) throw new ScriptError(err.lines);
    await ctx.errorQuery(err.lines, { skipAll: false });
  }
  // compat: WinSCP treats a skipped unreadable directory as empty (and may delete the other
  // side's files); winscript leaves it alone and reports the synchronization as incomplete.
  const incomplete = () => {
    if (p.errors.length > 0) {
      const n = p.errors.length;
      throw new ScriptError(`${n} ${n === 1 ? 'directory' : 'directories'} could not be listed and ${n === 1 ? 'was' : 'were'} left out of the synchronization; nothing was deleted.`);
    }
  };
  if (p.actions.length === 0) {
    incomplete();
    ctx.noMatch('Nothing to synchronize.');
    return;
  }
  if (preview) {
    ctx.out.line('Differences found:');
    for (const a of p.actions) {
      ctx.out.line(previewLine(a, localRoot, remoteRoot));
      const values: [string, string][] = [['action', DIFFERENCE_ACTION[a.kind]]];
      const side = (prefix: string, e: typeof a.local, path: string) => {
        const rec = e ? fileRecord(e, false) : undefined;
        values.push([`${prefix}type`, a.isDir ? 'D' : '-'], [`${prefix}filename`, path]);
        if (rec?.size !== undefined && !a.isDir) values.push([`${prefix}size`, String(rec.size)]);
        if (rec?.modification) values.push([`${prefix}modification`, rec.modification]);
      };
      if (a.kind === 'upload-new' || a.kind.endsWith('update') || a.kind === 'delete-local') side('local.', a.local, a.localPath);
      if (a.kind === 'download-new' || a.kind.endsWith('update') || a.kind === 'delete-remote') side('remote.', a.remote, a.remotePath);
      ctx.out.operation({ kind: 'difference', values, success: true });
    }
    return;
  }
  const dels = deletions(p);
  const max = ctx.config.maxDelete;
  if (max !== undefined && dels.length > max) {
    throw new ScriptError(`Refusing to synchronize: the plan deletes ${dels.length} items, more than --max-delete ${max}. Check the directories, then raise the limit if this is intended.`);
  }
  ctx.out.line('Synchronizing...');
  // A speed limit is for the whole command: one connection then, as WinSCP transfers.
  const transfers = p.actions.filter((a) => !a.kind.startsWith('delete'));
  const worthPool = transfers.length >= 4 || transfers.some((a) => a.isDir);
  const workers = settings.speedLimit > 0 || !worthPool ? [s.transport] : await workersFor(ctx, s, ctx.config.parallel);
  await applyPlan({ ctx, session: s, plan: p, mode, settings, local, workers, localRoot, remoteRoot });
  incomplete();
};
