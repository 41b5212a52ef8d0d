/**
 * Script-level tests against a real OpenSSH sshd (the harness starts it on a free loopback
 * port): open with URL credentials and -hostkey, keys, remote commands, get/put semantics.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe } from 'node:test';
import { ROOT, runCli, spawnCli } from '../helpers/cli.js';
import type { SshServer } from '../helpers/servers.js';
import { withSshd } from '../helpers/with-server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-sftp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const test = withSshd();

const hostkey = (s: SshServer) => `-hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`;
const openLine = (s: SshServer, extra = '') => `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ ${hostkey(s)} ${extra}`.trim();
const run = (s: SshServer, ...cmds: string[]) => runCli(['/ini=nul', '/command', 'option batch abort', openLine(s), ...cmds, 'exit']);
const remote = (s: SshServer, ...p: string[]) => path.join(s.home, ...p);
/** Files created as root in the home must belong to the login user. */
function own(s: SshServer, p: string): void {
  execFileSync('chown', ['-R', `${s.user}:${s.user}`, p]);
}
function localDir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}
const T = new Date(2024, 4, 6, 7, 8, 9).getTime();

describe('issue 3 done-when', () => {
  test('a script with p%40ss%3Aw0rd in the URL puts, lists, gets and removes; bytes and mtimes checked', async (s) => {
    const password = 'p@ss:w0rd';
    execFileSync('chpasswd', { input: `${s.user}:${password}\n` });
    const dir = localDir('done');
    const data = crypto.randomBytes(150_000);
    fs.writeFileSync(path.join(dir, 'data.bin'), data);
    fs.utimesSync(path.join(dir, 'data.bin'), T / 1000, T / 1000);
    const r = await runCli([
      '/ini=nul',
      '/command',
      'option batch abort',
      `open sftp://${s.user}:p%40ss%3Aw0rd@127.0.0.1:${s.port}/ ${hostkey(s)}`,
      `lcd ${dir}`,
      'put data.bin',
      'ls',
      'get data.bin back.bin',
      'rm data.bin',
      'exit',
    ]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /Authenticating with pre-entered password\.\nAuthenticated\.\nStarting the session\.\.\.\nSession started\.\nActive session: \[1\] /);
    assert.match(r.stdout, /^-rw-r--r-- +1 \S+ +\S+ +150000 May  6  7:08:09 2024 data\.bin$/m);
    assert.match(r.stdout, new RegExp(`^${dir.replace(/[/.]/g, '\\$&')}/data\\.bin +\\| +146 KB \\| .* \\| binary \\| 100%$`, 'm'));
    assert.ok(fs.readFileSync(path.join(dir, 'back.bin')).equals(data));
    assert.equal(Math.floor(fs.statSync(path.join(dir, 'back.bin')).mtimeMs / 1000), T / 1000);
    assert.ok(!fs.existsSync(remote(s, 'data.bin')), 'removed on the server');
    assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password));
    execFileSync('chpasswd', { input: `${s.user}:${s.password}\n` });
  });

  test('the uploaded file has the bytes and mtime on the server', async (s) => {
    const dir = localDir('mtime');
    fs.writeFileSync(path.join(dir, 'm.txt'), 'mtime check\n');
    fs.utimesSync(path.join(dir, 'm.txt'), T / 1000, T / 1000);
    const r = await run(s, `put ${dir}/m.txt`);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(fs.readFileSync(remote(s, 'm.txt'), 'utf8'), 'mtime check\n');
    assert.equal(fs.statSync(remote(s, 'm.txt')).mtimeMs, T);
  });

  test('a wrong -hostkey gives exit 1 and no authentication attempt', async (s) => {
    const before = fs.readFileSync(s.logFile, 'utf8').length;
    const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 AAAAC3NzaC1lZDI1NTE5AAAAIJnYqFhwC4Dz3lrvC2k7hq2pSV0p3a3Ii+w"`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Authenticating\.\.\.\nHost key does not match configured key fingerprint "ssh-ed25519 255 AAAAC3NzaC1lZDI1NTE5AAAAIJnYqFhwC4Dz3lrvC2k7hq2pSV0p3a3Ii\+w"!\nHost key fingerprint is ssh-ed25519 255 [A-Za-z0-9+/]{43}\.\nAuthentication failed\.\n$/);
    assert.doesNotMatch(r.stdout, /Using username/);
    await new Promise((res) => setTimeout(res, 200));
    const log = fs.readFileSync(s.logFile, 'utf8').slice(before);
    assert.doesNotMatch(log, /Accepted|Failed password|Failed publickey|Invalid user/);
  });

  test('without -hostkey under /ini=nul, open fails with WinSCP\'s three lines', async (s) => {
    const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}@127.0.0.1:${s.port}/`, 'exit']);
    assert.equal(r.code, 1);
    assert.ok(r.stdout.endsWith(`Expected host key was not configured, use -hostkey switch.\nHost key fingerprint is ssh-ed25519 255 ${s.hostKeySha256}.\nAuthentication failed.\n`), r.stdout);
  });

  test('accepts every fingerprint form: bare, type-checksum, URL-safe, padded, MD5, ; lists, URL fingerprint=', async (s) => {
    const b64 = s.hostKeySha256;
    const urlsafe = b64.replace(/\+/g, '-').replace(/\//g, '_');
    const forms = [
      `ssh-ed25519 255 ${b64}`,
      `ssh-ed25519 256 ${b64}=`,
      b64,
      `ssh-ed25519-${urlsafe}`,
      s.hostKeyMd5,
      s.hostKeyMd5.toUpperCase().replace(/:/g, '-'),
      `ssh-ed25519 255 ${s.hostKeyMd5}`,
      `ssh-rsa 2048 ${b64.replace(/^./, 'A')};${b64}`,
      `SHA256:${b64}`,
    ];
    for (const fp of forms) {
      const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="${fp}"`, 'exit']);
      assert.equal(r.code, 0, `${fp}: ${r.stdout}`);
    }
    const viaUrl = await runCli(['/ini=nul', '/command', `open sftp://${s.user}:${encodeURIComponent(s.password)};fingerprint=ssh-ed25519-${urlsafe}@127.0.0.1:${s.port}/`, 'exit']);
    assert.equal(viaUrl.code, 0, viaUrl.stdout);
    const any = await runCli(['/ini=nul', '/command', `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey=*`, 'exit']);
    assert.match(any.stdout, /WARNING! Giving up security and accepting any host key as configured!/);
  });

  test('a rejected password fails with Access denied and is not asked again', async (s) => {
    const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}:wrong@127.0.0.1:${s.port}/ ${hostkey(s)}`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Authenticating with pre-entered password\.\nAccess denied\.\nAuthentication failed\.\n$/);
  });

  test('connection refused and unknown hosts give WinSCP\'s texts', async () => {
    const r = await runCli(['/ini=nul', '/command', 'open sftp://u:p@127.0.0.1:1/ -hostkey=*', 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Network error: Connection to "127\.0\.0\.1" refused\.\nConnection failed\.\n$/);
    const h = await runCli(['/ini=nul', '/command', 'open sftp://u:p@no-such-host.invalid/ -hostkey=*', 'exit']);
    assert.match(h.stdout, /Host "no-such-host\.invalid" does not exist\./);
  });
});

describe('keys', () => {
  const keyDir = path.join(ROOT, 'fixtures/keys');
  const pass = () => fs.readFileSync(path.join(keyDir, 'PASSPHRASE.txt'), 'utf8').trim();
  for (const [file, encrypted] of [
    ['ed25519-v3.ppk', false],
    ['ed25519-v3-enc.ppk', true],
    ['rsa2048-v2.ppk', false],
    ['rsa2048-v2-enc.ppk', true],
    ['ecdsa-nistp256-v3-enc.ppk', true],
    ['ed25519-openssh-enc', true],
  ] as const) {
    test(`logs in with ${file}`, async (s) => {
      await s.authorize(fs.readFileSync(path.join(keyDir, `${file.replace(/\.ppk$/, '')}.pub`), 'utf8').trim());
      const sw = `-privatekey="${path.join(keyDir, file)}"${encrypted ? ` -passphrase="${pass()}"` : ''}`;
      const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}@127.0.0.1:${s.port}/ ${hostkey(s)} ${sw}`, 'pwd', 'exit']);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /Authenticating with public key "[^"]+"\.\nAuthenticated\./);
      assert.ok(r.stdout.includes(`\n${s.home}\n`));
      if (encrypted) assert.ok(!r.stdout.includes(pass()));
    });
  }
  test('logs in with the harness OpenSSH key', async (s) => {
    const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}@127.0.0.1:${s.port}/ ${hostkey(s)} -privatekey=${s.clientKeyPath}`, 'exit']);
    assert.equal(r.code, 0, r.stdout);
  });
  test('a wrong passphrase is a clear error', async (s) => {
    const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}@127.0.0.1:${s.port}/ ${hostkey(s)} -privatekey="${path.join(keyDir, 'ed25519-v3-enc.ppk')}" -passphrase=wrong`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /[Pp]assphrase/);
  });
});

