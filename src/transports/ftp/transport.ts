/**
 * The FTP/FTPS Transport: WinSCP's FTP file operations over one control connection, every call
 * serialised on an internal queue (a transfer holds the queue until the server has confirmed
 * it), so that concurrent callers never start two basic-ftp tasks at once.
 *
 * - listings: CWD + `LIST -a` (falls back to `LIST`; raw FtpListAll) or MLSD (FEAT `MLST`, raw
 *   FtpUseMlsd); LIST times get the session's time-zone offset and remembered upload times
 *   (times.ts); symlinks are resolved with CWD/SIZE;
 * - stat: MLST, else CWD (directory) or SIZE + MDTM (file, exact time), as WinSCP does since
 *   5.6.2; lstat: the entry from the parent's listing;
 * - transfers: RETR/STOR, REST for resume, APPE for append, in binary mode;
 * - setTimes: MFMT, or `MDTM YYYYMMDDHHMMSS path` (vsftpd with mdtm_write=YES, IIS);
 * - chmod: SITE CHMOD; symlink: SITE SYMLINK when FEAT lists it; checksum: HASH or the
 *   XSHA1/XSHA256/XSHA512/XMD5/MD5/XCRC commands when FEAT lists them; exec: a raw command,
 *   the server's reply lines as output.
 */
import { Readable, Writable } from 'node:stream';
import {
  baseName,
  type Capabilities,
  type Entry,
  type ExecResult,
  isTransportError,
  joinPath,
  parentOf,
  type ReadOptions,
  resolveRemote,
  type Transport,
  TransportError,
  type WriteOptions,
} from '../transport.js';
import { type FtpConnection, type Transfer, Watchdog } from './connection.js';
import { replyError, replyLines } from './errors.js';
import { formatMlsxTime, type ListedEntry, parseListing, parseMlsxLine, parseMlsxTime } from './list-parse.js';
import { type FtpSessionTimes, offsetFromFile } from './times.js';

/** What the server supports, from FEAT and probes at login. */
export interface FtpFeatures {
  /** FEAT lines: upper-case command → its arguments. */
  feat: Map<string, string>;
  mlsd: boolean;
  mdtm: boolean;
  size: boolean;
  /** How times are set: MFMT, two-argument MDTM, or not at all. */
  setTime: 'mfmt' | 'mdtm' | 'none';
  /** Two-argument MDTM is known to work (a probe or a first success said so). */
  setTimeConfirmed: boolean;
  /** HASH algorithms (`SHA-256`...), as the server names them. */
  hashAlgs: string[];
  /** Checksum commands by normalised algorithm name (`sha256` → `XSHA256`). */
  checksumCommands: Map<string, string>;
  siteSymlink: boolean;
  /** Raw FtpListAll: `LIST -a` always, never, or until it proves useless. */
  listAll: 'on' | 'off' | 'auto';
  encoding: BufferEncoding;
}

