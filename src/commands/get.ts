import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { applyOperationMask, isMultiTarget, MULTI_FILES_TO_ONE } from '../masks/operation-mask.js';
import { LocalTransport } from '../transports/local.js';
import { parentOf } from '../transports/transport.js';
import { settingsFromNode } from '../transfer/settings.js';
import { ConnectionPool, transfersPerConnection } from '../transfer/pool.js';
import { convertName, newRun, type TransferRun, transferItem } from '../transfer/tree.js';
import { workersFor } from './synchronize.js';
import { remoteFail, type Selected, selectRemote } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** Common parent directory of absolute POSIX paths (for `./` masks), or undefined. */
export function commonParent(paths: string[]): string | undefined {
  if (paths.length === 0) return undefined;
  let common = parentOf(paths[0]!);
  for (const p of paths.slice(1)) {
    while (common !== '/' && !(parentOf(p) === common || parentOf(p).startsWith(common + '/'))) common = parentOf(common);
  }
  return common;
}

/** Splits a local target into directory and name mask; `\` and `/` both separate (§5.2). */
export function splitLocalTarget(ctx: Context, target: string): { dir: string; mask: string } {
  const i = Math.max(target.lastIndexOf('/'), target.lastIndexOf('\\'), /^[A-Za-z]:/.test(target) ? 1 : -1);
  const dirText = i < 0 ? '' : target.slice(0, i + 1);
  return { dir: dirText === '' ? ctx.localCwd : ctx.localPath(dirText), mask: target.slice(i + 1) };
}

/**
 * Transfers of a directory's files run over a pool of connections (`--parallel`, default 4);
 * the output stays in WinSCP's order. A speed limit keeps one connection, as WinSCP.
 */
export async function parallelise(ctx: Context, run: TransferRun, items: { entry?: { type: string } }[]): Promise<void> {
  const s = ctx.requireSession();
  if (run.settings.speedLimit > 0 || ctx.config.parallel <= 1) return;
  // A single file gains nothing from more connections (each costs a login).
  if (items.length <= 1 && !items.some((i) => i.entry?.type === 'dir')) return;
  const workers = await workersFor(ctx, s, ctx.config.parallel);
  run.pool = new ConnectionPool(workers, transfersPerConnection(workers[0]!));
  run.parallel = run.pool.size;
}

export function pickLatest<T extends { entry?: { mtime?: number } }>(items: T[]): T[] {
  let best: T | undefined;
  for (const it of items) if (!best || (it.entry?.mtime ?? 0) > (best.entry?.mtime ?? 0)) best = it;
  return best ? [best] : [];
}

/**
 * `get <file> … [<local target>]` (script spec §8.10, sync spec §5): the last parameter is the
 * target when there are two or more; a target without a trailing slash is a file name.
 */
export const get: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const settings = settingsFromNode(ctx, node);
  const params = node.params.map((p) => p.value);
  const toStdout = Boolean(ctx.config.stdout) && params.length >= 2 && params[params.length - 1] === '-';
  const targetText = params.length >= 2 ? params.pop()! : '';
  let selected: Selected[] = await selectRemote(ctx, s, params, { follow: true });
  if (settings.latest) selected = pickLatest(selected);
  if (settings.onlyFile || toStdout) {
    const dir = selected.find((x) => x.entry.type === 'dir');
    if (dir) throw new ScriptError(`'${dir.shown}' is not file!`);
  }
  if (toStdout) return streamToStdout(ctx, selected);
  const { dir, mask } = splitLocalTarget(ctx, targetText);
  if (selected.length > 1 && !isMultiTarget(mask)) ctx.out.line(MULTI_FILES_TO_ONE);
  const local = new LocalTransport();
  const run = newRun(ctx, settings, 'download', s.transport, local, commonParent(selected.map((x) => x.path)));
  await parallelise(ctx, run, selected);
  for (const item of selected) {
    const name = convertName(applyOperationMask(mask, item.entry.name), settings.fileNameCase);
    await transferItem(run, item.path, item.entry, path.join(dir, name));
  }
};

async function streamToStdout(ctx: Context, selected: Selected[]): Promise<void> {
  const s = ctx.requireSession();
  const out = ctx.rawStdout;
  if (!out) throw new ScriptError('Operation not supported.');
  const chunked = ctx.config.stdout === 'chunked';
  for (const item of selected) {
    try {
      const src = await s.transport.read(item.path);
      await pipeline(
        src,
        new Writable({
          write(chunk: Buffer, _e, done) {
            if (chunked) out.write(`${chunk.length.toString(16)}\r\n`);
            out.write(chunk);
            if (chunked) out.write('\r\n');
            done();
          },
        }),
      );
    } catch (e) {
      throw remoteFail(`Cannot open remote file '${item.path}'.`, e);
    }
  }
  if (chunked) out.write('0\r\n\r\n');
}
