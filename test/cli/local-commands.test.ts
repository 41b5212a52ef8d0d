import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

function tree(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-lls-'));
  fs.writeFileSync(path.join(d, 'b.txt'), 'x'.repeat(1234567));
  fs.writeFileSync(path.join(d, 'A.log'), 'abc');
  fs.mkdirSync(path.join(d, 'sub'));
  const t = new Date(2025, 2, 14, 8, 15, 0);
  for (const f of ['b.txt', 'A.log', 'sub']) fs.utimesSync(path.join(d, f), t, t);
  return d;
}

describe('lcd, lpwd, lls', () => {
  it('lls lists in the fixed yyyy-mm-dd  hh:nn:ss format, .. first, sorted case-insensitively', async () => {
    const d = tree();
    const r = await runCli(['/command', `lcd ${d}`, 'lls', 'exit']);
    const lines = r.stdout.trimEnd().split('\n').slice(1);
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\d  \d\d:\d\d:\d\d    <DIR>          \.\.$/);
    assert.equal(lines[1], '2025-03-14  08:15:00                 3 A.log');
    assert.equal(lines[2], '2025-03-14  08:15:00         1,234,567 b.txt');
    assert.equal(lines[3], '2025-03-14  08:15:00    <DIR>          sub');
  });

  it('lls filters with a Windows wildcard and reports no match (failonnomatch off and on)', async () => {
    const d = tree();
    const r = await runCli(['/command', `lls ${d}/*.TXT`, `lls ${d}\\*.zip`, 'option failonnomatch on', `lls ${d}/*.zip`, 'exit']);
    assert.equal(r.stdout, "2025-03-14  08:15:00         1,234,567 b.txt\nNo file matching '*.zip' found.\nfailonnomatch   on        \nNo file matching '*.zip' found.\n");
    assert.equal(r.code, 1);
  });

  it('lcd fails with WinSCP\'s message for a missing folder and keeps the old one', async () => {
    const r = await runCli(['/command', 'option batch on', 'lcd /nonexistent/dir', 'lpwd', 'exit'], { cwd: '/tmp' });
    assert.equal(r.stdout, "batch           on        \nError changing directory to '/nonexistent/dir'.\nSystem Error.  Code: 2.\nNo such file or directory\n/tmp\n");
    assert.equal(r.code, 1);
  });

  it('lcd resolves relative paths against the local directory', async () => {
    const d = tree();
    const r = await runCli(['/command', `lcd ${d}`, 'lcd sub', 'lcd ..', 'exit']);
    assert.equal(r.stdout, `${d}\n${d}/sub\n${d}\n`);
  });
});
