/**
 * Sessions through a proxy (raw settings ProxyMethod, ProxyHost, ProxyPort, ProxyUsername,
 * ProxyPassword, ProxyLocalhost): SFTP, SCP and FTP/FTPES reach the real sshd and vsftpd
 * through the test proxy, whose tunnel log shows that the connection really went through it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { type FtpServer, type SshServer, sshdOrSkip, vsftpdOrSkip } from '../helpers/servers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-proxy-'));
let sshd: SshServer | undefined;
let ftp: FtpServer | undefined;
let ftpes: FtpServer | undefined;
const proxies: TestProxy[] = [];
const PROXY_USER = 'proxyuser';
const PROXY_PASSWORD = 'Pr0xy-s3cret';

before(async () => {
  [sshd, ftp, ftpes] = await Promise.all([sshdOrSkip(), vsftpdOrSkip({ tls: 'none' }), vsftpdOrSkip({ tls: 'explicit' })]);
});
after(async () => {
  await Promise.all([sshd?.stop(), ftp?.stop(), ftpes?.stop(), ...proxies.map((p) => p.stop())]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function proxy(kind: TestProxy['kind'], auth = false): Promise<TestProxy> {
  const p = await startProxy(kind, auth ? { user: PROXY_USER, password: PROXY_PASSWORD } : undefined);
  proxies.push(p);
  return p;
}
const METHOD = { socks4: 1, socks5: 2, http: 3 } as const;
function raw(p: TestProxy, auth = false, extra = 'ProxyLocalhost=1'): string {
  return `-rawsettings ProxyMethod=${METHOD[p.kind]} ProxyHost=127.0.0.1 ProxyPort=${p.port}${auth ? ` ProxyUsername=${PROXY_USER} ProxyPassword=${PROXY_PASSWORD}` : ''} ${extra}`.trim();
}
function sshTest(title: string, fn: (s: SshServer) => Promise<void>) {
  it(title, async (t) => (sshd ? fn(sshd) : t.skip('sshd not available')));
}
function ftpTest(title: string, which: 'ftp' | 'ftpes', fn: (s: FtpServer) => Promise<void>) {
  it(title, async (t) => {
    const s = which === 'ftp' ? ftp : ftpes;
    return s ? fn(s) : t.skip('vsftpd not available');
  });
}
const sshOpen = (s: SshServer, scheme = 'sftp') =>
  `open ${scheme}://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`;
const ftpOpen = (s: FtpServer) =>
  `open ${s.tls === 'none' ? 'ftp' : 'ftpes'}://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ ${s.certSha256 ? `-certificate="${s.certSha256}"` : ''}`.trim();
function localFile(name: string, bytes: Buffer): string {
  const d = fs.mkdtempSync(path.join(tmp, 'l-'));
  fs.writeFileSync(path.join(d, name), bytes);
  return path.join(d, name);
}
function remoteDir(home: string, user: string, name: string): string {
  const d = path.join(home, name);
  fs.mkdirSync(d, { recursive: true });
  execFileSync('chown', ['-R', user, d]);
  return d;
}

describe('SSH through a proxy', () => {
  sshTest('SFTP through SOCKS5 with username and password: the file arrives, the proxy carried it, no secret printed', async (s) => {
    const p = await proxy('socks5', true);
    const data = crypto.randomBytes(300_000);
    const file = localFile('s5.bin', data);
    const dir = remoteDir(s.home, s.user, 'via-socks5');
    const log = path.join(tmp, 's5.log');
    const r = await runCli(['/ini=nul', `/log=${log}`, '/command', 'option batch abort', 'option echo on', `${sshOpen(s)} ${raw(p, true)}`, `put ${file} ${dir}/`, 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(fs.readFileSync(path.join(dir, 's5.bin')).equals(data));
    assert.deepEqual(p.tunnels, [`127.0.0.1:${s.port}`]);
    assert.ok(!r.stdout.includes(PROXY_PASSWORD) && !r.stderr.includes(PROXY_PASSWORD), 'proxy password printed');
    assert.ok(!fs.readFileSync(log, 'utf8').includes(PROXY_PASSWORD), 'proxy password logged');
    assert.ok(!r.stderr.includes('ignored'), r.stderr);
  });

  sshTest('SFTP through HTTP CONNECT, configured by x- settings in the URL', async (s) => {
    const p = await proxy('http', true);
    const url = `sftp://${s.user}:${encodeURIComponent(s.password)};x-proxymethod=3;x-proxyhost=127.0.0.1;x-proxyport=${p.port};x-proxyusername=${PROXY_USER};x-proxypassword=${PROXY_PASSWORD};x-proxylocalhost=1@127.0.0.1:${s.port}/`;
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `open ${url} -hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`, 'pwd', 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`\n${s.home}\n`), r.stdout);
    assert.deepEqual(p.tunnels, [`127.0.0.1:${s.port}`]);
  });

  sshTest('SCP through SOCKS4', async (s) => {
    const p = await proxy('socks4');
    const data = crypto.randomBytes(40_000);
    const file = localFile('s4.bin', data);
    const dir = remoteDir(s.home, s.user, 'via-socks4');
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${sshOpen(s, 'scp')} ${raw(p)}`, `put ${file} ${dir}/`, 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(fs.readFileSync(path.join(dir, 's4.bin')).equals(data));
    assert.ok(p.tunnels.length >= 1 && p.tunnels.every((t) => t === `127.0.0.1:${s.port}`), p.tunnels.join(' '));
  });

  sshTest('names the client cannot resolve go to the proxy to resolve (SOCKS4A, SOCKS5 domain names)', async (s) => {
    for (const kind of ['socks4', 'socks5'] as const) {
      const p = await proxy(kind);
      const r = await runCli(['/ini=nul', '/command', 'option batch abort', `open sftp://u:p@no-such-host.invalid:2222/ -hostkey=* ${raw(p)}`, 'exit']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, kind === 'socks4' ? /^Proxy error: SOCKS4 request rejected \(code 91\)$/m : /^Proxy error: SOCKS5 proxy: connection refused$/m);
      assert.ok(!r.stdout.includes('does not exist'), r.stdout);
      assert.deepEqual(p.refused, ['no-such-host.invalid:2222 unreachable']);
    }
  });

  sshTest('a connection to the local host goes direct unless ProxyLocalhost is on (WinSCP default)', async (s) => {
    const p = await proxy('socks5');
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${sshOpen(s)} ${raw(p, false, '')}`, 'pwd', 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(p.tunnels, []);
  });

  sshTest('wrong proxy credentials: a proxy error, exit code 1, nothing uploaded', async (s) => {
    const p = await proxy('http', true);
    const file = localFile('never.bin', Buffer.from('x'));
    const dir = remoteDir(s.home, s.user, 'never');
    const open = `${sshOpen(s)} -rawsettings ProxyMethod=3 ProxyHost=127.0.0.1 ProxyPort=${p.port} ProxyUsername=${PROXY_USER} ProxyPassword=wrong ProxyLocalhost=1`;
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', open, `put ${file} ${dir}/`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Proxy error: HTTP response was 407 Proxy Authentication Required$/m);
    assert.match(r.stdout, /^Connection failed\.$/m);
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.deepEqual(p.tunnels, []);
  });

  sshTest('a proxy that is not listening: the network error names the proxy', async (s) => {
    const p = await proxy('socks5');
    await p.stop();
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${sshOpen(s)} ${raw(p)}`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Network error: Connection to proxy "127\.0\.0\.1" refused\.$/m);
  });

  sshTest('a proxy that accepts but never answers times out with a proxy error (-timeout)', async (s) => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${sshOpen(s)} -timeout=1 -rawsettings ProxyMethod=2 ProxyHost=127.0.0.1 ProxyPort=${port} ProxyLocalhost=1`, 'exit']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^Proxy error: no answer from the proxy$/m);
    } finally {
      silent.close();
      // the open connection would keep close() waiting
      silent.unref();
    }
  });

  sshTest('a proxy method winscript cannot use is an error before anything connects, never a direct connection', async (s) => {
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${sshOpen(s)} -rawsettings ProxyMethod=5 ProxyTelnetCommand="nc %host %port"`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /The local command proxy method is not supported by winscript/);
    assert.ok(!r.stdout.includes('Connecting to host'), r.stdout);
  });
});

describe('FTP through a proxy', () => {
  ftpTest('plain FTP through SOCKS5: control and passive data connections both go through it', 'ftp', async (s) => {
    const p = await proxy('socks5');
    const data = crypto.randomBytes(200_000);
    const file = localFile('f5.bin', data);
    const dir = remoteDir(s.home, s.user, 'ftp-socks5');
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${ftpOpen(s)} ${raw(p)}`, `put ${file} ${dir}/`, `ls ${dir}`, 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(fs.readFileSync(path.join(dir, 'f5.bin')).equals(data));
    assert.match(r.stdout, / 200000 .* f5\.bin$/m);
    assert.equal(p.tunnels[0], `127.0.0.1:${s.port}`);
    assert.ok(p.tunnels.length >= 3, `expected the control and two data connections, got ${p.tunnels.join(' ')}`);
    assert.ok(p.tunnels.slice(1).every((t) => t.startsWith('127.0.0.1:') && t !== `127.0.0.1:${s.port}`), p.tunnels.join(' '));
  });

  ftpTest('FTPES through HTTP CONNECT: TLS inside the tunnel, upload and download', 'ftpes', async (s) => {
    const p = await proxy('http');
    const data = crypto.randomBytes(120_000);
    const file = localFile('fh.bin', data);
    const dir = remoteDir(s.home, s.user, 'ftpes-http');
    const back = path.join(tmp, 'fh-back.bin');
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${ftpOpen(s)} ${raw(p)}`, `put ${file} ${dir}/`, `get ${dir}/fh.bin ${back}`, 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^TLS connection established\.$/m);
    assert.ok(fs.readFileSync(path.join(dir, 'fh.bin')).equals(data));
    assert.ok(fs.readFileSync(back).equals(data));
    assert.ok(p.tunnels.length >= 3 && p.tunnels[0] === `127.0.0.1:${s.port}`, p.tunnels.join(' '));
  });

  ftpTest('active mode through a proxy is refused with a clear message', 'ftp', async (s) => {
    const p = await proxy('socks5');
    const dir = remoteDir(s.home, s.user, 'ftp-active');
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `${ftpOpen(s)} -passive=off ${raw(p)}`, `ls ${dir}`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Active mode cannot be used through a proxy/);
  });
});
