/**
 * SCP sessions (`open scp://…`) against a real OpenSSH sshd started WITHOUT an SFTP subsystem,
 * so every transfer goes through `scp -t` / `scp -f` and every other operation through the
 * shell: script-level tests through runCli (put/ls/get/rm, call, synchronize, host keys) and
 * transport-level tests of the details (odd names, symlinks, SCP protocol errors, resume,
 * lost connection).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type ssh2 from 'ssh2';
import { connectScp, ScpTransport } from '../../src/transports/scp.js';
import type { ExecChannels } from '../../src/transports/scp/shell.js';
import { isTransportError, type Transport } from '../../src/transports/transport.js';
import { runCli } from '../helpers/cli.js';
import { type SshServer, sshdOrSkip } from '../helpers/servers.js';
import { testSshOptions } from '../helpers/ssh-options.js';

let server: SshServer | undefined;
let transport: ScpTransport | undefined;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-scp-'));

before(async () => {
  server = await sshdOrSkip({ sftp: false });
  if (server) transport = await connect(server);
});
after(async () => {
  await transport?.close();
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function connect(s: SshServer): Promise<ScpTransport> {
  return connectScp(testSshOptions(s));
}

/** A test that needs the server; skipped (the harness warned loudly) when it could not start. */
function test(title: string, fn: (s: SshServer, t: ScpTransport) => Promise<void>) {
  it(title, async (tc) => {
    if (!server || !transport) return void tc.skip('sshd not available');
    await fn(server, transport);
  });
}

const hostkey = (s: SshServer) => `-hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`;
const url = (s: SshServer, proto = 'scp') => `${proto}://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/`;
const openLine = (s: SshServer) => `open ${url(s)} ${hostkey(s)}`;
const run = (s: SshServer, ...cmds: string[]) => runCli(['/ini=nul', '/command', 'option batch abort', openLine(s), ...cmds, 'exit']);
const remote = (s: SshServer, ...p: string[]) => path.join(s.home, ...p);
function localDir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}
/** Files created as root in the home must belong to the login user. */
function own(s: SshServer, p: string): void {
  execFileSync('chown', ['-R', `${s.user}:${s.user}`, p]);
}
const T = Date.UTC(2024, 4, 6, 7, 8, 9);

async function readAll(t: Transport, p: string, start?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await t.read(p, { start })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function writeAll(t: Transport, p: string, data: Buffer, opts: Parameters<Transport['write']>[1] = {}): Promise<void> {
  await pipeline(Readable.from([data]), await t.write(p, opts));
}

async function rejectsWith(p: Promise<unknown>, code: string, detail: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isTransportError(e), `expected a TransportError, got ${String(e)}`);
    assert.equal(e.code, code, e.details.join(' | '));
    assert.match(e.details.join('\n'), detail);
    return true;
  });
}

