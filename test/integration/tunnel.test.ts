/**
 * SSH tunnel (raw settings Tunnel, TunnelHostName, TunnelPortNumber, TunnelUserName,
 * TunnelPasswordPlain, TunnelPublicKeyFile, TunnelHostKey): the session is forwarded through a
 * first SSH connection to the tunnel host. The real sshd is both the tunnel host and the target;
 * its log shows the two logins and the forwarded connection.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, describe } from 'node:test';
import { runCli } from '../helpers/cli.js';
import type { SshServer } from '../helpers/servers.js';
import { withSshd } from '../helpers/with-server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-tunnel-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const test = withSshd();

const hostkey = (s: SshServer) => `-hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`;
const openLine = (s: SshServer, scheme: string, tunnel: string) =>
  `open ${scheme}://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ ${hostkey(s)} -rawsettings Tunnel=1 TunnelHostName=127.0.0.1 TunnelPortNumber=${s.port} ${tunnel}`;
const logSize = (s: SshServer) => fs.statSync(s.logFile).size;
async function logSince(s: SshServer, offset: number): Promise<string> {
  await new Promise((r) => setTimeout(r, 200));
  return fs.readFileSync(s.logFile, 'utf8').slice(offset);
}
const logins = (log: string, s: SshServer) => log.split('\n').filter((l) => new RegExp(`Accepted (password|publickey) for ${s.user} `).test(l)).length;

describe('SSH tunnel', () => {
  test('SFTP through a tunnel with a password and the tunnel host key: the file arrives, two logins', async (s) => {
    const data = crypto.randomBytes(100_000);
    const local = path.join(tmp, 't.bin');
    fs.writeFileSync(local, data);
    const dir = path.join(s.home, 'tunnelled');
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('chown', [s.user, dir]);
    const offset = logSize(s);
    const tunnel = `TunnelUserName=${s.user} TunnelPasswordPlain=${s.password} TunnelHostKey="ssh-ed25519 255 ${s.hostKeySha256}"`;
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', 'option echo on', openLine(s, 'sftp', tunnel), `put ${local} ${dir}/`, 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Opening tunnel\.\.\.\nConnecting to host\.\.\.\nAuthenticating\.\.\.$/m);
    assert.ok(fs.readFileSync(path.join(dir, 't.bin')).equals(data));
    assert.equal(logins(await logSince(s, offset), s), 2);
    assert.ok(!r.stdout.includes(s.password) && !r.stderr.includes(s.password), 'password printed');
    assert.ok(!r.stderr.includes('ignored'), r.stderr);
  });

  test('SCP through a tunnel authenticated with a key file', async (s) => {
    const offset = logSize(s);
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', openLine(s, 'scp', `TunnelUserName=${s.user} TunnelPublicKeyFile=${s.clientKeyPath} TunnelHostKey=*`), 'pwd', 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`\n${s.home}\n`), r.stdout);
    const log = await logSince(s, offset);
    assert.equal(logins(log, s), 2);
    assert.match(log, new RegExp(`Accepted publickey for ${s.user} `));
  });

  test('a wrong tunnel password fails before the session, exit code 1, naming the tunnel', async (s) => {
    const offset = logSize(s);
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', openLine(s, 'sftp', `TunnelUserName=${s.user} TunnelPasswordPlain=wrong TunnelHostKey=*`), 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^Cannot open tunnel through 127\\.0\\.0\\.1:${s.port}\\.\\nAuthentication failed\\.$`, 'm'));
    assert.equal(logins(await logSince(s, offset), s), 0);
  });

  test('a tunnel host key that does not match never connects', async (s) => {
    const wrong = 'ssh-ed25519 255 AAAAC3NzaC1lZDI1NTE5AAAAIJnYqFhwC4Dz3lrvC2k7hq2pSV0p3a3Ii+w';
    const offset = logSize(s);
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', openLine(s, 'sftp', `TunnelUserName=${s.user} TunnelPasswordPlain=${s.password} TunnelHostKey="${wrong}"`), 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Host key does not match configured key fingerprint/);
    assert.equal(logins(await logSince(s, offset), s), 0);
  });

  test('a tunnel without a host, or for FTP, is an error rather than a direct connection', async (s) => {
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', `open sftp://${s.user}@127.0.0.1:${s.port}/ ${hostkey(s)} -rawsettings Tunnel=1`, 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /no tunnel host is given \(TunnelHostName\)/);
    const f = await runCli(['/ini=nul', '/command', 'option batch abort', 'open ftp://u:p@127.0.0.1:1/ -rawsettings Tunnel=1 TunnelHostName=h', 'exit']);
    assert.equal(f.code, 1);
    assert.match(f.stdout, /SSH tunnel \(raw setting Tunnel\) is supported by winscript for SFTP and SCP sessions only/);
  });
});
