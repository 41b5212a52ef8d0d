/**
 * SCP transport (`scp://`, script spec §11; sync spec §2, §5.5, §5.7, §5.8, §8.2), as WinSCP's
 * SCP file system works: file data moves with the SCP protocol (`scp -t` / `scp -f`, see
 * scp/protocol.ts), everything else runs as shell commands (`ls -la`, `mv`, `rm`, `chmod`,
 * `touch`, `ln`, `cp`, `<alg>sum`), and `call` runs arbitrary commands. One SSH connection per
 * transport carries all of it, one exec channel per command (scp/shell.ts); host-key check,
 * authentication and the status lines are the ones SFTP uses (ssh-connect.ts).
 *
 * Listings: `ls -la --full-time --quoting-style=c` when the server's `ls` (GNU coreutils) has
 * it — full-precision times with their UTC offset, C-quoted names that survive spaces, quotes,
 * newlines and any bytes — otherwise plain `ls -la` (MDHM/MDY precision, year guessed; names
 * with newlines cannot be listed then). Commands run with `LC_ALL=C` (parseable output, English
 * error texts) and `TZ=UTC0` (plain `ls` times are UTC). Symlink targets are resolved with one
 * batched `ls -ldL` per directory that has links. The parser is scp/ls-parse.ts.
 *
 * compat: differences from WinSCP, on purpose:
 * - WinSCP runs all commands in one interactive shell and must detect the end of each command's
 *   output; winscript uses one exec channel per command (exit status and stderr come separately).
 * - Times printed by a plain `ls` are read as UTC (the command runs with TZ=UTC0), not as the
 *   client's local time corrected by the `TimeDifference` setting.
 * - The SCP protocol cannot write at an offset. WinSCP does not resume SCP transfers (and
 *   ignores `-resume`); winscript's transfer code resumes a leftover `<name>.filepart` for every
 *   protocol, so a write with `start` continues the file through the shell (`cat >>`, after
 *   checking its size) instead of the SCP protocol. `append` is ignored (WinSCP ignores
 *   `-append` for SCP): the file is rewritten. A download with `start` reads the file from the
 *   beginning and drops the first bytes.
 * - Uploads start `scp -t` without `-p`; the modification time travels in a `T` record whenever
 *   the caller asks for it (OpenSSH's sink applies it without `-p`). The mode of the `C` record
 *   is the caller's or 0644, applied by the sink to new files only; `-permissions` is applied
 *   afterwards with `chmod` by the transfer code, which makes `-p` unnecessary.
 * - `rename` and `copy` use `mv -T` / `cp -T` where GNU coreutils are detected, so a directory
 *   target is replaced or refused instead of receiving the file inside it.
 */
import type ssh2 from 'ssh2';
import { type Readable, Writable } from 'node:stream';
import { ConnectError, connectSsh, type SshOptions } from './ssh-connect.js';
import { shellChecksum, shellQuote } from './ssh-exec.js';
import {
  baseName,
  type Capabilities,
  type Entry,
  type ExecResult,
  parentOf,
  type ReadOptions,
  type Transport,
  TransportError,
  type WriteOptions,
} from './transport.js';
import { type LsStyle, parseListing, parseLsLine } from './scp/ls-parse.js';
import { openScpRead, openScpWrite } from './scp/protocol.js';
import { commandError, ExecChannels, exitStatus, type RawResult } from './scp/shell.js';

/** Prefix of every internal command: parseable `ls`, English messages, UTC times. */
const ENV = 'export LC_ALL=C TZ=UTC0; ';

/** Mode announced in the `C` record when the caller gives none (WinSCP's default `644`). */
const DEFAULT_MODE = 0o644;

/** Longest command text sent at once when batching names (below Linux's 128 KiB per argument). */
const MAX_COMMAND = 60_000;

/** What the start-up probe found out about the server. */
export interface ScpServerInfo {
  /** The login directory (`pwd`). */
  home: string;
  /** GNU coreutils: `ls --full-time --quoting-style=c`, `mv -T`, `cp -T`. */
  gnu: boolean;
}

const PROBE_MARK = '@@winscript-scp-probe@@';

/** The start-up probe: home directory and whether `ls` is GNU's. Marked, so that noise from login scripts on stdout is skipped. */
export const PROBE_COMMAND = `printf '%s\\n' '${PROBE_MARK}'; pwd; if LC_ALL=C ls -ld --full-time --quoting-style=c -- / >/dev/null 2>&1; then echo gnu; else echo plain; fi`;

