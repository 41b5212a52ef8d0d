/** `winscript report`: classification of script and batch lines, drives to map. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runWinscript, sandbox } from './helpers.js';

describe('winscript report', () => {
  it('classifies every line of a folder of scripts and lists the drives to map', async () => {
    const sb = sandbox();
    const r = await runWinscript(sb, ['report', 'report'], { env: { WINSCRIPT_DRIVES: undefined } });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    const has = (line: string) => assert.ok(out.split('\n').includes(line), `missing line: ${line}\n--- report:\n${out}`);
    has('== report/nightly.bat (batch file)');
    has('report/nightly.bat:1: ok: @echo off');
    has('report/nightly.bat:5: needs drive mapping: cd /d C:\\jobs\\nightly');
    has('    uses C:, which is not mapped');
    // The password of the session URL is masked; /command lines are WinSCP commands.
    has('report/nightly.bat:6 /command 1: ok: open sftp://backup:***@files.example.com/ -hostkey="ssh-ed25519 255 KjtitT3bnxZ7Y9IiAqNggRunjfAVAh9wTQHumrrUFpw"');
    has('report/nightly.bat:6 /command 2: needs drive mapping: lcd D:\\exports');
    has('report/nightly.bat:6 /command 3: difference: option transfer ascii');
    has('report/nightly.bat:6 /command 5: difference: lls');
    has("    /log: the log file is winscript's own text log, not WinSCP's session log format");
    has('report/nightly.bat:15: unsupported: copy %LOCAL%\\*.csv \\\\nas\\backup\\csv\\');
    has("    unsupported command 'copy' (outside the batch subset winscript runs)");
    has('report/nightly.bat:19: needs drive mapping: echo Upload failed >> \\\\nas\\backup\\logs\\nightly-errors.txt');
    // The /script= file of the batch is reported as a WinSCP script.
    has('== report/upload.txt (WinSCP script, /script= of report/nightly.bat:14)');
    has('report/upload.txt:2: unsupported: open dav://user@webdav.example.com/');
    has('    The WebDAV protocol is not supported by winscript.');
    has('report/upload.txt:6: unsupported: copyid C:\\keys\\id.pub');
    has('report/upload.txt:4: ok: put -transfer=binary *.zip /archive/');
    has('Summary: 2 files, 25 lines: 13 run as on Windows, 3 with a documented difference, 6 need a drive mapping, 3 unsupported.');
    has('Drives to map: C:, D:, \\\\nas\\backup');
    has("Set (adjust the folders): export WINSCRIPT_DRIVES='C:=/mnt/c;D:=/mnt/d;\\\\nas\\backup=/mnt/nas/backup'");
    assert.ok(!out.includes('secret'), 'password leaked');
  });

  it('uses the mapping in effect; --problems hides the lines that run as on Windows', async () => {
    const sb = sandbox();
    const r = await runWinscript(sb, ['report', '--problems', '--drive', 'D:=/srv/d', 'report/upload.txt']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('    uses D: (mapped to /srv/d)'), r.stdout);
    assert.ok(!r.stdout.includes(': ok: '), r.stdout);
    assert.ok(r.stdout.includes(`Drives to map: C:, D:, \\\\nas\\backup (not mapped yet: \\\\nas\\backup)`), r.stdout);
    assert.ok(r.stdout.includes(`export WINSCRIPT_DRIVES='C:=${sb.cdrive};D:=/srv/d;\\\\nas\\backup=/mnt/nas/backup'`), r.stdout);
  });

  it('follows a script the batch writes with echo > file and runs with /script=', async () => {
    const sb = sandbox();
    const r = await runWinscript(sb, ['report', 'generate.bat']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('generate.bat:6 (line 2 of C:\\jobs\\upload.txt, written by echo): needs drive mapping: lcd C:\\jobs\\out'), r.stdout);
    assert.ok(r.stdout.includes('generate.bat:7 (line 3 of C:\\jobs\\upload.txt, written by echo): ok: lpwd'), r.stdout);
    assert.ok(r.stdout.includes('generate.bat:8 (line 4 of C:\\jobs\\upload.txt, written by echo): ok: exit'), r.stdout);
  });

  it('reports the cmd commands outside the subset and exits 1 only for unreadable files', async () => {
    const sb = sandbox();
    fs.writeFileSync(path.join(sb.dir, 'misc.cmd'), '@echo off\nsetlocal enabledelayedexpansion\ndir | find "x"\n7z a x.zip\n');
    const r = await runWinscript(sb, ['report', 'misc.cmd', 'unsupported.bat']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes("    unsupported command 'setlocal enabledelayedexpansion' (delayed expansion (!var!) is outside the batch subset winscript runs)"), r.stdout);
    assert.ok(r.stdout.includes("    unsupported command '|' (pipes are outside the batch subset winscript runs)"), r.stdout);
    assert.ok(r.stdout.includes("    unsupported command '7z' (an external program; outside the batch subset winscript runs)"), r.stdout);
    assert.ok(r.stdout.includes("unsupported.bat:3: unsupported: for %%f in (*.txt) do echo %%f"), r.stdout);

    const missing = await runWinscript(sb, ['report', 'nosuch.txt']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read 'nosuch\.txt'/);
  });
});
