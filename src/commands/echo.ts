import type { CommandHandler } from './types.js';

/** `echo <message>`: prints the raw remainder of the line, quotes included (script spec §8.8). */
export const echo: CommandHandler = async (ctx, node) => {
  ctx.out.line(node.raw);
};
