import { AsyncLocalStorage } from 'node:async_hooks';
/**
 * Typed events. The interpreter, the transfer code, synchronize and the transports emit these;
 * the console printer, the text log, the XML log, the JSON log and the progress display
 * subscribe. Nothing else writes to stdout or stderr.
 */

/** The script line an event belongs to. */
export interface Where {
  file: string;
  line: number;
  /** The command line as written (after expansion; passwords masked). */
  text?: string;
}

export type BatchAnswer = 'Abort' | 'Retry' | 'Skip' | 'Skip all' | 'Cancel' | 'Yes' | 'No' | 'OK' | 'Ignore';

interface Base {
  /** Milliseconds since the epoch. */
  time: number;
  where?: Where;
}

export type EventBody =
  /** One normal output line (WinSCP prints it on stdout). */
  | { type: 'message'; text: string }
  /** An error: its lines are printed like messages; the command is marked failed. */
  | { type: 'error'; lines: string[]; fatal?: boolean; alreadyPrinted?: boolean }
  /** A Abort/Retry/Skip style query and the answer chosen (automatically or by the user). */
  | { type: 'query'; lines: string[]; prompt: string; answer: BatchAnswer | undefined }
  /** A text prompt (`winscp> `, `Password: `), printed without newline. */
  | { type: 'prompt'; text: string; echo?: string }
  /** A line that later lines with the same key overwrite (synchronize's directory lines). */
  | { type: 'progress'; key: string; text: string }
  /** Ends the pending progress line without printing anything else. */
  | { type: 'progress-end' }
  /** Transfer progress of one item; the console shows WinSCP's progress line (sync spec §6.1). */
  | { type: 'transfer-progress'; key: string; name: string; bytes: number; total: number; speed: number; mode: 'binary' | 'ascii'; percent: number; direction: 'upload' | 'download' }
  /**
   * A winscript warning WinSCP would not print (ignored raw setting...): goes to stderr as
   * `winscript: FILE:LINE: warning: …` so that stdout stays as WinSCP's.
   */
  | { type: 'warning'; text: string }
  /** A warning only worth a log line (not printed on the console by WinSCP). */
  | { type: 'debug'; level: 0 | 1 | 2; text: string }
  | { type: 'command-start'; command: string; text: string }
  | { type: 'command-end'; command: string; success: boolean }
  | { type: 'session-open'; name: string; protocol: string; host: string; port: number; user: string }
  | { type: 'session-close'; name: string }
  /** A finished file operation (XML log records). */
  | { type: 'operation'; op: Operation };

export type Event = Base & EventBody;

export type OperationKind = 'upload' | 'download' | 'touch' | 'chmod' | 'mkdir' | 'rm' | 'mv' | 'cp' | 'call' | 'ls' | 'stat' | 'checksum' | 'cwd' | 'difference';

export interface Operation {
  kind: OperationKind;
  /** Ordered child values, written as `<name value="..."/>` by the XML log. */
  values: [string, string][];
  success: boolean;
  /** Error lines when the operation failed. */
  messages?: string[];
  recursive?: boolean;
  /** Nested blocks (`files` of ls, `file` of stat), already in XML order. */
  files?: FileRecord[];
  /** stat puts its `file` block directly inside the element. */
  file?: FileRecord;
}

export interface FileRecord {
  filename?: string;
  type: string;
  size?: number;
  modification?: string;
  permissions?: string;
  owner?: string;
  group?: string;
}

export type Listener = (e: Event) => void;

export class EventBus {
  private listeners: Listener[] = [];
  /** Filled in by the interpreter for every event emitted while a line runs. */
  where: Where | undefined;
  /** Set while a task runs with buffered output (parallel transfers). */
  private readonly buffer = new AsyncLocalStorage<Event[]>();

  on(l: Listener): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }

  emit(body: EventBody): void {
    this.emitInto(this.buffer.getStore(), body);
  }

  /**
   * `emit` bound to the output buffer of the calling task: for callbacks that protocol libraries
   * run outside that task's async context (much cheaper than an AsyncResource per file).
   */
  boundEmit(): (body: EventBody) => void {
    const buf = this.buffer.getStore();
    return (body) => this.emitInto(buf, body);
  }

  private emitInto(buf: Event[] | undefined, body: EventBody): void {
    const e = { time: Date.now(), where: this.where, ...body } as Event;
    if (buf) {
      buf.push(e);
      for (const l of this.liveListeners) l(e);
    } else this.deliver(e);
  }

  private liveListeners: Listener[] = [];

  /**
   * Also sees, at once, the events that are being held back for ordered replay (the terminal's
   * live view of parallel transfers). Replayed events then reach normal listeners as usual.
   */
  onHeldBack(l: Listener): void {
    this.liveListeners.push(l);
  }

  private deliver(e: Event): void {
    for (const l of this.listeners) l(e);
  }

  /**
   * Runs `fn` with its events held back in `events`; `replay` later delivers them. Parallel
   * tasks use this so that their output appears in plan order, as if they had run one by one.
   */
  buffered<T>(fn: () => Promise<T>): { result: Promise<T>; events: Event[] } {
    const events: Event[] = [];
    return { result: this.buffer.run(events, fn), events };
  }

  /** Delivers held-back events; inside another held-back task they join that task's buffer. */
  replay(events: Event[]): void {
    const outer = this.buffer.getStore();
    if (outer) outer.push(...events);
    else for (const e of events) this.deliver(e);
  }
}
