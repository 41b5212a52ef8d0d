import { remoteFail, remotePath } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** `mkdir <directory>` (§8.17): one level; prints nothing on success. */
export const mkdir: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const typed = node.params[0]!.value;
  const path = remotePath(s, typed);
  for (;;) {
    try {
      await s.transport.mkdir(path);
      ctx.out.operation({ kind: 'mkdir', values: [['filename', path]], success: true });
      return;
    } catch (e) {
      const existing = await s.transport.lstat(path).catch(() => undefined);
      const name = path.slice(path.lastIndexOf('/') + 1);
      const lines = existing
        ? [existing.type === 'dir' ? `Directory with name '${name}' already exists.` : `File with name '${name}' already exists.`]
        : remoteFail(`Error creating folder '${typed}'.`, e).lines;
      if ((await ctx.failedOperation(lines, { kind: 'mkdir', values: [['filename', path]], success: false }, true)) === 'Skip') return;
    }
  }
};
