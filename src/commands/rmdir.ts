import { remoteFail, remotePath, removeRecursive } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** `rmdir <directory> …` (§8.24): literal names, removed with their contents. */
export const rmdir: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  for (const p of node.params) {
    const path = remotePath(s, p.value);
    try {
      const entry = await s.transport.lstat(path);
      if (entry.type !== 'dir') throw remoteFail(`Error deleting file '${p.value}'.`, new Error('Not a directory.'));
      await removeRecursive(s.transport, path, entry, s.recycleBin);
      ctx.out.operation({ kind: 'rm', values: [['filename', path]], success: true, recursive: true });
      ctx.out.line(p.value);
    } catch (e) {
      const err = remoteFail(`Error deleting file '${p.value}'.`, e);
      if (err.fatal) throw err;
      await ctx.failedOperation(err.lines, { kind: 'rm', values: [['filename', path]], success: false }, true);
    }
  }
};
