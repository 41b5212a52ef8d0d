/**
 * The explicit state a script runs against (no globals): options, local working directory,
 * sessions, the output layer and the run's failure flags.
 */
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import { type BatchAnswer, EventBus, type Operation } from '../log/events.js';
import { LocalPathError, LocalPaths } from '../local-path.js';
import type { Session } from '../session/session.js';
import { LineReader } from '../util/line-reader.js';
import type { ExpandContext } from '../script/expand.js';
import type { RunConfig } from './config.js';
import { RunAborted, ScriptError } from './errors.js';
import { Output } from '../output/output.js';

export type BatchMode = 'off' | 'on' | 'abort' | 'continue';
export type TransferMode = 'binary' | 'ascii' | 'automatic';

/** Script options (script spec §10). */
export interface ScriptOptions {
  echo: boolean;
  batch: BatchMode;
  confirm: boolean;
  /** Seconds; 0 = off. */
  reconnecttime: number;
  failonnomatch: boolean;
  transfer: TransferMode;
  synchdelete: boolean;
  /** Legacy include/exclude mask (`option exclude X` stores `|X`). */
  include: string;
}

export type OptionName = keyof ScriptOptions;

/** Defaults of the batch-script phase (`/script`, `/command` lines). */
export function scriptPhaseDefaults(): ScriptOptions {
  return { echo: false, batch: 'abort', confirm: false, reconnecttime: 120, failonnomatch: false, transfer: 'binary', synchdelete: false, include: '' };
}

export interface ContextInit {
  config: RunConfig;
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: LineReader;
  bus?: EventBus;
  /** Raw process streams for `get … -` (/stdout) and `put - …` (/stdin). */
  rawStdout?: { write(b: Buffer | string): unknown };
  rawStdin?: Readable;
}

export class Context {
  readonly bus: EventBus;
  readonly out: Output;
  readonly config: RunConfig;
  readonly paths: LocalPaths;
  readonly env: Record<string, string | undefined>;
  readonly stdin: LineReader;
  readonly rawStdout: { write(b: Buffer | string): unknown } | undefined;
  readonly rawStdin: Readable | undefined;

  options: ScriptOptions = scriptPhaseDefaults();
  /** Options set with `option`: they keep their value in the interactive phase. */
  readonly explicitOptions = new Set<OptionName>();
  phase: 'script' | 'interactive' = 'script';

  localCwd: string;
  sessions: Session[] = [];
  /** Index into `sessions` of the active one, or -1. */
  activeIndex = -1;

  /** Some command failed (exit code 1). */
  failed = false;
  /** The run was aborted (Ctrl-C, unanswerable prompt in the script phase). */
  aborted = false;
  /** Stop reading further lines (`exit`, or a failure under `batch abort`). */
  stopped = false;
  private readonly timestampFromEnv: boolean;
  /** Aborts the running command on Ctrl-C. */
  abortController = commandAbortController();
  /** Set by keepuptodate: Ctrl-C ends its watch instead of the run. */
  onInterrupt: (() => boolean) | undefined;

  /** Passwords and passphrases seen in this run: scrubbed from every log. */
  readonly secrets = new Set<string>();

  addSecrets(list: string[]): void {
    for (const s of list) if (s.length > 0) this.secrets.add(s);
  }

  constructor(init: ContextInit) {
    this.config = init.config;
    this.env = init.env;
    this.localCwd = init.cwd;
    this.stdin = init.stdin;
    this.rawStdout = init.rawStdout;
    this.rawStdin = init.rawStdin;
    this.bus = init.bus ?? new EventBus();
    this.out = new Output(this.bus);
    this.paths = new LocalPaths(init.config.drives);
    this.timestampFromEnv = init.env.TIMESTAMP !== undefined;
  }

  get session(): Session | undefined {
    return this.activeIndex >= 0 ? this.sessions[this.activeIndex] : undefined;
  }

  requireSession(): Session {
    const s = this.session;
    if (!s) throw new ScriptError('No session.');
    return s;
  }

  expandContext(): ExpandContext {
    return { parameters: this.config.parameters, env: this.env, timestampFromEnv: this.timestampFromEnv, now: () => new Date() };
  }

  /** Maps a user-given local path (Windows or POSIX) to an absolute POSIX path. */
  localPath(p: string): string {
    try {
      return this.paths.resolve(p, this.localCwd);
    } catch (e) {
      if (e instanceof LocalPathError) throw new ScriptError(e.message);
      throw e;
    }
  }

