/**
 * SFTP transport on ssh2's SFTP client. Reads and writes are pipelined (many requests in
 * flight, each as large as the server allows), Nagle is off, and a connection is opened once per
 * session: no per-file reconnects or realpath round trips.
 *
 * ssh2-sftp-client is not used: loading it (with concat-stream and readable-stream) cost about
 * 90 ms at every start, and all its calls are one ssh2 call each.
 */
import { Readable, Writable } from 'node:stream';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { connectErrorLines, ConnectError, connectSsh, type SshOptions } from './ssh-connect.js';
import {
  baseName,
  type Capabilities,
  type Entry,
  type ExecResult,
  type ReadOptions,
  type Transport,
  TransportError,
  type TransportErrorCode,
  type WriteOptions,
} from './transport.js';
import { execOverSsh, shellChecksum } from './ssh-exec.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** WinSCP's texts for SFTP status codes. */
const STATUS_TEXT: Record<number, string> = {
  1: 'Unexpected end of file.',
  2: 'No such file or directory.',
  3: 'Permission denied.',
  4: 'General failure (server should provide error description).',
  5: 'Bad message (badly formatted packet or protocol incompatibility).',
  6: 'No connection.',
  7: 'Connection lost.',
  8: 'The server does not support the operation.',
  11: 'File already exists.',
};

const STATUS_CODE: Record<number, TransportErrorCode> = { 2: 'ENOENT', 3: 'EACCES', 6: 'ECONNLOST', 7: 'ECONNLOST', 8: 'EUNSUPPORTED', 11: 'EEXIST' };

/** Converts an ssh2 SFTP error to a TransportError with WinSCP's detail lines. */
export function sftpError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const e = (err ?? {}) as { code?: number | string; message?: string };
  if (typeof e.code === 'number') {
    const details = [STATUS_TEXT[e.code] ?? `Unknown status code ${e.code}.`, `Error code: ${e.code}`];
    if (e.message) details.push(`Error message from server: ${e.message}`);
    return new TransportError(STATUS_CODE[e.code] ?? 'EFAILURE', details, { cause: err });
  }
  if (/No SFTP|not connected|closed|ECONNRESET|EPIPE/i.test(`${e.code} ${e.message}`)) {
    return new TransportError('ECONNLOST', ['Connection has been unexpectedly closed.', e.message ?? ''], { cause: err });
  }
  return new TransportError('EFAILURE', [e.message ?? String(err)], { cause: err });
}

function entryType(mode: number): Entry['type'] {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return 'dir';
    case S_IFREG:
      return 'file';
    case S_IFLNK:
      return 'symlink';
    default:
      return 'other';
  }
}

type ReaddirCallback = (err: Error | undefined, list: unknown) => void;
/** ssh2's readdir with its `full` option, which its type declarations lack. */
function readdirFull(sftp: SFTPWrapper, handle: Buffer, cb: ReaddirCallback): void {
  (sftp.readdir as unknown as (h: Buffer, o: { full: boolean }, cb: ReaddirCallback) => void).call(sftp, handle, { full: true }, cb);
}

/** Owner, group and link count from an SFTP v3 `longname` (ls -l line). */
function fromLongname(longname: string | undefined): { owner?: string; group?: string; links?: number } {
  if (!longname) return {};
  const f = longname.trim().split(/\s+/);
  if (f.length < 5) return {};
  return { links: Number(f[1]) || 0, owner: f[2], group: f[3] };
}

export function entryFromAttrs(name: string, a: Stats | { mode: number; size: number; mtime: number; uid?: number; gid?: number }, longname?: string): Entry {
  return {
    name,
    type: entryType(a.mode),
    size: a.size,
    mtime: a.mtime * 1000,
    precision: 'full',
    mode: a.mode & 0o7777,
    // Without a longname (stat), show the numeric owner and group as ls -n would.
    owner: a.uid !== undefined ? String(a.uid) : undefined,
    group: a.gid !== undefined ? String(a.gid) : undefined,
    ...fromLongname(longname),
  };
}

function cb<T>(f: (done: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(sftpError(err)) : resolve(v as T))));
}

