/**
 * Self-test of the server harness (servers.ts): proves with the stock system clients (ssh, sftp,
 * scp, ssh-keyscan, ssh-keygen, sshpass, curl, and Node's tls for certificate checks) that the
 * sshd and vsftpd instances it starts really work, land in `home`, and are gone after stop().
 *
 * Needs root. Without root the servers are skipped with a warning (unless
 * WINSCRIPT_REQUIRE_SERVERS=1, which turns that into a failure).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  ServerUnavailable,
  sshdOrSkip,
  startSshd,
  startVsftpd,
  vsftpdOrSkip,
  type FtpServer,
  type SshServer,
} from './servers.js';

interface Res {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    const t = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    c.stdin.on('error', () => {}); // EPIPE when the command does not read its input
    c.stdin.end(opts.input ?? '');
  });
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * Without root or the server packages nothing here can run: skip (servers.ts prints why) unless
 * WINSCRIPT_REQUIRE_SERVERS=1 demands the servers, as on CI; then the tests fail instead.
 */
const noServers =
  process.env.WINSCRIPT_REQUIRE_SERVERS !== '1' &&
  (process.getuid?.() !== 0 ? 'needs root to start sshd/vsftpd' : !fs.existsSync('/usr/sbin/sshd') ? 'openssh-server not installed' : !fs.existsSync('/usr/sbin/vsftpd') ? 'vsftpd not installed' : false);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-selftest-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Times a start and reports it as a test diagnostic. */
