/**
 * The script runner: executes lines in order against the context, applying the batch mode
 * after each command (script spec §1, §13, §14), then the interactive `winscp> ` phase.
 */
import type { CommandNode } from '../../grammar/ast.js';
import { DiagnosticCodes } from '../../grammar/diagnostics.js';
import { firstError, isBlankLine, isCommentLine, parseLine } from '../../grammar/to-ast.js';
import { handlerFor } from '../commands/registry.js';
import { expandLine } from '../script/expand.js';
import { maskSecrets } from '../util/redact.js';
import { commandAbortController, type Context } from './context.js';
import { errorLines, RunAborted, ScriptError, UserAbort } from './errors.js';

export interface SourceLine {
  file: string;
  line: number;
  text: string;
}

/** Runs one line. Never throws for script errors; they are reported and recorded. */
export async function runLine(ctx: Context, src: SourceLine): Promise<void> {
  const expanded = expandLine(src.text, ctx.expandContext());
  if (isBlankLine(expanded) || isCommentLine(expanded)) return;
  const shown = maskSecrets(expanded);
  ctx.bus.where = { file: src.file, line: src.line, text: shown };
  if (ctx.options.echo) ctx.out.line(shown);

  const parsed = parseLine(expanded, src);
  const node = parsed.node?.kind === 'command' ? parsed.node : undefined;
  const command = node?.name ?? expanded.trim().split(/\s+/)[0] ?? '';
  ctx.bus.emit({ type: 'command-start', command, text: shown });
  ctx.abortController = commandAbortController();
  let ok = true;
  try {
    const err = firstError(parsed);
    // Bad switch values are found inside WinSCP's commands, after the session check.
    if (node && (!err || err.code === DiagnosticCodes.BadSwitchValue) && node.spec.needsSession && !ctx.session) {
      throw new ScriptError('No session.');
    }
    if (err || !node) throw new ScriptError(err ? err.message : 'Unknown command.');
    await execute(ctx, node);
    // Ctrl-C during a command that finished anyway (keepuptodate consumes its own Ctrl-C).
    if (ctx.abortController.signal.aborted) throw new UserAbort();
  } catch (e) {
    ok = false;
    // Whatever a cancelled operation threw, the user sees WinSCP's `Terminated by user.`
    report(ctx, ctx.abortController.signal.aborted ? new UserAbort() : e);
  } finally {
    ctx.bus.emit({ type: 'command-end', command, success: ok });
  }
  if (!ok) {
    ctx.failed = true;
    if (ctx.options.batch === 'abort' || ctx.aborted) ctx.stopped = true;
  }
  // A break ends the run after the command in the batch-script phase (§13.4).
  if (ctx.abortController.signal.aborted && ctx.phase === 'script') ctx.stopped = true;
}

async function execute(ctx: Context, node: CommandNode): Promise<void> {
  const handler = await handlerFor(node.name);
  await handler(ctx, node);
}

function report(ctx: Context, e: unknown): void {
  if (e instanceof RunAborted) {
    ctx.aborted = true;
    return;
  }
  if (e instanceof UserAbort) {
    ctx.out.error(['Terminated by user.']);
    if (ctx.phase === 'script') ctx.aborted = true;
    return;
  }
  if (e instanceof ScriptError && e.reported) {
    ctx.bus.emit({ type: 'error', lines: e.lines, fatal: e.fatal, alreadyPrinted: true });
    return;
  }
  if (!(e instanceof ScriptError)) ctx.out.debug(`internal error: ${e instanceof Error ? e.stack : String(e)}`, 0);
  ctx.out.error(errorLines(e));
}

/** Runs the batch-script phase, then the interactive phase unless the run stopped. */
export async function runAll(ctx: Context, lines: SourceLine[]): Promise<void> {
  for (const l of lines) {
    if (ctx.stopped) break;
    await runLine(ctx, l);
  }
  if (ctx.stopped) return;
  ctx.enterInteractivePhase();
  let n = 0;
  while (!ctx.stopped) {
    ctx.bus.where = undefined;
    ctx.out.prompt('winscp> ');
    const text = await ctx.stdin.next();
    // winscp.com echoes what it read from a pipe or file, so a transcript shows the command.
    if (!ctx.stdin.isTTY || text === undefined) ctx.out.prompt('', text ?? '');
    if (text === undefined) break;
    await runLine(ctx, { file: '<stdin>', line: ++n, text });
  }
}
