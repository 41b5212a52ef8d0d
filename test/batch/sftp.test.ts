/**
 * Issue 8 done-when, end to end against a real OpenSSH sshd: a batch file with `set`, a
 * `^`-continued WinSCP.com `/command` call with `""` inside and `%%`-escaped password
 * characters, and an `if %ERRORLEVEL% neq 0` branch takes the right branch for success and
 * failure; its `--to-sh` conversion run by sh has the same effect.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SshServer } from '../helpers/servers.js';
import { withSshd } from '../helpers/with-server.js';
import { runBat, runSh, sandbox, shimDir, toSh } from './helpers.js';

// The batch file has the password as b%%40tch%%3Apw: `%%` -> `%`, then URL decoding.
const test = withSshd(undefined, (s) => void execFileSync('chpasswd', { input: `${s.user}:b@tch:pw\n` }));

function envFor(s: SshServer, remoteDir?: string): Record<string, string> {
  const env: Record<string, string> = { SFTP_USER: s.user, SFTP_PORT: String(s.port), SFTP_HOSTKEY: `ssh-ed25519 255 ${s.hostKeySha256}` };
  if (remoteDir) env.REMOTE_DIR = remoteDir;
  return env;
}


test('success takes the success branch and uploads the file', async (s) => {
  fs.mkdirSync(path.join(s.home, 'incoming'), { recursive: true });
  execFileSync('chown', [`${s.user}:${s.user}`, path.join(s.home, 'incoming')]);
  const sb = sandbox();
  const r = await runBat(sb, 'sftp-upload.bat', { env: envFor(s) });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Upload succeeded\n$/);
  assert.equal(fs.readFileSync(path.join(s.home, 'incoming/report.txt'), 'utf8').trim(), 'nightly report');
  const log = fs.readFileSync(path.join(sb.cdrive, 'jobs/winscp.log'), 'utf8');
  assert.ok(!log.includes('b@tch:pw') && !r.stdout.includes('b@tch:pw'), 'no password in the log or output');
});

test('failure takes the failure branch with ERRORLEVEL 1', async (s) => {
  const sb = sandbox();
  const r = await runBat(sb, 'sftp-upload.bat', { env: envFor(s, 'missing/dir') });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Upload failed with 1\n$/);
  assert.doesNotMatch(r.stdout, /Upload succeeded/);
});

test('--to-sh gives a script that sh runs with the same effect, for success and failure', async (s) => {
  const shim = shimDir();
  for (const remoteDir of [undefined, 'missing/dir']) {
    fs.rmSync(path.join(s.home, 'incoming/report.txt'), { force: true });
    fs.mkdirSync(path.join(s.home, 'incoming'), { recursive: true });
    execFileSync('chown', [`${s.user}:${s.user}`, path.join(s.home, 'incoming')]);
    const sb = sandbox();
    const bat = await runBat(sb, 'sftp-upload.bat', { env: envFor(s, remoteDir) });
    const uploadedByBat = fs.existsSync(path.join(s.home, 'incoming/report.txt'));
    fs.rmSync(path.join(s.home, 'incoming/report.txt'), { force: true });
    sb.reset();
    const { shFile } = await toSh(sb, 'sftp-upload.bat');
    const sh = await runSh(sb, shFile, shim, { env: envFor(s, remoteDir) });
    assert.equal(sh.code, bat.code, sh.stdout + sh.stderr);
    assert.equal(sh.stdout, bat.stdout);
    assert.equal(fs.existsSync(path.join(s.home, 'incoming/report.txt')), uploadedByBat);
  }
});
