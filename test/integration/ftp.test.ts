/**
 * Script-level FTP tests (through runCli, `/ini=nul`) against REAL vsftpd servers from the
 * harness: plain FTP (passive and active), FTPES (explicit TLS) and FTPS (implicit TLS) with
 * certificate fingerprints, times preserved on upload, an immediate second synchronize that has
 * nothing to do, and WinSCP's messages for failures.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { defaultConfig } from '../../src/interpreter/config.js';
import { Context } from '../../src/interpreter/context.js';
import { emptyDriveMap } from '../../src/local-path.js';
import type { SessionSpec } from '../../src/session/open-session.js';
import { connectFtp } from '../../src/transports/ftp.js';
import { isTransportError, type Transport } from '../../src/transports/transport.js';
import { LineReader } from '../../src/util/line-reader.js';
import { runCli } from '../helpers/cli.js';
import { type FtpServer, vsftpdOrSkip } from '../helpers/servers.js';

type Kind = 'none' | 'explicit' | 'implicit';
const servers: Partial<Record<Kind, FtpServer>> = {};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-ftp-'));

before(async () => {
  const [none, explicit, implicit] = await Promise.all((['none', 'explicit', 'implicit'] as const).map((tls) => vsftpdOrSkip({ tls })));
  Object.assign(servers, { none, explicit, implicit });
});
after(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A test that needs one server; skipped (the harness warned loudly) when it could not start. */
function test(kind: Kind, title: string, fn: (s: FtpServer) => Promise<void>) {
  it(`${kind}: ${title}`, async (t) => {
    const s = servers[kind];
    if (!s) return void t.skip(`vsftpd (tls ${kind}) not available`);
    await fn(s);
  });
}

const scheme = (s: FtpServer) => (s.tls === 'none' ? 'ftp' : s.tls === 'explicit' ? 'ftpes' : 'ftps');
const url = (s: FtpServer, password = encodeURIComponent(s.password)) => `${scheme(s)}://${s.user}:${password}@127.0.0.1:${s.port}/`;
const openLine = (s: FtpServer, extra = '') => `open ${url(s)} ${s.certSha256 ? `-certificate="${s.certSha256}"` : ''} ${extra}`.trim();
const run = (s: FtpServer, open: string, ...cmds: string[]) => runCli(['/ini=nul', '/command', 'option batch abort', open, ...cmds, 'exit']);
const remote = (s: FtpServer, ...p: string[]) => path.join(s.home, ...p);
function localDir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}
function remoteDir(s: FtpServer, name: string): string {
  const d = remote(s, name);
  fs.mkdirSync(d, { recursive: true });
  execFileSync('chown', ['-R', s.user, d]);
  return d;
}
const logSince = async (s: FtpServer, offset: number) => {
  await new Promise((r) => setTimeout(r, 100));
  return fs.readFileSync(s.logFile, 'utf8').slice(offset);
};
const logSize = (s: FtpServer) => fs.statSync(s.logFile).size;
/** An mtime well over six months back (LIST shows it as `Mmm dd  yyyy`) and one of today. */
const OLD = new Date(2024, 4, 6, 7, 8, 9).getTime();
const RECENT = Math.floor((Date.now() - 3 * 3600_000) / 1000) * 1000;

/** put, ls, get round trip with bytes and mtimes checked on both sides. */
async function roundTrip(s: FtpServer, name: string, extra = '') {
  const dir = localDir(`rt-${name}`);
  const data = crypto.randomBytes(300_000);
  fs.writeFileSync(path.join(dir, 'data.bin'), data);
  fs.utimesSync(path.join(dir, 'data.bin'), OLD / 1000, OLD / 1000);
  remoteDir(s, name);
  const r = await run(s, openLine(s, extra), `lcd ${dir}`, `cd ${name}`, 'put data.bin', 'ls', 'get data.bin back.bin', 'exit');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(fs.readFileSync(remote(s, name, 'data.bin')).equals(data), 'bytes on the server');
  assert.equal(fs.statSync(remote(s, name, 'data.bin')).mtimeMs, OLD, 'mtime preserved on the server');
  assert.ok(fs.readFileSync(path.join(dir, 'back.bin')).equals(data), 'bytes downloaded');
  assert.equal(fs.statSync(path.join(dir, 'back.bin')).mtimeMs, OLD, 'mtime preserved locally');
  // The remembered upload time gives `ls` the exact time although LIST only says `May 06  2024`.
  assert.match(r.stdout, /^-rw-r--r-- +1 \S+ +\S+ +300000 May  6  7:08:09 2024 data\.bin$/m);
  return r;
}

