/**
 * Text prompts of `open` (`Host: `, passwords) per script spec §13.2: with /nointeractiveinput
 * they fail at once; from a pipe or file the next input line is the answer; on a terminal the
 * answer is read, and in batch mode the prompt gives up after 10 s.
 *
 * compat: winscp.com echoes an answer read from a pipe, passwords included; winscript never
 * prints a password, so secret answers are not echoed.
 */
import type { Context } from '../interpreter/context.js';

export async function askSecret(ctx: Context, prompt: string, opts: { visible: boolean }): Promise<string | undefined> {
  if (ctx.config.nointeractiveinput) return undefined;
  ctx.out.prompt(prompt);
  const timeoutMs = ctx.stdin.isTTY && ctx.options.batch !== 'off' ? 10_000 : undefined;
  let timer: NodeJS.Timeout | undefined;
  const answer = await Promise.race([
    ctx.stdin.next(),
    new Promise<undefined>((r) => {
      if (timeoutMs) timer = setTimeout(() => r(undefined), timeoutMs);
    }),
  ]);
  if (timer) clearTimeout(timer);
  // End the prompt line; a visible answer read from a pipe is echoed as winscp.com does.
  ctx.out.prompt('', opts.visible && !ctx.stdin.isTTY && answer !== undefined ? answer : '');
  if (answer === undefined && ctx.phase === 'script') ctx.aborted = true;
  return answer;
}
