import { getSwitch } from '../../grammar/ast.js';
import { ScriptError } from '../interpreter/errors.js';
import { remoteFail, removeRecursive, selectRemote } from './remote-util.js';
import type { CommandHandler } from './types.js';

/**
 * `rm <file> …` (§8.23): files and directories (recursively); wildcards allowed; prints each
 * removed item. `-onlyfile` refuses directories before anything is deleted.
 */
export const rm: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const selected = await selectRemote(ctx, s, node.params.map((p) => p.value), { follow: false });
  if (getSwitch(node, 'onlyfile')) {
    const dir = selected.find((x) => x.entry.type === 'dir');
    if (dir) throw new ScriptError(`'${dir.shown}' is not file!`);
  }
  for (const item of selected) {
    for (;;) {
      try {
        await removeRecursive(s.transport, item.path, item.entry, s.recycleBin);
        ctx.out.operation({ kind: 'rm', values: [['filename', item.path]], success: true, recursive: item.entry.type === 'dir' || undefined });
        ctx.out.line(item.shown);
        break;
      } catch (e) {
        const err = remoteFail(`Error deleting file '${item.shown}'.`, e);
        if (err.fatal) throw err;
        if ((await ctx.failedOperation(err.lines, { kind: 'rm', values: [['filename', item.path]], success: false }, true)) === 'Skip') break;
      }
    }
  }
};
