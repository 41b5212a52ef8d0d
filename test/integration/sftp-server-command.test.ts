/**
 * Raw setting SftpServer against a real sshd that has no `sftp` subsystem at all: the default
 * open fails with WinSCP's message, and with SftpServer the session runs the given
 * sftp-server command over exec.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe } from 'node:test';
import { runCli } from '../helpers/cli.js';
import type { SshServer } from '../helpers/servers.js';
import { withSshd } from '../helpers/with-server.js';

const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-sftpserver-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const test = withSshd({ sftp: false });
const open = (s: SshServer, extra = '') =>
  `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}" ${extra}`.trim();

describe('raw setting SftpServer', () => {
  test('without a subsystem the default open fails with WinSCP\'s message', async (s) => {
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', open(s), 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Cannot initialize SFTP protocol\. Is the host running an SFTP server\?$/m);
  });

  test('SftpServer runs the given sftp-server over exec: put and ls work', async (s) => {
    if (!fs.existsSync(SFTP_SERVER)) assert.fail(`${SFTP_SERVER} is missing (Debian package openssh-sftp-server)`);
    const dir = path.join(s.home, 'via-exec');
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('chown', [s.user, dir]);
    const local = path.join(tmp, 'x.bin');
    const data = crypto.randomBytes(70_000);
    fs.writeFileSync(local, data);
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', open(s, `-rawsettings SftpServer=${SFTP_SERVER}`), `put ${local} ${dir}/`, `ls ${dir}`, 'exit']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(fs.readFileSync(path.join(dir, 'x.bin')).equals(data));
    assert.match(r.stdout, / 70000 .* x\.bin$/m);
    assert.ok(!r.stderr.includes('ignored'), r.stderr);
  });

  test('an SftpServer command that does not exist fails the open, exit code 1', async (s) => {
    const r = await runCli(['/ini=nul', '/command', 'option batch abort', open(s, '-rawsettings SftpServer=/no/such/sftp-server'), 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Cannot initialize SFTP protocol\. Is the host running an SFTP server\?$/m);
  });
});
