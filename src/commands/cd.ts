import { remoteFail, remotePath } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** `cd [<directory>]` (§8.3): changes the remote working directory and prints it. */
export const cd: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const typed = node.params[0]?.value;
  const target = typed === undefined ? s.home : remotePath(s, typed);
  const fail = typed === undefined ? 'Error changing directory to home directory.' : `Error changing directory to '${typed}'.`;
  try {
    const st = await s.transport.stat(target);
    if (st.type !== 'dir') throw new Error('Not a directory.');
    s.cwd = await s.transport.realpath(target);
  } catch (e) {
    throw remoteFail(fail, e);
  }
  ctx.out.line(s.cwd);
};
