/**
 * Integration-test harness: starts REAL servers on 127.0.0.1 — OpenSSH `sshd` (SFTP, SCP, shell)
 * and `vsftpd` (plain FTP, explicit TLS "FTPES", implicit TLS "FTPS") — on free ports, with
 * throw-away keys, certificates and users, and stops them again.
 *
 * Design (more in the doc comments of `startSshd` and `startVsftpd`):
 * - Every server instance gets a fresh temp directory (`$TMPDIR/winscript-<kind>-XXXXXX`, mode 0755)
 *   holding its config, host keys / certificate, client key, authorized_keys, pid file and log.
 * - Every server instance also gets its OWN throw-away system user (`winscript-<6 hex>`, random
 *   password, shell /bin/bash) whose passwd home is `<instance dir>/home`. That is the real login
 *   directory, so SFTP (realpath "."), SCP (`scp -t .`), shell exec (`ls -la`, `pwd`, `$HOME`) and
 *   FTP (PWD) all start in `home`, and parallel test processes never fight over one user's password
 *   or home. The user is deleted by `stop()`, by the exit handler, or — if a test process was
 *   SIGKILLed — by the stale sweep of the next process that starts a server (users carry the owner
 *   pid in their GECOS field).
 * - sshd runs with `StrictModes no` so that authorized_keys can live in the instance directory
 *   (its parents include the world-writable /tmp, which StrictModes would reject) and the home
 *   stays empty for tests.
 * - `stop()` stops (SIGSTOP) the server process and every descendant (found through /proc, because
 *   sshd puts each connection into its own session, out of reach of a process-group kill) plus
 *   anything running as the instance user, then SIGKILLs them, waits, deletes the user and the
 *   temp directory. Set WINSCRIPT_KEEP_SERVER_FILES=1 to keep the directories (logs) for debugging.
 *
 * Requires root (sshd must switch users and read /etc/shadow; vsftpd logs users in through PAM).
 * Binary locations can be overridden with WINSCRIPT_SSHD and WINSCRIPT_VSFTPD.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The server cannot be started on this machine (not root, binary missing, ...). */
export class ServerUnavailable extends Error {
  override name = 'ServerUnavailable';
}

export interface SshServer {
  host: '127.0.0.1';
  port: number;
  /** A throw-away system user (one per server instance) with a random password. */
  user: string;
  password: string;
  /** The user's home = login directory (SFTP, SCP, shell); tests write under it. */
  home: string;
  /** "ssh-ed25519 AAAA..." (public host key, OpenSSH format, no comment). */
  hostKeyLine: string;
  /** Base64 SHA-256 of the host key blob, no "SHA256:" prefix, no '=' padding. */
  hostKeySha256: string;
  /** "aa:bb:..." lower-case hex pairs. */
  hostKeyMd5: string;
  /** OpenSSH ed25519 private key (no passphrase) authorised for `user`. */
  clientKeyPath: string;
  /** Appends a public key ("ssh-ed25519 AAAA... comment") to the user's authorized_keys. */
  authorize(publicKeyLine: string): Promise<void>;
  /** sshd log (LogLevel VERBOSE). */
  logFile: string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Default true; false = no Subsystem line (SCP/shell only). */
  sftp?: boolean;
  /** Default 'ed25519'. */
  hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa';
}

export interface FtpServer {
  host: '127.0.0.1';
  port: number;
  tls: 'none' | 'explicit' | 'implicit';
  user: string;
  password: string;
  /** The user's home = FTP login directory. */
  home: string;
  /** Self-signed certificate (TLS instances only). */
  certPem?: string;
  /** "aa:bb:..." lower-case hex pairs (TLS instances only). */
  certSha256?: string;
  certSha1?: string;
  /** vsftpd log: start-up errors and every FTP command/reply (log_ftp_protocol=YES). */
  logFile: string;
  stop(): Promise<void>;
}

export interface VsftpdOptions {
  tls: 'none' | 'explicit' | 'implicit';
}

const HOST = '127.0.0.1' as const;
const USER_PREFIX = 'winscript-';
const GECOS_TAG = 'winscript-test harness';
const START_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 6;
const PASV_PORTS = 20;

