/** `winscript bat FILE.bat`: the fixtures, and what exactly reaches the in-process WinSCP calls. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { MainIO } from '../../src/cli/main.js';
import { BatchRunner } from '../../src/batch/runner.js';
import { runBat, runWinscript, sandbox } from './helpers.js';

interface Call {
  argv: string[];
  cwd: string;
  env: MainIO['env'];
}

/** Runs batch text with a recording stand-in for main (exit codes from `codes`, in order). */
async function record(text: string, opts: { codes?: number[]; env?: Record<string, string>; args?: string[]; stdin?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-batrec-'));
  const c = path.join(dir, 'c');
  fs.mkdirSync(path.join(c, 'jobs'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'job.bat'), text);
  const calls: Call[] = [];
  let stdout = '';
  let stderr = '';
  const codes = [...(opts.codes ?? [])];
  const runner = new BatchRunner({
    io: {
      stdout: { write: (s: string) => void (stdout += s) },
      stderr: { write: (s: string) => void (stderr += s) },
      stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
      env: { PATH: '/usr/bin', WINSCRIPT_DRIVES: `C:=${c}`, ...opts.env },
      cwd: dir,
    },
    main: async (argv, io) => {
      calls.push({ argv, cwd: io.cwd, env: io.env });
      io.stdout.write(`[out ${argv[0]}]\n`);
      io.stderr.write(`[err ${argv[0]}]\n`);
      return codes.shift() ?? 0;
    },
  });
  const code = await runner.run('job.bat', opts.args ?? []);
  return { code, stdout, stderr, calls, dir, c };
}

describe('WinSCP calls from a batch file', () => {
  it('passes the raw arguments re-split with WinSCP rules: ^ joins, "" is a quote, %% is %', async () => {
    const r = await record(
      [
        '@echo off',
        'set WINSCP_PATH=C:\\Program Files (x86)\\WinSCP',
        'set HOST=example.com',
        '"%WINSCP_PATH%\\WinSCP.com" /ini=nul /log="C:\\logs\\x.log" /command ^',
        '  "open sftp://user:p%%40ss@%HOST%/ -hostkey=""ssh-ed25519 255 abc""" ^',
        '  "put ""C:\\data\\my file.txt"" /in/" "exit"',
      ].join('\r\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.calls.map((c) => c.argv), [
      ['/ini=nul', '/log=C:\\logs\\x.log', '/command', 'open sftp://user:p%40ss@example.com/ -hostkey="ssh-ed25519 255 abc"', 'put "C:\\data\\my file.txt" /in/', 'exit'],
    ]);
  });

  it('finds WinSCP under any name, also through call, start /wait and a variable', async () => {
    const r = await record(
      [
        '@echo off',
        'set W="C:\\Program Files (x86)\\WinSCP\\WinSCP.com"',
        'set WINSCP_PATH=C:\\WinSCP',
        'winscp a',
        'WINSCP.EXE b',
        'call winscp.com c',
        'start "" /wait winscp d',
        '%W% e',
        'C:\\tools\\WinSCP.com f',
        '%WINSCP_PATH%\\winscp.com g',
        'call "%WINSCP_PATH%\\WinSCP.exe" h',
      ].join('\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.calls.map((c) => c.argv[0]), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('maps pushd \\\\server\\share through LocalPaths; popd returns', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-unc-'));
    fs.mkdirSync(path.join(dir, 'in'));
    const r = await record(['@echo off', 'pushd \\\\nas\\share\\in', 'winscp one', 'popd', 'winscp two'].join('\n'), {
      env: { WINSCRIPT_DRIVES: `\\\\nas\\share=${dir}` },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.calls.map((c) => c.cwd), [path.join(dir, 'in'), r.dir]);
  });

  it('gives each call the batch folder, the batch variables and the drive mapping', async () => {
    const r = await record(['@echo off', 'set Remote_Dir=/in', 'cd /d C:\\jobs', 'winscp.com /command "cd %%REMOTE_DIR%%"'].join('\n'), {
      env: { WINSCRIPT_DRIVES: '' },
      args: [],
    }).catch((e) => e);
    // Without a mapping, cd /d C:\jobs stops the batch before the call.
    assert.equal(r.code, 1);
    assert.equal(r.calls.length, 0);
    assert.match(r.stderr, /^winscript: job\.bat:3: Local path 'C:\\jobs' is on drive C:, which is not mapped\./m);

    const ok = await record(['@echo off', 'set Remote_Dir=/in', 'cd /d C:\\jobs', 'winscp.com /command "cd %%REMOTE_DIR%%"'].join('\n'));
    assert.equal(ok.code, 0, ok.stderr);
    const call = ok.calls[0]!;
    assert.deepEqual(call.argv, ['/command', 'cd %REMOTE_DIR%']);
    assert.equal(call.cwd, path.join(ok.c, 'jobs'));
    assert.equal(call.env.Remote_Dir, '/in');
    assert.equal(call.env.WINSCRIPT_DRIVES, `C:=${ok.c}`);
  });

  it('applies > file 2>&1, >> and > nul to the call, and its exit code becomes ERRORLEVEL', async () => {
    const r = await record(
      [
        '@echo off',
        'winscp one > C:\\jobs\\out.txt 2>&1',
        'echo level %ERRORLEVEL%',
        'winscp two >> C:\\jobs\\out.txt',
        'winscp three > nul 2> nul',
        'if errorlevel 5 echo five or more',
        'exit /b %ERRORLEVEL%',
      ].join('\n'),
      { codes: [1, 0, 5] },
    );
    assert.equal(r.code, 5);
    assert.equal(fs.readFileSync(path.join(r.c, 'jobs', 'out.txt'), 'utf8'), '[out one]\n[err one]\n[out two]\n');
    assert.equal(r.stdout, 'level 1\nfive or more\n');
    assert.equal(r.stderr, '[err two]\n');
  });

  it('reads %~dp0, %0 and the arguments; %* keeps what was typed', async () => {
    const r = await record(['@echo off', 'echo [%~dp0] [%~nx0] [%1] [%~2] [%*]', 'shift', 'echo [%1]'].join('\n'), { args: ['one', 'two words'] });
    assert.equal(r.stdout, `[${r.dir}/] [job.bat] [one] [two words] [one "two words"]\n["two words"]\n`);
  });

  it('set /p reads standard input; echo on shows the commands', async () => {
    const r = await record(['@echo off', 'set /p NAME=Name? ', 'echo Hi %NAME%', 'echo on', 'echo shown', '@echo off'].join('\n'), { stdin: 'Ann\n' });
    assert.equal(r.stdout, `Name? Hi Ann\n\n${r.dir}>echo shown\nshown\n`);
  });

  it('expands a block when it is read, as cmd does (the classic %ERRORLEVEL% trap)', async () => {
    const r = await record(['@echo off', '(', '  winscp x', '  echo inside %ERRORLEVEL%', ')', 'echo after %ERRORLEVEL%'].join('\n'), { codes: [3] });
    assert.equal(r.stdout, '[out x]\ninside 0\nafter 3\n');
  });

  it('setlocal / endlocal restore variables and the folder; call expands twice', async () => {
    const r = await record(['@echo off', 'set A=1', 'setlocal', 'set A=2', 'cd /d C:\\jobs', 'endlocal', 'echo %A% %CD%', 'set B=A', 'call echo %%%B%%%'].join('\n'));
    assert.equal(r.stdout, `1 ${r.dir}\n1\n`);
  });
});

describe('fixtures', () => {
  it('continuation.bat: ^ continuations, "" in /command, %%40 and variables reach winscript', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'continuation.bat');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      ['Hello from "the" batch', 'open sftp://user:p%40ss@example.invalid/', 'Hello seen by WinSCP', 'exit code 0', 'caret & ampersand, 100% done, []', ''].join('\n'),
    );
  });

  it('errorlevel.bat: failing calls set ERRORLEVEL; if, if errorlevel, ||, && and exit /b', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'errorlevel.bat');
    assert.equal(r.code, 4, r.stderr);
    assert.equal(
      r.stdout,
      ['first call failed with 1', 'errorlevel is 1 or more', 'lcd failed', 'fine', 'second call ok', 'now zero', 'not errorlevel 1', ''].join('\n'),
    );
    assert.match(fs.readFileSync(path.join(sb.dir, 'failed.log'), 'utf8'), /Unknown command 'nosuchcommand'\./);
  });

  it('generate.bat: a script written with echo > file runs with /script=; %~dp0; mapped drive', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'generate.bat');
    assert.equal(r.code, 0, r.stderr);
    const out = path.join(sb.cdrive, 'jobs', 'out');
    assert.equal(r.stdout, ['batch           abort     ', out, out, `Batch folder: ${sb.dir}/`, 'status written', ''].join('\n'));
    assert.equal(fs.readFileSync(path.join(sb.cdrive, 'jobs', 'upload.txt'), 'utf8'), 'option batch abort\nlcd C:\\jobs\\out\nlpwd\nexit\n');
    assert.equal(fs.readFileSync(path.join(sb.cdrive, 'jobs', 'status.txt'), 'utf8'), 'done\n');
  });

  it('generate.bat without a mapping for C: stops at the first use of the drive', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'generate.bat', { env: { WINSCRIPT_DRIVES: undefined } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^winscript: generate\.bat:4: Local path 'C:\\jobs' is on drive C:, which is not mapped\. Map it with WINSCRIPT_DRIVES=/);
    // --drive works as well as the environment variable.
    const d = await runBat(sb, 'generate.bat', { env: { WINSCRIPT_DRIVES: undefined }, options: ['--drive', `C:=${sb.cdrive}`] });
    assert.equal(d.code, 0, d.stderr);
  });

  it('labels.bat: goto, call :label with arguments, exit /b codes, a goto loop', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'labels.bat');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, ['Hello, World (with spaces)', 'greet returned 7', 'trying', 'retried once', 'retry returned 0', 'tried is set', ''].join('\n'));
  });

  it('modifiers.bat: substring and replacement forms of %VAR:…%', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'modifiers.bat');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[a B c] [a;X;c] [in\\x.txt] [x.txt] [data] [C:\\data\\in\\x] [C:/data/in/x.txt]\nreport_x\n');
  });

  it('unsupported.bat: refuses to start, naming file, line and command', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'unsupported.bat');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "winscript: unsupported.bat:3: unsupported command 'for' (outside the batch subset winscript runs)\n");
  });

  it('bat --path maps a Windows path as the converted scripts need it', async () => {
    const sb = sandbox();
    const r = await runWinscript(sb, ['bat', '--path', 'C:\\jobs\\out']);
    assert.deepEqual([r.code, r.stdout], [0, path.join(sb.cdrive, 'jobs', 'out') + '\n']);
    const bad = await runWinscript(sb, ['bat', '--path', 'Q:\\x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /drive Q:, which is not mapped/);
  });

  it('a missing batch file is an error, exit 1', async () => {
    const sb = sandbox();
    const r = await runBat(sb, 'nosuch.bat');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read batch file 'nosuch\.bat'/);
  });
});
