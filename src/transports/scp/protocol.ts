/**
 * The SCP protocol (the "rcp" protocol OpenSSH's `scp -t` / `scp -f` speak, as WinSCP's SCP
 * file system uses it), over one SSH exec channel per file:
 *
 * upload (`scp -t -- <file>`, the remote end is the sink):
 *   sink -> `\0`; [`T<mtime> 0 <atime> 0\n` -> `\0`]; `C<mode> <size> <name>\n` -> `\0`;
 *   <size> bytes, `\0` -> `\0`; EOF; the sink exits 0.
 * download (`scp -f -- <file>`, the remote end is the source):
 *   `\0` -> `C<mode> <size> <name>\n`; `\0` -> <size> bytes, `\0`; `\0`; the source exits.
 * Any reply may instead be `\x01<text>\n` (error, the peer goes on) or `\x02<text>\n` (fatal).
 *
 * Because the `C` record carries the size before the data, a sink must know it up front:
 * `openScpWrite` streams directly when the caller passes the size and spools the data (memory,
 * then a temporary file) until the end otherwise.
 *
 * The target is always a file path: when it is not a directory the sink ignores the name in the
 * `C` record, so any name (newlines included) can be written. Writing onto an existing directory
 * is refused up front (the sink would otherwise create a file inside it).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { shellQuote } from '../ssh-exec.js';
import { baseName, TransportError } from '../transport.js';
import { type ExecChannels, errorCodeFor, exitStatus, textLines } from './shell.js';

/** One reply of the peer: `\0`, or an error record with its text. */
type Reply = { ok: true } | { ok: false; fatal: boolean; text: string };

/** A TransportError for an SCP error record (`\x01scp: /x: No such file or directory`). */
export function scpError(text: string): TransportError {
  const lines = textLines(text);
  return new TransportError(errorCodeFor(text), lines.length ? lines : ['SCP protocol error.']);
}

/** The error for a channel that ended before the protocol did: its stderr, or a lost connection. */
function endedError(channels: ExecChannels, stderr: Buffer[], exitCode: number | undefined): TransportError {
  if (channels.lostReason) return channels.lostError();
  const text = Buffer.concat(stderr).toString('utf8');
  const lines = textLines(text);
  if (lines.length) return new TransportError(errorCodeFor(text), lines);
  return new TransportError('EFAILURE', [exitCode !== undefined ? `Command failed with return code ${exitCode}.` : 'Unexpected end of SCP transfer.']);
}

/**
 * Reads the protocol stream of a channel: replies (`\0` / `\x01…\n`), records (`C…\n`) and, for
 * downloads, hands raw data over to a consumer.
 */
class ProtocolReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closed = false;
  readonly stderr: Buffer[] = [];
  /** When set, incoming data goes here instead of the buffer (download data phase). */
  sinkData: ((chunk: Buffer) => void) | undefined;

  constructor(
    readonly ch: ClientChannel,
    private readonly channels: ExecChannels,
  ) {
    ch.on('data', (d: Buffer) => {
      if (this.sinkData) return this.sinkData(d);
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake();
    });
    ch.stderr.on('data', (d: Buffer) => this.stderr.push(d));
    ch.on('error', () => {});
    ch.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private async more(): Promise<void> {
    if (this.closed) throw this.ended();
    await new Promise<void>((r) => (this.waiter = r));
  }

  /** The remote command's exit status, once known. */
  get exitCode(): number | undefined {
    return exitStatus(this.ch);
  }

  ended(): TransportError {
    return endedError(this.channels, this.stderr, this.exitCode);
  }

  /** Takes the bytes buffered so far (at the switch to the data phase). */
  takeBuffered(): Buffer {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }

  /** A line ending with `\n` (without it), as latin1 text. */
  async line(): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf(0x0a);
      if (i >= 0) {
        const l = this.buf.subarray(0, i).toString('latin1');
        this.buf = this.buf.subarray(i + 1);
        return l;
      }
      await this.more();
    }
  }

  /** One reply: `\0`, or `\x01`/`\x02` with a text line. */
  async reply(): Promise<Reply> {
    while (this.buf.length === 0) await this.more();
    const b = this.buf[0]!;
    if (b === 0) {
      this.buf = this.buf.subarray(1);
      return { ok: true };
    }
    if (b === 1 || b === 2) {
      this.buf = this.buf.subarray(1);
      const text = Buffer.from(await this.line(), 'latin1').toString('utf8');
      return { ok: false, fatal: b === 2, text };
    }
    // Anything else (e.g. a login script printing on stdout) breaks the protocol.
    const text = Buffer.from(await this.line(), 'latin1').toString('utf8');
    return { ok: false, fatal: true, text: `Received unexpected data from the server: ${text}` };
  }

  /** Waits for a `\0` reply; an error reply rejects with the server's text. */
  async expectOk(): Promise<void> {
    const r = await this.reply();
    if (!r.ok) throw scpError(r.text);
  }

  /** The next record of a source: a control line (`C…`, `T…`, `D…`, `E`) or an error record. */
  async record(): Promise<{ error: boolean; text: string }> {
    while (this.buf.length === 0) await this.more();
    const b = this.buf[0]!;
    if (b === 1 || b === 2) {
      this.buf = this.buf.subarray(1);
      return { error: true, text: Buffer.from(await this.line(), 'latin1').toString('utf8') };
    }
    return { error: false, text: Buffer.from(await this.line(), 'latin1').toString('utf8') };
  }

  /** Resolves once the channel is closed. */
  async closedPromise(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.ch.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** What an upload needs to know up front. */
export interface ScpWriteParams {
  /** Exact number of bytes that will be written. */
  size: number;
  /** Mode for the `C` record (applied by the sink to newly created files, minus its umask). */
  mode: number;
  /** Modification time (ms) sent in a `T` record (in-protocol, whole seconds). */
  mtime?: number;
}

/** The C record's name: the sink ignores it for a file target, but refuses `/`, `..` and empty names. */
function recordName(p: string): string {
  const n = baseName(p).replace(/[\n/]/g, '_');
  return n === '' || n === '.' || n === '..' ? 'file' : n;
}

/** An open upload: header sent and accepted, ready for exactly `size` bytes. */
class ScpSink {
  private written = 0;
  private done = false;

  private constructor(
    private readonly reader: ProtocolReader,
    private readonly size: number,
  ) {}

  static async open(channels: ExecChannels, file: string, params: ScpWriteParams): Promise<ScpSink> {
    const q = shellQuote(file);
    const command = `p=${q}; if [ -d "$p" ]; then printf 'scp: %s: Is a directory\\n' "$p" >&2; exit 1; fi; exec scp -t -- "$p"`;
    const ch = await channels.open(command);
    const reader = new ProtocolReader(ch, channels);
    try {
      await reader.expectOk();
      if (params.mtime !== undefined) {
        const t = Math.floor(params.mtime / 1000);
        ch.write(`T${t} 0 ${t} 0\n`);
        await reader.expectOk();
      }
      const mode = (params.mode & 0o7777).toString(8).padStart(4, '0');
      ch.write(Buffer.from(`C${mode} ${params.size} ${recordName(file)}\n`, 'utf8'));
      await reader.expectOk();
    } catch (e) {
      ch.end();
      throw e;
    }
    return new ScpSink(reader, params.size);
  }

  /** Sends data; resolves when the channel accepts more. */
  write(chunk: Buffer): Promise<void> {
    if (this.reader.isClosed) return Promise.reject(this.reader.ended());
    if (this.written + chunk.length > this.size) {
      return Promise.reject(new TransportError('EFAILURE', [`The file grew during the transfer (more than the ${this.size} bytes announced to the SCP server).`]));
    }
    this.written += chunk.length;
    return new Promise<void>((resolve, reject) => {
      if (this.reader.ch.write(chunk)) return resolve();
      const ch = this.reader.ch;
      const onClose = () => {
        ch.off('drain', onDrain);
        reject(this.reader.ended());
      };
      const onDrain = () => {
        ch.off('close', onClose);
        resolve();
      };
      ch.once('drain', onDrain);
      ch.once('close', onClose);
    });
  }

  /** Completes the file: end marker, the sink's confirmation, EOF, exit status. */
  async finish(): Promise<void> {
    if (this.written !== this.size) {
      await this.abort();
      throw new TransportError('EFAILURE', [`The file shrank during the transfer (${this.written} of ${this.size} bytes announced to the SCP server).`]);
    }
    const ch = this.reader.ch;
    ch.write(Buffer.from([0]));
    try {
      await this.reader.expectOk();
    } finally {
      this.done = true;
      ch.end();
    }
    await this.reader.closedPromise();
    const code = this.reader.exitCode;
    if (code !== undefined && code !== 0) throw this.reader.ended();
  }

  /**
   * Stops an unfinished upload: EOF makes the sink exit, keeping the data it has written (a
   * resumable `.filepart`). Waits for the remote process to end.
   */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.reader.ch.end();
    await this.reader.closedPromise(5000);
  }
}

/** Upload stream for a known size: data goes straight to the sink. */
class ScpWriteStream extends Writable {
  constructor(private readonly sink: ScpSink) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _write(chunk: Buffer, _e: BufferEncoding, done: (e?: Error | null) => void): void {
    this.sink.write(chunk).then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.sink.finish().then(() => done(), done);
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    this.sink.abort().then(
      () => done(err),
      () => done(err),
    );
  }
}

/** Bytes kept in memory before a spool of unknown size moves to a temporary file. */
const SPOOL_MEMORY = 16 * 1024 * 1024;

/**
 * Upload stream for an unknown size: data is collected (memory, then a temporary file), and the
 * SCP upload runs at the end, when the size is known. A destroyed stream uploads nothing.
 */
class SpoolWriteStream extends Writable {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private file: { path: string; fd: fsp.FileHandle } | undefined;

