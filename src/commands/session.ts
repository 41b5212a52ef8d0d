import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { closeSession } from '../session/session.js';
import type { CommandHandler } from './types.js';

function sessionNumber(ctx: Context, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= ctx.sessions.length)) throw new ScriptError(`Invalid session number '${text}'.`);
  return n - 1;
}

function printActive(ctx: Context): void {
  const s = ctx.session;
  ctx.out.line(s ? `Active session: [${ctx.activeIndex + 1}] ${s.name}` : 'No session.');
}

/** `session [N]` (§8.25): lists sessions (`%3d  %s`) or selects one. */
export const session: CommandHandler = async (ctx, node) => {
  const p = node.params[0];
  if (p) {
    ctx.activeIndex = sessionNumber(ctx, p.value);
  } else {
    ctx.sessions.forEach((s, i) => ctx.out.line(`${String(i + 1).padStart(3)}  ${s.name}`));
  }
  printActive(ctx);
};

/** `close [N]` (§8.6). */
export const close: CommandHandler = async (ctx, node) => {
  const p = node.params[0];
  const index = p ? sessionNumber(ctx, p.value) : ctx.activeIndex;
  await closeActive(ctx, index);
};

/** Closes session `index`, prints `Session '…' closed.` and the new active session. */
export async function closeActive(ctx: Context, index: number): Promise<void> {
  const s = ctx.sessions[index]!;
  const wasActive = index === ctx.activeIndex;
  await closeSession(s);
  ctx.sessions.splice(index, 1);
  ctx.bus.emit({ type: 'session-close', name: s.name });
  ctx.out.line(`Session '${s.name}' closed.`);
  if (wasActive) {
    // The session now at the same position becomes active, or the first if the last was closed.
    ctx.activeIndex = ctx.sessions.length === 0 ? -1 : index < ctx.sessions.length ? index : 0;
    printActive(ctx);
  } else if (index < ctx.activeIndex) ctx.activeIndex--;
}