// ------------------------------------------------------------------------------------------------
// small process / fs helpers

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its stderr when it exits non-zero. */
function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ code, stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.trim() || stdout.trim()}`));
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE if it exits without reading; its exit code tells
      child.stdin.end(opts.input);
    }
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Finds a command in the usual sbin/bin directories (PATH of a non-login root shell may lack sbin). */
function which(cmd: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const d of dirs) if (d && isExecutable(path.join(d, cmd))) return path.join(d, cmd);
  return undefined;
}

function requireRoot(what: string): void {
  if (process.platform !== 'linux') throw new ServerUnavailable(`${what} test servers need Linux (platform is ${process.platform})`);
  if (process.getuid?.() !== 0) {
    throw new ServerUnavailable(`${what} test servers need root (sshd must switch users and read /etc/shadow, vsftpd logs in through PAM); running as uid ${process.getuid?.()}`);
  }
}

function requireCommand(cmd: string, pkg: string): string {
  const p = which(cmd);
  if (!p) throw new ServerUnavailable(`${cmd} not installed: apt-get install ${pkg}`);
  return p;
}

function requireBinary(envVar: string, def: string, name: string, pkg: string): string {
  const p = process.env[envVar] || def;
  if (!isExecutable(p)) throw new ServerUnavailable(`${name} not installed (${p} missing): apt-get install ${pkg}`);
  return p;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A base directory for instance dirs whose every ancestor is traversable by others: the instance
 * user must reach its home inside. $TMPDIR may be a private 0700 directory; fall back to /tmp then.
 */
function tempBase(): string {
  let dir = fs.realpathSync(os.tmpdir());
  for (let d = dir; ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) {
      dir = '/tmp';
      break;
    }
    if (d === '/') break;
  }
  return dir;
}

async function makeInstanceDir(kind: string): Promise<string> {
  const dir = fs.realpathSync(await fsp.mkdtemp(path.join(tempBase(), `winscript-${kind}-`)));
  await fsp.chmod(dir, 0o755);
  return dir;
}

function keepFiles(): boolean {
  return process.env.WINSCRIPT_KEEP_SERVER_FILES === '1';
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ------------------------------------------------------------------------------------------------
// ports

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host: HOST, exclusive: true }, () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

/** A port that was free a moment ago (bound to port 0, then released); callers retry on EADDRINUSE. */
async function freePort(): Promise<number> {
  const p = await listenOnce(0);
  if (p === undefined) throw new Error('cannot bind 127.0.0.1:0');
  return p;
}

const handedOutPasv: Array<[number, number]> = [];

/**
 * A block of PASV_PORTS consecutive free ports for vsftpd's passive range, outside the kernel's
 * ephemeral range (so outgoing connections and port-0 listeners do not take them meanwhile) and
 * random within it so that parallel test processes rarely overlap. vsftpd retries another port of
 * its range when one is busy, so a rare overlap is harmless.
 */
async function freePasvRange(): Promise<[number, number]> {
  let [ephLo, ephHi] = [32768, 60999];
  try {
    const [a, b] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (a && b) [ephLo, ephHi] = [a, b];
  } catch {
    /* keep defaults */
  }
  const windows: Array<[number, number]> = [];
  if (ephLo - 10000 > PASV_PORTS * 10) windows.push([10000, ephLo - PASV_PORTS]);
  if (65535 - ephHi > PASV_PORTS * 10) windows.push([ephHi + 1, 65535 - PASV_PORTS]);
  if (windows.length === 0) windows.push([1024, 65535 - PASV_PORTS]);
  for (let attempt = 0; attempt < 30; attempt++) {
    const [lo, hi] = windows[crypto.randomInt(windows.length)]!;
    const base = lo + crypto.randomInt(hi - lo);
    const end = base + PASV_PORTS - 1;
    if (handedOutPasv.some(([a, b]) => base <= b && end >= a)) continue;
    let ok = true;
    for (let p = base; p <= end && ok; p++) ok = (await listenOnce(p)) !== undefined;
    if (ok) {
      handedOutPasv.push([base, end]);
      return [base, end];
    }
  }
  throw new Error('no free block of passive ports found');
}

function releasePasvRange(range: [number, number]): void {
  const i = handedOutPasv.findIndex(([a]) => a === range[0]);
  if (i >= 0) handedOutPasv.splice(i, 1);
}

/** True if `pid` owns a socket LISTENing on 127.0.0.1:port (matched by inode via /proc). */
function pidListensOn(pid: number, port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  try {
    for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === local && f[3] === '0A' && f[9]) inodes.add(`socket:[${f[9]}]`);
    }
    if (inodes.size === 0) return false;
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (inodes.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
      } catch {
        /* fd closed meanwhile */
      }
    }
  } catch {
    /* process gone */
  }
  return false;
}

/**
 * Waits until the child listens on the port (checked through /proc, so no probe connection shows
 * up in the server's log) or exits. Resolves 'ready' or the exit description.
 */
async function waitListening(child: ChildProcess, port: number): Promise<'ready' | { exited: string }> {
  let exited: string | undefined;
  const onExit = (code: number | null, sig: NodeJS.Signals | null) => (exited = sig ? `killed by ${sig}` : `exit code ${code}`);
  child.once('exit', onExit);
  if (child.exitCode !== null) onExit(child.exitCode, null);
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited) return { exited };
      if (child.pid && pidListensOn(child.pid, port)) return 'ready';
      if (Date.now() > deadline) return { exited: `did not listen within ${START_TIMEOUT_MS} ms` };
      await sleep(10);
    }
  } finally {
    child.off('exit', onExit);
  }
}

// ------------------------------------------------------------------------------------------------
// processes

interface ProcInfo {
  ppid: number;
  uid: number;
  zombie: boolean;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s*(\d+)/m.exec(s)?.[1]);
    const uid = Number(/^Uid:\s*(\d+)/m.exec(s)?.[1]);
    const zombie = /^State:\s*[ZX]/m.test(s);
    return { ppid, uid, zombie };
  } catch {
    return undefined;
  }
}

function listProcs(): Map<number, ProcInfo> {
  const m = new Map<number, ProcInfo>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const info = readProc(Number(e));
    if (info) m.set(Number(e), info);
  }
  return m;
}

/**
 * Kills `roots`, all their descendants, and every process of `uid`. Each is SIGSTOPped first so that
 * none can fork or be re-parented (which would hide it from the ppid walk) while the tree is
 * collected; then all get SIGKILL. Returns the pids it signalled.
 */
function killTreeSync(roots: number[], uid?: number): number[] {
  const victims = new Set<number>();
  const stop = (pid: number) => {
    if (pid <= 1 || pid === process.pid || victims.has(pid)) return;
    try {
      process.kill(pid, 'SIGSTOP');
      victims.add(pid);
    } catch {
      /* already gone */
    }
  };
  roots.forEach(stop);
  for (let round = 0; round < 100; round++) {
    const before = victims.size;
    for (const [pid, p] of listProcs()) {
      if (p.zombie) continue;
      if (victims.has(p.ppid) || (uid !== undefined && p.uid === uid)) stop(pid);
    }
    if (victims.size === before) break;
  }
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return [...victims];
}

/** A process counts as gone when it no longer exists or is a zombie (its reaper may be lazy). */
function gone(pid: number): boolean {
  const p = readProc(pid);
  return !p || p.zombie;
}

async function waitGone(pids: number[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((p) => !gone(p)) && Date.now() < deadline) await sleep(10);
}

/** The child's pid while it has not been reaped (after that the pid may belong to someone else). */
function livePids(child: ChildProcess | undefined): number[] {
  return child?.pid && child.exitCode === null && child.signalCode === null ? [child.pid] : [];
}

function waitChildExit(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

// ------------------------------------------------------------------------------------------------
// throw-away users

/*
 * useradd/userdel lock /etc/passwd themselves but retry only once a second; a lock of our own with
 * short polls keeps parallel test processes from waiting for that. The lock is a file created with
 * O_EXCL holding the owner's pid; a lock left by a dead process is broken after a few seconds.
 */
const LOCK_FILE = path.join(fs.existsSync('/run') ? '/run' : os.tmpdir(), 'winscript-test-users.lock');

function tryLock(): boolean {
  try {
    const fd = fs.openSync(LOCK_FILE, 'wx', 0o600);
    fs.writeSync(fd, String(process.pid));
    fs.closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      const owner = Number(fs.readFileSync(LOCK_FILE, 'utf8'));
      const age = Date.now() - fs.statSync(LOCK_FILE).mtimeMs;
      if (age > 3000 && (!owner || !pidAlive(owner))) fs.rmSync(LOCK_FILE, { force: true });
    } catch {
      /* released meanwhile */
    }
    return false;
  }
}

function unlock(): void {
  fs.rmSync(LOCK_FILE, { force: true });
}

async function withUserLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  while (!tryLock()) {
    if (Date.now() > deadline) throw new Error(`could not get ${LOCK_FILE} within 30 s`);
    await sleep(5);
  }
  try {
    return await fn();
  } finally {
    unlock();
  }
}

function withUserLockSync(fn: () => void): void {
  const deadline = Date.now() + 10_000;
  while (!tryLock()) {
    if (Date.now() > deadline) return; // at exit: better leave a user behind than hang
    sleepSync(5);
  }
  try {
    fn();
  } finally {
    unlock();
  }
}

interface TestUser {
  name: string;
  uid: number;
  password: string;
  home: string;
}

/** Creates a system user `winscript-<6 hex>` with home `<dir>/home` and a random password. */
async function createUser(dir: string): Promise<TestUser> {
  const useradd = requireCommand('useradd', 'passwd');
  const chpasswd = requireCommand('chpasswd', 'passwd');
  const home = path.join(dir, 'home');
  await fsp.mkdir(home, { mode: 0o755 });
  const password = crypto.randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
  for (let attempt = 0; ; attempt++) {
    const name = USER_PREFIX + crypto.randomBytes(3).toString('hex');
    try {
      await withUserLock(async () => {
        // -M: we made the home; --system: no password ageing, uid below 1000; -U: own group
        await run(useradd, ['--system', '-M', '-d', home, '-s', '/bin/bash', '-U', '-c', `${GECOS_TAG} pid=${process.pid} dir=${dir}`, name]);
        await run(chpasswd, [], { input: `${name}:${password}\n` });
      });
    } catch (e) {
      if (attempt < 3 && /already exists/.test(String(e))) continue;
      throw e;
    }
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    await fsp.chown(home, uid, Number((await run('id', ['-g', name])).stdout.trim()));
    return { name, uid, password, home };
  }
}

function deleteUserSync(name: string): void {
  const userdel = which('userdel');
  if (!userdel) return;
  // -f: a zombie of a killed session (whose new parent may never reap it) still counts as "in use"
  withUserLockSync(() => void spawnSync(userdel, ['-f', name], { stdio: 'ignore' }));
}

async function deleteUser(name: string): Promise<void> {
  const userdel = which('userdel');
  if (!userdel) return;
  await withUserLock(async () => {
    await run(userdel, ['-f', name]).catch(() => undefined);
  });
}

let sweptStale = false;

/**
 * Removes users (and their processes and instance directories) left behind by test processes that
 * died without running their exit handler (SIGKILL, OOM). Runs once per process.
 */
function sweepStaleSync(): void {
  if (sweptStale) return;
  sweptStale = true;
  let passwd: string;
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return;
  }
  const tagRe = new RegExp(`^${GECOS_TAG} pid=(\\d+) dir=(\\S+)$`);
  for (const line of passwd.split('\n')) {
    const [name, , uidS, , gecos] = line.split(':');
    if (!name?.startsWith(USER_PREFIX) || !gecos) continue;
    const m = tagRe.exec(gecos);
    if (!m || pidAlive(Number(m[1]))) continue;
    const dir = m[2]!;
    // server masters of that instance: their command line names a file in its directory
    const masters: number[] = [];
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(`${dir}/`)) masters.push(Number(e));
      } catch {
        /* gone */
      }
    }
    killTreeSync(masters, Number(uidS));
    deleteUserSync(name);
    if (path.basename(dir).startsWith('winscript-') && !keepFiles()) fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------
// instance bookkeeping and exit cleanup

interface Instance {
  child: ChildProcess;
  user: TestUser;
  dir: string;
  cleanupSync(): void;
}

const live = new Set<Instance>();
let exitHooked = false;

function cleanupAllSync(): void {
  for (const inst of [...live]) {
    live.delete(inst);
    try {
      inst.cleanupSync();
    } catch {
      /* best effort at exit */
    }
  }
}

/**
 * Makes sure servers die with the test process: on 'exit' (normal end, uncaught exception) and on
 * SIGINT/SIGTERM/SIGHUP. The signal handlers clean up and then re-raise the signal unless some other
 * code also listens for it, so the default behaviour (termination by that signal) is kept.
 */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', cleanupAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanupAllSync();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

function makeInstance(child: ChildProcess, user: TestUser, dir: string, extraCleanup: () => void = () => {}): { stop: () => Promise<void> } {
  const cleanupSync = () => {
    killTreeSync(livePids(child), user.uid);
    deleteUserSync(user.name);
    extraCleanup();
    if (!keepFiles()) fs.rmSync(dir, { recursive: true, force: true });
  };
  const inst: Instance = { child, user, dir, cleanupSync };
  live.add(inst);
  hookExit();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!live.delete(inst)) return;
      const pids = killTreeSync(livePids(child), user.uid);
      await waitChildExit(child);
      await waitGone(pids);
      await deleteUser(user.name);
      extraCleanup();
      if (!keepFiles()) await fsp.rm(dir, { recursive: true, force: true });
    })());
  return { stop };
}

/** Cleans up after a start that failed half-way. */
async function abandon(child: ChildProcess | undefined, user: TestUser | undefined, dir: string): Promise<void> {
  const pids = killTreeSync(livePids(child), user?.uid);
  if (child) await waitChildExit(child);
  await waitGone(pids);
  if (user) await deleteUser(user.name);
  if (!keepFiles()) await fsp.rm(dir, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------
// ssh keys

interface KeyPair {
  privatePath: string;
  publicLine: string; // "type base64 comment"
}

async function sshKeygen(file: string, type: 'ed25519' | 'rsa' | 'ecdsa', comment: string): Promise<KeyPair> {
  const bits = type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa' ? ['-b', '256'] : []; // 2048: 3072-bit RSA takes ~0.8 s
  await run(requireCommand('ssh-keygen', 'openssh-client'), ['-q', '-t', type, ...bits, '-N', '', '-C', comment, '-f', file]);
  return { privatePath: file, publicLine: (await fsp.readFile(`${file}.pub`, 'utf8')).trim() };
}

function fingerprints(publicLine: string): { line: string; sha256: string; md5: string } {
  const [type, b64] = publicLine.split(/\s+/);
  const blob = Buffer.from(b64!, 'base64');
  return {
    line: `${type} ${b64}`,
    sha256: crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, ''),
    md5: crypto.createHash('md5').update(blob).digest('hex').replace(/(..)(?!$)/g, '$1:'),
  };
}

let sshdVersion: [number, number] | undefined;

async function getSshdVersion(sshd: string): Promise<[number, number]> {
  if (!sshdVersion) {
    // `sshd -V` prints "OpenSSH_9.2p1 ..." to stderr (and exits non-zero on older versions)
    const r = await new Promise<string>((resolve) => {
      const c = spawn(sshd, ['-V'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (out += d));
      c.on('close', () => resolve(out));
      c.on('error', () => resolve(''));
    });
    const m = /OpenSSH_(\d+)\.(\d+)/.exec(r);
    sshdVersion = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  }
  return sshdVersion;
}

// ------------------------------------------------------------------------------------------------
// sshd

/**
 * Starts OpenSSH sshd on a free 127.0.0.1 port, in the foreground (`-D`), as a child of this process.
 *
 * Login directory design: the instance's own throw-away user has `home` as its passwd home, so the
 * SFTP subsystem (internal-sftp), SCP (`scp -t`, `scp -f`) and exec/shell sessions all start there
 * and `$HOME` agrees. No ChrootDirectory, no ForceCommand: sessions behave like on a normal server.
 * Password (UsePAM no: sshd checks /etc/shadow itself, which works as root) and public-key logins
 * both work; keyboard-interactive is off.
 */
export async function startSshd(opts: SshdOptions = {}): Promise<SshServer> {
  requireRoot('sshd');
  const sshd = requireBinary('WINSCRIPT_SSHD', '/usr/sbin/sshd', 'sshd', 'openssh-server');
  requireCommand('ssh-keygen', 'openssh-client');
  requireCommand('useradd', 'passwd');
  requireCommand('chpasswd', 'passwd');
  const sftp = opts.sftp ?? true;
  const hostKeyType = opts.hostKeyType ?? 'ed25519';
  sweepStaleSync();
  const dir = await makeInstanceDir('sshd');
  let user: TestUser | undefined;
  let child: ChildProcess | undefined;
  try {
    const [u, hostKey, clientKey, version] = await Promise.all([
      createUser(dir),
      sshKeygen(path.join(dir, `ssh_host_${hostKeyType}_key`), hostKeyType, 'winscript-test-host'),
      sshKeygen(path.join(dir, 'client_ed25519'), 'ed25519', 'winscript-test-client'),
      getSshdVersion(sshd),
    ]);
    user = u;
    const authorizedKeys = path.join(dir, 'authorized_keys');
    await fsp.writeFile(authorizedKeys, clientKey.publicLine + '\n', { mode: 0o644 });
    // privilege-separation directory compiled into Debian's sshd
    await fsp.mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const logFile = path.join(dir, 'sshd.log');
    const configFile = path.join(dir, 'sshd_config');

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      await fsp.writeFile(configFile, sshdConfig({ port, dir, hostKeyPath: hostKey.privatePath, user: u.name, authorizedKeys, sftp, version }));
      const fd = fs.openSync(logFile, 'a');
      try {
        // -E: log to file; stdout/stderr to the same file for errors printed before logging starts
        child = spawn(sshd, ['-D', '-f', configFile, '-E', logFile], { stdio: ['ignore', fd, fd] });
      } finally {
        fs.closeSync(fd);
      }
      child.unref(); // a forgotten stop() must not keep the test process alive (the exit hook kills it)
      const state = await waitListening(child, port);
      if (state === 'ready') break;
      const log = tail(logFile);
      await abandonChild(child);
      child = undefined;
      if (attempt < PORT_ATTEMPTS && /Address already in use|Cannot bind any address/.test(log)) continue;
      throw new Error(`sshd did not start (${state.exited}); log ${logFile}:\n${log}`);
    }

    const fp = fingerprints(hostKey.publicLine);
    const { stop } = makeInstance(child, u, dir);
    return {
      host: HOST,
      port,
      user: u.name,
      password: u.password,
      home: u.home,
      hostKeyLine: fp.line,
      hostKeySha256: fp.sha256,
      hostKeyMd5: fp.md5,
      clientKeyPath: clientKey.privatePath,
      async authorize(publicKeyLine: string) {
        await fsp.appendFile(authorizedKeys, publicKeyLine.trim() + '\n');
      },
      logFile,
      stop,
    };
  } catch (e) {
    await abandon(child, user, dir);
    throw e;
  }
}

async function abandonChild(child: ChildProcess): Promise<void> {
  const pids = killTreeSync(livePids(child));
  await waitChildExit(child);
  await waitGone(pids);
}

function sshdConfig(o: { port: number; dir: string; hostKeyPath: string; user: string; authorizedKeys: string; sftp: boolean; version: [number, number] }): string {
  const [major, minor] = o.version;
  const lines = [
    '# generated by test/helpers/servers.ts for one test server instance',
    `Port ${o.port}`,
    'ListenAddress 127.0.0.1',
    'AddressFamily inet',
    `HostKey ${o.hostKeyPath}`,
    `PidFile ${o.dir}/sshd.pid`,
    `AllowUsers ${o.user}`,
    'PermitRootLogin no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PermitEmptyPasswords no',
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    // the instance dir is under /tmp (world-writable), which StrictModes would reject for authorized_keys
    'StrictModes no',
    'UsePAM no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'AllowAgentForwarding no',
    'AllowTcpForwarding yes',
    'PermitTunnel no',
    // parallel connections of one test must not be throttled
    'MaxStartups 100:30:200',
    'MaxSessions 100',
    'MaxAuthTries 10',
    'LoginGraceTime 30',
    'LogLevel VERBOSE',
  ];
  // OpenSSH >= 9.8 penalises sources with failed logins; tests log in with wrong passwords on purpose
  if (major > 9 || (major === 9 && minor >= 8)) lines.push('PerSourcePenalties no');
  // -u 022: created files get 0644/0755 regardless of the umask the test process passed down
  if (o.sftp) lines.push('Subsystem sftp internal-sftp -u 022');
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------------
// vsftpd

/**
 * Starts vsftpd on a free 127.0.0.1 port in the foreground (background=NO) as a child process.
 * The login directory is the instance user's passwd home (= `home`; no chroot). Passive mode uses
 * a private block of free ports with pasv_address=127.0.0.1; active mode (PORT/EPRT) is enabled.
 * TLS instances get a fresh self-signed RSA certificate for CN/IP 127.0.0.1, require TLS for logins
 * and data, do not require session reuse, and are capped at TLS 1.2 through a private OPENSSL_CONF
 * (vsftpd 3.0.3 has no option for that; its TLS 1.3 was unreliable with several clients).
 * utf8_filesystem=YES exists in 3.0.3 and is set (FEAT advertises UTF8, names are passed as bytes).
 */
export async function startVsftpd(opts: VsftpdOptions): Promise<FtpServer> {
  requireRoot('vsftpd');
  const vsftpd = requireBinary('WINSCRIPT_VSFTPD', '/usr/sbin/vsftpd', 'vsftpd', 'vsftpd');
  requireCommand('useradd', 'passwd');
  requireCommand('chpasswd', 'passwd');
  const tls = opts.tls;
  if (tls !== 'none') requireCommand('openssl', 'openssl');
  sweepStaleSync();
  const dir = await makeInstanceDir('ftp');
  let user: TestUser | undefined;
  let child: ChildProcess | undefined;
  let pasv: [number, number] | undefined;
  try {
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    const [u] = await Promise.all([createUser(dir), tls === 'none' ? undefined : makeCert(certFile, keyFile)]);
    user = u;
    const empty = path.join(dir, 'empty');
    await fsp.mkdir(empty, { mode: 0o555 });
    const logFile = path.join(dir, 'vsftpd.log');
    const configFile = path.join(dir, 'vsftpd.conf');
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (tls !== 'none') {
      const sslConf = path.join(dir, 'openssl-tls12.cnf');
      await fsp.writeFile(
        sslConf,
        ['openssl_conf = winscript_init', '[winscript_init]', 'ssl_conf = winscript_ssl', '[winscript_ssl]', 'system_default = winscript_tls', '[winscript_tls]', 'MaxProtocol = TLSv1.2', ''].join('\n'),
      );
      env.OPENSSL_CONF = sslConf;
    }

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      pasv = await freePasvRange();
      await fsp.writeFile(configFile, vsftpdConfig({ port, pasv, tls, logFile, empty, certFile, keyFile }));
      // vsftpd writes start-up errors ("500 OOPS: ...") to fd 0, so fd 0 is the (read-write) log too
      const fd = fs.openSync(logFile, 'a+');
      try {
        child = spawn(vsftpd, [configFile], { stdio: [fd, fd, fd], env });
      } finally {
        fs.closeSync(fd);
      }
      child.unref();
      const state = await waitListening(child, port);
      if (state === 'ready') break;
      const log = tail(logFile);
      await abandonChild(child);
      child = undefined;
      releasePasvRange(pasv);
      pasv = undefined;
      if (attempt < PORT_ATTEMPTS && /could not bind listening/.test(log)) continue;
      throw new Error(`vsftpd did not start (${state.exited}); log ${logFile}:\n${log}`);
    }

    const range = pasv;
    const { stop } = makeInstance(child, u, dir, () => releasePasvRange(range));
    const server: FtpServer = { host: HOST, port, tls, user: u.name, password: u.password, home: u.home, logFile, stop };
    if (tls !== 'none') {
      const certPem = await fsp.readFile(certFile, 'utf8');
      const x509 = new crypto.X509Certificate(certPem);
      Object.assign(server, { certPem, certSha256: x509.fingerprint256.toLowerCase(), certSha1: x509.fingerprint.toLowerCase() });
    }
    return server;
  } catch (e) {
    if (pasv) releasePasvRange(pasv);
    await abandon(child, user, dir);
    throw e;
  }
}

let rsaKeyPem: Promise<string> | undefined;

/**
 * Writes a fresh self-signed certificate for CN and IP 127.0.0.1. Generating a 2048-bit RSA key
 * takes ~0.4 s, so the key is made once per process and reused; the certificate (serial number,
 * fingerprints) is new for every instance.
 */
async function makeCert(certFile: string, keyFile: string): Promise<void> {
  rsaKeyPem ??= new Promise<string>((resolve, reject) =>
    crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, key) => (err ? reject(err) : resolve(key.export({ type: 'pkcs8', format: 'pem' }) as string))),
  );
  await fsp.writeFile(keyFile, await rsaKeyPem, { mode: 0o600 });
  await run(requireCommand('openssl', 'openssl'), [
    'req', '-x509', '-new', '-key', keyFile, '-days', '30', '-sha256',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-out', certFile,
  ]);
}

function vsftpdConfig(o: { port: number; pasv: [number, number]; tls: VsftpdOptions['tls']; logFile: string; empty: string; certFile: string; keyFile: string }): string {
  const lines = [
    '# generated by test/helpers/servers.ts for one test server instance',
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${o.port}`,
    'background=NO',
    'anonymous_enable=NO',
    'local_enable=YES',
    'write_enable=YES',
    'local_umask=022',
    'chroot_local_user=NO',
    'pam_service_name=vsftpd',
    'userlist_enable=NO',
    'pasv_enable=YES',
    'pasv_address=127.0.0.1',
    `pasv_min_port=${o.pasv[0]}`,
    `pasv_max_port=${o.pasv[1]}`,
    'port_enable=YES',
    'connect_from_port_20=NO',
    `secure_chroot_dir=${o.empty}`,
    'mdtm_write=YES',
    'use_localtime=NO',
    'utf8_filesystem=YES',
    // the sandbox and the per-session namespaces are slow to set up and fail in some containers
    'seccomp_sandbox=NO',
    'isolate=NO',
    'isolate_network=NO',
    'max_clients=200',
    'max_per_ip=200',
    'delay_failed_login=0',
    'idle_session_timeout=300',
    'data_connection_timeout=120',
    'dirmessage_enable=NO',
    'syslog_enable=NO',
    'xferlog_enable=YES',
    'xferlog_std_format=NO',
    'dual_log_enable=NO',
    `vsftpd_log_file=${o.logFile}`,
    'log_ftp_protocol=YES',
    `ftpd_banner=winscript test vsftpd (tls ${o.tls})`,
  ];
  if (o.tls !== 'none') {
    lines.push(
      'ssl_enable=YES',
      `implicit_ssl=${o.tls === 'implicit' ? 'YES' : 'NO'}`,
      'allow_anon_ssl=NO',
      'force_local_logins_ssl=YES',
      'force_local_data_ssl=YES',
      // 3.0.3 knows only ssl_tlsv1 (= TLS 1.0 and newer); ssl_tlsv1_1/_2 would stop it from starting
      'ssl_tlsv1=YES',
      'ssl_sslv2=NO',
      'ssl_sslv3=NO',
      // many clients (and TLS 1.3 tickets) fail vsftpd's data-channel session-reuse check
      'require_ssl_reuse=NO',
      'ssl_request_cert=NO',
      'ssl_ciphers=HIGH',
      `rsa_cert_file=${o.certFile}`,
      `rsa_private_key_file=${o.keyFile}`,
    );
  }
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------------
// for test files