describe('data safety', () => {
  test('a transfer killed halfway leaves no file under the final name; the rerun completes it', async (s) => {
    const dir = localDir('kill');
    const data = crypto.randomBytes(8 * 1024 * 1024);
    fs.writeFileSync(path.join(dir, 'big.bin'), data);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/winscript.js'), '/ini=nul', '/command', openLine(s), `put -speed=1024 ${dir}/big.bin`, 'exit'], { stdio: 'ignore' });
    const part = remote(s, 'big.bin.filepart');
    const started = Date.now();
    while (!(fs.existsSync(part) && fs.statSync(part).size > 200_000) && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    assert.ok(!fs.existsSync(remote(s, 'big.bin')), 'nothing under the final name');
    assert.ok(fs.statSync(part).size > 0, 'the .filepart holds the data so far');
    const r = await run(s, `put ${dir}/big.bin`);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(fs.readFileSync(remote(s, 'big.bin')).equals(data), 'complete and correct after resume');
    assert.ok(!fs.existsSync(part), 'no stale .filepart');
  });

  test('a password never appears in output or logs at any log level', async (s) => {
    const dir = localDir('secret');
    fs.writeFileSync(path.join(dir, 's.txt'), 'x');
    const pw = s.password;
    for (const level of ['-1', '0', '1', '2*']) {
      const r = await runCli(['/ini=nul', `/log=${dir}/s${level}.log`, `/loglevel=${level}`, `/xmllog=${dir}/s${level}.xml`, `/jsonlog=${dir}/s${level}.jsonl`, '/command', 'option echo on', `open sftp://${s.user}:${encodeURIComponent(pw)}@127.0.0.1:${s.port}/ ${hostkey(s)} -password=${pw}`, `put ${dir}/s.txt`, 'exit']);
      assert.equal(r.code, 0, r.stdout);
      for (const text of [r.stdout, r.stderr, ...['log', 'xml', 'jsonl'].map((e) => fs.readFileSync(`${dir}/s${level}.${e}`, 'utf8'))]) {
        assert.ok(!text.includes(pw), `password leaked at level ${level}`);
      }
    }
  });
});

describe('remote commands', () => {
  test('cd, pwd, mkdir, ls with mask, stat, mv, cp, chmod, ln, rm with wildcard, rmdir', async (s) => {
    fs.mkdirSync(remote(s, 'work'));
    fs.writeFileSync(remote(s, 'work/a.txt'), 'aaa');
    fs.writeFileSync(remote(s, 'work/b.log'), 'bb');
    own(s, remote(s, 'work'));
    const r = await run(s, 'cd work', 'pwd', 'mkdir sub', 'ls *.txt', 'stat a.txt', 'mv a.txt sub/', 'cp b.log copy.log', 'chmod 600 copy.log', 'ln copy.log link.log', 'ls l*', 'rm *.log', 'rmdir sub', 'ls');
    assert.equal(r.code, 0, r.stdout);
    const work = remote(s, 'work');
    assert.match(r.stdout, new RegExp(`\\n${work}\\n${work}\\n-rw-r--r-- +1 \\S+ +\\S+ +3 .* a\\.txt\\n`));
    // stat line, then mv, cp and chmod print their sources, ls l* shows the link, rm and rmdir their items
    assert.match(r.stdout, /^-rw-r--r-- .* a\.txt\na\.txt\nb\.log\ncopy\.log\nl\S+ .* link\.log -> copy\.log\n/m);
    assert.match(r.stdout, /\n(b\.log|copy\.log|link\.log)\n(b\.log|copy\.log|link\.log)\n(b\.log|copy\.log|link\.log)\nsub\n/);
    assert.deepEqual(fs.readdirSync(work), []);
  });

  test('mkdir of an existing directory and cd to a missing one fail with WinSCP\'s messages', async (s) => {
    fs.mkdirSync(remote(s, 'exists'), { recursive: true });
    const r = await runCli(['/ini=nul', '/command', 'option batch on', openLine(s), 'mkdir exists', 'cd /no/such', 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Directory with name 'exists' already exists\.\n\(A\)bort, \(R\)etry, \(S\)kip, Ski\(p\) all: Abort\nError changing directory to '\/no\/such'\.\nNo such file or directory\.\nError code: 2\nError message from server: No such file\n/);
  });

  test('get of a missing file fails with the SFTP details', async (s) => {
    const r = await run(s, `get missing.txt ${tmp}/`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Can't get attributes of file 'missing\.txt'\.\nNo such file or directory\.\nError code: 2\nError message from server: No such file\n$/);
  });

  test('checksum and call run on the server', async (s) => {
    fs.writeFileSync(remote(s, 'sum.txt'), 'abc');
    const r = await run(s, 'checksum sha-256 sum.txt', 'call echo hello from "the server"');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad sum\.txt\nhello from the server\n/);
    const bad = await run(s, 'call sh -c "echo oops >&2; exit 3"');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /oops\nCommand 'sh -c "echo oops >&2; exit 3"'\nfailed with return code 3 and the following error message\.\noops\n$/);
  });

  test('several sessions: session lists and selects, close reports the new active one', async (s) => {
    const r = await runCli(['/ini=nul', '/command', openLine(s), openLine(s), 'session', 'session 1', 'close', 'close', 'exit']);
    assert.equal(r.code, 0, r.stdout);
    const n = `${s.user}@127.0.0.1`;
    assert.match(r.stdout, new RegExp(`Active session: \\[2\\] ${n}\\n  1  ${n}\\n  2  ${n}\\nActive session: \\[2\\] ${n}\\nActive session: \\[1\\] ${n}\\nSession '${n}' closed\\.\\nActive session: \\[1\\] ${n}\\nSession '${n}' closed\\.\\nNo session\\.\\n$`));
  });
});

describe('get/put switches', () => {
  test('target rules: trailing slash = directory, a name = rename, *.bak masks, several sources', async (s) => {
    const dir = localDir('targets');
    for (const n of ['x.txt', 'y.txt']) fs.writeFileSync(path.join(dir, n), n);
    fs.mkdirSync(path.join(dir, 'down')); // a file into a missing local directory fails, as in WinSCP
    fs.mkdirSync(remote(s, 'tg'));
    own(s, remote(s, 'tg'));
    const r = await run(s, `put ${dir}/x.txt tg/renamed.txt`, `put ${dir}/*.txt tg/*.bak`, `put ${dir}/x.txt ${dir}/y.txt tg/`, `get tg/*.bak ${dir}/down/`);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(fs.readdirSync(remote(s, 'tg')).sort(), ['renamed.txt', 'x.bak', 'x.txt', 'y.bak', 'y.txt']);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'down')).sort(), ['x.bak', 'y.bak']);
  });

  test('recursion with -filemask, directory masks and a directory progress line', async (s) => {
    const dir = localDir('rec');
    fs.mkdirSync(path.join(dir, 'tree/keep'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'tree/skip'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tree/a.txt'), 'a');
    fs.writeFileSync(path.join(dir, 'tree/b.log'), 'b');
    fs.writeFileSync(path.join(dir, 'tree/keep/c.txt'), 'c');
    fs.writeFileSync(path.join(dir, 'tree/skip/d.txt'), 'd');
    const r = await run(s, `put -filemask="*.txt|skip/" ${dir}/tree`);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(fs.readdirSync(remote(s, 'tree')).sort(), ['a.txt', 'keep']);
    assert.deepEqual(fs.readdirSync(remote(s, 'tree/keep')), ['c.txt']);
    assert.match(r.stdout, new RegExp(`${dir}/tree +\\| +0 B \\| +0\\.0 KB/s \\| binary \\| +0%`));
  });

  test('-delete moves, -neweronly skips older files, -latest picks the newest', async (s) => {
    const dir = localDir('move');
    fs.writeFileSync(path.join(dir, 'm1.txt'), 'one');
    fs.writeFileSync(path.join(dir, 'old.txt'), 'local old');
    fs.utimesSync(path.join(dir, 'old.txt'), T / 1000 - 3600, T / 1000 - 3600);
    fs.writeFileSync(remote(s, 'old.txt'), 'remote newer');
    fs.utimesSync(remote(s, 'old.txt'), T / 1000, T / 1000);
    own(s, remote(s, 'old.txt'));
    const r = await run(s, `put -delete ${dir}/m1.txt`, `put -neweronly ${dir}/old.txt`);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(!fs.existsSync(path.join(dir, 'm1.txt')), 'source deleted after upload');
    assert.equal(fs.readFileSync(remote(s, 'm1.txt'), 'utf8'), 'one');
    assert.equal(fs.readFileSync(remote(s, 'old.txt'), 'utf8'), 'remote newer', 'older local not uploaded');
    fs.mkdirSync(remote(s, 'lat'));
    fs.writeFileSync(remote(s, 'lat/a'), 'a');
    fs.writeFileSync(remote(s, 'lat/b'), 'b');
    fs.utimesSync(remote(s, 'lat/a'), T / 1000, T / 1000);
    fs.utimesSync(remote(s, 'lat/b'), T / 1000 - 10, T / 1000 - 10);
    fs.mkdirSync(path.join(dir, 'latest'));
    const l = await run(s, `get -latest lat/* ${dir}/latest/`);
    assert.equal(l.code, 0, l.stdout);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'latest')), ['a']);
  });

  test('-nopreservetime, -permissions, -transfer=ascii, -resume and -append', async (s) => {
    const dir = localDir('sw');
    fs.writeFileSync(path.join(dir, 'np.txt'), 'x');
    fs.utimesSync(path.join(dir, 'np.txt'), T / 1000, T / 1000);
    fs.writeFileSync(path.join(dir, 'crlf.txt'), 'a\r\nb\r\n');
    fs.writeFileSync(path.join(dir, 'full.bin'), 'HEADTAIL');
    fs.writeFileSync(remote(s, 'full.bin'), 'HEAD');
    fs.writeFileSync(remote(s, 'app.txt'), 'start-');
    fs.writeFileSync(path.join(dir, 'app.txt'), 'end');
    own(s, s.home);
    const r = await run(s, `put -nopreservetime ${dir}/np.txt`, `put -permissions=640 ${dir}/crlf.txt perm.txt`, `put -transfer=ascii ${dir}/crlf.txt`, `put -resume ${dir}/full.bin`, `put -append ${dir}/app.txt`);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(Math.abs(fs.statSync(remote(s, 'np.txt')).mtimeMs - Date.now()) < 60_000, 'time not preserved');
    assert.equal(fs.statSync(remote(s, 'perm.txt')).mode & 0o777, 0o640);
    assert.equal(fs.readFileSync(remote(s, 'crlf.txt'), 'utf8'), 'a\nb\n');
    assert.match(r.stdout, /crlf\.txt +\| +\d+ B \| +[\d.]+ KB\/s \| ascii  \| 100%/);
    assert.equal(fs.readFileSync(remote(s, 'full.bin'), 'utf8'), 'HEADTAIL');
    assert.equal(fs.readFileSync(remote(s, 'app.txt'), 'utf8'), 'start-end');
  });

  test('no match prints the message, or fails with failonnomatch', async (s) => {
    const r = await run(s, `put ${tmp}/*.nothing`, `get *.nothing ${tmp}/`);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /No file matching '\*\.nothing' found\.\nNo file matching '\*\.nothing' found\.\n$/);
    const f = await run(s, 'option failonnomatch on', `get *.nothing ${tmp}/`);
    assert.equal(f.code, 1);
  });

  test('a hostile listing (../ names) writes nothing outside the target', async () => {
    const { startEmbeddedServer } = await import('../../src/demo/sftp-server.js');
    const srvRoot = localDir('hostile-root');
    fs.mkdirSync(path.join(srvRoot, 'dir'));
    fs.writeFileSync(path.join(srvRoot, 'dir/ok.txt'), 'fine');
    const target = localDir('hostile-target/inner');
    const srv = await startEmbeddedServer({ root: srvRoot, user: 'u', password: 'p', hostileNames: ['../escape.txt', '..\\win.txt', '/abs.txt'] });
    try {
      const r = await runCli(['/ini=nul', '/command', 'option batch continue', `open sftp://u:p@127.0.0.1:${srv.port}/ -hostkey="${srv.fingerprint}"`, `get dir ${target}/`, `get * ${target}/`, 'exit']);
      assert.match(r.stdout, /Refusing the file name '\.\.\/escape\.txt'/);
      assert.ok(fs.existsSync(path.join(target, 'dir/ok.txt')), 'the good file arrived');
      for (const p of [path.join(target, '../escape.txt'), path.join(target, 'escape.txt'), path.join(target, '../win.txt'), path.join(tmp, 'escape.txt'), '/abs.txt']) {
        assert.ok(!fs.existsSync(p), `nothing written at ${p}`);
      }
      const written = execFileSync('find', [path.join(tmp, 'hostile-target'), '-type', 'f']).toString().trim().split('\n').sort();
      assert.deepEqual(written, [path.join(target, 'dir/ok.txt')]);
    } finally {
      await srv.close();
    }
  });

  test('spawned: exit code 1 on failure, 0 on success', async (s) => {
    const ok = await spawnCli(['/ini=nul', '/command', openLine(s), 'pwd', 'exit']);
    assert.equal(ok.code, 0, ok.stdout);
    const bad = await spawnCli(['/ini=nul', '/command', openLine(s), 'cd /nonexistent', 'exit']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /winscript: \/command:2: Error changing directory to '\/nonexistent'\./);
  });
});

