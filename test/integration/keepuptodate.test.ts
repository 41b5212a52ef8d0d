/**
 * keepuptodate against a real sshd: no initial synchronization, changes after the start are
 * uploaded (new files, new directories with their contents), deletions with -delete, Ctrl-C
 * ends the watch and the script goes on with the next command.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { withSshd } from '../helpers/with-server.js';

const test = withSshd();

const waitFor = async (cond: () => boolean, ms = 10_000) => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('watches, uploads and deletes changes, and continues the script after Ctrl-C', async (s) => {
  const local = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-kut-'));
  fs.writeFileSync(path.join(local, 'before.txt'), 'existed before the start');
  const remote = path.join(s.home, 'kut');
  fs.mkdirSync(remote);
  fs.writeFileSync(path.join(remote, 'gone.txt'), 'will be deleted');
  execFileSync('chown', ['-R', `${s.user}:${s.user}`, remote]);
  fs.writeFileSync(path.join(local, 'gone.txt'), 'local copy');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/winscript.js'), '/ini=nul', '/command', `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`, `keepuptodate -delete ${local} kut`, 'echo after the watch', 'exit'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let code: number | null = null;
  child.on('close', (c) => (code = c));
  await waitFor(() => out.includes('Watching for changes in 1 directories...'));
  await new Promise((r) => setTimeout(r, 1000));
  // No initial synchronization: nothing moves until something changes (then the changed
  // directory is synchronized as a whole, as WinSCP does).
  assert.ok(!fs.existsSync(path.join(remote, 'before.txt')), 'no initial synchronization');
  fs.writeFileSync(path.join(local, 'new.txt'), 'created while watching');
  fs.mkdirSync(path.join(local, 'dir/deeper'), { recursive: true });
  fs.writeFileSync(path.join(local, 'dir/deeper/x.txt'), 'nested');
  await waitFor(() => fs.existsSync(path.join(remote, 'new.txt')) && fs.existsSync(path.join(remote, 'dir/deeper/x.txt')));
  fs.rmSync(path.join(local, 'gone.txt'));
  await waitFor(() => !fs.existsSync(path.join(remote, 'gone.txt')));
  child.kill('SIGINT');
  await waitFor(() => code !== null);
  assert.equal(code, 0, out);
  assert.equal(fs.readFileSync(path.join(remote, 'dir/deeper/x.txt'), 'utf8'), 'nested');
  assert.match(out, /Watching for changes, press Ctrl-C to abort\.\.\.\nScanning '[^']+' for subdirectories\.\.\.\nWatching for changes in 1 directories\.\.\.\n/);
  assert.match(out, new RegExp(`Change in '${local.replace(/[/.]/g, '\\$&')}' detected\\.`));
  assert.match(out, /'[^']+\/kut\/gone\.txt' deleted/);
  assert.match(out, /Watching for changes in 3 directories\.\.\./);
  assert.match(out, /Terminated by user\.\nafter the watch\n$/);
});
