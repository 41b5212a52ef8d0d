/**
 * Text prompts of `open` (`Host: `, passwords) per script spec §13.2: with /nointeractiveinput
 * they fail at once; from a pipe or file the next input line is the answer; on a terminal the
 * answer is typed (hidden for secrets), and in batch mode the prompt gives up after 10 s.
 *
 * compat: winscp.com echoes an answer read from a pipe, passwords included; winscript never
 * prints a password, so secret answers are not echoed.
 */
import type { Context } from '../interpreter/context.js';

type RawInput = NodeJS.ReadStream & { setRawMode?: (on: boolean) => void };

/** Reads one line from a terminal without showing it. */
function readHidden(input: RawInput, timeoutMs: number | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (v: string | undefined) => {
      if (timer) clearTimeout(timer);
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      resolve(v);
    };
    const restart = () => {
      if (!timeoutMs) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => done(undefined), timeoutMs);
    };
    const onData = (chunk: Buffer) => {
      restart();
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(answer);
        if (ch === '\u0003' || ch === '\u0004') return done(undefined); // Ctrl-C, Ctrl-D
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    input.setRawMode?.(true);
    input.on('data', onData);
    input.resume();
    restart();
  });
}

export async function askSecret(ctx: Context, prompt: string, opts: { visible: boolean }): Promise<string | undefined> {
  if (ctx.config.nointeractiveinput) return undefined;
  ctx.out.prompt(prompt);
  const timeoutMs = ctx.stdin.isTTY && ctx.options.batch !== 'off' ? 10_000 : undefined;
  let answer: string | undefined;
  const raw = ctx.rawStdin as RawInput | undefined;
  if (!opts.visible && ctx.stdin.isTTY && raw?.setRawMode) {
    answer = await readHidden(raw, timeoutMs);
  } else {
    let timer: NodeJS.Timeout | undefined;
    answer = await Promise.race([
      ctx.stdin.next(),
      new Promise<undefined>((r) => {
        if (timeoutMs) timer = setTimeout(() => r(undefined), timeoutMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
  }
  // End the prompt line; a visible answer read from a pipe is echoed as winscp.com does.
  ctx.out.prompt('', opts.visible && !ctx.stdin.isTTY && answer !== undefined ? answer : '');
  if (answer === undefined && ctx.phase === 'script') ctx.aborted = true;
  return answer;
}