async function timed<T>(t: TestContext | undefined, what: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  const ms = Math.round(performance.now() - t0);
  if (t) t.diagnostic(`${what} started in ${ms} ms`);
  else console.log(`# ${what} started in ${ms} ms`);
  return r;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function userExists(name: string): boolean {
  return spawnSync('getent', ['passwd', name]).status === 0;
}

function procsOfUid(uid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = fs.readFileSync(`/proc/${e}/status`, 'utf8');
      if (Number(/^Uid:\s*(\d+)/m.exec(s)?.[1]) === uid && !/^State:\s*Z/m.test(s)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// sshd

function knownHosts(srv: SshServer): string {
  const f = path.join(tmp, `known_hosts_${srv.port}`);
  fs.writeFileSync(f, `[127.0.0.1]:${srv.port} ${srv.hostKeyLine}\n`);
  return f;
}

/** Options for ssh/sftp/scp: strict host key check against hostKeyLine, no user config, no agent. */
function sshOpts(srv: SshServer, key: string | 'password' = srv.clientKeyPath): string[] {
  return [
    '-F', '/dev/null',
    '-o', `UserKnownHostsFile=${knownHosts(srv)}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=10',
    ...(key !== 'password' ? ['-o', 'BatchMode=yes', '-i', key] : ['-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password']),
  ];
}

const ssh = (srv: SshServer, command: string, key?: string) => exec('ssh', [...sshOpts(srv, key), '-p', String(srv.port), `${srv.user}@127.0.0.1`, command]);
const sftpBatch = (srv: SshServer, batch: string) => exec('sftp', [...sshOpts(srv), '-P', String(srv.port), '-b', '-', `${srv.user}@127.0.0.1`], { input: batch });

describe('startSshd', { skip: noServers, timeout: 120_000 }, () => {
  let srv: SshServer | undefined;
  before(async () => {
    srv = await timed(undefined, 'sshd (ed25519, sftp)', () => sshdOrSkip());
  });
  after(async () => srv?.stop());
  const need = () => {
    assert.ok(srv, 'sshd not started');
    return srv;
  };

  it('reports the host key that ssh-keyscan sees, with ssh-keygen -l fingerprints', { skip: !has('ssh-keyscan') && 'ssh-keyscan missing' }, async () => {
    const s = need();
    assert.equal(s.host, '127.0.0.1');
    assert.match(s.hostKeyLine, /^ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
    const scan = await exec('ssh-keyscan', ['-p', String(s.port), '-t', 'ed25519', '127.0.0.1']);
    const line = scan.stdout.split('\n').find((l) => l.startsWith(`[127.0.0.1]:${s.port} `));
    assert.ok(line, scan.stdout + scan.stderr);
    assert.equal(line.split(' ').slice(1).join(' '), s.hostKeyLine);
    const sha = await exec('ssh-keygen', ['-l', '-f', '-'], { input: line + '\n' });
    assert.equal(sha.stdout.split(' ')[1], `SHA256:${s.hostKeySha256}`);
    assert.doesNotMatch(s.hostKeySha256, /=|^SHA256:/);
    const md5 = await exec('ssh-keygen', ['-l', '-E', 'md5', '-f', '-'], { input: line + '\n' });
    assert.equal(md5.stdout.split(' ')[1], `MD5:${s.hostKeyMd5}`);
    assert.match(s.hostKeyMd5, /^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
  });

  it('sftp with the client key lands in home, and a put file appears under home', async () => {
    const s = need();
    const local = path.join(tmp, 'local.txt');
    fs.writeFileSync(local, 'hello sftp\n');
    const r = await sftpBatch(s, `pwd\nput ${local} up.txt\nls -l\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Remote working directory: ${s.home}\\n`));
    assert.match(r.stdout, /up\.txt/);
    assert.equal(fs.readFileSync(path.join(s.home, 'up.txt'), 'utf8'), 'hello sftp\n');
    const st = fs.statSync(path.join(s.home, 'up.txt'));
    assert.notEqual(st.uid, 0, 'file owned by the test user, not root');
    assert.equal(st.mode & 0o777, 0o644);
  });

  it('password login works, a wrong password is refused', { skip: !has('sshpass') && 'sshpass not installed' }, async () => {
    const s = need();
    const viaPass = (password: string) =>
      exec('sshpass', ['-e', 'ssh', ...sshOpts(s, 'password'), '-p', String(s.port), `${s.user}@127.0.0.1`, 'pwd; echo "$HOME"'], { env: { ...process.env, SSHPASS: password } });
    const ok = await viaPass(s.password);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `${s.home}\n${s.home}\n`);
    const bad = await viaPass(s.password + 'x');
    assert.notEqual(bad.code, 0);
  });

  it('authorize() adds a key that can then log in', async () => {
    const s = need();
    const key = path.join(tmp, 'extra_key');
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    assert.notEqual((await ssh(s, 'true', key)).code, 0, 'not authorised yet');
    await s.authorize(fs.readFileSync(`${key}.pub`, 'utf8'));
    const r = await ssh(s, 'echo ok', key);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok\n');
  });

  it('legacy SCP (scp -O, exec of scp -t) and shell exec work too', async () => {
    const s = need();
    const local = path.join(tmp, 'scp.txt');
    fs.writeFileSync(local, 'via scp\n');
    const r = await exec('scp', [...sshOpts(s), '-O', '-P', String(s.port), local, `${s.user}@127.0.0.1:scp.txt`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(s.home, 'scp.txt'), 'utf8'), 'via scp\n');
    const ls = await ssh(s, 'ls -la');
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /scp\.txt/);
  });

  it('logFile records the logins', () => {
    const s = need();
    assert.match(fs.readFileSync(s.logFile, 'utf8'), /Accepted publickey for winscript-/);
  });
});

describe('startSshd({ sftp: false })', { skip: noServers, timeout: 60_000 }, () => {
  let srv: SshServer | undefined;
  before(async () => {
    srv = await timed(undefined, 'sshd (no sftp)', () => sshdOrSkip({ sftp: false }));
  });
  after(async () => srv?.stop());

  it('refuses sftp but runs shell commands and legacy scp in home', async () => {
    assert.ok(srv);
    const sftp = await sftpBatch(srv, 'pwd\n');
    assert.notEqual(sftp.code, 0, 'sftp must fail without the subsystem');
    const ls = await ssh(srv, 'ls -la && pwd');
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^total \d+\n/);
    assert.ok(ls.stdout.endsWith(`${srv.home}\n`), ls.stdout);
    const local = path.join(tmp, 'scp2.txt');
    fs.writeFileSync(local, 'x');
    const scpNew = await exec('scp', [...sshOpts(srv), '-P', String(srv.port), local, `${srv.user}@127.0.0.1:via-sftp.txt`]);
    assert.notEqual(scpNew.code, 0, 'scp in SFTP mode must fail too');
    const scpOld = await exec('scp', [...sshOpts(srv), '-O', '-P', String(srv.port), local, `${srv.user}@127.0.0.1:`]);
    assert.equal(scpOld.code, 0, scpOld.stderr);
    assert.ok(fs.existsSync(path.join(srv.home, 'scp2.txt')));
  });
});

describe('sshd host key types, parallel starts, stop()', { skip: noServers, timeout: 120_000 }, () => {
  for (const type of ['rsa', 'ecdsa'] as const) {
    it(`hostKeyType ${type}`, async (t) => {
      const s = await timed(t, `sshd (${type})`, () => sshdOrSkip({ hostKeyType: type }));
      assert.ok(s);
      try {
        assert.match(s.hostKeyLine, type === 'rsa' ? /^ssh-rsa AAAA/ : /^ecdsa-sha2-nistp256 AAAA/);
        const scan = await exec('ssh-keyscan', ['-p', String(s.port), '-t', type, '127.0.0.1']);
        const line = scan.stdout.split('\n').find((l) => l.startsWith('[127.0.0.1]'));
        assert.ok(line, scan.stderr);
        const fp = await exec('ssh-keygen', ['-l', '-f', '-'], { input: line + '\n' });
        assert.equal(fp.stdout.split(' ')[1], `SHA256:${s.hostKeySha256}`);
        const r = await ssh(s, 'echo ok');
        assert.equal(r.code, 0, r.stderr);
      } finally {
        await s.stop();
      }
    });
  }

  it('three parallel starts get distinct ports, users and homes', async (t) => {
    const t0 = performance.now();
    const all = await Promise.all([startSshd(), startSshd(), startSshd({ sftp: false })]);
    t.diagnostic(`3 parallel sshd starts took ${Math.round(performance.now() - t0)} ms`);
    try {
      assert.equal(new Set(all.map((s) => s.port)).size, 3);
      assert.equal(new Set(all.map((s) => s.user)).size, 3);
      assert.equal(new Set(all.map((s) => s.home)).size, 3);
      const rs = await Promise.all(all.map((s) => ssh(s, 'pwd')));
      rs.forEach((r, i) => assert.equal(r.stdout, `${all[i]!.home}\n`, r.stderr));
    } finally {
      await Promise.all(all.map((s) => s.stop()));
    }
  });

  it('stop() ends open sessions, frees the port, deletes the user and the files', async (t) => {
    const s = await timed(t, 'sshd', () => startSshd());
    const uid = Number(spawnSync('id', ['-u', s.user], { encoding: 'utf8' }).stdout);
    // a long-running session whose server-side processes stop() must kill
    const session = spawn('ssh', [...sshOpts(s), '-p', String(s.port), `${s.user}@127.0.0.1`, 'sleep 60'], { stdio: 'ignore' });
    const closed = new Promise<void>((r) => session.once('close', () => r()));
    for (let i = 0; i < 500 && !procsOfUid(uid).length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(procsOfUid(uid).length > 0, 'session processes running as the test user');
    const dir = path.dirname(s.home);
    const t0 = performance.now();
    await s.stop();
    t.diagnostic(`stop() with an open session took ${Math.round(performance.now() - t0)} ms`);
    await closed; // the client sees the connection drop
    assert.deepEqual(procsOfUid(uid), []);
    assert.equal(userExists(s.user), false);
    assert.equal(fs.existsSync(dir), false);
    assert.equal(await portOpen(s.port), false);
    await s.stop(); // idempotent
  });

  it('a missing binary gives ServerUnavailable; sshdOrSkip then returns undefined', async () => {
    const saved = { bin: process.env.WINSCRIPT_SSHD, req: process.env.WINSCRIPT_REQUIRE_SERVERS };
    process.env.WINSCRIPT_SSHD = '/nonexistent/sshd';
    try {
      await assert.rejects(startSshd(), (e: unknown) => e instanceof ServerUnavailable && /sshd not installed.*apt-get install openssh-server/.test(e.message));
      delete process.env.WINSCRIPT_REQUIRE_SERVERS;
      assert.equal(await sshdOrSkip(), undefined);
      process.env.WINSCRIPT_REQUIRE_SERVERS = '1';
      await assert.rejects(sshdOrSkip(), ServerUnavailable);
    } finally {
      for (const [k, v] of [['WINSCRIPT_SSHD', saved.bin], ['WINSCRIPT_REQUIRE_SERVERS', saved.req]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------
// cleanup when the test process ends without stop()

const SERVERS_URL = new URL('./servers.js', import.meta.url).href;

interface Started {
  user: string;
  port: number;
  home: string;
}

/** Runs a module snippet in a child node with the harness imported as `h`; resolves its first stdout line (JSON). */
function harnessChild(body: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import * as h from ${JSON.stringify(SERVERS_URL)};\n${body}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })));
  const firstLine = new Promise<Started[]>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Started[]);
    });
    void closed.then(() => reject(new Error(`child ended without output: ${err}`)));
  });
  return { child, firstLine, closed, stderr: () => err };
}

const START_BOTH = `const s = await h.startSshd(); const f = await h.startVsftpd({ tls: 'explicit' });
console.log(JSON.stringify([s, f].map(({ user, port, home }) => ({ user, port, home }))));`;

async function assertCleanedUp(list: Started[]): Promise<void> {
  for (const x of list) {
    assert.equal(userExists(x.user), false, `user ${x.user} deleted`);
    assert.equal(fs.existsSync(path.dirname(x.home)), false, `${x.home} removed`);
    assert.equal(await portOpen(x.port), false, `port ${x.port} closed`);
  }
}

describe('servers die with the test process', { skip: noServers, timeout: 60_000 }, () => {
  it('on a normal end without stop() (exit hook; the servers do not keep the process alive)', async () => {
    const c = harnessChild(START_BOTH);
    const started = await c.firstLine;
    assert.deepEqual(await c.closed, { code: 0, signal: null }, c.stderr());
    await assertCleanedUp(started);
  });

  it('on SIGTERM (the signal still terminates the process)', async () => {
    const c = harnessChild(START_BOTH + '\nsetInterval(() => {}, 1000);');
    const started = await c.firstLine;
    assert.ok(await portOpen(started[0]!.port));
    c.child.kill('SIGTERM');
    assert.deepEqual(await c.closed, { code: null, signal: 'SIGTERM' }, c.stderr());
    await assertCleanedUp(started);
  });

  it('after SIGKILL: the next process that starts a server sweeps the leftovers', async () => {
    const c = harnessChild(START_BOTH + '\nsetInterval(() => {}, 1000);');
    const started = await c.firstLine;
    c.child.kill('SIGKILL');
    await c.closed;
    assert.ok(userExists(started[0]!.user), 'left behind by the killed process');
    assert.ok(await portOpen(started[0]!.port));
    const next = harnessChild(`const s = await h.startSshd(); await s.stop(); console.log('[]');`);
    await next.firstLine;
    await next.closed;
    await assertCleanedUp(started);
  });
});

// ------------------------------------------------------------------------------------------------
// vsftpd

/** Minimal FTP control-channel reader: resolves the next complete (possibly multi-line) reply. */
function replyReader(sock: net.Socket | tls.TLSSocket) {
  let buf = '';
  let waiting: ((r: string) => void) | undefined;
  const tryDeliver = () => {
    const m = /^(\d{3})(?: [^\n]*\n|-[\s\S]*?\n\1 [^\n]*\n)/.exec(buf);
    if (m && waiting) {
      buf = buf.slice(m[0].length);
      const w = waiting;
      waiting = undefined;
      w(m[0]);
    }
  };
  const onData = (d: Buffer) => {
    buf += d.toString('utf8');
    tryDeliver();
  };
  sock.on('data', onData);
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        waiting = resolve;
        sock.once('close', () => reject(new Error(`connection closed; unparsed: ${JSON.stringify(buf)}`)));
        tryDeliver();
      }),
    detach: () => sock.off('data', onData),
  };
}

/** TLS client options that really verify the instance's self-signed certificate for IP 127.0.0.1. */
function tlsOpts(srv: FtpServer): tls.ConnectionOptions {
  return { ca: srv.certPem, host: '127.0.0.1', checkServerIdentity: (_h, cert) => tls.checkServerIdentity('127.0.0.1', cert) };
}

function secure(opts: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect(opts);
    s.once('secureConnect', () => resolve(s)).once('error', reject);
  });
}

/**
 * A tiny FTP client over Node's net/tls: enough for the things curl cannot show (the certificate,
 * the TLS version) or does badly (curl 7.88.1 hangs on active-mode data connections over TLS).
 */
class FtpControl {
  private constructor(
    readonly sock: net.Socket | tls.TLSSocket,
    private rd: ReturnType<typeof replyReader>,
    readonly srv: FtpServer,
  ) {}

  /** Connects (implicit TLS, or AUTH TLS when the server is explicit) and reads the banner. */
  static async open(srv: FtpServer, opts: { plainOnly?: boolean } = {}): Promise<FtpControl> {
    if (srv.tls === 'implicit' && !opts.plainOnly) {
      const s = await secure({ ...tlsOpts(srv), port: srv.port });
      const c = new FtpControl(s, replyReader(s), srv);
      assert.match(await c.rd.next(), /^220 /);
      return c;
    }
    const raw = net.connect(srv.port, '127.0.0.1');
    const rd = replyReader(raw);
    assert.match(await rd.next(), /^220 /);
    if (srv.tls === 'none' || opts.plainOnly) return new FtpControl(raw, rd, srv);
    raw.write('AUTH TLS\r\n');
    assert.match(await rd.next(), /^234 /);
    rd.detach();
    const s = await secure({ ...tlsOpts(srv), socket: raw });
    return new FtpControl(s, replyReader(s), srv);
  }

  async send(cmd: string, expect?: RegExp): Promise<string> {
    this.sock.write(cmd + '\r\n');
    const r = await this.rd.next();
    if (expect) assert.match(r, expect, `${cmd.startsWith('PASS') ? 'PASS ***' : cmd} -> ${r}`);
    return r;
  }

  async login(): Promise<void> {
    await this.send(`USER ${this.srv.user}`, /^331 /);
    await this.send(`PASS ${this.srv.password}`, /^230 /);
    if (this.srv.tls !== 'none') {
      await this.send('PBSZ 0', /^200 /);
      await this.send('PROT P', /^200 /);
    }
  }

  /** NLST over an active-mode (EPRT) data connection: the server connects to us. */
  async nlstActive(): Promise<string> {
    const listener = net.createServer();
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    try {
      const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
      await this.send(`EPRT |1|127.0.0.1|${(listener.address() as net.AddressInfo).port}|`, /^200 /);
      await this.send('NLST', /^150 /);
      let data: net.Socket | tls.TLSSocket = await accepted;
      // RFC 4217: the FTP client is the TLS client on the data connection whatever its direction
      if (this.srv.tls !== 'none') data = await secure({ ...tlsOpts(this.srv), socket: data });
      let text = '';
      data.setEncoding('utf8').on('data', (d: string) => (text += d));
      await new Promise((r) => data.once('close', r));
      assert.match(await this.rd.next(), /^226 /);
      return text;
    } finally {
      listener.close();
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

function curlArgs(srv: FtpServer): { base: string; args: string[] } {
  const scheme = srv.tls === 'implicit' ? 'ftps' : 'ftp';
  const args = ['-sS', '--fail', '--max-time', '20', '-u', `${srv.user}:${srv.password}`];
  if (srv.tls !== 'none') {
    const ca = path.join(tmp, `ca_${srv.port}.pem`);
    fs.writeFileSync(ca, srv.certPem!);
    args.push('--cacert', ca); // a real verification: CN and SAN are IP 127.0.0.1
    if (srv.tls === 'explicit') args.push('--ssl-reqd');
  }
  return { base: `${scheme}://127.0.0.1:${srv.port}/`, args };
}

describe('startVsftpd', { skip: noServers || (!has('curl') && 'curl not installed'), timeout: 120_000 }, () => {
  const servers: Partial<Record<FtpServer['tls'], FtpServer>> = {};
  before(async () => {
    const t0 = performance.now();
    // in parallel, as parallel test files would; each start is timed on its own too
    await Promise.all(
      (['none', 'explicit', 'implicit'] as const).map(async (mode) => {
        const s = await timed(undefined, `vsftpd (${mode})`, () => vsftpdOrSkip({ tls: mode }));
        if (s) servers[mode] = s;
      }),
    );
    console.log(`# 3 parallel vsftpd starts took ${Math.round(performance.now() - t0)} ms`);
  });
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  for (const mode of ['none', 'explicit', 'implicit'] as const) {
    describe(`tls ${mode}`, () => {
      const need = () => {
        const s = servers[mode];
        assert.ok(s, `vsftpd ${mode} not started`);
        return s;
      };

      it('logs in to home (PWD), uploads into home, lists (passive)', async () => {
        const s = need();
        assert.equal(s.tls, mode);
        const { base, args } = curlArgs(s);
        const local = path.join(tmp, `ftp-${mode}.txt`);
        fs.writeFileSync(local, `hello ${mode}\n`);
        const up = await exec('curl', [...args, '-v', '-T', local, `${base}up.txt`]);
        assert.equal(up.code, 0, up.stderr);
        assert.ok(up.stderr.includes(`< 257 "${s.home}"`), 'PWD reply is home');
        assert.equal(fs.readFileSync(path.join(s.home, 'up.txt'), 'utf8'), `hello ${mode}\n`);
        assert.equal(fs.statSync(path.join(s.home, 'up.txt')).mode & 0o777, 0o644);
        const ls = await exec('curl', [...args, base]);
        assert.equal(ls.code, 0, ls.stderr);
        assert.match(ls.stdout, /^-rw-r--r-- .* up\.txt\r?$/m);
      });

      it('lists in active mode (EPRT): the server connects back', async () => {
        const s = need();
        if (mode === 'none') {
          // the system client too; curl 7.88.1 hangs in active mode over TLS, so not there
          const { base, args } = curlArgs(s);
          const ls = await exec('curl', [...args, '-P', '127.0.0.1', '-l', base]);
          assert.equal(ls.code, 0, ls.stderr);
          assert.match(ls.stdout, /up\.txt/);
        }
        const c = await FtpControl.open(s);
        try {
          await c.login();
          assert.match(await c.nlstActive(), /up\.txt/);
        } finally {
          c.close();
        }
      });

      it('MDTM YYYYMMDDHHMMSS file sets the mtime (UTC)', async () => {
        const s = need();
        const { base, args } = curlArgs(s);
        // on the file uploaded above: the user may not set the times of a file root created
        const r = await exec('curl', [...args, '-Q', 'MDTM 20200102030405 up.txt', '-l', base]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(fs.statSync(path.join(s.home, 'up.txt')).mtime.toISOString(), '2020-01-02T03:04:05.000Z');
      });

      it('stores UTF-8 file names as such', async () => {
        const s = need();
        const { base, args } = curlArgs(s);
        const local = path.join(tmp, `utf8-${mode}.txt`);
        fs.writeFileSync(local, 'ü');
        const name = 'žluťoučký kůň.txt';
        const r = await exec('curl', [...args, '-T', local, base + encodeURIComponent(name)]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(fs.existsSync(path.join(s.home, name)), fs.readdirSync(s.home).join(', '));
      });

      if (mode === 'none') {
        it('has no certificate', () => {
          const s = need();
          assert.equal(s.certPem, undefined);
          assert.equal(s.certSha256, undefined);
        });
      } else {
        it('presents the reported certificate, with TLS capped at 1.2', async () => {
          const s = need();
          assert.match(s.certSha256!, /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/);
          assert.match(s.certSha1!, /^[0-9a-f]{2}(:[0-9a-f]{2}){19}$/);
          const c = await FtpControl.open(s);
          try {
            const sock = c.sock as tls.TLSSocket;
            const cert = sock.getPeerCertificate();
            assert.equal(cert.fingerprint256.toLowerCase(), s.certSha256);
            assert.equal(cert.fingerprint.toLowerCase(), s.certSha1);
            assert.equal(sock.getProtocol(), 'TLSv1.2');
            assert.ok(sock.authorized, String(sock.authorizationError));
            await c.login();
            assert.match(await c.send('PWD', /^257 /), new RegExp(`"${s.home}"`));
          } finally {
            c.close();
          }
        });

        it('refuses a login without TLS', async () => {
          const s = need();
          if (mode === 'explicit') {
            const c = await FtpControl.open(s, { plainOnly: true });
            try {
              await c.send(`USER ${s.user}`, /^530 /);
            } finally {
              c.close();
            }
          } else {
            // implicit: no plain-text banner, and plain-text commands end the connection
            const raw = net.connect(s.port, '127.0.0.1');
            let got = '';
            raw.on('data', (d) => (got += d.toString('latin1')));
            raw.on('error', () => {});
            raw.write(`USER ${s.user}\r\n`);
            await new Promise((r) => raw.once('close', r));
            assert.doesNotMatch(got, /^[23]\d\d /m);
          }
        });
      }
    });
  }

  it('logFile has the FTP protocol log', () => {
    const s = servers.none;
    assert.ok(s);
    assert.match(fs.readFileSync(s.logFile, 'utf8'), /FTP command: Client "127\.0\.0\.1", "MDTM 20200102030405 up\.txt"/);
  });

  it('stop() frees the port, deletes the user and the files', async () => {
    const s = await startVsftpd({ tls: 'none' });
    const dir = path.dirname(s.home);
    await s.stop();
    assert.equal(userExists(s.user), false);
    assert.equal(fs.existsSync(dir), false);
    assert.equal(await portOpen(s.port), false);
  });
});