describe('FTP sessions', () => {
  test('explicit', 'ftpes:// with -certificate=<sha256>: put, ls, get; status lines', async (s) => {
    const r = await roundTrip(s, 'es');
    assert.match(r.stdout, new RegExp(`^Connecting to 127\\.0\\.0\\.1:${s.port} \\.\\.\\.\\nTLS connection established\\.\\nConnected\\nStarting the session\\.\\.\\.\\nSession started\\.\\nActive session: \\[1\\] ${s.user}@127\\.0\\.0\\.1$`, 'm'));
  });

  test('implicit', 'ftps:// (implicit TLS) with -certificate: put, ls, get', async (s) => {
    const r = await roundTrip(s, 'fs');
    assert.match(r.stdout, /Connected with 127\.0\.0\.1:\d+, negotiating TLS connection\.\.\.\nTLS connection established\. Waiting for welcome message\.\.\.\nConnected\n/);
  });

  test('none', 'ftp:// passive: put, ls, get', async (s) => {
    const r = await roundTrip(s, 'plain');
    assert.match(r.stdout, new RegExp(`^Connecting to 127\\.0\\.0\\.1:${s.port} \\.\\.\\.\\nConnected\\nStarting the session`, 'm'));
  });

  test('none', 'ftp:// active mode with -passive=off and with raw FtpPasvMode=0', async (s) => {
    const at = logSize(s);
    await roundTrip(s, 'active', '-passive=off');
    await roundTrip(s, 'active2', '-rawsettings FtpPasvMode=0');
    const log = await logSince(s, at);
    assert.match(log, /"PORT 127,0,0,1,\d+,\d+"/);
    assert.doesNotMatch(log, /"PASV"/);
  });

  test('explicit', 'ftpes:// in active mode: TLS data connections the other way round', async (s) => {
    await roundTrip(s, 'es-active', '-passive=off');
  });

  test('explicit', 'a wrong certificate fingerprint: exit 1, the certificate shown, no login, nothing uploaded', async (s) => {
    const dir = localDir('wrong-cert');
    fs.writeFileSync(path.join(dir, 'x.txt'), 'x');
    const wrong = s.certSha256!.replace(/^../, s.certSha256!.startsWith('00') ? '11' : '00');
    const at = logSize(s);
    const r = await run(s, `open ${url(s)} -certificate="${wrong}"`, `put ${dir}/x.txt`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /The server's certificate is not known\. You have no guarantee that the server is the computer you think it is\./);
    assert.ok(r.stdout.includes(`- SHA-256: ${s.certSha256}`), r.stdout);
    assert.match(r.stdout, /Continue connecting and store the certificate\?\n?.*Cancel\nPeer certificate rejected\nConnection failed\.\n$/);
    assert.ok(!fs.existsSync(remote(s, 'x.txt')), 'nothing uploaded');
    assert.doesNotMatch(await logSince(s, at), /"USER |OK LOGIN/);
  });

  test('implicit', 'no -certificate under /ini=nul: the query is answered Cancel in batch mode', async (s) => {
    const r = await run(s, `open ${url(s)}`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /When connecting using an IP address, it is not possible to verify if the certificate was issued for the server\./);
    assert.match(r.stdout, /Peer certificate rejected\nConnection failed\.\n$/);
  });

  test('explicit', '-certificate=* prints the warning and works', async (s) => {
    const r = await run(s, `open ${url(s)} -certificate=*`, 'pwd');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /WARNING! Giving up security and accepting any certificate as configured!\n/);
    assert.ok(r.stdout.includes(`\n${s.home}\n`));
  });

  test('explicit', 'every fingerprint form: SHA-1, upper case, `-` separators, `;` alternatives, -hostkey', async (s) => {
    const sha256 = s.certSha256!;
    const sha1 = s.certSha1!;
    const wrong = sha256.replace(/[0-9a-f]/g, '0');
    for (const sw of [`-certificate="${sha1}"`, `-certificate="${sha256.toUpperCase().replace(/:/g, '-')}"`, `-certificate="${wrong};${sha1.replace(/:/g, '-')}"`, `-hostkey="${sha256}"`]) {
      const r = await run(s, `open ${url(s)} ${sw}`, 'pwd');
      assert.equal(r.code, 0, `${sw}: ${r.stdout}`);
    }
  });

  test('explicit', 'raw settings: FtpForcePasvIp2, Utf, FtpUseMlsd, FtpListAll, Min/MaxTlsVersion', async (s) => {
    const dir = remoteDir(s, 'raw');
    fs.writeFileSync(path.join(dir, '.hidden'), 'h');
    const ok = await run(s, openLine(s, '-rawsettings FtpForcePasvIp2=0 Utf=1 FtpUseMlsd=2 FtpListAll=0 MinTlsVersion=12 MaxTlsVersion=13'), 'cd raw', 'ls');
    assert.equal(ok.code, 0, ok.stdout);
    assert.doesNotMatch(ok.stdout + ok.stderr, /raw session setting .* ignored/);
    assert.match(ok.stdout, / \.hidden\n/, 'LIST -a shows hidden files');
    const plainList = await run(s, openLine(s, '-rawsettings FtpListAll=1'), 'cd raw', 'ls');
    assert.doesNotMatch(plainList.stdout, /\.hidden/, 'FtpListAll=1: plain LIST');
    const tls13 = await run(s, openLine(s, '-rawsettings MinTlsVersion=13'));
    assert.equal(tls13.code, 1);
    assert.match(tls13.stdout, /Can't establish TLS connection\nThe server is using unsupported protocol\. .*\nConnection failed\.\n$/);
  });

  test('none', 'put + synchronize remote twice: the second has nothing to do (remembered upload times)', async (s) => {
    const dir = localDir('sync');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    const files: [string, number][] = [['old.txt', OLD], ['recent.txt', RECENT], ['sub/deep.txt', RECENT + 7000], ['put.txt', OLD + 11_000]];
    for (const [f, t] of files) {
      fs.writeFileSync(path.join(dir, f), `${f}\n`);
      fs.utimesSync(path.join(dir, f), t / 1000, t / 1000);
    }
    const target = remoteDir(s, 'synced');
    const r = await run(s, openLine(s), `put ${dir}/put.txt ${target}/`, `synchronize remote ${dir} ${target}`, `synchronize remote ${dir} ${target}`);
    assert.equal(r.code, 0, r.stdout);
    const [, second] = r.stdout.split(/^Local '.*' => Remote '.*'$/m).slice(-2);
    assert.ok(second !== undefined, r.stdout);
    assert.ok(r.stdout.trimEnd().endsWith('Nothing to synchronize.'), r.stdout);
    for (const [f, t] of files) assert.equal(fs.statSync(path.join(target, f)).mtimeMs, t, f);
  });

  test('none', 'raw TimeDifference (hex double of days) shifts LIST times when TimeDifferenceAuto is off; a bad value fails', async (s) => {
    const dir = remoteDir(s, 'timediff');
    fs.writeFileSync(path.join(dir, 'listed.txt'), 'x');
    fs.utimesSync(path.join(dir, 'listed.txt'), RECENT / 1000, RECENT / 1000);
    execFileSync('chown', [s.user, path.join(dir, 'listed.txt')]);
    const minutes = async (settings: string) => {
      const r = await run(s, `${openLine(s)} -rawsettings ${settings}`, `ls ${dir}/list*.txt`);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(!r.stderr.includes('ignored'), r.stderr);
      const m = / (\d{1,2}):(\d\d) listed\.txt$/m.exec(r.stdout);
      assert.ok(m, r.stdout);
      return Number(m[1]) * 60 + Number(m[2]);
    };
    const plain = await minutes('TimeDifferenceAuto=0 TimeDifference=0000000000000000');
    const shifted = await minutes('TimeDifferenceAuto=0 TimeDifference=555555555555A5BF');
    assert.equal((plain - shifted + 1440) % 1440, 60);
    const bad = await run(s, `${openLine(s)} -rawsettings TimeDifference=nonsense`, 'exit');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /Invalid value 'nonsense' of raw setting TimeDifference/);
  });

  test('none', 'get of a missing file fails with exit 1', async (s) => {
    const r = await run(s, openLine(s), `get missing.txt ${tmp}/`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Can't get attributes of file 'missing\.txt'\.\n/);
  });

  test('none', 'a password with %40 and %3A in the URL works', async (s) => {
    execFileSync('chpasswd', { input: `${s.user}:p@ss:w0rd\n` });
    try {
      const r = await run(s, `open ${url(s, 'p%40ss%3Aw0rd')}`, 'pwd');
      assert.equal(r.code, 0, r.stdout);
      assert.ok(!r.stdout.includes('p@ss:w0rd'));
    } finally {
      execFileSync('chpasswd', { input: `${s.user}:${s.password}\n` });
    }
  });

  test('none', 'a wrong password: Access denied, Authentication failed', async (s) => {
    const r = await run(s, `open ${url(s, 'wrong')}`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Access denied\.\nLogin incorrect\.\nAuthentication failed\.\n$/);
  });

  test('none', 'call sends a raw command and prints the reply; an error reply fails', async (s) => {
    const r = await run(s, openLine(s), 'call SYST');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\n215 UNIX Type: L8\n/);
    const bad = await run(s, openLine(s), 'call NOSUCH');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /500 Unknown command\.\nCommand failed with return code 500\.\n$/);
  });

  test('none', 'UTF-8 names, rm, mkdir, mv, chmod, stat over FTP', async (s) => {
    const dir = localDir('names');
    const name = 'ünï cødé €.txt';
    fs.writeFileSync(path.join(dir, name), 'utf8');
    remoteDir(s, 'names');
    const r = await run(s, openLine(s), 'cd names', `put "${dir}/${name}"`, 'mkdir sub', `mv "${name}" sub/`, `chmod 600 "sub/${name}"`, `stat "sub/${name}"`, `rm "sub/${name}"`, 'rmdir sub', 'ls');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`^-rw------- .* ${name.replace(/[.€]/g, '\\$&')}$`, 'm'));
    assert.deepEqual(fs.readdirSync(remote(s, 'names')), []);
  });
});

