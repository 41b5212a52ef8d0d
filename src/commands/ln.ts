import { ScriptError } from '../interpreter/errors.js';
import { remoteFail, remotePath } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** `ln <target> <symlink>` (§8.14): existing target first; prints nothing. */
export const ln: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  if (!s.transport.capabilities.canSymlink) throw new ScriptError('Operation not supported.');
  const [target, link] = node.params.map((p) => p.value) as [string, string];
  for (;;) {
    try {
      await s.transport.symlink(target, remotePath(s, link));
      return;
    } catch (e) {
      const err = remoteFail(`Cannot create link '${link}'.`, e);
      if (err.fatal) throw err;
      if ((await ctx.errorQuery(err.lines)) === 'Skip') return;
    }
  }
};