  /**
   * A wildcard matched nothing (or synchronize found nothing): a plain output line, or an error
   * with `option failonnomatch on` (sync spec §5.11).
   */
  noMatch(message: string): void {
    if (this.options.failonnomatch) throw new ScriptError(message);
    this.out.line(message);
  }

  /** Switches to the interactive phase: options not set explicitly take their stdin defaults. */
  enterInteractivePhase(): void {
    this.phase = 'interactive';
    if (!this.explicitOptions.has('batch')) this.options.batch = 'off';
    if (!this.explicitOptions.has('confirm')) this.options.confirm = true;
    if (!this.explicitOptions.has('reconnecttime')) this.options.reconnecttime = 0;
  }

  /**
   * An error with an Abort/Retry/Skip query (script spec §13.1), answered from the batch mode.
   * Returns 'Skip' when the item should be skipped; throws (already reported) when the command
   * must stop.
   */
  async errorQuery(lines: string[], opts: { skipAll?: boolean } = {}): Promise<'Skip' | 'Retry'> {
    const answers: BatchAnswer[] = opts.skipAll === false ? ['Abort', 'Retry', 'Skip'] : ['Abort', 'Retry', 'Skip', 'Skip all'];
    const answer = await this.ask(lines, answers);
    if (answer === 'Skip' || answer === 'Skip all') return 'Skip';
    if (answer === 'Retry') return 'Retry';
    throw new ScriptError(lines, { reported: true });
  }

  /**
   * errorQuery for a failed operation: the XML record of the failed operation comes after the
   * `<failure>` of an Abort (WinSCP records it when the command unwinds); a skipped item is
   * recorded only when `recordSkipped` (WinSCP does not record skipped transfers).
   */
  async failedOperation(lines: string[], op: Operation, recordSkipped: boolean): Promise<'Skip' | 'Retry'> {
    const failed: Operation = { ...op, success: false, messages: lines };
    let answer: 'Skip' | 'Retry';
    try {
      answer = await this.errorQuery(lines);
    } catch (e) {
      this.out.operation(failed);
      throw e;
    }
    if (answer === 'Skip' && recordSkipped) this.out.operation(failed);
    return answer;
  }

  /** Asks a choice query; batch modes answer it automatically. */
  async ask(lines: string[], answers: BatchAnswer[]): Promise<BatchAnswer> {
    const prompt = answers.map(captionWithHotkey).join(', ') + ': ';
    const batch = this.options.batch;
    let answer: BatchAnswer;
    if (batch === 'continue') {
      answer = (['Skip', 'Ignore', 'Yes', 'OK', 'Retry'] as BatchAnswer[]).find((a) => answers.includes(a)) ?? abortAnswer(answers);
    } else if (batch === 'on' || batch === 'abort') {
      answer = abortAnswer(answers);
    } else if (this.stdin.isTTY && !this.config.nointeractiveinput) {
      this.bus.emit({ type: 'query', lines, prompt, answer: undefined });
      const typed = (await this.stdin.next())?.trim().toLowerCase() ?? '';
      answer = answers.find((a) => hotkeyOf(a) === typed || a.toLowerCase() === typed) ?? abortAnswer(answers);
      return answer;
    } else {
      // No way to ask: treated as a break; in the script phase the whole run is aborted.
      answer = abortAnswer(answers);
      this.bus.emit({ type: 'query', lines, prompt, answer });
      if (this.phase === 'script') {
        this.aborted = true;
        throw new RunAborted();
      }
      return answer;
    }
    this.bus.emit({ type: 'query', lines, prompt, answer });
    return answer;
  }
}

function abortAnswer(answers: BatchAnswer[]): BatchAnswer {
  return (['Abort', 'Cancel', 'No', 'OK'] as BatchAnswer[]).find((a) => answers.includes(a)) ?? answers[0]!;
}

const CAPTIONS: Record<BatchAnswer, string> = {
  Yes: '(Y)es',
  No: '(N)o',
  OK: '(O)K',
  Cancel: '(C)ancel',
  Abort: '(A)bort',
  Retry: '(R)etry',
  Ignore: '(I)gnore',
  Skip: '(S)kip',
  'Skip all': 'Ski(p) all',
};

function captionWithHotkey(a: BatchAnswer): string {
  return CAPTIONS[a];
}

function hotkeyOf(a: BatchAnswer): string {
  return /\((.)\)/.exec(CAPTIONS[a])![1]!.toLowerCase();
}

/**
 * The abort controller of one command. Every streamed transfer in flight listens on its signal
 * (16 at once with 4 SFTP connections), more than Node's default of 10 before it warns.
 */
export function commandAbortController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}
