/**
 * Issue 6: the XML log parses with a real XML parser and has WinSCP's elements, attributes and
 * failure placement; the JSON log has one event per action with the script line; a killed run
 * leaves a parseable XML prefix; secrets never reach any log.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ROOT, runCli } from '../helpers/cli.js';
import { withSshd } from '../helpers/with-server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-logs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const test = withSshd();

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: () => true, preserveOrder: true });

/** Element names of the XML in document order, with depth, from preserveOrder output. */
function outline(nodes: unknown[], depth = 0, out: string[] = []): string[] {
  for (const n of nodes as Record<string, unknown>[]) {
    for (const [k, v] of Object.entries(n)) {
      if (k === ':@' || k === '#text') continue;
      out.push(`${'  '.repeat(depth)}${k}`);
      outline(v as unknown[], depth + 1, out);
    }
  }
  return out;
}

test('a script with put, get, rm, mkdir, chmod, synchronize and one failure under batch continue', async (s) => {
  const dir = path.join(tmp, 'run');
  fs.mkdirSync(path.join(dir, 'sync/sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'up.txt'), 'upload me');
  fs.writeFileSync(path.join(dir, 'sync/one.txt'), '1');
  fs.writeFileSync(path.join(dir, 'sync/sub/two.txt'), '22');
  const xml = path.join(dir, 'log.xml');
  const json = path.join(dir, 'log.jsonl');
  const script = path.join(dir, 'script.txt');
  fs.writeFileSync(
    script,
    [
      'option batch continue',
      `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`,
      'mkdir work',
      `put ${dir}/up.txt work/`,
      'chmod 600 work/up.txt',
      `get work/up.txt ${dir}/down.txt`,
      `get work/missing.txt ${dir}/`,
      'rm work/up.txt',
      'mkdir work/mirror',
      `synchronize remote ${dir}/sync work/mirror`,
      'exit',
    ].join('\n'),
  );
  const r = await runCli(['/ini=nul', `/xmllog=${xml}`, '/xmlgroups', `/jsonlog=${json}`, `/script=${script}`]);
  assert.equal(r.code, 1, 'the failed get makes the exit code 1');
  const text = fs.readFileSync(xml, 'utf8');
  assert.equal(XMLValidator.validate(text), true);
  assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<session xmlns="http://winscp.net/schema/session/1.0" name="'));
  assert.match(text, /^<session xmlns="http:\/\/winscp\.net\/schema\/session\/1\.0" name="[^"]+@127\.0\.0\.1" start="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">$/m);
  const doc = parser.parse(text);
  const lines = outline(doc).filter((l) => !l.startsWith('?xml'));
  // One group per command, the operations inside, failure before nothing else in its group.
  const expected = [
    'session',
    ...['group', 'group', 'group', '  mkdir', '    filename', '    result'],
    ...['group', '  upload', '    filename', '    destination', '    size', '    result', '  touch', '    filename', '    modification', '    result'],
    ...['group', '  chmod', '    filename', '    permissions', '    result'],
    ...['group', '  download', '    filename', '    destination', '    size', '    result'],
    ...['group', '  failure', '    message', '    message', '    message', '    message'],
    ...['group', '  rm', '    filename', '    result'],
    ...['group', '  mkdir', '    filename', '    result'],
  ].map((l) => (l === 'session' ? l : `  ${l}`));
  assert.deepEqual(lines.slice(0, expected.length), expected);
  const syncPart = lines.slice(expected.length);
  assert.deepEqual(syncPart.filter((l) => /^ {4}\S/.test(l)), ['    upload', '    touch', '    mkdir', '    upload', '    touch']);
  assert.match(text, /<group name="get work\/missing\.txt [^"]*" start="[^"]+">\n    <failure>\n      <message>Can't get attributes of file 'work\/missing\.txt'\.<\/message>\n      <message>No such file or directory\.<\/message>\n      <message>Error code: 2<\/message>\n      <message>Error message from server: No such file<\/message>\n    <\/failure>\n  <\/group>/);
  assert.match(text, /<chmod>\n      <filename value="[^"]+\/work\/up\.txt" \/>\n      <permissions value="rw-------" \/>\n      <result success="true" \/>\n    <\/chmod>/);
  assert.match(text, /<size value="9" \/>/);
  assert.ok(text.endsWith('</session>\n'));
  assert.ok(!text.includes(s.password));

  // JSON log: one event per action, each with the script line.
  const events = fs.readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const ops = events.filter((e) => e.type === 'operation');
  assert.deepEqual(ops.map((e) => `${e.op}@${e.line}`), ['mkdir@3', 'upload@4', 'touch@4', 'chmod@5', 'download@6', 'rm@8', 'mkdir@9', 'upload@10', 'touch@10', 'mkdir@10', 'upload@10', 'touch@10']);
  for (const e of events) {
    assert.equal(typeof e.time, 'string');
    if (e.type !== 'prompt') assert.equal(e.file, script);
  }
  const err = events.find((e) => e.type === 'error')!;
  assert.equal(err.line, 7);
  assert.deepEqual((err.lines as string[])[0], "Can't get attributes of file 'work/missing.txt'.");
  assert.ok(!fs.readFileSync(json, 'utf8').includes(s.password));
});

test('without groups, a transfer failure under batch abort records <failure> before its operation', async (s) => {
  const dir = path.join(tmp, 'abort');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'x.txt'), 'x');
  fs.mkdirSync(path.join(s.home, 'ro'));
  fs.chmodSync(path.join(s.home, 'ro'), 0o555); // owned by root: the user cannot write
  const xml = path.join(dir, 'log.xml');
  const r = await runCli(['/ini=nul', `/xmllog=${xml}`, '/command', `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`, `put ${dir}/x.txt ro/`, 'exit']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Cannot create remote file '[^']+\/ro\/x\.txt'\.\nPermission denied\.\nError code: 3\nError message from server: Permission denied\n\(A\)bort, \(R\)etry, \(S\)kip, Ski\(p\) all: Abort\n/);
  const text = fs.readFileSync(xml, 'utf8');
  assert.equal(XMLValidator.validate(text), true);
  assert.match(text, /  <failure>\n    <message>Cannot create remote file '[^']+'\.<\/message>\n(    <message>[^<]*<\/message>\n)+  <\/failure>\n  <upload>\n    <filename value="[^"]+x\.txt" \/>\n    <destination value="[^"]+\/ro\/x\.txt" \/>\n    <result success="false">\n      <message>Cannot create remote file/);
});

test('a killed run leaves a parseable XML prefix', async (s) => {
  const dir = path.join(tmp, 'killed');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'small.txt'), 'small');
  fs.writeFileSync(path.join(dir, 'big.bin'), crypto.randomBytes(6 * 1024 * 1024));
  const xml = path.join(dir, 'log.xml');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/winscript.js'), '/ini=nul', `/xmllog=${xml}`, '/xmlgroups', '/command', `open sftp://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}"`, `put ${dir}/small.txt`, `put -speed=512 ${dir}/big.bin`, 'exit'], { stdio: 'ignore' });
  const start = Date.now();
  while (!(fs.existsSync(path.join(s.home, 'big.bin.filepart')) && fs.statSync(path.join(s.home, 'big.bin.filepart')).size > 100_000) && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  const text = fs.readFileSync(xml, 'utf8');
  assert.match(text, /<upload>\n      <filename value="[^"]+small\.txt" \/>/);
  // Close what is open: the prefix must then be a well-formed document.
  const open: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') assert.equal(open.pop(), m[2]);
    else open.push(m[2]!);
  }
  assert.deepEqual(open, ['session', 'group'], 'only the session and the running group are open');
  const closed = text + open.reverse().map((t) => `</${t}>\n`).join('');
  assert.equal(XMLValidator.validate(closed), true);
});