describe('command line and prompts', () => {
  test('the deprecated command-line session opens before the script, with a warning', async (s) => {
    const r = await runCli(['/ini=nul', `sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/`, `/hostkey=ssh-ed25519 255 ${s.hostKeySha256}`, '/command', 'pwd', 'exit']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^Opening session using command-line parameter in scripting is deprecated\. Use 'open' command instead\.\nSearching for host\.\.\./);
    assert.ok(r.stdout.endsWith(`${s.home}\n`));
  });

  test('a missing password is read from stdin and never echoed; /nointeractiveinput fails at once', async (s) => {
    const open = `open sftp://${s.user}@127.0.0.1:${s.port}/ ${hostkey(s)}`;
    const r = await runCli(['/ini=nul', '/command', open, 'pwd', 'exit'], { stdin: `${s.password}\n` });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`Using username "${s.user}"\\.\\n${s.user}@127\\.0\\.0\\.1's password: \\nAuthenticated\\.`));
    assert.ok(!r.stdout.includes(s.password));
    const n = await runCli(['/ini=nul', '/nointeractiveinput', '/command', open, 'exit']);
    assert.equal(n.code, 1);
    assert.match(n.stdout, /Authentication failed\.\n$/);
  });

  test('/stdout streams a file to standard output and moves messages to stderr', async (s) => {
    fs.writeFileSync(remote(s, 'stream.txt'), 'streamed content\n');
    let out = Buffer.alloc(0);
    let err = '';
    const { main } = await import('../../src/cli/main.js');
    const { Readable } = await import('node:stream');
    const code = await main(['/ini=nul', '/stdout', '/command', openLine(s), 'get stream.txt -', 'exit'], {
      stdout: { write: (b: string | Buffer) => void (out = Buffer.concat([out, Buffer.from(b)])), isTTY: false },
      stderr: { write: (t: string) => void (err += t) },
      stdin: Readable.from([]),
      env: { PATH: process.env.PATH },
      cwd: tmp,
    });
    assert.equal(code, 0, err);
    assert.equal(out.toString(), 'streamed content\n');
    assert.match(err, /Session started\./);
  });
});

