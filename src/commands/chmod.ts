import { isOctalPermissions } from '../../grammar/command-table.js';
import { ScriptError } from '../interpreter/errors.js';
import { rightsText } from '../output/formats.js';
import { remoteFail, selectRemote } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** `chmod <mode> <file> …` (§8.5): 3 or 4 octal digits, not recursive. */
export const chmod: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  if (!s.transport.capabilities.canChmod) throw new ScriptError('Operation not supported.');
  const [modeParam, ...files] = node.params.map((p) => p.value);
  const selected = await selectRemote(ctx, s, files, { follow: false });
  if (!isOctalPermissions(modeParam!)) throw new ScriptError(`'${modeParam}' is not valid permission in octal format.`);
  const mode = parseInt(modeParam!, 8);
  for (const item of selected) {
    try {
      await s.transport.chmod(item.path, mode);
      ctx.out.operation({ kind: 'chmod', values: [['filename', item.path], ['permissions', rightsText(mode)]], success: true });
      ctx.out.line(item.shown);
    } catch (e) {
      const err = remoteFail(`Can't set properties of file '${item.shown}'.`, e);
      if (err.fatal) throw err;
      await ctx.failedOperation(err.lines, { kind: 'chmod', values: [['filename', item.path], ['permissions', rightsText(mode)]], success: false }, true);
    }
  }
};