/**
 * File data kept in flight per connection: twice OpenSSH's channel window, enough to keep the
 * pipe full. The transfers on one connection share it, as they share its one SSH channel
 * window: more only piles up in memory (16 parallel transfers with 8 MiB each took 250 MB).
 */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/** Bytes of file data requested or sent but not yet answered, on one connection. */
class InFlight {
  private used = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.used >= this.limit;
  }

  take(n: number): void {
    this.used += n;
  }

  give(n: number): void {
    this.used -= n;
    if (this.full || this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }

  /** Calls `f` once when there is room again. */
  whenFree(f: () => void): void {
    this.waiting.push(f);
  }
}

export class SftpTransport implements Transport {
  readonly capabilities: Capabilities;
  private readonly maxWrite: number;
  private readonly maxRead: number;
  private readonly inFlight = new InFlight(IN_FLIGHT_BYTES);

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly ssh: Client,
  ) {
    const ext = ((sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {}) as Record<string, string>;
    const internals = sftp as unknown as { _maxWriteLen?: number; _maxReadLen?: number };
    this.maxWrite = Math.max(4096, internals._maxWriteLen ?? 32768);
    this.maxRead = Math.max(4096, internals._maxReadLen ?? 32768);
    this.posixRename = 'posix-rename@openssh.com' in ext;
    this.copyData = 'copy-data' in ext;
    this.capabilities = {
      protocol: 'sftp',
      mtimePrecision: 'full',
      canSetMtime: true,
      caseSensitive: true,
      atomicRename: this.posixRename,
      maxConnections: 8,
      canChmod: true,
      canSymlink: true,
      canCopy: this.copyData,
      canExec: true,
      canAppend: true,
      tempUploads: true,
      checksums: [],
    };
  }

  private readonly posixRename: boolean;
  private readonly copyData: boolean;

  home(): Promise<string> {
    return this.realpath('.');
  }

  realpath(p: string): Promise<string> {
    return cb((d) => this.sftp.realpath(p, d));
  }

  /**
   * OPENDIR, READDIR until EOF, then CLOSE without waiting for its reply: the listing is
   * complete at EOF, and the round trip saved is per directory.
   */
  private async readdirAll(dir: string): Promise<{ filename: string; longname: string; attrs: Stats }[]> {
    const handle = await cb<Buffer>((d) => this.sftp.opendir(dir, d));
    const all: { filename: string; longname: string; attrs: Stats }[] = [];
    try {
      for (;;) {
        const batch = await new Promise<{ filename: string; longname: string; attrs: Stats }[] | undefined>((resolve, reject) =>
          // full: keep `.` and `..` (ssh2 drops them otherwise); `..` is what `ls` shows for the parent.
          readdirFull(this.sftp, handle, (err, list) => {
            if (err && (err as { code?: number }).code === 1) resolve(undefined); // EOF
            else if (err) reject(sftpError(err));
            else resolve(list as unknown as { filename: string; longname: string; attrs: Stats }[]);
          }),
        );
        if (!batch) break;
        for (const i of batch) all.push(i);
      }
    } finally {
      this.sftp.close(handle, () => {});
    }
    return all;
  }

  private lastParent: { dir: string; entry: Entry } | undefined;

  listedParent(dir: string): Entry | undefined {
    return this.lastParent?.dir === dir ? this.lastParent.entry : undefined;
  }

  async list(dir: string): Promise<Entry[]> {
    const items = await this.readdirAll(dir);
    const parent = items.find((i) => i.filename === '..');
    this.lastParent = parent ? { dir, entry: entryFromAttrs('..', parent.attrs, parent.longname) } : undefined;
    const entries = items.filter((i) => i.filename !== '.' && i.filename !== '..').map((i) => entryFromAttrs(i.filename, i.attrs, i.longname));
    // Symlinks: what they point to (type and size of the target) and their text.
    await Promise.all(
      entries
        .filter((e) => e.type === 'symlink')
        .map(async (e) => {
          const full = dir.endsWith('/') ? dir + e.name : `${dir}/${e.name}`;
          const [target, link] = await Promise.all([
            cb<Stats>((d) => this.sftp.stat(full, d)).catch(() => undefined),
            cb<string>((d) => this.sftp.readlink(full, d)).catch(() => undefined),
          ]);
          e.linkTarget = link;
          if (target) {
            const t = entryType(target.mode);
            e.targetType = t === 'dir' ? 'dir' : t === 'file' ? 'file' : 'other';
            if (t === 'file') e.size = target.size;
          }
        }),
    );
    return entries;
  }

  async stat(p: string): Promise<Entry> {
    return entryFromAttrs(baseName(p), await cb<Stats>((d) => this.sftp.stat(p, d)));
  }

  async lstat(p: string): Promise<Entry> {
    const e = entryFromAttrs(baseName(p), await cb<Stats>((d) => this.sftp.lstat(p, d)));
    if (e.type === 'symlink') {
      e.linkTarget = await cb<string>((d) => this.sftp.readlink(p, d)).catch(() => undefined);
      const t = await cb<Stats>((d) => this.sftp.stat(p, d)).catch(() => undefined);
      if (t) e.targetType = entryType(t.mode) === 'dir' ? 'dir' : entryType(t.mode) === 'file' ? 'file' : 'other';
    }
    return e;
  }

  async read(p: string, opts: ReadOptions = {}): Promise<Readable> {
    const handle = await cb<Buffer>((d) => this.sftp.open(p, 'r', d));
    const size = (await cb<Stats>((d) => this.sftp.fstat(handle, d)).catch(() => undefined))?.size;
    return new SftpReadStream(this.sftp, handle, opts.start ?? 0, size, this.maxRead, this.inFlight);
  }

  async write(p: string, opts: WriteOptions = {}): Promise<Writable> {
    let position = opts.start ?? 0;
    const flags = opts.append || opts.start !== undefined ? 'r+' : 'w';
    const attrs = opts.mode !== undefined ? { mode: opts.mode } : {};
    let handle: Buffer;
    try {
      handle = await cb<Buffer>((d) => this.sftp.open(p, flags, attrs, d));
    } catch (e) {
      if (flags === 'r+' && e instanceof TransportError && e.code === 'ENOENT') handle = await cb<Buffer>((d) => this.sftp.open(p, 'w', attrs, d));
      else throw e;
    }
    if (opts.append) position = (await cb<Stats>((d) => this.sftp.fstat(handle, d))).size;
    return new SftpWriteStream(this.sftp, handle, position, this.maxWrite, opts.mtime, (this.ssh as unknown as { _sock?: { cork(): void; uncork(): void } })._sock, this.inFlight);
  }

  mkdir(p: string): Promise<void> {
    return cb((d) => this.sftp.mkdir(p, d));
  }

  rmdir(p: string): Promise<void> {
    return cb((d) => this.sftp.rmdir(p, d));
  }

  remove(p: string): Promise<void> {
    return cb((d) => this.sftp.unlink(p, d));
  }

  async rename(from: string, to: string): Promise<void> {
    if (this.posixRename) return cb((d) => this.sftp.ext_openssh_rename(from, to, d));
    try {
      await cb((d) => this.sftp.rename(from, to, d));
    } catch (e) {
      // SFTP v3 rename fails onto an existing file: replace it (not atomic without posix-rename).
      const exists = await cb<Stats>((d) => this.sftp.lstat(to, d)).then(() => true, () => false);
      if (!exists) throw e;
      await cb((d) => this.sftp.unlink(to, d));
      await cb((d) => this.sftp.rename(from, to, d));
    }
  }

  chmod(p: string, mode: number): Promise<void> {
    return cb((d) => this.sftp.chmod(p, mode, d));
  }

  setTimes(p: string, mtime: number, atime?: number): Promise<void> {
    const m = Math.floor(mtime / 1000);
    return cb((d) => this.sftp.utimes(p, atime === undefined ? m : Math.floor(atime / 1000), m, d));
  }

  symlink(target: string, p: string): Promise<void> {
    return cb((d) => this.sftp.symlink(target, p, d));
  }

  async copy(from: string, to: string): Promise<void> {
    if (!this.copyData) throw new TransportError('EUNSUPPORTED', ['Operation not supported.']);
    const src = await cb<Buffer>((d) => this.sftp.open(from, 'r', d));
    try {
      const st = await cb<Stats>((d) => this.sftp.fstat(src, d));
      const dst = await cb<Buffer>((d) => this.sftp.open(to, 'w', { mode: st.mode & 0o7777 }, d));
      try {
        await cb((d) => this.sftp.ext_copy_data(src, 0, 0, dst, 0, d));
      } finally {
        await cb((d) => this.sftp.close(dst, d)).catch(() => {});
      }
    } finally {
      await cb((d) => this.sftp.close(src, d)).catch(() => {});
    }
  }

  exec(command: string): Promise<ExecResult> {
    return execOverSsh(this.ssh, command);
  }

  checksum(algorithm: string, p: string): Promise<string> {
    return shellChecksum(this.ssh, algorithm, p);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.ssh.once('close', () => resolve());
      this.ssh.end();
      setTimeout(resolve, 2000).unref();
    });
  }
}