describe('host-key cache and agent', () => {
  test('-hostkey=acceptnew caches the key; later runs use the cache; an unknown key fails in batch mode', async (s) => {
    const config = fs.mkdtempSync(path.join(tmp, 'xdg-'));
    const env = { XDG_CONFIG_HOME: config, HOME: config };
    const url = `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/`;
    const unknown = await runCli(['/command', url, 'exit'], { env });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /In scripting, you should use a -hostkey switch to configure the expected host key\.\nHost key wasn't verified!\nHost key fingerprint is ssh-ed25519 255 [^\n]+\.\nAuthentication failed\.\n$/);
    const first = await runCli(['/command', `${url} -hostkey=acceptnew`, 'exit'], { env });
    assert.equal(first.code, 0, first.stdout);
    assert.match(fs.readFileSync(path.join(config, 'winscript/known_hosts'), 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${s.port} ssh-ed25519 AAAA`));
    const cached = await runCli(['/command', url, 'exit'], { env });
    assert.equal(cached.code, 0, cached.stdout);
    const isolated = await runCli(['/ini=nul', '/command', url, 'exit'], { env });
    assert.equal(isolated.code, 1, '/ini=nul ignores the cache');
  });

  test('~/.ssh/known_hosts is read (never written)', async (s) => {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh/known_hosts'), `[127.0.0.1]:${s.port} ${s.hostKeyLine}\n`);
    const r = await runCli(['/command', `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/`, 'exit'], { env: { HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg') } });
    assert.equal(r.code, 0, r.stdout);
  });

  test('logs in through an SSH agent (SSH_AUTH_SOCK)', async (s) => {
    const sock = path.join(fs.mkdtempSync(path.join(tmp, 'agent-')), 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      const start = Date.now();
      while (!fs.existsSync(sock) && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
      execFileSync('ssh-add', [s.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const r = await runCli(['/ini=nul', '/command', `open sftp://${s.user}@127.0.0.1:${s.port}/ ${hostkey(s)}`, 'pwd', 'exit'], { env: { SSH_AUTH_SOCK: sock } });
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /Authenticating with public key from agent\.\nAuthenticated\./);
    } finally {
      agent.kill();
    }
  });
});