/** A transport connected straight to the server (no script), as a pool connection would be. */
async function transportFor(s: FtpServer): Promise<Transport> {
  const config = defaultConfig(emptyDriveMap());
  config.iniNul = true;
  const ctx = new Context({ config, env: {}, cwd: process.cwd(), stdin: new LineReader(Readable.from([])) });
  const spec: SessionSpec = { protocol: 'ftp', tls: s.tls, host: s.host, port: s.port, user: s.user, password: s.password, certificate: s.certSha256, passive: true, timeoutSec: 15, raw: new Map(), name: s.user };
  return connectFtp(ctx, spec, true);
}

async function put(t: Transport, p: string, data: Buffer | string, opts = {}): Promise<void> {
  const w = await t.write(p, opts);
  await new Promise<void>((resolve, reject) => {
    w.on('error', reject);
    w.on('finish', resolve);
    w.end(data);
  });
}

async function get(t: Transport, p: string, start?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await t.read(p, { start })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('FTP transport behaviour', () => {
  test('explicit', 'concurrent calls on one connection are queued, never two tasks at once', async (s) => {
    const t = await transportFor(s);
    try {
      const dir = remoteDir(s, 'concurrent');
      const data = Array.from({ length: 8 }, (_, i) => crypto.randomBytes(20_000 + i));
      await Promise.all(data.map((d, i) => put(t, `${dir}/f${i}`, d)));
      const results = await Promise.all([t.list(dir), ...data.map((_, i) => get(t, `${dir}/f${i}`)), ...data.map((_, i) => t.stat(`${dir}/f${i}`))]);
      assert.equal((results[0] as unknown[]).length, 8);
      data.forEach((d, i) => assert.ok((results[1 + i] as Buffer).equals(d)));
    } finally {
      await t.close();
    }
  });

  test('implicit', 'resume with REST, append with APPE, a download given up halfway frees the connection', async (s) => {
    const t = await transportFor(s);
    try {
      const dir = remoteDir(s, 'rest');
      const data = crypto.randomBytes(2_000_000);
      await put(t, `${dir}/r.bin`, data.subarray(0, 700_000));
      await put(t, `${dir}/r.bin`, data.subarray(700_000), { start: 700_000 });
      assert.ok(fs.readFileSync(`${dir}/r.bin`).equals(data), 'REST + STOR continues the file');
      await put(t, `${dir}/r.bin`, 'tail', { append: true });
      assert.equal(fs.statSync(`${dir}/r.bin`).size, data.length + 4);
      assert.ok((await get(t, `${dir}/r.bin`, 1_999_990)).equals(Buffer.concat([data.subarray(1_999_990), Buffer.from('tail')])));
      await put(t, `${dir}/empty`, '');
      assert.equal((await get(t, `${dir}/empty`)).length, 0, 'an empty file both ways');
      assert.equal(fs.statSync(`${dir}/empty`).size, 0);
      const stream = await t.read(`${dir}/r.bin`);
      await new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.destroy();
      await new Promise((r) => stream.once('close', r));
      assert.equal((await t.list(dir)).length, 2, 'the next command works');
    } finally {
      await t.close();
    }
  });

  test('none', 'a lost control connection is ECONNLOST', async (s) => {
    const t = await transportFor(s);
    const quit = await t.exec('QUIT');
    assert.match(quit.stdout, /^221 /);
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(t.list(s.home), (e: unknown) => isTransportError(e, 'ECONNLOST') && e.details[0] === 'Lost connection.');
    await t.close();
  });
});

describe('FTP connection failures', () => {
  it('connection refused gives WinSCP\'s texts', async () => {
    const r = await runCli(['/ini=nul', '/command', 'open ftp://u:p@127.0.0.1:1/', 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Connecting to 127\.0\.0\.1:1 \.\.\.\nNetwork error: Connection to "127\.0\.0\.1" refused\.\nConnection failed\.\n$/);
  });

  it('a server that never greets: Timeout waiting for server to respond (-timeout)', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((c) => sockets.push(c));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const started = Date.now();
      const r = await runCli(['/ini=nul', '/command', `open ftp://u:p@127.0.0.1:${port}/ -timeout=1`, 'exit']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /Timeout waiting for server to respond\.\nConnection failed\.\n$/);
      assert.ok(Date.now() - started < 5000);
    } finally {
      for (const c of sockets) c.destroy();
      silent.close();
    }
  });
});
