import fs from 'node:fs';
import path from 'node:path';
import { getSwitch } from '../../grammar/ast.js';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { maskAllows } from '../masks/file-mask.js';
import type { Session } from '../session/session.js';
import { LocalTransport } from '../transports/local.js';
import { isTransportError } from '../transports/transport.js';
import { settingsFromNode, type TransferSettings } from '../transfer/settings.js';
import { applyPlan } from '../sync/apply.js';
import { type DirPair, plan, type PlanOptions } from '../sync/plan.js';
import { remotePath } from './remote-util.js';
import { workersFor } from './synchronize.js';
import type { CommandHandler } from './types.js';

/** Debounce of change notifications (sync spec §4). */
export const KEEPUPTODATE_DELAY_MS = 500;

/** The local directories watched: the root and every sub-directory the mask lets in. */
function watchedDirs(root: string, o: PlanOptions): string[] {
  const out = [root];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const full = path.join(dir, e.name);
      if (!maskAllows(o.mask, { name: e.name, dirPath: dir, isDir: true }, { root: o.localRoot })) continue;
      out.push(full);
      walk(full);
    }
  };
  walk(root);
  return out;
}

/** One non-recursive synchronize of a changed local directory against its remote counterpart. */
async function syncDir(ctx: Context, s: Session, settings: TransferSettings, o: PlanOptions, localDir: string): Promise<void> {
  const rel = path.relative(o.localRoot, localDir).split(path.sep).filter(Boolean);
  const remoteDir = rel.reduce((acc, part) => (acc.endsWith('/') ? acc + part : `${acc}/${part}`), o.remoteRoot);
  const local = new LocalTransport();
  const listLocal = await local.list(localDir).catch((e: unknown) => ({ error: [`Error listing directory '${localDir}/*.*'.`, ...(isTransportError(e) ? e.details : [])] }));
  if ('error' in listLocal) return; // the directory went away: its parent's change handles it
  let listRemote;
  try {
    listRemote = await s.transport.list(remoteDir);
  } catch (e) {
    if (isTransportError(e, 'ENOENT')) return; // created by the parent's synchronization
    throw new ScriptError([`Error listing directory '${remoteDir}'.`, ...(isTransportError(e) ? e.details : [])]);
  }
  const pair: DirPair = { localPath: localDir, remotePath: remoteDir, local: listLocal, remote: listRemote, children: new Map() };
  const p = plan(pair, o);
  if (p.actions.length === 0) return;
  const workers = settings.speedLimit > 0 ? [s.transport] : await workersFor(ctx, s, ctx.config.parallel);
  await applyPlan({ ctx, session: s, plan: p, mode: 'remote', settings, local, workers, localRoot: o.localRoot, remoteRoot: o.remoteRoot });
}

/**
 * `keepuptodate [<local dir> [<remote dir>]]` (script spec §8.11, sync spec §4): watches the
 * local directory recursively and mirrors changes to the server, until Ctrl-C. There is no
 * initial synchronization. Ctrl-C ends the watch and the script goes on with the next command.
 */
export const keepuptodate: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const [localParam, remoteParam] = node.params.map((p) => p.value);
  const localRoot = localParam !== undefined ? ctx.localPath(localParam) : ctx.localCwd;
  const remoteRoot = remoteParam !== undefined ? remotePath(s, remoteParam) : s.cwd;
  const settings = settingsFromNode(ctx, node);
  settings.deleteSource = false;
  settings.preserveTime = true;
  const local = new LocalTransport();
  const o: PlanOptions = {
    mode: 'remote',
    criteria: { time: true, size: false, checksum: false },
    delete: Boolean(getSwitch(node, 'delete')) || ctx.options.synchdelete,
    mirror: false,
    mask: settings.fileMask,
    localRoot,
    remoteRoot,
    localCaseSensitive: local.capabilities.caseSensitive,
    remoteCaseSensitive: s.transport.capabilities.caseSensitive,
    excludeHidden: settings.excludeHidden,
  };
  try {
    if (!fs.statSync(localRoot).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new ScriptError([`Error watching for changes in directory '${localRoot}'.`, 'No such file or directory']);
  }
  ctx.out.line('Watching for changes, press Ctrl-C to abort...');
  ctx.out.line(`Scanning '${localRoot}' for subdirectories...`);
  let count = watchedDirs(localRoot, o).length;
  ctx.out.line(`Watching for changes in ${count} directories...`);

  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let stopped = false;
  let watchError: unknown;
  const watcher = fs.watch(localRoot, { recursive: true }, (_event, filename) => {
    if (filename === null) return;
    const full = path.join(localRoot, filename.toString());
    changed.add(path.dirname(full));
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => wake?.(), KEEPUPTODATE_DELAY_MS);
  });
  watcher.on('error', (e) => {
    watchError = e;
    wake?.();
  });
  ctx.onInterrupt = () => {
    stopped = true;
    wake?.();
    return true;
  };
  try {
    while (!stopped) {
      await new Promise<void>((r) => (wake = r));
      if (watchError) throw new ScriptError([`Error watching for changes in directory '${localRoot}'.`, String((watchError as Error).message ?? watchError)]);
      if (stopped) break;
      // Parents first, so that a new directory is uploaded whole before its own events run.
      const dirs = [...changed].filter((d) => d === localRoot || d.startsWith(localRoot + path.sep)).sort((a, b) => a.length - b.length || a.localeCompare(b));
      changed.clear();
      for (const d of dirs) {
        if (stopped) break;
        if (!fs.existsSync(d)) continue;
        ctx.out.line(`Change in '${d}' detected.`);
        try {
          await syncDir(ctx, s, settings, o, d);
        } catch (e) {
          if (ctx.options.batch !== 'continue') throw e;
          ctx.out.error(e instanceof ScriptError ? e.lines : [String(e)]);
          ctx.failed = true;
        }
        ctx.bus.emit({ type: 'progress-end' });
      }
      const now = watchedDirs(localRoot, o).length;
      if (now !== count) {
        count = now;
        ctx.out.line(`Watching for changes in ${count} directories...`);
      }
    }
    ctx.out.line('Terminated by user.');
  } finally {
    if (timer) clearTimeout(timer);
    watcher.close();
    ctx.onInterrupt = undefined;
  }
};