describe('synchronize interrupted and rerun', () => {
  test('a killed synchronize leaves no partial file under a final name; the rerun completes without stale .filepart', async (s) => {
    const dir = localDir('sync-kill');
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(dir, `f${i}.bin`), crypto.randomBytes(3 * 1024 * 1024));
    fs.mkdirSync(remote(s, 'skill'));
    own(s, remote(s, 'skill'));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/winscript.js'), '/ini=nul', '/command', openLine(s), `synchronize remote -speed=1024 ${dir} skill`, 'exit'], { stdio: 'ignore' });
    const start = Date.now();
    const parts = () => fs.readdirSync(remote(s, 'skill')).filter((n) => n.endsWith('.filepart'));
    while (!(parts().length > 0 && fs.statSync(remote(s, 'skill', parts()[0]!)).size > 300_000) && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    for (const n of fs.readdirSync(remote(s, 'skill')).filter((x) => !x.endsWith('.filepart'))) {
      assert.ok(fs.readFileSync(remote(s, 'skill', n)).equals(fs.readFileSync(path.join(dir, n))), `${n} under its final name is complete`);
    }
    const r = await run(s, `synchronize remote ${dir} skill`);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(fs.readdirSync(remote(s, 'skill')).sort(), ['f0.bin', 'f1.bin', 'f2.bin']);
    for (const n of ['f0.bin', 'f1.bin', 'f2.bin']) assert.ok(fs.readFileSync(remote(s, 'skill', n)).equals(fs.readFileSync(path.join(dir, n))));
    const again = await run(s, `synchronize remote ${dir} skill`);
    assert.match(again.stdout, /Nothing to synchronize\.\n$/);
  });
});