/** Parses the probe's output. */
export function parseProbe(stdout: string): ScpServerInfo | undefined {
  const lines = stdout.split('\n');
  const i = lines.lastIndexOf(PROBE_MARK);
  if (i < 0 || lines[i + 1] === undefined || lines[i + 2] === undefined) return undefined;
  return { home: lines[i + 1]!.replace(/\r$/, '') || '/', gnu: lines[i + 2]!.trim() === 'gnu' };
}

/** `YYYYMMDDhhmm.SS` in UTC, for `touch -t` (run with TZ=UTC0). */
function touchStamp(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}`;
}

/**
 * A transport on one authenticated SSH connection: SCP for file data, shell commands for the rest.
 * Built by `connectScp`; `info` is what the start-up probe found (home directory, GNU tools).
 */
export class ScpTransport implements Transport {
  readonly capabilities: Capabilities;
  private readonly style: LsStyle;
  private readonly lsFlags: string;

  constructor(
    private readonly client: ssh2.Client,
    private readonly channels: ExecChannels,
    private readonly info: ScpServerInfo,
  ) {
    this.style = info.gnu ? 'full' : 'plain';
    this.lsFlags = info.gnu ? ' --full-time --quoting-style=c' : '';
    this.capabilities = {
      protocol: 'scp',
      mtimePrecision: info.gnu ? 'full' : 'mdhm',
      canSetMtime: true,
      caseSensitive: true,
      atomicRename: true,
      maxConnections: 4,
      canChmod: true,
      canSymlink: true,
      canCopy: true,
      canExec: true,
      canAppend: false,
      tempUploads: true,
      checksums: [],
    };
  }

  /** Runs an internal command (with ENV). */
  private sh(script: string): Promise<RawResult> {
    return this.channels.run(ENV + script);
  }

  /** Runs an internal command; a non-zero exit status throws its stderr. */
  private async check(script: string): Promise<RawResult> {
    const r = await this.sh(script);
    if (r.code !== 0) throw commandError(r);
    return r;
  }

  async home(): Promise<string> {
    return this.info.home;
  }

  /** `cd -- X && pwd` (the logical path, as WinSCP shows it); for a file: its directory's path + name. */
  async realpath(p: string): Promise<string> {
    const q = shellQuote(p);
    const dir = shellQuote(parentOf(p));
    const base = shellQuote(baseName(p));
    const r = await this.check(
      `if cd -- ${q} 2>/dev/null; then pwd; else ls -d -- ${q} >/dev/null || exit 2; cd -- ${dir} || exit 2; d=$(pwd); [ "$d" = / ] && d=; printf '%s/%s\\n' "$d" ${base}; fi`,
    );
    const out = r.stdout.toString('utf8').replace(/\n$/, '');
    if (!out.startsWith('/')) throw new TransportError('EFAILURE', [`Cannot resolve '${p}'.`]);
    return out;
  }

  async list(dir: string): Promise<Entry[]> {
    const d = dir.endsWith('/') ? dir : `${dir}/`;
    const r = await this.sh(`ls -la${this.lsFlags} -- ${shellQuote(d)}`);
    const entries = parseListing(r.stdout, this.style);
    if (r.code >= 2 || (r.code !== 0 && entries.length === 0)) throw commandError(r);
    await this.resolveLinks(d, entries.filter((e) => e.type === 'symlink'));
    return entries;
  }

  /** Types (and file sizes) of symlink targets: `ls -ldL` for all links of a directory, batched. */
  private async resolveLinks(dir: string, links: Entry[]): Promise<void> {
    if (links.length === 0) return;
    const byName = new Map(links.map((e) => [e.name, e]));
    const head = `cd -- ${shellQuote(dir)} && ls -ldL${this.lsFlags} --`;
    let batch: string[] = [];
    let len = head.length;
    const run = async (names: string[]) => {
      const r = await this.sh(`${head} ${names.join(' ')} 2>/dev/null`);
      for (const line of r.stdout.toString('latin1').split('\n')) {
        const t = parseLsLine(line, this.style);
        const e = t && byName.get(t.name);
        if (!t || !e) continue;
        e.targetType = t.type === 'dir' ? 'dir' : t.type === 'file' ? 'file' : 'other';
        if (t.type === 'file') e.size = t.size;
      }
    };
    const jobs: Promise<void>[] = [];
    for (const e of links) {
      const q = shellQuote(e.name);
      if (batch.length && len + q.length + 1 > MAX_COMMAND) {
        jobs.push(run(batch));
        batch = [];
        len = head.length;
      }
      batch.push(q);
      len += q.length + 1;
    }
    if (batch.length) jobs.push(run(batch));
    await Promise.all(jobs);
  }

  private entryFrom(r: RawResult, p: string, which: number): Entry | undefined {
    const lines = r.stdout.toString('latin1').split('\n').filter((l) => l !== '');
    const e = lines[which] !== undefined ? parseLsLine(lines[which]!, this.style) : undefined;
    if (e) e.name = baseName(p);
    return e;
  }

  async stat(p: string): Promise<Entry> {
    const r = await this.check(`ls -ldL${this.lsFlags} -- ${shellQuote(p)}`);
    const e = this.entryFrom(r, p, 0);
    if (!e) throw new TransportError('EFAILURE', [`Cannot parse the listing of '${p}'.`]);
    return e;
  }

  async lstat(p: string): Promise<Entry> {
    const q = shellQuote(p);
    const r = await this.check(`ls -ld${this.lsFlags} -- ${q} || exit $?; ls -ldL${this.lsFlags} -- ${q} 2>/dev/null; exit 0`);
    const e = this.entryFrom(r, p, 0);
    if (!e) throw new TransportError('EFAILURE', [`Cannot parse the listing of '${p}'.`]);
    if (e.type === 'symlink') {
      const t = this.entryFrom(r, p, 1);
      if (t) e.targetType = t.type === 'dir' ? 'dir' : t.type === 'file' ? 'file' : 'other';
    }
    return e;
  }

  read(p: string, opts: ReadOptions = {}): Promise<Readable> {
    return openScpRead(this.channels, p, opts.start ?? 0);
  }

  /**
   * `scp -t` with `T<mtime> 0 <mtime> 0` (when `mtime` is given) and `C<mode> <size> <name>`.
   * With `opts.size` the data streams straight through; without it the data is spooled first.
   * With `start` the data is appended through the shell (see the compat note above).
   *
   * compat: `append` is ignored, as WinSCP ignores `-append` for SCP: the file is rewritten with
   * the data (the transfer code sends the whole source when appending).
   */
  async write(p: string, opts: WriteOptions = {}): Promise<Writable> {
    if (opts.start !== undefined && opts.start > 0) return this.resumeWrite(p, opts.start, opts.mtime);
    return openScpWrite(this.channels, p, { size: opts.size, mode: opts.mode ?? DEFAULT_MODE, mtime: opts.mtime });
  }

  /**
   * Continues a file at byte `n` through `cat >>`: the file must hold at least `n` bytes (it is
   * cut there), so a missing or shorter file is never padded.
   */
  private async resumeWrite(p: string, n: number, mtime: number | undefined): Promise<Writable> {
    const q = shellQuote(p);
    let script =
      `[ -f ${q} ] || { ls -d -- ${q} >/dev/null || exit 2; echo 'Cannot resume: not a regular file.' >&2; exit 1; }; ` +
      `s=$(wc -c < ${q}) || exit 1; [ "$s" -ge ${n} ] || { echo "Cannot resume: the file has $s bytes, ${n} expected." >&2; exit 1; }; ` +
      `if [ "$s" -gt ${n} ]; then dd if=/dev/null of=${q} bs=1 seek=${n} count=0 2>/dev/null || exit 1; fi; `;
    script += `cat >> ${q} || exit $?`;
    if (mtime !== undefined) script += `; touch -c -t ${touchStamp(mtime)} -- ${q}`;
    const ch = await this.channels.open(ENV + script);
    return new CommandStdin(ch, this.channels);
  }

  async mkdir(p: string): Promise<void> {
    await this.check(`mkdir -- ${shellQuote(p)}`);
  }

  async rmdir(p: string): Promise<void> {
    await this.check(`rmdir -- ${shellQuote(p)}`);
  }

  /** `rm -f --` (as WinSCP: a missing file is not an error). */
  async remove(p: string): Promise<void> {
    await this.check(`rm -f -- ${shellQuote(p)}`);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.check(`mv -f${this.info.gnu ? 'T' : ''} -- ${shellQuote(from)} ${shellQuote(to)}`);
  }

  async chmod(p: string, mode: number): Promise<void> {
    await this.check(`chmod ${(mode & 0o7777).toString(8).padStart(4, '0')} -- ${shellQuote(p)}`);
  }

  /** `touch -t` (UTC, whole seconds); the path must exist (it is not created). */
  async setTimes(p: string, mtime: number, atime?: number): Promise<void> {
    const q = shellQuote(p);
    const m = touchStamp(mtime);
    const set = atime === undefined || touchStamp(atime) === m ? `touch -c -t ${m} -- ${q}` : `touch -c -a -t ${touchStamp(atime)} -- ${q} && touch -c -m -t ${m} -- ${q}`;
    await this.check(`ls -d -- ${q} >/dev/null && ${set}`);
  }

  async symlink(target: string, p: string): Promise<void> {
    await this.check(`ln -s -- ${shellQuote(target)} ${shellQuote(p)}`);
  }

  async copy(from: string, to: string): Promise<void> {
    await this.check(`cp -p${this.info.gnu ? 'T' : ''} -- ${shellQuote(from)} ${shellQuote(to)}`);
  }

  async exec(command: string): Promise<ExecResult> {
    const r = await this.channels.run(command);
    return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), code: r.code };
  }

  checksum(algorithm: string, p: string): Promise<string> {
    return shellChecksum(this.client, algorithm, p);
  }

  async close(): Promise<void> {
    if (this.channels.lostReason) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      this.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.client.end();
    });
  }
}

/** A writable that feeds a command's stdin; `final` waits for its exit status. */
class CommandStdin extends Writable {
  private readonly stderr: Buffer[] = [];
  private chClosed = false;

  constructor(
    private readonly ch: ssh2.ClientChannel,
    private readonly channels: ExecChannels,
  ) {
    super({ highWaterMark: 256 * 1024 });
    ch.stderr.on('data', (d: Buffer) => this.stderr.push(d));
    ch.on('data', () => {});
    ch.on('error', () => {});
    ch.on('close', () => (this.chClosed = true));
  }

  private failure(): TransportError {
    if (this.channels.lostReason) return this.channels.lostError();
    return commandError({ stdout: Buffer.alloc(0), stderr: Buffer.concat(this.stderr), code: exitStatus(this.ch) ?? 1 });
  }

  override _write(chunk: Buffer, _e: BufferEncoding, done: (e?: Error | null) => void): void {
    if (this.chClosed) return done(this.failure());
    if (this.ch.write(chunk)) return done();
    const onClose = () => {
      this.ch.off('drain', onDrain);
      done(this.failure());
    };
    const onDrain = () => {
      this.ch.off('close', onClose);
      done();
    };
    this.ch.once('drain', onDrain);
    this.ch.once('close', onClose);
  }

  override _final(done: (e?: Error | null) => void): void {
    const finish = () => (exitStatus(this.ch) === 0 ? done() : done(this.failure()));
    if (this.chClosed) return finish();
    this.ch.once('close', finish);
    this.ch.end();
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    if (this.chClosed) return done(err);
    const t = setTimeout(() => done(err), 5000);
    this.ch.once('close', () => {
      clearTimeout(t);
      done(err);
    });
    this.ch.end();
  }
}

/** Connects, authenticates (same code and messages as SFTP) and probes the shell. Throws ConnectError with WinSCP's lines. */
export async function connectScp(opts: SshOptions): Promise<ScpTransport> {
  const client = await connectSsh(opts);
  opts.status('Authenticated.');
  opts.status('Starting the session...');
  const channels = new ExecChannels(client);
  let info: ScpServerInfo | undefined;
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Timeout waiting for server to respond.')), opts.timeoutMs);
    });
    const r = await Promise.race([channels.run(PROBE_COMMAND), timeout]).finally(() => clearTimeout(timer));
    info = parseProbe(r.stdout.toString('utf8'));
    if (!info) throw new Error(r.stderr.toString('utf8').trim() || 'The server did not run the start-up command.');
  } catch (e) {
    client.end();
    const details = e instanceof TransportError ? e.details : [(e as Error).message];
    throw new ConnectError(['Cannot initialize SCP session.', ...details]);
  }
  const t = new ScpTransport(client, channels, info);
  opts.status('Session started.');
  return t;
}
