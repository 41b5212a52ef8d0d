/**
 * Remote recycle bin against the real sshd: with DeleteToRecycleBin, rm, rmdir, get -delete and
 * synchronize -delete move files into RecycleBinPath under time-stamped names; with
 * OverwrittenToRecycleBin, put keeps the replaced content there. Nothing is destroyed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe } from 'node:test';
import { runCli } from '../helpers/cli.js';
import type { SshServer } from '../helpers/servers.js';
import { withSshd } from '../helpers/with-server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-recycle-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const test = withSshd();

const STAMP = /-\d{8}-\d{6}(-\d+)?/;
function setup(s: SshServer, name: string, files: Record<string, string>): { dir: string; bin: string } {
  const dir = path.join(s.home, name);
  const bin = path.join(s.home, `${name}-bin`);
  fs.mkdirSync(bin, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('chown', ['-R', s.user, dir, bin]);
  return { dir, bin };
}
const open = (s: SshServer, settings: string) =>
  `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}" -rawsettings ${settings}`;
const run = (s: SshServer, settings: string, ...cmds: string[]) => runCli(['/ini=nul', '/command', 'option batch abort', open(s, settings), ...cmds, 'exit']);
/** The bin's content as `stamped-name-pattern => content`. */
function binFiles(bin: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else out.set(r.replace(STAMP, '-STAMP'), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(bin, '');
  return out;
}

describe('remote recycle bin', () => {
  test('rm and rmdir move files and whole directories into the bin; nothing is destroyed', async (s) => {
    const { dir, bin } = setup(s, 'rb-rm', { 'a.txt': 'A', 'b.log': 'B', 'sub/c.txt': 'C' });
    const r = await run(s, `DeleteToRecycleBin=1 RecycleBinPath=${bin}`, `rm ${dir}/*.txt`, `rmdir ${dir}/sub`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(fs.readdirSync(dir), ['b.log']);
    assert.deepEqual(binFiles(bin), new Map([['a-STAMP.txt', 'A'], ['sub-STAMP/c.txt', 'C']]));
    assert.ok(!r.stderr.includes('ignored'), r.stderr);
  });

  test('synchronize remote -delete and get -delete recycle; a name clash gets a counter, never an overwrite', async (s) => {
    const { dir, bin } = setup(s, 'rb-sync', { 'keep.txt': 'K', 'old.txt': 'O1' });
    const local = fs.mkdtempSync(path.join(tmp, 'l-'));
    fs.writeFileSync(path.join(local, 'keep.txt'), 'K');
    fs.utimesSync(path.join(local, 'keep.txt'), fs.statSync(path.join(dir, 'keep.txt')).atime, fs.statSync(path.join(dir, 'keep.txt')).mtime);
    const r = await run(s, `DeleteToRecycleBin=1 RecycleBinPath=${bin}`, `synchronize remote -delete ${local} ${dir}`, `put ${path.join(local, 'keep.txt')} ${dir}/old.txt`, `get -delete ${dir}/old.txt ${path.join(local, 'got.txt')}`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(fs.readdirSync(dir), ['keep.txt']);
    assert.equal(fs.readFileSync(path.join(local, 'got.txt'), 'utf8'), 'K');
    const names = fs.readdirSync(bin).sort();
    assert.equal(names.length, 2, names.join(' '));
    assert.deepEqual(names.map((n) => fs.readFileSync(path.join(bin, n), 'utf8')).sort(), ['K', 'O1']);
  });

  test('OverwrittenToRecycleBin: put keeps the replaced content in the bin', async (s) => {
    const { dir, bin } = setup(s, 'rb-put', { 'data.csv': 'old content' });
    const local = path.join(tmp, 'data.csv');
    fs.writeFileSync(local, 'new content');
    const r = await run(s, `OverwrittenToRecycleBin=1 RecycleBinPath=${bin}`, `put ${local} ${dir}/`, `rm ${dir}/data.csv`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(binFiles(bin), new Map([['data-STAMP.csv', 'old content']]));
    assert.deepEqual(fs.readdirSync(dir), [], 'rm without DeleteToRecycleBin deletes');
  });

  test('a bin folder that does not exist fails the deletion and keeps the file', async (s) => {
    const { dir } = setup(s, 'rb-missing', { 'x.txt': 'X' });
    const r = await run(s, `DeleteToRecycleBin=1 RecycleBinPath=${s.home}/no-such-bin`, `rm ${dir}/x.txt`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Cannot move '.*x\.txt' to the recycle bin folder '.*no-such-bin'/);
    assert.equal(fs.readFileSync(path.join(dir, 'x.txt'), 'utf8'), 'X');
  });
});
