import { formatLsLine } from '../output/formats.js';
import { fileRecord } from './ls.js';
import { remoteFail, remotePath } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** `stat <file>` (§8.26): one listing line for the path, taken literally. */
export const stat: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const typed = node.params[0]!.value;
  const path = remotePath(s, typed.length > 1 ? typed.replace(/\/+$/, '') : typed);
  try {
    const e = await s.transport.lstat(path);
    ctx.out.line(formatLsLine(e));
    ctx.out.operation({ kind: 'stat', values: [['filename', path]], success: true, file: fileRecord(e, false) });
  } catch (e) {
    throw remoteFail(`Can't get attributes of file '${typed}'.`, e);
  }
};
