/** cmd syntax: `%` expansion, the statement parser and command classification. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyCommand, parseSet, splitBatchArgs } from '../../src/batch/commands.js';
import { applyVarModifier, expandPercent, labelOf, Placeholders, restoreOriginal, type PercentRef } from '../../src/batch/lexer.js';
import { parseStatement, type Node, type PhysicalLine } from '../../src/batch/parser.js';

function expand(text: string, vars: Record<string, string> = {}, args: string[] = []): string {
  return expandPercent(text, (ref: PercentRef) => {
    if (ref.kind === 'all') return args.slice(1).join(' ');
    if (ref.kind === 'arg') return args[ref.index] ?? '';
    const v = Object.entries(vars).find(([k]) => k.toUpperCase() === ref.name.toUpperCase())?.[1];
    if (v === undefined) return '';
    return ref.modifier === undefined ? v : (applyVarModifier(v, ref.modifier) ?? '');
  });
}

/** Parses the first statement of the given lines. */
function parse(...lines: string[]): Node {
  let i = 0;
  const feed = (): PhysicalLine | undefined => (i < lines.length ? { text: lines[i]!, line: ++i } : undefined);
  return parseStatement(feed()!, feed);
}

describe('% expansion (batch-file rules)', () => {
  it('expands variables case-insensitively; undefined ones and a lone % disappear', () => {
    assert.equal(expand('echo %Host%:%PORT%', { HOST: 'h', port: '22' }), 'echo h:22');
    assert.equal(expand('[%NOPE%] 50% done'), '[] 50 done');
  });

  it('%% is one literal %, so %%40 in a password stays %40', () => {
    assert.equal(expand('open sftp://u:p%%40ss@h/ 100%%'), 'open sftp://u:p%40ss@h/ 100%');
  });

  it('expands %0..%9 and %*', () => {
    assert.equal(expand('%0 %1 [%2] %*', {}, ['x.bat', 'a', '"b c"']), 'x.bat a ["b c"] a "b c"');
  });

  it('applies substring and replacement modifiers', () => {
    const vars = { D: 'Tue 03/05/2024', P: 'C:\\data\\in' };
    assert.equal(expand('%D:~-4%%D:~4,2%', vars), '202403');
    assert.equal(expand('%P:\\=/%', vars), 'C:/data/in');
    assert.equal(expand('%P:*data=X%', vars), 'X\\in');
  });

  it('keeps references symbolic with placeholders and restores them for messages', () => {
    const t = new Placeholders();
    const out = expandPercent('cd /d %WORK%\\out & echo %~dp0 %%', t.make);
    assert.equal(t.refs.length, 2);
    assert.equal(restoreOriginal(out, t), 'cd /d %WORK%\\out & echo %~dp0 %');
  });
});

describe('statement parser', () => {
  it('splits on & && || and keeps trailing blanks of a command', () => {
    const n = parse('echo a & echo b&&echo c || echo d');
    assert.equal(n.type, 'seq');
    if (n.type !== 'seq') return;
    assert.deepEqual(
      [n.first, ...n.rest.map((r) => r.node)].map((x) => (x.type === 'cmd' ? x.text : x.type)),
      ['echo a ', 'echo b', 'echo c ', 'echo d'],
    );
    assert.deepEqual(n.rest.map((r) => r.op), ['&', '&&', '||']);
  });

  it('takes redirections out of the text, in any position', () => {
    const n = parse('>"C:\\a b\\log.txt" winscp.com /command "exit" 2>&1');
    assert.equal(n.type, 'cmd');
    if (n.type !== 'cmd') return;
    assert.equal(n.text, 'winscp.com /command "exit" ');
    assert.deepEqual(n.redirs, [
      { fd: 1, op: '>', target: 'C:\\a b\\log.txt' },
      { fd: 2, op: 'dup', target: '1' },
    ]);
  });

  it('echo text>>file: no blank needed, a digit before > is a handle only when it starts a word', () => {
    const n = parse('echo lpwd>> upload.txt');
    assert.ok(n.type === 'cmd' && n.text === 'echo lpwd' && n.redirs[0]!.op === '>>');
    const m = parse('echo x2>out.txt');
    assert.ok(m.type === 'cmd' && m.text === 'echo x2' && m.redirs[0]!.fd === 1);
    const e = parse('winscp 2>err.txt');
    assert.ok(e.type === 'cmd' && e.text === 'winscp ' && e.redirs[0]!.fd === 2);
  });

  it('^ escapes outside quotes only and continues lines', () => {
    const n = parse('echo a ^& b "^&" ^', ' continued');
    assert.ok(n.type === 'cmd');
    if (n.type !== 'cmd') return;
    assert.equal(n.text, 'echo a & b "^&"  continued');
    assert.equal(n.endLine, 2);
  });

  it('parses if … ( … ) else ( … ) over several lines', () => {
    const n = parse('if %X% neq 0 (', '  echo failed', '  exit /b 1', ') else (', '  echo ok', ')');
    assert.equal(n.type, 'if');
    if (n.type !== 'if') return;
    assert.deepEqual(n.cond, { kind: 'compare', op: 'neq', left: '%X%', right: '0' });
    assert.ok(n.then.type === 'block' && n.then.body.length === 2);
    assert.ok(n.else?.type === 'block' && n.else.body.length === 1);
    assert.equal(n.endLine, 6);
  });

  it('if without parentheses: the rest of the line is the command, else included (as in cmd)', () => {
    const n = parse('if /i not "%A%"=="x" echo a else echo b & echo c');
    assert.ok(n.type === 'if' && n.ci && n.not);
    if (n.type !== 'if') return;
    assert.deepEqual(n.cond, { kind: 'compare', op: '==', left: '"%A%"', right: '"x"' });
    assert.ok(n.then.type === 'seq');
  });

  it('reports an empty unquoted comparison as cmd does (a syntax error)', () => {
    const n = parse('if ==x echo y');
    assert.ok(n.type === 'bad' && /nothing to compare/.test(n.message));
  });

  it('rem ignores & and ) ; labels and :: are not commands', () => {
    assert.equal(parse('rem a & del x').type, 'nop');
    assert.equal(parse('@rem x').type, 'nop');
    assert.equal(labelOf(':Upload  now'), 'upload');
    assert.equal(labelOf('::comment'), '');
    assert.equal(labelOf('echo :x'), undefined);
  });

  it('pipes, for and a missing ) are reported, with the lines they span', () => {
    const p = parse('dir | find "x"');
    assert.ok(p.type === 'bad' && p.name === '|');
    const f = parse('for %f in (a b) do (', '  echo %f', ')');
    assert.ok(f.type === 'bad' && f.name === 'for' && f.endLine === 3);
    const m = parse('(', 'echo x');
    assert.ok(m.type === 'bad' && /'\)' missing/.test(m.message));
  });
});

