/**
 * Shell commands for the SCP transport: every operation that is not a transfer runs as one
 * command on an SSH exec channel of the session's single connection (WinSCP's SCP file system
 * drives `ls`, `mv`, `rm`, `chmod`… in a shell in the same way). Channels are limited to a few
 * at a time (OpenSSH's default `MaxSessions` is 10), output is kept as bytes, and failures are
 * turned into TransportErrors whose details are the command's own stderr lines.
 */
import type { Client, ClientChannel } from 'ssh2';
import { TransportError, type TransportErrorCode } from '../transport.js';

/** Exec channels open at once on one connection (below OpenSSH's default MaxSessions 10). */
export const MAX_CHANNELS = 6;

/** Output of one command, as bytes. */
export interface RawResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status; 128 + n style value when killed by a signal. */
  code: number;
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, PIPE: 13, TERM: 15 };

/** Exit status or signal of each channel, recorded from the moment it opened. */
const exits = new WeakMap<ClientChannel, { code?: number; signal?: string }>();

/**
 * Exit status of a channel opened by ExecChannels (`128 + n` for a signal), undefined while (or
 * if) the server has not sent one. Recorded synchronously when the channel opens: the status of
 * a fast command can arrive in the same packet batch as the channel confirmation, before any
 * listener attached after an `await` would see it.
 */
export function exitStatus(ch: ClientChannel): number | undefined {
  const e = exits.get(ch);
  if (!e) return undefined;
  if (e.code !== undefined) return e.code;
  if (e.signal !== undefined) return 128 + (SIGNALS[e.signal.replace(/^SIG/, '')] ?? 0);
  return undefined;
}

/** The SSH connection as a source of exec channels, with a slot limit and loss tracking. */
export class ExecChannels {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Set once the connection is gone. */
  lostReason: string | undefined;

  constructor(readonly client: Client) {
    const lost = (why: string) => {
      if (!this.lostReason) this.lostReason = why;
      for (const w of this.waiting.splice(0)) w();
    };
    client.on('error', (e: Error) => lost(e.message));
    client.on('close', () => lost('Connection closed.'));
    client.on('end', () => lost('Connection closed.'));
  }

  /** The error for an operation attempted (or cut short) after the connection was lost. */
  lostError(): TransportError {
    const why = this.lostReason && this.lostReason !== 'Connection closed.' ? [this.lostReason] : [];
    return new TransportError('ECONNLOST', ['Connection has been unexpectedly closed.', ...why]);
  }

  private async acquire(): Promise<void> {
    while (this.active >= MAX_CHANNELS && !this.lostReason) await new Promise<void>((r) => this.waiting.push(r));
    if (this.lostReason) throw this.lostError();
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  /**
   * Opens an exec channel for a command. The slot is released when the channel closes.
   * The caller owns the channel (writes stdin, reads stdout/stderr, ends it).
   */
  async open(command: string): Promise<ClientChannel> {
    await this.acquire();
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.release();
      }
    };
    try {
      const ch = await new Promise<ClientChannel>((resolve, reject) => {
        try {
          this.client.exec(command, (err, stream) => {
            if (err) return reject(err);
            const rec: { code?: number; signal?: string } = {};
            exits.set(stream, rec);
            stream.on('exit', (code: number | null, signal?: string) => {
              if (typeof code === 'number') rec.code = code;
              else rec.signal = signal ?? 'UNKNOWN';
            });
            resolve(stream);
          });
        } catch (e) {
          reject(e);
        }
      });
      ch.once('close', release);
      return ch;
    } catch (e) {
      release();
      if (this.lostReason) throw this.lostError();
      const msg = (e as Error)?.message ?? String(e);
      if (/not connected|no response|closed/i.test(msg)) throw new TransportError('ECONNLOST', ['Connection has been unexpectedly closed.', msg], { cause: e });
      throw new TransportError('EFAILURE', ['Cannot open an SSH channel for the command.', msg], { cause: e });
    }
  }

  /** Runs a command to completion; stdin (if given) is sent and closed. */
  async run(command: string, stdin?: Buffer): Promise<RawResult> {
    const ch = await this.open(command);
    return new Promise<RawResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      ch.on('data', (d: Buffer) => out.push(d));
      ch.stderr.on('data', (d: Buffer) => err.push(d));
      ch.on('error', () => {});
      ch.on('close', () => {
        const code = exitStatus(ch);
        if (code === undefined && this.lostReason) return reject(this.lostError());
        const stderr = Buffer.concat(err);
        // No exit status at all (not sent by OpenSSH): success only if nothing went to stderr.
        resolve({ stdout: Buffer.concat(out), stderr, code: code ?? (stderr.length ? 1 : 0) });
      });
      ch.end(stdin);
    });
  }
}

/** Maps the text of a failure (shell stderr, SCP error message) to a TransportError code. */
export function errorCodeFor(text: string): TransportErrorCode {
  if (/command not found|: not found$|invalid option|unrecognized option/im.test(text)) return 'EUNSUPPORTED';
  if (/Permission denied|Operation not permitted|Read-only file system/i.test(text)) return 'EACCES';
  if (/No such file or directory/i.test(text)) return 'ENOENT';
  if (/File exists/i.test(text)) return 'EEXIST';
  if (/Directory not empty/i.test(text)) return 'ENOTEMPTY';
  if (/Not a directory/i.test(text)) return 'ENOTDIR';
  if (/Is a directory|not a regular file|cannot overwrite directory/i.test(text)) return 'EISDIR';
  return 'EFAILURE';
}

/** Non-empty lines of a text, without trailing CRs. */
export function textLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

/**
 * The TransportError for a failed command: the stderr lines are the details (what WinSCP prints
 * under the operation's own message); without stderr, the exit status is reported.
 */
export function commandError(r: RawResult): TransportError {
  const text = r.stderr.toString('utf8');
  const lines = textLines(text);
  if (lines.length === 0) return new TransportError('EFAILURE', [`Command failed with return code ${r.code}.`]);
  return new TransportError(errorCodeFor(text), lines);
}
