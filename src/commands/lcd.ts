import fsp from 'node:fs/promises';
import { ScriptError } from '../interpreter/errors.js';
import { osErrorLines } from '../util/os-error.js';
import type { CommandHandler } from './types.js';

/** `lcd <directory>`: changes the local working directory and prints it (§8.12). */
export const lcd: CommandHandler = async (ctx, node) => {
  const typed = node.params[0]!.value;
  const fail = (details: string[]) => new ScriptError([`Error changing directory to '${typed}'.`, ...details]);
  let target: string;
  try {
    target = ctx.localPath(typed);
  } catch (e) {
    throw fail(e instanceof ScriptError ? e.lines : [String(e)]);
  }
  try {
    const st = await fsp.stat(target);
    if (!st.isDirectory()) throw Object.assign(new Error('Not a directory'), { code: 'ENOTDIR', errno: -20 });
    await fsp.access(target, fsp.constants.X_OK);
  } catch (e) {
    throw fail(osErrorLines(e));
  }
  ctx.localCwd = target;
  ctx.out.line(target);
};