/** Pipelined reads: requested ahead while the connection's in-flight budget allows, delivered in order. */
class SftpReadStream extends Readable {
  private next: number;
  private inflight = 0;
  /** Received chunks by offset, waiting for the ones before them. */
  private readonly done = new Map<number, Buffer>();
  private deliver: number;
  private eof = false;
  private handleClosed = false;
  private waitingForRoom = false;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    start: number,
    /** Size when opened; reading stops there (undefined: read until EOF). */
    private readonly size: number | undefined,
    private readonly chunk: number,
    private readonly budget: InFlight,
  ) {
    super({ highWaterMark: chunk * 8 });
    this.next = start;
    this.deliver = start;
  }

  override _read(): void {
    this.fill();
  }

  private fill(): void {
    const more = () => !this.eof && !this.handleClosed && (this.size === undefined || this.next < this.size);
    // The first request goes out even on a full budget: every transfer keeps moving.
    while (more() && (!this.budget.full || this.inflight === 0)) {
      const pos = this.next;
      const len = this.size === undefined ? this.chunk : Math.min(this.chunk, this.size - pos);
      this.next += len;
      this.request(pos, len);
    }
    if (more() && !this.waitingForRoom) {
      this.waitingForRoom = true;
      this.budget.whenFree(() => {
        this.waitingForRoom = false;
        if (this.readableLength < this.readableHighWaterMark) this.fill();
      });
    }
    this.maybeFinish();
  }

  private request(pos: number, len: number): void {
    this.inflight++;
    this.budget.take(len);
    const buf = Buffer.allocUnsafe(len);
    this.sftp.read(this.handle, buf, 0, len, pos, (err, bytes) => {
      this.inflight--;
      this.budget.give(len);
      if (err && (err as { code?: number }).code !== 1) return this.fail(err);
      if (err || bytes === 0) this.eof = true;
      else {
        this.done.set(pos, bytes < len ? buf.subarray(0, bytes) : buf);
        if (bytes < len) this.request(pos + bytes, len - bytes); // short read: ask for the rest
      }
      this.flush();
    });
  }

  private flush(): void {
    let more = true;
    while (this.done.has(this.deliver)) {
      const b = this.done.get(this.deliver)!;
      this.done.delete(this.deliver);
      this.deliver += b.length;
      more = this.push(b);
    }
    if (!this.maybeFinish() && more) this.fill();
  }

  /** Everything requested has come back: close. Chunks after a gap (file shrank) are dropped. */
  private maybeFinish(): boolean {
    const allRequested = this.eof || (this.size !== undefined && this.next >= this.size);
    if (!allRequested || this.inflight > 0 || this.handleClosed) return this.handleClosed;
    this.handleClosed = true;
    this.sftp.close(this.handle, () => this.push(null));
    return true;
  }

  private fail(err: unknown): void {
    if (this.handleClosed) return;
    this.handleClosed = true;
    this.sftp.close(this.handle, () => this.destroy(sftpError(err)));
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.handleClosed) {
      this.handleClosed = true;
      this.sftp.close(this.handle, () => callback(err));
    } else callback(err);
  }
}