describe('scp:// sessions through the CLI', () => {
  test('the server really has no SFTP: open sftp:// to it fails', async (s) => {
    const r = await runCli(['/ini=nul', '/command', `open ${url(s, 'sftp')} ${hostkey(s)}`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /subsystem/i);
    assert.doesNotMatch(r.stdout, /Session started\./);
  });

  test('put, ls, get and rm; bytes and mtimes checked on both sides', async (s) => {
    const dir = localDir('basic');
    const data = crypto.randomBytes(150_000);
    fs.writeFileSync(path.join(dir, 'data.bin'), data);
    fs.utimesSync(path.join(dir, 'data.bin'), T / 1000, T / 1000);
    const r = await run(s, `lcd ${dir}`, 'put data.bin', 'ls', 'get data.bin back.bin', 'rm data.bin');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /Connecting to host\.\.\.\nAuthenticating\.\.\.\nUsing username "[^"]+"\.\nAuthenticating with pre-entered password\.\nAuthenticated\.\nStarting the session\.\.\.\nSession started\.\nActive session: \[1\] /);
    // --full-time listing: seconds are shown (full precision)
    assert.match(r.stdout, /^-rw-r--r-- +1 \S+ +\S+ +150000 May  6  \d+:08:09 2024 data\.bin$/m);
    assert.ok(fs.readFileSync(path.join(dir, 'back.bin')).equals(data), 'downloaded bytes');
    assert.equal(fs.statSync(path.join(dir, 'back.bin')).mtimeMs, T, 'downloaded mtime');
    assert.ok(!fs.existsSync(remote(s, 'data.bin')), 'removed on the server');
    assert.ok(!fs.existsSync(remote(s, 'data.bin.filepart')));
  });

  test('the uploaded file has the bytes and the mtime (sent in-protocol) on the server', async (s) => {
    const dir = localDir('mtime');
    fs.writeFileSync(path.join(dir, 'm.txt'), 'mtime check\n');
    fs.utimesSync(path.join(dir, 'm.txt'), T / 1000, T / 1000);
    const r = await run(s, `put ${dir}/m.txt`);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(fs.readFileSync(remote(s, 'm.txt'), 'utf8'), 'mtime check\n');
    assert.equal(fs.statSync(remote(s, 'm.txt')).mtimeMs, T);
    assert.equal(fs.statSync(remote(s, 'm.txt')).mode & 0o777, 0o644);
  });

  test('call: output printed; exit 1 tolerated; exit 2 fails with WinSCP\'s message', async (s) => {
    const ok = await run(s, 'call echo hi', 'call sh -c "exit 1"');
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /\nhi\n/);
    const bad = await run(s, 'call sh -c "exit 2"');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /\nCommand failed with return code 2\.\n$/);
    const withErr = await run(s, 'call sh -c "echo oops >&2; exit 3"');
    assert.equal(withErr.code, 1);
    assert.match(withErr.stdout, /Command 'sh -c "echo oops >&2; exit 3"'\nfailed with return code 3 and the following error message\.\noops\n$/);
    const strict = await runCli(['/ini=nul', '/command', 'option batch abort', `${openLine(s)} -rawsettings ExitCode1IsError=1`, 'call sh -c "exit 1"', 'exit']);
    assert.equal(strict.code, 1, strict.stdout);
  });

  test('call runs in the working directory; checksum uses the shell tools', async (s) => {
    fs.mkdirSync(remote(s, 'cwd'), { recursive: true });
    fs.writeFileSync(remote(s, 'cwd/sum.txt'), 'abc');
    own(s, remote(s, 'cwd'));
    const r = await run(s, 'cd cwd', 'call pwd', 'checksum sha-256 sum.txt');
    assert.equal(r.code, 0, r.stdout);
    assert.ok(r.stdout.includes(`\n${remote(s, 'cwd')}\n${remote(s, 'cwd')}\n`), r.stdout);
    assert.match(r.stdout, /\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad sum\.txt\n/);
  });

  test('synchronize remote twice: the second run has nothing to do', async (s) => {
    const dir = localDir('sync');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'one.txt'), 'one');
    fs.writeFileSync(path.join(dir, 'sub/two name ü.txt'), 'two');
    fs.utimesSync(path.join(dir, 'one.txt'), T / 1000, T / 1000);
    fs.mkdirSync(remote(s, 'sync'));
    own(s, remote(s, 'sync'));
    const first = await run(s, `synchronize remote ${dir} ${remote(s, 'sync')}`);
    assert.equal(first.code, 0, first.stdout);
    assert.equal(fs.readFileSync(remote(s, 'sync/sub/two name ü.txt'), 'utf8'), 'two');
    assert.equal(fs.statSync(remote(s, 'sync/one.txt')).mtimeMs, T);
    const second = await run(s, `synchronize remote ${dir} ${remote(s, 'sync')}`);
    assert.equal(second.code, 0, second.stdout);
    assert.match(second.stdout, /\nNothing to synchronize\.\n$/);
  });

  test('remote commands: mkdir, mv, cp, chmod, ln, ls of odd names, stat, rmdir; cd to a missing directory fails', async (s) => {
    fs.mkdirSync(remote(s, 'work'));
    fs.writeFileSync(remote(s, 'work/a.txt'), 'aaa');
    own(s, remote(s, 'work'));
    const r = await run(s, 'cd work', 'mkdir sub', 'mv a.txt "sub/b c.txt"', 'cp "sub/b c.txt" copy.txt', 'chmod 600 copy.txt', 'ln copy.txt link.txt', 'ls', 'stat copy.txt');
    assert.equal(r.code, 0, r.stdout);
    assert.equal(fs.readFileSync(remote(s, 'work/sub/b c.txt'), 'utf8'), 'aaa');
    assert.equal(fs.statSync(remote(s, 'work/copy.txt')).mode & 0o777, 0o600);
    assert.equal(fs.readlinkSync(remote(s, 'work/link.txt')), 'copy.txt');
    assert.match(r.stdout, /^-rw------- +1 .* copy\.txt$/m);
    assert.match(r.stdout, /^lrwxrwxrwx +1 .* link\.txt -> copy\.txt$/m);
    const bad = await run(s, 'cd /no/such');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /Error changing directory to '\/no\/such'\.\n.*No such file or directory\n$/);
    const missing = await run(s, `get missing.txt ${tmp}/`);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /Can't get attributes of file 'missing\.txt'\.\n.*No such file or directory\n$/);
  });

  test('a wrong -hostkey gives exit 1 and no authentication attempt', async (s) => {
    const before = fs.readFileSync(s.logFile, 'utf8').length;
    const wrong = 'ssh-ed25519 255 AAAAC3NzaC1lZDI1NTE5AAAAIJnYqFhwC4Dz3lrvC2k7hq2pSV0p3a3Ii+w';
    const r = await runCli(['/ini=nul', '/command', `open ${url(s)} -hostkey="${wrong}"`, 'exit']);
    assert.equal(r.code, 1);
    assert.ok(
      r.stdout.endsWith(`Authenticating...\nHost key does not match configured key fingerprint "${wrong}"!\nHost key fingerprint is ssh-ed25519 255 ${s.hostKeySha256}.\nAuthentication failed.\n`),
      r.stdout,
    );
    assert.doesNotMatch(r.stdout, /Using username/);
    await new Promise((res) => setTimeout(res, 200));
    const log = fs.readFileSync(s.logFile, 'utf8').slice(before);
    assert.doesNotMatch(log, /Accepted|Failed password|Failed publickey|Invalid user/);
  });

  test('a rejected password fails with Access denied', async (s) => {
    const r = await runCli(['/ini=nul', '/command', `open scp://${s.user}:wrong@127.0.0.1:${s.port}/ ${hostkey(s)}`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Authenticating with pre-entered password\.\nAccess denied\.\nAuthentication failed\.\n$/);
  });
});