  constructor(private readonly open: (size: number) => Promise<ScpSink>) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _write(chunk: Buffer, _e: BufferEncoding, done: (e?: Error | null) => void): void {
    void (async () => {
      this.bytes += chunk.length;
      if (!this.file && this.bytes <= SPOOL_MEMORY) {
        this.chunks.push(chunk);
        return;
      }
      if (!this.file) {
        const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'winscript-scp-'));
        const p = path.join(dir, 'spool');
        this.file = { path: p, fd: await fsp.open(p, 'w+', 0o600) };
        for (const c of this.chunks.splice(0)) await this.file.fd.write(c);
      }
      await this.file.fd.write(chunk);
    })().then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    void (async () => {
      const sink = await this.open(this.bytes);
      try {
        if (this.file) {
          await this.file.fd.close();
          for await (const c of fs.createReadStream(this.file.path, { highWaterMark: 256 * 1024 })) await sink.write(c as Buffer);
        } else for (const c of this.chunks) await sink.write(c);
        await sink.finish();
      } catch (e) {
        await sink.abort();
        throw e;
      }
    })()
      .finally(() => this.cleanup())
      .then(() => done(), done);
  }

  private async cleanup(): Promise<void> {
    this.chunks = [];
    const f = this.file;
    this.file = undefined;
    if (f) {
      await f.fd.close().catch(() => {});
      await fsp.rm(path.dirname(f.path), { recursive: true, force: true }).catch(() => {});
    }
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    this.cleanup().then(
      () => done(err),
      () => done(err),
    );
  }
}

/**
 * Opens an upload to `file`. With a size, the header is exchanged now (so a refused target fails
 * here) and data is streamed; without one, it is spooled and uploaded when the stream ends.
 */
export async function openScpWrite(channels: ExecChannels, file: string, params: Omit<ScpWriteParams, 'size'> & { size?: number }): Promise<Writable> {
  if (params.size !== undefined) return new ScpWriteStream(await ScpSink.open(channels, file, { ...params, size: params.size }));
  return new SpoolWriteStream((size) => ScpSink.open(channels, file, { ...params, size }));
}

/** Download stream: the data phase of `scp -f`, then the source's end marker. */
class ScpReadStream extends Readable {
  private remaining: number;
  private skip: number;
  private finished = false;
  private tail: Buffer = Buffer.alloc(0);

  constructor(
    private readonly reader: ProtocolReader,
    size: number,
    skip: number,
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.remaining = size;
    this.skip = Math.min(skip, size);
    reader.sinkData = (d) => this.onData(d);
    reader.ch.once('close', () => {
      if (!this.finished) this.destroy(reader.ended());
    });
  }

  /** Feeds bytes that arrived with the header. */
  start(buffered: Buffer): void {
    if (buffered.length) this.onData(buffered);
  }

  private onData(d: Buffer): void {
    if (this.finished || this.destroyed) return;
    if (this.remaining > 0) {
      const n = Math.min(this.remaining, d.length);
      let part = d.subarray(0, n);
      this.remaining -= n;
      if (this.skip > 0) {
        const k = Math.min(this.skip, part.length);
        this.skip -= k;
        part = part.subarray(k);
      }
      if (part.length && !this.push(part)) this.reader.ch.pause();
      d = d.subarray(n);
    }
    if (this.remaining > 0) return;
    // End marker of the source: `\0`, or an error record (file shrank / read error).
    this.tail = this.tail.length ? Buffer.concat([this.tail, d]) : d;
    if (this.tail.length === 0) return;
    const b = this.tail[0]!;
    if (b === 0) {
      this.finished = true;
      this.reader.ch.write(Buffer.from([0]));
      this.reader.ch.end();
      this.push(null);
      return;
    }
    const nl = this.tail.indexOf(0x0a);
    if (nl < 0) return;
    this.finished = true;
    this.reader.ch.end();
    this.destroy(scpError(this.tail.subarray(1, nl).toString('utf8')));
  }

  override _read(): void {
    this.reader.ch.resume();
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    if (!this.finished) {
      this.finished = true;
      this.reader.ch.close();
    }
    done(err);
  }
}

/**
 * Opens a download of `file`; resolves once the source has announced the file (so a missing or
 * unreadable file rejects here). `start` bytes are skipped client-side.
 *
 * compat: SCP cannot start a download at an offset; winscript reads the file from its beginning
 * and drops the first `start` bytes (WinSCP does not resume SCP downloads at all).
 */
export async function openScpRead(channels: ExecChannels, file: string, start = 0): Promise<Readable> {
  const ch = await channels.open(`scp -f -- ${shellQuote(file)}`);
  const reader = new ProtocolReader(ch, channels);
  try {
    ch.write(Buffer.from([0]));
    for (;;) {
      const r = await reader.record();
      if (r.error) throw scpError(r.text);
      if (r.text.startsWith('T')) {
        ch.write(Buffer.from([0]));
        continue;
      }
      const m = /^C([0-7]{3,4}) (\d+) /.exec(r.text);
      if (!m) throw new TransportError('EFAILURE', [`Unexpected SCP record from the server: ${r.text.slice(0, 80)}`]);
      const stream = new ScpReadStream(reader, Number(m[2]), start);
      const buffered = reader.takeBuffered();
      ch.write(Buffer.from([0]));
      stream.start(buffered);
      return stream;
    }
  } catch (e) {
    ch.end();
    throw e;
  }
}