async function orSkip<T>(what: string, start: () => Promise<T>): Promise<T | undefined> {
  try {
    return await start();
  } catch (e) {
    if (process.env.WINSCRIPT_REQUIRE_SERVERS === '1') throw e;
    const kind = e instanceof ServerUnavailable ? 'is not available' : 'FAILED to start';
    const bar = '!'.repeat(78);
    process.stderr.write(
      `\n${bar}\n!! WARNING: ${what} ${kind}; the tests that need it are SKIPPED.\n` +
        `!! ${String((e as Error)?.message ?? e).split('\n').join('\n!! ')}\n` +
        `!! Set WINSCRIPT_REQUIRE_SERVERS=1 to make this an error (as on CI).\n${bar}\n\n`,
    );
    return undefined;
  }
}

/** Returns the server, or — when it cannot start — throws (WINSCRIPT_REQUIRE_SERVERS=1, as on CI) or warns loudly on stderr and returns undefined. */
export async function sshdOrSkip(opts?: SshdOptions): Promise<SshServer | undefined> {
  return orSkip('sshd test server', () => startSshd(opts));
}

/** Like sshdOrSkip, for vsftpd. */
export async function vsftpdOrSkip(opts: VsftpdOptions): Promise<FtpServer | undefined> {
  return orSkip(`vsftpd test server (tls ${opts.tls})`, () => startVsftpd(opts));
}