/** `SHA-256` / `sha256` / `Sha-1` → `sha256` / `sha1`. */
export function normaliseAlgorithm(a: string): string {
  const n = a.toLowerCase().replace(/[-_]/g, '');
  return n === 'crc' ? 'crc32' : n;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One FTP connection as a Transport. Shared session state (times) comes from connectFtp.
 *
 * compat: uploads on FTP go through `<name>.filepart` like every winscript transfer
 * (src/transfer/copy.ts); WinSCP writes FTP uploads in place.
 */
export class FtpTransport implements Transport {
  readonly capabilities: Capabilities;
  private chain: Promise<void> = Promise.resolve();
  /** Directory attributes from the `.` and `..` lines of recent listings (cleared by changes). */
  private readonly dirAttrs = new Map<string, Entry>();
  private typeDirty = false;
  private hashSelected: string | undefined;

  constructor(
    private readonly conn: FtpConnection,
    private readonly f: FtpFeatures,
    private readonly times: FtpSessionTimes,
    private readonly homeDir: string,
    private readonly timeoutMs: number,
  ) {
    const checksums = new Set<string>([...f.hashAlgs.map(normaliseAlgorithm), ...f.checksumCommands.keys()]);
    this.capabilities = {
      protocol: 'ftp',
      mtimePrecision: f.mlsd ? 'full' : 'mdhm',
      canSetMtime: f.setTime !== 'none',
      caseSensitive: true,
      atomicRename: false,
      maxConnections: 4,
      canChmod: true,
      canSymlink: f.siteSymlink,
      canCopy: false,
      canExec: true,
      canAppend: true,
      tempUploads: false,
      checksums: [...checksums],
    };
  }

  /** Waits for the queue; resolves with the function that frees it (idempotent). */
  private lock(): Promise<() => void> {
    let free!: () => void;
    const mine = new Promise<void>((r) => (free = r));
    const prev = this.chain;
    this.chain = prev.then(() => mine);
    let done = false;
    return prev.then(() => () => {
      if (!done) {
        done = true;
        free();
      }
    });
  }

  private async run<T>(f: () => Promise<T>, changes = false): Promise<T> {
    const release = await this.lock();
    if (changes) this.dirAttrs.clear();
    try {
      return await f();
    } finally {
      release();
    }
  }

  home(): Promise<string> {
    return Promise.resolve(this.homeDir);
  }

  realpath(p: string): Promise<string> {
    return Promise.resolve(resolveRemote(this.homeDir, p));
  }

  // ---------------------------------------------------------------------------------- listings

  private async cwd(dir: string): Promise<void> {
    const r = await this.conn.send(`CWD ${dir}`);
    if (r.code >= 200 && r.code < 300) return;
    if ((r.code === 550 || r.code === 450) && this.f.size) {
      const s = await this.conn.send(`SIZE ${dir}`);
      if (s.code === 213) throw new TransportError('ENOTDIR', [...replyLines(r.message), 'Not a directory.']);
    }
    throw replyError(r, 'ENOENT');
  }

  private async ensureBinary(): Promise<void> {
    if (!this.typeDirty) return;
    await this.conn.expect('TYPE I', 'EFAILURE');
    this.typeDirty = false;
  }

  private async fetchListing(): Promise<ListedEntry[]> {
    await this.ensureBinary();
    const enc = this.f.encoding;
    if (this.f.mlsd) return parseListing(await this.conn.retrieveText('MLSD', enc), 'mlsd', new Date(), true);
    const useAll = this.f.listAll !== 'off';
    let text: string;
    try {
      text = await this.conn.retrieveText(useAll ? 'LIST -a' : 'LIST', enc);
    } catch (e) {
      if (!(useAll && this.f.listAll === 'auto' && isTransportError(e) && !['ECONNLOST', 'ETIMEDOUT'].includes(e.code))) throw e;
      this.f.listAll = 'off';
      text = await this.conn.retrieveText('LIST', enc);
    }
    let entries = parseListing(text, 'list', new Date(), true);
    if (useAll && this.f.listAll === 'auto' && text.trim() === '') {
      // A server that took `-a` for a path lists nothing; plain LIST tells.
      const plain = parseListing(await this.conn.retrieveText('LIST', enc), 'list', new Date(), true);
      if (plain.length > 0) {
        this.f.listAll = 'off';
        entries = plain;
      }
    }
    return entries;
  }

  /** Target type (and size) of a symlink, with CWD (a directory) or SIZE (a file). */
  private async resolveLink(full: string, e: ListedEntry): Promise<void> {
    const c = await this.conn.send(`CWD ${full}`);
    if (c.code >= 200 && c.code < 300) {
      e.targetType = 'dir';
      return;
    }
    if (this.f.size) {
      const s = await this.conn.send(`SIZE ${full}`);
      const n = s.code === 213 ? Number(replyLines(s.message)[0]) : NaN;
      if (!Number.isNaN(n)) {
        e.targetType = 'file';
        e.size = n;
        return;
      }
    }
    e.targetType = 'other';
  }

  /** First listing of the session: the LIST time-zone offset from one file's MDTM (§8.3). */
  private async detectOffset(dir: string, entries: ListedEntry[]): Promise<void> {
    const t = this.times;
    if (!t.detecting) return;
    if (this.f.mlsd || !this.f.mdtm) {
      t.detecting = false;
      return;
    }
    for (const e of t.candidates(entries)) {
      const r = await this.conn.send(`MDTM ${joinPath(dir, e.name)}`);
      const utc = r.code === 213 ? parseMlsxTime(replyLines(r.message)[0] ?? '') : undefined;
      const off = utc === undefined ? undefined : offsetFromFile({ mtime: e.mtime!, precision: e.precision }, utc, Date.now());
      if (off === 'future') continue;
      // compat: rounded to whole quarter hours (time zones), so that a file changing between
      // LIST and MDTM cannot skew every time of the session.
      if (off !== undefined) t.offset = Math.round(off / 900_000) * 900_000;
      t.detecting = false;
      return;
    }
  }

  private async listLocked(dir: string, resolveLinks: boolean): Promise<ListedEntry[]> {
    await this.cwd(dir);
    const all = await this.fetchListing();
    const entries = all.filter((e) => e.name !== '.' && e.name !== '..');
    if (resolveLinks) for (const e of entries) if (e.type === 'symlink') await this.resolveLink(joinPath(dir, e.name), e);
    await this.detectOffset(dir, entries);
    for (const u of this.times.adjust(dir, all)) {
      const r = this.f.mdtm ? await this.conn.send(`MDTM ${u.path}`) : undefined;
      this.times.confirm(u, r?.code === 213 ? parseMlsxTime(replyLines(r.message)[0] ?? '') : undefined);
    }
    // `.` and `..` describe the directory and its parent: kept for stat (e.g. `ls` shows `..`).
    for (const e of all) {
      if (e.type !== 'dir' || (e.name !== '.' && e.name !== '..') || (e.name === '..' && dir === '/')) continue;
      const path = resolveRemote('/', e.name === '.' ? dir : parentOf(dir));
      this.dirAttrs.delete(path);
      this.dirAttrs.set(path, FtpTransport.clean({ ...e, name: baseName(path) || '/' }));
      if (this.dirAttrs.size > 256) this.dirAttrs.delete(this.dirAttrs.keys().next().value!);
    }
    return entries;
  }

  private static clean(e: ListedEntry): Entry {
    const { utc: _utc, ...rest } = e;
    void _utc;
    return rest;
  }

  list(dir: string): Promise<Entry[]> {
    return this.run(async () => (await this.listLocked(dir, true)).map(FtpTransport.clean));
  }

  private rootEntry(p: string): Entry {
    return this.dirAttrs.get('/') ?? { name: baseName(p) || '/', type: 'dir', size: 0, precision: 'none' };
  }

  private async statLocked(p: string): Promise<Entry> {
    if (p === '/') return this.rootEntry(p);
    if (this.f.mlsd && this.f.feat.has('MLST')) {
      const r = await this.conn.send(`MLST ${p}`);
      if (r.code >= 200 && r.code < 300) {
        const lines = r.message.split(/\r?\n/).slice(1, -1);
        for (const l of lines) {
          const e = parseMlsxLine(l.replace(/^ /, ''));
          if (e) return FtpTransport.clean({ ...e, name: baseName(p) });
        }
      } else if (r.code !== 500 && r.code !== 502) throw replyError(r, 'ENOENT');
    }
    const c = await this.conn.send(`CWD ${p}`);
    if (c.code >= 200 && c.code < 300) {
      const known = this.dirAttrs.get(resolveRemote('/', p));
      return known ? { ...known, name: baseName(p) } : { name: baseName(p), type: 'dir', size: 0, precision: 'none' };
    }
    if (!this.f.size) {
      const parent = await this.listLocked(parentOf(p), false);
      const e = parent.find((x) => x.name === baseName(p));
      if (!e) throw new TransportError('ENOENT', replyLines(c.message));
      return FtpTransport.clean(e);
    }
    const s = await this.conn.send(`SIZE ${p}`);
    if (s.code !== 213) throw replyError(s, 'ENOENT');
    const e: Entry = { name: baseName(p), type: 'file', size: Number(replyLines(s.message)[0]) || 0, precision: 'none' };
    if (this.f.mdtm) {
      const m = await this.conn.send(`MDTM ${p}`);
      const text = replyLines(m.message)[0] ?? '';
      const t = m.code === 213 ? parseMlsxTime(text) : undefined;
      if (t !== undefined) {
        e.mtime = t;
        e.precision = 'full';
        e.rawTime = text;
      }
    }
    return e;
  }

  stat(p: string): Promise<Entry> {
    return this.run(() => this.statLocked(p));
  }

  lstat(p: string): Promise<Entry> {
    return this.run(async () => {
      if (p === '/') return this.rootEntry(p);
      const name = baseName(p);
      let parent: ListedEntry[];
      try {
        parent = await this.listLocked(parentOf(p), false);
      } catch (e) {
        if (isTransportError(e, 'ENOENT') || isTransportError(e, 'ENOTDIR') || isTransportError(e, 'ECONNLOST')) throw e;
        return this.statLocked(p);
      }
      const e = parent.find((x) => x.name === name);
      if (!e) throw new TransportError('ENOENT', ['No such file or directory.']);
      if (e.type === 'symlink') await this.resolveLink(p, e);
      return FtpTransport.clean(e);
    });
  }

  // --------------------------------------------------------------------------------- transfers

  async read(p: string, opts: ReadOptions = {}): Promise<Readable> {
    const release = await this.lock();
    try {
      await this.ensureBinary();
      const x = await this.conn.transfer(`RETR ${p}`, { start: opts.start || undefined, fallback550: 'ENOENT' });
      return new FtpReadStream(x, release, this.timeoutMs);
    } catch (e) {
      release();
      throw e;
    }
  }

  async write(p: string, opts: WriteOptions = {}): Promise<Writable> {
    const release = await this.lock();
    try {
      this.dirAttrs.clear();
      await this.ensureBinary();
      this.times.forget(p);
      const command = opts.append ? `APPE ${p}` : `STOR ${p}`;
      const x = await this.conn.transfer(command, { start: !opts.append && opts.start ? opts.start : undefined, fallback550: 'EFAILURE' });
      return new FtpWriteStream(x, release, this.timeoutMs);
    } catch (e) {
      release();
      throw e;
    }
  }

  // -------------------------------------------------------------------------------- operations

  /** After a failed command on `p`: ENOENT when nothing is there. */
  private async missing(p: string): Promise<boolean> {
    const c = await this.conn.send(`CWD ${p}`);
    if (c.code >= 200 && c.code < 300) return false;
    if (!this.f.size) return false;
    const s = await this.conn.send(`SIZE ${p}`);
    return s.code !== 213;
  }

  mkdir(p: string): Promise<void> {
    return this.run(async () => {
      const r = await this.conn.send(`MKD ${p}`);
      if (r.code >= 200 && r.code < 300) return;
      const c = await this.conn.send(`CWD ${p}`);
      if (c.code >= 200 && c.code < 300) throw new TransportError('EEXIST', [...replyLines(r.message), 'File already exists.']);
      throw replyError(r, 'EFAILURE');
    }, true);
  }

  rmdir(p: string): Promise<void> {
    return this.run(async () => {
      const r = await this.conn.send(`RMD ${p}`);
      if (r.code >= 200 && r.code < 300) return;
      if (await this.missing(p)) throw new TransportError('ENOENT', replyLines(r.message));
      throw replyError(r, 'EFAILURE');
    }, true);
  }

  remove(p: string): Promise<void> {
    return this.run(async () => {
      const r = await this.conn.send(`DELE ${p}`);
      if (r.code >= 200 && r.code < 300) {
        this.times.forget(p);
        return;
      }
      if (await this.missing(p)) throw new TransportError('ENOENT', replyLines(r.message));
      throw replyError(r, 'EFAILURE');
    }, true);
  }

  private async renameOnce(from: string, to: string): Promise<{ ok: true } | { ok: false; error: TransportError }> {
    const a = await this.conn.send(`RNFR ${from}`);
    if (a.code !== 350) throw replyError(a, 'ENOENT');
    const b = await this.conn.send(`RNTO ${to}`);
    if (b.code >= 200 && b.code < 300) return { ok: true };
    return { ok: false, error: replyError(b, 'EFAILURE') };
  }

  rename(from: string, to: string): Promise<void> {
    return this.run(async () => {
      let r = await this.renameOnce(from, to);
      if (!r.ok) {
        // Servers that refuse to rename onto an existing file: replace it (not atomic).
        const d = await this.conn.send(`DELE ${to}`);
        if (d.code < 200 || d.code >= 300) throw r.error;
        r = await this.renameOnce(from, to);
        if (!r.ok) throw r.error;
      }
      this.times.moved(from, to);
    }, true);
  }

  chmod(p: string, mode: number): Promise<void> {
    return this.run(async () => {
      await this.conn.expect(`SITE CHMOD ${(mode & 0o7777).toString(8).padStart(3, '0')} ${p}`, 'ENOENT');
    }, true);
  }

  setTimes(p: string, mtime: number): Promise<void> {
    return this.run(async () => {
      const stamp = formatMlsxTime(mtime);
      if (this.f.setTime === 'none') throw new TransportError('EUNSUPPORTED', ['Operation not supported.']);
      if (this.f.setTime === 'mfmt') await this.conn.expect(`MFMT ${stamp} ${p}`, 'ENOENT');
      else {
        const r = await this.conn.send(`MDTM ${stamp} ${p}`);
        if (r.code >= 200 && r.code < 300) this.f.setTimeConfirmed = true;
        else if (this.f.setTimeConfirmed || (await this.missing(p))) throw replyError(r, 'ENOENT');
        else {
          // compat: the server lists MDTM but does not take a time with it. WinSCP cannot tell
          // either and goes on; winscript stops claiming it can set times.
          this.f.setTime = 'none';
          this.capabilities.canSetMtime = false;
          return;
        }
      }
      if (!this.f.mlsd) this.times.remember(p, mtime);
    }, true);
  }

  symlink(target: string, p: string): Promise<void> {
    return this.run(async () => {
      if (!this.f.siteSymlink) throw new TransportError('EUNSUPPORTED', ['Operation not supported.']);
      await this.conn.expect(`SITE SYMLINK ${target} ${p}`, 'EFAILURE');
    }, true);
  }

  copy(): Promise<void> {
    return Promise.reject(new TransportError('EUNSUPPORTED', ['Operation not supported.']));
  }

  /**
   * A raw FTP command (`call`): the reply lines are the output; an error reply (4xx/5xx) is
   * the exit code, so `call` prints the reply and fails with `Command failed with return code 550.`
   *
   * compat: WinSCP reports an error reply as the command's error message instead.
   */
  exec(command: string): Promise<ExecResult> {
    return this.run(async () => {
      const r = await this.conn.send(command.trim());
      if (/^\s*(TYPE|MODE|STRU)\b/i.test(command)) this.typeDirty = true;
      if (/^\s*OPTS\s+HASH\b/i.test(command)) this.hashSelected = undefined;
      return { stdout: r.message.replace(/\r?\n$/, '') + '\n', stderr: '', code: r.code >= 400 ? r.code : 0 };
    }, true);
  }

  checksum(algorithm: string, p: string): Promise<string> {
    return this.run(async () => {
      const alg = normaliseAlgorithm(algorithm);
      const hashName = this.f.hashAlgs.find((a) => normaliseAlgorithm(a) === alg);
      const hex = (text: string) => {
        const m = /\b([0-9a-fA-F]{8,})\b/.exec(text);
        if (!m) throw new TransportError('EFAILURE', [`Invalid response to checksum command '${replyLines(text).join(' ')}'.`]);
        return m[1]!.toLowerCase();
      };
      if (hashName) {
        if (this.hashSelected !== hashName) {
          await this.conn.expect(`OPTS HASH ${hashName}`, 'EFAILURE');
          this.hashSelected = hashName;
        }
        const r = await this.conn.expect(`HASH ${p}`, 'ENOENT');
        // 213 SHA-256 0-49 <hex> <name>
        const parts = replyLines(r.message)[0]!.split(' ');
        return hex(parts.length >= 3 ? parts[2]! : r.message);
      }
      const command = this.f.checksumCommands.get(alg);
      if (!command) throw new TransportError('EUNSUPPORTED', [`Checksum algorithm '${algorithm}' is not supported.`]);
      const r = await this.conn.expect(`${command} ${p}`, 'ENOENT');
      return hex(replyLines(r.message).join(' '));
    });
  }

  async close(): Promise<void> {
    if (!this.conn.closed) {
      this.conn.client.close();
      await sleep(0);
    }
  }
}

/**
 * A download: data from the data connection, delivered with backpressure; it ends only after
 * the server has confirmed the transfer, and fails if it reports an error.
 */
class FtpReadStream extends Readable {
  private finished = false;
  private ended = false;
  private readonly dog: Watchdog;

  constructor(
    private readonly x: Transfer,
    private readonly release: () => void,
    timeoutMs: number,
  ) {
    super({ highWaterMark: 256 * 1024 });
    const s = x.socket;
    this.dog = new Watchdog(timeoutMs, () => !s.isPaused() && !this.ended, () => this.fail(new TransportError('ETIMEDOUT', ['Timeout detected. (data connection)'])));
    s.on('data', (c: Buffer) => {
      this.dog.progress();
      if (!this.push(c)) s.pause();
    });
    s.once('end', () => {
      this.ended = true;
      this.dog.stop();
      x.dataDone();
      x.final.then(
        () => this.finish(null),
        (e) => this.finish(e as Error),
      );
    });
    s.once('error', (e) => this.fail(new TransportError('EFAILURE', [`Download failed: ${e.message}`], { cause: e })));
    x.final.catch((e) => this.fail(e as Error));
  }

  override _read(): void {
    this.x.socket.resume();
  }

  private finish(err: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    this.dog.stop();
    this.x.socket.destroy();
    this.release();
    if (err) this.destroy(err);
    else this.push(null);
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.x.abort();
    void this.x.final.then(
      () => this.finish(err),
      () => this.finish(err),
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.finished) return callback(err);
    // Given up by the reader: close the data connection, wait for the server's verdict.
    this.x.abort();
    void this.x.final
      .catch(() => {})
      .then(() => {
        if (!this.finished) {
          this.finished = true;
          this.dog.stop();
          this.release();
        }
        callback(err);
      });
  }
}

/**
 * An upload: `finish` comes only after the server has confirmed the whole file (226). A stream
 * destroyed halfway closes the data connection cleanly, so what was sent stays on the server
 * as a resumable prefix.
 */
class FtpWriteStream extends Writable {
  private finished = false;
  private finalizing = false;
  private readonly dog: Watchdog;
  private socketError: Error | undefined;

  constructor(
    private readonly x: Transfer,
    private readonly release: () => void,
    timeoutMs: number,
  ) {
    super({ highWaterMark: 256 * 1024 });
    const s = x.socket;
    this.dog = new Watchdog(timeoutMs, () => s.writableLength > 0, () => this.destroy(new TransportError('ETIMEDOUT', ['Timeout detected. (data connection)'])));
    s.on('error', (e) => {
      this.socketError = new TransportError('EFAILURE', [`Upload failed: ${e.message}`], { cause: e });
      if (!this.finalizing) this.destroy(this.socketError);
    });
    x.final.catch((e) => {
      if (!this.finalizing) this.destroy(e as Error);
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    const s = this.x.socket;
    if (s.destroyed || this.socketError) return done(this.socketError ?? new TransportError('EFAILURE', ['Data connection closed.']));
    this.dog.progress();
    if (s.write(chunk)) return done();
    const onDrain = () => {
      s.off('close', onClose);
      this.dog.progress();
      done();
    };
    const onClose = () => {
      s.off('drain', onDrain);
      done(this.socketError ?? new TransportError('EFAILURE', ['Data connection closed.']));
    };
    s.once('drain', onDrain);
    s.once('close', onClose);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.finalizing = true;
    this.x.socket.end(() => {
      this.dog.stop();
      this.x.dataDone();
      this.x.final.then(
        () => this.finish(null, done),
        (e) => this.finish(e as Error, done),
      );
    });
  }

  private finish(err: Error | null, done: (e?: Error | null) => void): void {
    this.finished = true;
    this.dog.stop();
    this.x.socket.destroy();
    this.release();
    done(err);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.finished) return callback(err);
    this.finalizing = true;
    this.dog.stop();
    this.x.abort(true);
    void this.x.final
      .catch(() => {})
      .then(() => {
        if (!this.finished) {
          this.finished = true;
          this.x.socket.destroy();
          this.release();
        }
        callback(err);
      });
  }
}