describe('parallel streamed transfers', () => {
  // A separate process: Node prints its warnings on the process's own stderr.
  const spawned = (s: SshServer, ...cmds: string[]) => spawnCli(['/ini=nul', '/command', 'option batch abort', openLine(s), ...cmds, 'exit']);
  test('20 files above the one-buffer size go over 4 connections intact and without a Node warning', async (s) => {
    const dir = localDir('many-big');
    const files = Array.from({ length: 20 }, (_, i) => [`b${String(i).padStart(2, '0')}.bin`, crypto.randomBytes(1_500_000 + i)] as const);
    for (const [n, d] of files) fs.writeFileSync(path.join(dir, n), d);
    const r = await spawned(s, "mkdir many-big", `synchronize remote ${dir} many-big`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /Warning/);
    for (const [n, d] of files) assert.ok(fs.readFileSync(remote(s, 'many-big', n)).equals(d), n);
    const back = localDir('many-big-back');
    const g = await spawned(s, `synchronize local ${back} many-big`);
    assert.equal(g.code, 0, g.stdout + g.stderr);
    assert.doesNotMatch(g.stderr, /Warning/);
    for (const [n, d] of files) assert.ok(fs.readFileSync(path.join(back, n)).equals(d), n);
  });
});

describe('ls parent entry', () => {
  test("the '..' line is the server's own entry, with owner names and link count (not a numeric stat)", async (s) => {
    const dir = remote(s, 'lsparent', 'inner');
    fs.mkdirSync(dir, { recursive: true });
    own(s, remote(s, 'lsparent'));
    const r = await run(s, `ls ${dir}`);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`^drwxr-xr-x +3 ${s.user} +${s.user} +\\d+ .* \\.\\.$`, 'm'));
  });
});