test('no passphrase appears in logs or output', async (s) => {
  const keyDir = path.join(ROOT, 'fixtures/keys');
  const pass = fs.readFileSync(path.join(keyDir, 'PASSPHRASE.txt'), 'utf8').trim();
  await s.authorize(fs.readFileSync(path.join(keyDir, 'ed25519-v3-enc.pub'), 'utf8').trim());
  const dir = path.join(tmp, 'pp');
  fs.mkdirSync(dir, { recursive: true });
  const r = await runCli(['/ini=nul', `/log=${dir}/l.log`, '/loglevel=2*', `/xmllog=${dir}/l.xml`, `/jsonlog=${dir}/l.jsonl`, '/command', 'option echo on', `open sftp://${s.user}@127.0.0.1:${s.port}/ -hostkey="ssh-ed25519 255 ${s.hostKeySha256}" -privatekey="${keyDir}/ed25519-v3-enc.ppk" -passphrase="${pass}"`, 'pwd', 'exit']);
  assert.equal(r.code, 0, r.stdout);
  for (const t of [r.stdout, r.stderr, ...['l.log', 'l.xml', 'l.jsonl'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))]) {
    assert.ok(!t.includes(pass), 'passphrase leaked');
    assert.ok(!t.includes('correct%20horse'));
  }
  assert.match(r.stdout, /-passphrase=\*\*\*/);
});
