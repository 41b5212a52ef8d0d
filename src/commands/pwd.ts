import type { CommandHandler } from './types.js';

/** `pwd`: prints the remote working directory (§8.22). */
export const pwd: CommandHandler = async (ctx) => {
  const s = ctx.requireSession();
  ctx.out.line(s.cwd);
  ctx.out.operation({ kind: 'cwd', values: [['cwd', s.cwd]], success: true });
};