describe('command classification', () => {
  const kind = (t: string) => classifyCommand(t).kind;

  it('recognises WinSCP.com and WinSCP.exe under any path, quoted or not, any case', () => {
    for (const t of [
      'winscp /ini=nul',
      'WinSCP.com /script=x.txt',
      'winscp.EXE /command "exit"',
      '"C:\\Program Files (x86)\\WinSCP\\WinSCP.com" /ini=nul',
      '"C:\\Program Files (x86)\\WinSCP"\\winscp.com /ini=nul',
      'D:\\tools\\WINSCP.COM',
    ]) {
      assert.equal(kind(t), 'winscp', t);
    }
    const c = classifyCommand('"C:\\Program Files\\WinSCP\\WinSCP.com" /command "a b"');
    assert.ok(c.kind === 'winscp' && c.args === ' /command "a b"');
  });

  it('accepts the builtins, also in the forms echo. cd.. call:label', () => {
    for (const t of ['echo.', 'echo off', 'cd..', 'cd /d C:\\x', 'call:sub', 'call winscp.com /x', 'goto:eof', 'exit/b 1', 'setlocal', 'setlocal EnableExtensions', 'start "" /wait winscp.com /x', 'timeout /t 2 /nobreak', 'pushd \\\\nas\\share']) {
      assert.equal(kind(t), 'builtin', t);
    }
    assert.equal(kind('C:'), 'drive');
    assert.equal(kind('other.cmd a b'), 'batch');
  });

  it('rejects what is outside the subset, naming the command', () => {
    const cases: [string, string][] = [
      ['copy a b', 'copy'],
      ['del /q C:\\out\\*.tmp', 'del'],
      ['7z a x.zip', '7z'],
      ['set /a n+=1', 'set /a'],
      ['setlocal enabledelayedexpansion', 'setlocal enabledelayedexpansion'],
      ['start winscp.com /x', 'start'],
      ['call del x', 'del'],
      ['timeout /t -1', 'timeout'],
    ];
    for (const [t, name] of cases) {
      const c = classifyCommand(t);
      assert.ok(c.kind === 'unsupported' && c.name === name, `${t}: ${JSON.stringify(c)}`);
      assert.match(c.kind === 'unsupported' ? c.message : '', new RegExp(`^unsupported command '${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' \\(`));
    }
  });

  it('reads set forms and batch arguments as cmd does', () => {
    assert.deepEqual(parseSet(' "PASS=a b" ignored'), { kind: 'assign', name: 'PASS', value: 'a b' });
    assert.deepEqual(parseSet(' X=1 '), { kind: 'assign', name: 'X', value: '1 ' });
    assert.deepEqual(parseSet(' /p NAME="Your name: "'), { kind: 'prompt', name: 'NAME', prompt: 'Your name: ' });
    assert.deepEqual(splitBatchArgs(' a,b;c="d e" '), ['a', 'b', 'c', '"d e"']);
  });
});
