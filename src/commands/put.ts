import { pipeline } from 'node:stream/promises';
import { ScriptError } from '../interpreter/errors.js';
import { applyOperationMask, isMultiTarget, MULTI_FILES_TO_ONE } from '../masks/operation-mask.js';
import { LocalTransport } from '../transports/local.js';
import { joinPath } from '../transports/transport.js';
import { PART_SUFFIX } from '../transfer/copy.js';
import { selectLocal } from '../transfer/local-select.js';
import { settingsFromNode } from '../transfer/settings.js';
import { convertName, newRun, transferItem } from '../transfer/tree.js';
import { commonParent, parallelise, pickLatest } from './get.js';
import { remoteFail, splitTarget } from './remote-util.js';
import type { CommandHandler } from './types.js';

/**
 * `put <file> … [<remote target>]` (script spec §8.21, sync spec §5): mirror image of `get`;
 * local wildcards are Windows wildcards.
 */
export const put: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const settings = settingsFromNode(ctx, node);
  const params = node.params.map((p) => p.value);
  if (ctx.config.stdin && params[0] === '-') {
    if (params.length !== 2 || /[*?]/.test(params[1]!) || params[1]!.endsWith('/')) {
      throw new ScriptError('When uploading streamed data, only one source can be specified and the target must specify a filename.');
    }
    const target = joinPath(splitTarget(s, params[1]!).dir, splitTarget(s, params[1]!).mask);
    try {
      const dst = await s.transport.write(target + PART_SUFFIX);
      await pipeline(ctx.rawStdin!, dst);
      await s.transport.rename(target + PART_SUFFIX, target);
      ctx.out.operation({ kind: 'upload', values: [['filename', '-'], ['destination', target]], success: true });
    } catch (e) {
      throw remoteFail(`Cannot create remote file '${target}'.`, e);
    }
    return;
  }
  const targetText = params.length >= 2 ? params.pop()! : '';
  let selected = await selectLocal(ctx, params);
  if (settings.latest) {
    const missing = selected.find((x) => !x.entry);
    if (missing) throw new ScriptError(`File or folder '${missing.shown}' does not exist.`);
    selected = pickLatest(selected);
  }
  const { dir, mask } = splitTarget(s, targetText);
  if (selected.length > 1 && !isMultiTarget(mask)) ctx.out.line(MULTI_FILES_TO_ONE);
  const run = newRun(ctx, settings, 'upload', new LocalTransport(), s.transport, commonParent(selected.map((x) => x.path)));
  await parallelise(ctx, run, selected);
  for (const item of selected) {
    if (!item.entry) {
      const lines = [`File or folder '${item.shown}' does not exist.`, 'System Error.  Code: 2.', 'No such file or directory'];
      if ((await ctx.errorQuery(lines)) === 'Skip') continue;
      continue;
    }
    const name = convertName(applyOperationMask(mask, item.entry.name), settings.fileNameCase);
    await transferItem(run, item.path, item.entry, joinPath(dir, name));
  }
};