describe('scp transport details', () => {
  test('capabilities: scp, full precision (GNU ls), copy, no append, a small pool', async (_s, t) => {
    assert.equal(t.capabilities.protocol, 'scp');
    assert.equal(t.capabilities.mtimePrecision, 'full');
    assert.equal(t.capabilities.canCopy, true);
    assert.equal(t.capabilities.canAppend, false);
    assert.equal(t.capabilities.tempUploads, true);
    assert.ok(t.capabilities.maxConnections > 1);
  });

  test('names with newlines, quotes, backslashes and UTF-8 survive list, stat, read and write', async (s, t) => {
    const dir = remote(s, 'odd');
    await t.mkdir(dir);
    const names = ['new\nline', 'quote"s \'and\' $dollar`', 'back\\slash', ' lead ', '-dash', 'ü€😀', 'a -> b'];
    for (const n of names) await writeAll(t, `${dir}/${n}`, Buffer.from(n));
    const listed = await t.list(dir);
    assert.deepEqual(listed.map((e) => e.name).sort(), [...names].sort());
    for (const n of names) {
      assert.equal((await t.stat(`${dir}/${n}`)).size, Buffer.byteLength(n));
      assert.equal((await readAll(t, `${dir}/${n}`)).toString(), n);
      assert.equal(fs.readFileSync(path.join(dir, n), 'utf8'), n, 'the name on disk is exact');
    }
  });

  test('symlinks: target text, target type and size in list; lstat and stat', async (s, t) => {
    const dir = remote(s, 'links');
    await t.mkdir(dir);
    await writeAll(t, `${dir}/file`, Buffer.from('12345'));
    await t.mkdir(`${dir}/sub dir`);
    await t.symlink('file', `${dir}/to file`);
    await t.symlink('sub dir', `${dir}/to-dir`);
    await t.symlink('nowhere', `${dir}/broken`);
    const m = new Map((await t.list(dir)).map((e) => [e.name, e]));
    assert.equal(m.get('to file')?.type, 'symlink');
    assert.equal(m.get('to file')?.linkTarget, 'file');
    assert.equal(m.get('to file')?.targetType, 'file');
    assert.equal(m.get('to file')?.size, 5);
    assert.equal(m.get('to-dir')?.targetType, 'dir');
    assert.equal(m.get('broken')?.linkTarget, 'nowhere');
    assert.equal(m.get('broken')?.targetType, undefined);
    const l = await t.lstat(`${dir}/to-dir`);
    assert.equal(l.type, 'symlink');
    assert.equal(l.name, 'to-dir');
    assert.equal(l.targetType, 'dir');
    assert.equal((await t.stat(`${dir}/to-dir`)).type, 'dir');
    assert.deepEqual((await t.list(`${dir}/to-dir`)).map((e) => e.name), []);
    await rejectsWith(t.stat(`${dir}/broken`), 'ENOENT', /No such file or directory/);
    assert.equal(await t.realpath(`${dir}/to-dir`), `${dir}/to-dir`);
    assert.equal(await t.realpath(`${dir}/file`), `${dir}/file`);
    assert.equal(await t.home(), s.home);
  });

  test('errors: shell and SCP protocol messages become the details', async (s, t) => {
    await rejectsWith(t.list(remote(s, 'nope')), 'ENOENT', /^ls: cannot access '.*nope\/': No such file or directory$/);
    await writeAll(t, remote(s, 'plain.txt'), Buffer.from('x'));
    await rejectsWith(t.list(remote(s, 'plain.txt')), 'ENOTDIR', /Not a directory/);
    await rejectsWith(writeAll(t, remote(s, 'nope/x.txt'), Buffer.from('x'), { size: 1 }), 'ENOENT', /^scp: .*nope\/x\.txt: No such file or directory$/);
    await rejectsWith(writeAll(t, remote(s, 'nope/y.txt'), Buffer.from('x')), 'ENOENT', /^scp: .*: No such file or directory$/);
    await rejectsWith(t.read(remote(s, 'nope.txt')), 'ENOENT', /^scp: .*nope\.txt: No such file or directory$/);
    await rejectsWith(t.read(s.home), 'EISDIR', /not a regular file/);
    await rejectsWith(writeAll(t, s.home, Buffer.from('x'), { size: 1 }), 'EISDIR', /Is a directory/);
    await rejectsWith(t.write('/root/forbidden.txt', { size: 1 }), 'EACCES', /Permission denied/);
    await rejectsWith(t.mkdir(remote(s, 'plain.txt')), 'EEXIST', /File exists/);
    await t.mkdir(remote(s, 'full'));
    await writeAll(t, remote(s, 'full/x'), Buffer.from('x'));
    await rejectsWith(t.rmdir(remote(s, 'full')), 'ENOTEMPTY', /Directory not empty/);
    await rejectsWith(t.remove(remote(s, 'full')), 'EISDIR', /Is a directory/);
    await rejectsWith(t.setTimes(remote(s, 'missing'), T), 'ENOENT', /No such file/);
    assert.ok(!fs.existsSync(remote(s, 'missing')), 'setTimes does not create files');
    await rejectsWith(t.checksum('sha-256', remote(s, 'missing')), 'ENOENT', /No such file/);
  });

  test('a size that does not match the data fails instead of writing a wrong file', async (s, t) => {
    await rejectsWith(writeAll(t, remote(s, 'short'), Buffer.from('abc'), { size: 5 }), 'EFAILURE', /shrank/);
    await rejectsWith(writeAll(t, remote(s, 'long'), Buffer.from('abcdef'), { size: 2 }), 'EFAILURE', /grew/);
  });

  test('write with mode and mtime in the SCP header; setTimes with a separate atime; copy keeps times', async (s, t) => {
    await writeAll(t, remote(s, 'hdr.sh'), Buffer.from('#!/bin/sh\n'), { size: 10, mode: 0o750, mtime: T + 999 });
    const st = fs.statSync(remote(s, 'hdr.sh'));
    assert.equal(st.mode & 0o777, 0o750);
    assert.equal(st.mtimeMs, T);
    const e = (await t.list(s.home)).find((x) => x.name === 'hdr.sh')!;
    assert.equal(e.mtime, T);
    assert.equal(e.precision, 'full');
    assert.match(e.rawTime ?? '', /^2024-05-06 07:08:09\.0+ \+0000$/);
    assert.equal(e.owner, s.user);
    await t.setTimes(remote(s, 'hdr.sh'), T - 60_000, T - 3_600_000);
    const st2 = fs.statSync(remote(s, 'hdr.sh'));
    assert.equal(st2.mtimeMs, T - 60_000);
    assert.equal(st2.atimeMs, T - 3_600_000);
    await t.copy(remote(s, 'hdr.sh'), remote(s, 'hdr copy.sh'));
    assert.equal(fs.statSync(remote(s, 'hdr copy.sh')).mtimeMs, T - 60_000);
  });

  test('resume: writing from an offset continues the file; reading from an offset skips', async (s, t) => {
    const data = crypto.randomBytes(100_000);
    await writeAll(t, remote(s, 'part'), data.subarray(0, 40_000));
    await writeAll(t, remote(s, 'part'), data.subarray(40_000), { start: 40_000, mtime: T });
    assert.ok(fs.readFileSync(remote(s, 'part')).equals(data));
    assert.equal(fs.statSync(remote(s, 'part')).mtimeMs, T);
    // a longer file is cut at the offset first
    await writeAll(t, remote(s, 'part'), data.subarray(10), { start: 10 });
    assert.ok(fs.readFileSync(remote(s, 'part')).equals(data));
    // a shorter or missing file is never padded
    await rejectsWith(writeAll(t, remote(s, 'part'), Buffer.from('x'), { start: 200_000 }), 'EFAILURE', /Cannot resume/);
    await rejectsWith(writeAll(t, remote(s, 'no-part'), Buffer.from('x'), { start: 5 }), 'ENOENT', /No such file/);
    assert.ok((await readAll(t, remote(s, 'part'), 99_000)).equals(data.subarray(99_000)));
    // append is ignored (WinSCP ignores -append for SCP): the file is rewritten
    await writeAll(t, remote(s, 'part'), Buffer.from('new'), { append: true, size: 3 });
    assert.equal(fs.readFileSync(remote(s, 'part'), 'utf8'), 'new');
  });

  test('rename replaces files and refuses to move into a directory; exec returns output and status', async (s, t) => {
    await writeAll(t, remote(s, 'r1'), Buffer.from('1'));
    await t.mkdir(remote(s, 'rdir'));
    await assert.rejects(t.rename(remote(s, 'r1'), remote(s, 'rdir')));
    assert.ok(fs.existsSync(remote(s, 'r1')) && !fs.existsSync(remote(s, 'rdir/r1')));
    const r = await t.exec('echo out; echo err >&2; exit 4');
    assert.deepEqual(r, { stdout: 'out\n', stderr: 'err\n', code: 4 });
  });

  test('many operations in parallel share the one connection', async (s, t) => {
    await t.mkdir(remote(s, 'par'));
    await Promise.all(Array.from({ length: 40 }, (_, i) => writeAll(t, remote(s, `par/f${i}`), Buffer.from(String(i)))));
    const got = await Promise.all(Array.from({ length: 40 }, (_, i) => readAll(t, remote(s, `par/f${i}`))));
    assert.deepEqual(got.map((b) => b.toString()), Array.from({ length: 40 }, (_, i) => String(i)));
    assert.equal((await t.list(remote(s, 'par'))).length, 40);
  });

  test('plain `ls -la` fallback (servers without GNU ls): MDHM/MDY precision, spaces, symlinks', async (s, t) => {
    // the same connection, driven as if the probe had found a non-GNU ls
    const internals = t as unknown as { client: ssh2.Client; channels: ExecChannels };
    const plain = new ScpTransport(internals.client, internals.channels, { home: s.home, gnu: false });
    assert.equal(plain.capabilities.mtimePrecision, 'mdhm');
    const dir = remote(s, 'plainls');
    await plain.mkdir(dir);
    const recent = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
    await writeAll(plain, `${dir}/a b.txt`, Buffer.from('12345'), { size: 5, mtime: recent });
    await writeAll(plain, `${dir}/old.txt`, Buffer.from('x'), { size: 1, mtime: T });
    await plain.symlink('a b.txt', `${dir}/lnk`);
    const m = new Map((await plain.list(dir)).map((e) => [e.name, e]));
    assert.deepEqual([...m.keys()].sort(), ['a b.txt', 'lnk', 'old.txt']);
    const a = m.get('a b.txt')!;
    assert.equal(a.precision, 'mdhm');
    assert.equal(a.mtime, recent - (recent % 60_000));
    assert.equal(a.size, 5);
    const old = m.get('old.txt')!;
    assert.equal(old.precision, 'mdy');
    assert.equal(old.mtime, new Date(2024, 4, 6).getTime());
    assert.equal(old.rawTime, 'May  6  2024');
    assert.equal(m.get('lnk')?.linkTarget, 'a b.txt');
    assert.equal(m.get('lnk')?.targetType, 'file');
    assert.equal((await plain.lstat(`${dir}/lnk`)).targetType, 'file');
    assert.equal((await plain.stat(`${dir}/lnk`)).size, 5);
    await plain.rename(`${dir}/old.txt`, `${dir}/new.txt`);
    await plain.copy(`${dir}/new.txt`, `${dir}/copy.txt`);
    assert.equal(fs.statSync(path.join(dir, 'copy.txt')).mtimeMs, T);
  });

  test('a lost connection gives ECONNLOST: for new operations and for transfers under way', async (s) => {
    const big = crypto.randomBytes(8 * 1024 * 1024);
    fs.writeFileSync(remote(s, 'lost.bin'), big);
    const t2 = await connect(s);
    await t2.list(s.home);
    // the exec'd shell's parent is this connection's sshd process: killing it drops the connection
    const sessionPid = Number((await t2.exec('echo $PPID')).stdout.trim());
    assert.ok(sessionPid > 1);
    const download = await t2.read(remote(s, 'lost.bin'));
    const upload = await t2.write(remote(s, 'lost-up.bin'), { size: big.length });
    await new Promise<void>((r) => upload.write(big.subarray(0, 64 * 1024), () => r()));
    const it = download[Symbol.asyncIterator]();
    await it.next();
    process.kill(sessionPid, 'SIGKILL');
    await rejectsWith(
      (async () => {
        for (;;) if ((await it.next()).done) break;
      })(),
      'ECONNLOST',
      /Connection has been unexpectedly closed/,
    );
    await rejectsWith(pipeline(Readable.from([big.subarray(64 * 1024)]), upload), 'ECONNLOST', /unexpectedly closed/);
    await rejectsWith(t2.list(s.home), 'ECONNLOST', /Connection has been unexpectedly closed/);
    await rejectsWith(t2.read(remote(s, 'lost.bin')), 'ECONNLOST', /unexpectedly closed/);
    await t2.close();
  });
});
