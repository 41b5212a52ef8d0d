/**
 * Standard streams of a batch run: output sinks (console, files opened by redirections, `nul`)
 * and standard input shared by `set /p`, `pause` and the WinSCP calls.
 *
 * Each WinSCP call gets its own Readable because winscript's line reader destroys its input
 * when the run ends; the Readables pull lines from one shared reader, so a later call (or
 * `set /p`) continues where the previous one stopped, as in cmd where all programs share the
 * console. Limitation: a WinSCP call that reads standard input (a script without `exit`) may
 * take one line more than it uses (stream read-ahead); WinSCP itself reads to the end of the
 * input in that case anyway.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { LineReader } from '../util/line-reader.js';

export interface OutSink {
  write(s: string): void;
  isTTY?: boolean;
}

export const NUL_SINK: OutSink = { write: () => {}, isTTY: false };

/** A file opened for a redirection; writes are synchronous so that order is kept. */
export class FileSink implements OutSink {
  readonly isTTY = false;
  private fd: number | undefined;

  constructor(file: string, append: boolean) {
    this.fd = fs.openSync(file, append ? 'a' : 'w');
  }

  write(s: string): void {
    if (this.fd !== undefined) fs.writeSync(this.fd, s);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface InputSource {
  readonly isTTY: boolean;
  /** The next line (without its end), or undefined at end of input. */
  readLine(): Promise<string | undefined>;
  /** A fresh stream that yields the remaining lines, for a program's stdin. */
  stream(): Readable;
}

function streamOf(src: InputSource): Readable {
  const r = new Readable({
    highWaterMark: 1,
    read() {
      src.readLine().then(
        (l) => this.push(l === undefined ? null : l + '\n'),
        () => this.push(null),
      );
    },
  });
  return Object.assign(r, { isTTY: src.isTTY });
}

/** The batch's own standard input, read lazily (nothing is read unless someone asks). */
export class SharedInput implements InputSource {
  private reader: LineReader | undefined;

  constructor(private readonly input: Readable) {}

  get isTTY(): boolean {
    return Boolean((this.input as { isTTY?: boolean }).isTTY);
  }

  readLine(): Promise<string | undefined> {
    this.reader ??= new LineReader(this.input);
    return this.reader.next();
  }

  stream(): Readable {
    return streamOf(this);
  }

  close(): void {
    this.reader?.close();
  }
}

/** `< file`: the file's lines. */
export class FileInput implements InputSource {
  readonly isTTY = false;
  private lines: string[];

  constructor(file: string) {
    const text = fs.readFileSync(file, 'utf8');
    this.lines = text.split(/\r?\n/);
    if (this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  async readLine(): Promise<string | undefined> {
    return this.lines.shift();
  }

  stream(): Readable {
    return streamOf(this);
  }
}

/** `< nul`: empty input. */
export const NUL_INPUT: InputSource = {
  isTTY: false,
  readLine: async () => undefined,
  stream: () => Readable.from([]),
};

/** `nul`, `NUL:`, `\\.\nul`, `/dev/null`: the null device. */
export function isNulDevice(target: string): boolean {
  const t = target.toLowerCase().replace(/:$/, '');
  return t === 'nul' || t === '\\\\.\\nul' || t === '/dev/null';
}
