import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, spawnCli } from '../helpers/cli.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-cli-'));

describe('winscript command line (issue 2 done-when)', () => {
  it('/command "echo hello" "exit" prints hello and exits 0 (real process)', async () => {
    const r = await spawnCli(['/command', 'echo hello', 'exit']);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.code, 0);
  });

  it('prints WinSCP\'s message and the stderr location for an unknown command under batch abort', async () => {
    const dir = tmp();
    const script = path.join(dir, 'x.txt');
    fs.writeFileSync(script, 'option batch abort\r\nfoo bar\r\necho not reached\r\nexit\r\n');
    const r = await spawnCli([`/script=${script}`]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "batch           abort     \nUnknown command 'foo'.\n");
    assert.equal(r.stderr, `winscript: ${script}:2: Unknown command 'foo'.\n`);
  });

  it('substitutes /parameter // a "b c" into %1% and %2%', async () => {
    const dir = tmp();
    const script = path.join(dir, 'x.txt');
    fs.writeFileSync(script, 'echo [%1%] [%2%] [%3%]\nexit\n');
    const r = await runCli([`/script=${script}`, '/parameter', '//', 'a', 'b c']);
    assert.equal(r.stdout, '[a] [b c] [%3%]\n');
    assert.equal(r.code, 0);
  });

  it('maps C:\\data through WINSCRIPT_DRIVES for lcd and lpwd', async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'data'));
    const r = await spawnCli(['/command', 'lcd C:\\data', 'lpwd', 'exit'], { env: { WINSCRIPT_DRIVES: `C:=${root}` } });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${root}/data\n${root}/data\n`);
  });

  it('maps the /script= path itself (WinSCP.com /script="c:\\temp\\synchronize.txt")', async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'temp'));
    fs.writeFileSync(path.join(root, 'temp', 'synchronize.txt'), 'echo from c\nexit\n');
    const r = await runCli(['/script=c:\\temp\\synchronize.txt'], { env: { WINSCRIPT_DRIVES: `c:=${root}` } });
    assert.equal(r.stdout, 'from c\n');
    assert.equal(r.code, 0);
  });

  it('accepts --drive on the command line', async () => {
    const root = tmp();
    const r = await runCli(['--drive', `D:=${root}`, '/command', 'lcd D:\\', 'exit']);
    assert.equal(r.stdout, `${root}\n`);
  });

  it('names the drive and how to map it when it is not mapped', async () => {
    const r = await runCli(['/command', 'lcd E:\\x', 'exit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Error changing directory to 'E:\\x'\.\nLocal path 'E:\\x' is on drive E:, which is not mapped\. Map it with WINSCRIPT_DRIVES='E:=\/some\/folder' or --drive 'E:=\/some\/folder'\.\n$/);
  });

  it('exits 1 when any command failed, also under batch continue', async () => {
    const r = await runCli(['/command', 'option batch continue', 'nosuchcommand', 'echo after', 'exit']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "batch           continue  \nUnknown command 'nosuchcommand'.\nafter\n");
  });

  it('fails remote commands without a session with "No session."', async () => {
    const r = await runCli(['/command', 'option batch on', 'ls', 'pwd', 'get x', 'exit']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'batch           on        \nNo session.\nNo session.\nNo session.\n');
  });

  it('drops into the winscp> prompt when the script has no exit, and reads stdin', async () => {
    const r = await spawnCli(['/command', 'echo first'], { stdin: 'echo second\n' });
    assert.equal(r.stdout, 'first\nwinscp> echo second\nsecond\nwinscp> \n');
    assert.equal(r.code, 0);
  });

  it('runs piped commands with interactive defaults (batch off, confirm on)', async () => {
    const r = await runCli([], { stdin: 'option batch\noption confirm\nexit\n' });
    assert.equal(r.stdout, 'winscp> option batch\nbatch           off       \nwinscp> option confirm\nconfirm         on        \nwinscp> exit\n');
  });

  it('keeps an explicit option value into the interactive phase', async () => {
    const r = await runCli(['/command', 'option confirm off'], { stdin: 'option confirm\n' });
    assert.equal(r.stdout, 'confirm         off       \nwinscp> option confirm\nconfirm         off       \nwinscp> \n');
  });

  it('fails on an unreadable script before running anything', async () => {
    const r = await runCli(['/script=/nonexistent/x.txt', '/command', 'echo no']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Cannot open script file '\/nonexistent\/x\.txt'\.\nSystem Error\.  Code: 2\.\nNo such file or directory\n$/);
  });

  it('rejects a script that is not UTF-8', async () => {
    const dir = tmp();
    const script = path.join(dir, 'latin1.txt');
    fs.writeFileSync(script, Buffer.from([0x65, 0x63, 0x68, 0x6f, 0x20, 0xe9, 0x0a]));
    const r = await runCli([`/script=${script}`]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /The file must be in UTF-8 or UTF-16 encoding\.\n$/);
  });

  it('accepts -switch spellings and any case', async () => {
    const r = await runCli(['-COMMAND', 'echo a', 'Exit']);
    assert.equal(r.stdout, 'a\n');
    const s = await runCli(['/Command', 'echo b', 'exit', '/INI=nul']);
    assert.equal(s.stdout, 'b\n');
  });

  it('rejects an unknown switch with a clear message', async () => {
    const r = await runCli(['/scrpt=x.txt']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown switch '\/scrpt=x\.txt'/);
  });

  it('prints --version and --help', async () => {
    const v = await runCli(['--version']);
    assert.match(v.stdout, /^winscript \d+\.\d+\.\d+\n$/);
    const h = await runCli(['--help']);
    assert.match(h.stdout, /\/script=FILE/);
    assert.equal(h.code, 0);
  });

  it('echoes commands with option echo on, masking passwords', async () => {
    const r = await runCli(['/command', 'option echo on', 'echo x', 'open sftp://u:secret@127.0.0.1:1/ -password=other -timeout=1', 'exit']);
    assert.ok(!r.stdout.includes('secret'));
    assert.ok(!r.stdout.includes('other'));
    assert.match(r.stdout, /echo            on        \necho x\nx\nopen sftp:\/\/u:\*\*\*@127\.0\.0\.1:1\/ -password=\*\*\* -timeout=1\n/);
  });
});

describe('session log (/log, /loglevel, /logsize)', () => {
  it('writes timestamped lines, rotates at /logsize and keeps the given count', async () => {
    const dir = tmp();
    const log = path.join(dir, 'run.log');
    const cmds = Array.from({ length: 60 }, (_, i) => `echo line ${i} ${'x'.repeat(40)}`);
    const r = await runCli([`/log=${log}`, '/logsize=2*1K', '/command', ...cmds, 'exit']);
    assert.equal(r.code, 0);
    assert.ok(fs.existsSync(log) && fs.existsSync(`${log}.1`) && fs.existsSync(`${log}.2`));
    assert.ok(!fs.existsSync(`${log}.3`), 'only two rotated files are kept');
    for (const f of [log, `${log}.1`]) assert.ok(fs.statSync(f).size <= 1024);
    assert.match(fs.readFileSync(log, 'utf8'), /^\. \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /);
    assert.match(fs.readFileSync(log, 'utf8'), /line 59/);
  });

  it('expands !Y !M !D !T !P in the name and prints Exit code at /loglevel=1', async () => {
    const dir = tmp();
    const r = await runCli([`/log=${dir}/w-!Y!M!D-!P-!!.log`, '/loglevel=1', '/command', 'echo hi', 'exit']);
    assert.ok(r.stdout.endsWith('hi\nExit code: 0\n'), r.stdout);
    const files = fs.readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, new RegExp(`^w-\\d{8}-${process.pid}-!\\.log$`));
  });

  it('accepts /logpasswords with a warning', async () => {
    const r = await runCli(['/logpasswords', '/command', 'exit']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /\/logpasswords is accepted, but passwords are never written/);
  });
});
