import type { CommandHandler } from './types.js';

/** `exit` / `bye`: ends the run; sessions are closed silently by the runner (§8.9). */
export const exit: CommandHandler = async (ctx) => {
  ctx.stopped = true;
};
