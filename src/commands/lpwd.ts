import type { CommandHandler } from './types.js';

/** `lpwd`: prints the local working directory (§8.15). */
export const lpwd: CommandHandler = async (ctx) => {
  ctx.out.line(ctx.localCwd);
};