/** Pipelined writes; `final` waits for every write, sets the mtime, then closes the handle. */
class SftpWriteStream extends Writable {
  private inflight = 0;
  private waiter: (() => void) | undefined;
  private error: unknown;
  private handleClosed = false;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    private position: number,
    private readonly chunk: number,
    private readonly mtime: number | undefined,
    private readonly sock: { cork(): void; uncork(): void } | undefined,
    private readonly budget: InFlight,
  ) {
    super({ highWaterMark: chunk * 4 });
  }

  override _write(data: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    if (this.error) return done(sftpError(this.error));
    // One write syscall for the many SSH packets of this chunk instead of one per packet.
    const sock = this.sock;
    sock?.cork();
    process.nextTick(() => sock?.uncork());
    for (let off = 0; off < data.length; off += this.chunk) {
      const len = Math.min(this.chunk, data.length - off);
      this.inflight++;
      this.budget.take(len);
      this.sftp.write(this.handle, data, off, len, this.position, (err) => {
        this.inflight--;
        this.budget.give(len);
        if (err && !this.error) this.error = err;
        const w = this.waiter;
        this.waiter = undefined;
        w?.();
      });
      this.position += len;
    }
    const go = () => {
      if (this.budget.full && !this.error && this.inflight > 0) this.budget.whenFree(go);
      else done(this.error ? sftpError(this.error) : null);
    };
    go();
  }

  private drainAll(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.inflight === 0) resolve();
        else this.waiter = check;
      };
      check();
    });
  }

  override _final(done: (e?: Error | null) => void): void {
    void (async () => {
      await this.drainAll();
      if (this.error) return this.closeWith(sftpError(this.error), done);
      if (this.mtime !== undefined) {
        const t = Math.floor(this.mtime / 1000);
        const err = await new Promise<unknown>((r) => this.sftp.futimes(this.handle, t, t, r));
        if (err) return this.closeWith(sftpError(err), done);
      }
      this.closeWith(null, done);
    })();
  }

  private closeWith(err: Error | null, done: (e?: Error | null) => void): void {
    this.handleClosed = true;
    this.sftp.close(this.handle, (cerr) => done(err ?? (cerr ? sftpError(cerr) : null)));
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.handleClosed) return callback(err);
    this.handleClosed = true;
    void this.drainAll().then(() => this.sftp.close(this.handle, () => callback(err)));
  }
}

