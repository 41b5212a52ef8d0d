/**
 * Errors that reach the script runner. A ScriptError carries the lines WinSCP prints (main
 * message first, then details); the runner prints them, marks the command failed and applies
 * the batch mode.
 */

export class ScriptError extends Error {
  readonly lines: string[];
  /** The session is unusable afterwards (connection lost). */
  readonly fatal: boolean;
  /** Already printed (e.g. through a query); the runner only marks the failure. */
  readonly reported: boolean;

  constructor(lines: string | string[], opts: { fatal?: boolean; reported?: boolean; cause?: unknown } = {}) {
    const list = (Array.isArray(lines) ? lines : [lines]).flatMap((l) => l.split('\n')).filter((l) => l !== '');
    super(list[0] ?? 'Error', { cause: opts.cause });
    this.name = 'ScriptError';
    this.lines = list;
    this.fatal = opts.fatal ?? false;
    this.reported = opts.reported ?? false;
  }
}

/** Ctrl-C while a command runs (`Terminated by user.`). */
export class UserAbort extends Error {
  constructor() {
    super('Terminated by user.');
    this.name = 'UserAbort';
  }
}

/** The whole run must stop (unanswerable prompt in the batch-script phase, §13). */
export class RunAborted extends Error {
  constructor(message = 'Run aborted.') {
    super(message);
    this.name = 'RunAborted';
  }
}

/** Error lines of anything thrown, for printing. */
export function errorLines(e: unknown): string[] {
  if (e instanceof ScriptError) return e.lines;
  if (e instanceof Error) return e.message.split('\n').filter((l) => l !== '');
  return [String(e)];
}