/**
 * Opens the SFTP channel: the server's `sftp` subsystem, or with raw setting SftpServer (e.g.
 * `sudo /usr/lib/openssh/sftp-server`) that command, run with exec. ssh2 only knows the
 * subsystem request, so its request is swapped for an exec request for this one channel.
 */
function openSftpChannel(ssh: Client, server: string | undefined, cb: (err: Error | undefined, sftp?: SFTPWrapper) => void): void {
  const command = server?.trim();
  if (!command || command.toLowerCase() === 'default') {
    ssh.sftp(cb);
    return;
  }
  type Proto = { subsystem(chan: number, name: string, wantReply: boolean): unknown; exec(chan: number, cmd: string, wantReply: boolean): unknown };
  const proto = (ssh as unknown as { _protocol: Proto })._protocol;
  const subsystem = proto.subsystem;
  proto.subsystem = function (chan, _name, wantReply) {
    proto.subsystem = subsystem;
    return proto.exec.call(this, chan, command, wantReply);
  };
  ssh.sftp((err, sftp) => {
    proto.subsystem = subsystem;
    cb(err, sftp);
  });
}

/** A channel that did not start speaking SFTP: WinSCP's message, with what the server said. */
function sftpStartError(err: Error): Error {
  if (/SFTP session|subsystem/i.test(err.message)) return new ConnectError(['Cannot initialize SFTP protocol. Is the host running an SFTP server?', err.message]);
  return err;
}

/** Connects, authenticates and opens the SFTP channel. Throws ConnectError with WinSCP's lines. */
export async function connectSftp(opts: SshOptions): Promise<SftpTransport> {
  const ssh = await connectSsh(opts);
  opts.status('Authenticated.');
  opts.status('Starting the session...');
  try {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
      ssh.once('close', () => reject(new Error('Connection closed')));
      openSftpChannel(ssh, opts.sftpServer, (err, channel) => (err ? reject(sftpStartError(err)) : resolve(channel!)));
    });
    const t = new SftpTransport(sftp, ssh);
    opts.status('Session started.');
    return t;
  } catch (e) {
    ssh.end();
    throw e instanceof ConnectError ? e : new ConnectError(connectErrorLines(e, opts, { triedKey: false, triedPassword: false, authStarted: true }));
  }
}
