import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandNode } from '../../../grammar/ast.js';
import { COMMANDS, REGISTERED_NAMES, resolveCommand } from '../../../grammar/command-table.js';
import { classifyToken, firstError, parseLine } from '../../../grammar/to-ast.js';

const loc = { file: 's.txt', line: 7 };
function cmd(text: string): CommandNode {
  const p = parseLine(text, loc);
  const err = firstError(p);
  assert.equal(err, undefined, `unexpected error: ${err?.message}`);
  assert.equal(p.node?.kind, 'command');
  return p.node as CommandNode;
}
const error = (text: string) => firstError(parseLine(text, loc));

describe('comments and blank lines (§2.3, §2.4)', () => {
  it('skips # and ; in column 1 only', () => {
    assert.equal(parseLine('# comment', loc).node?.kind, 'skip');
    assert.equal(parseLine('; comment', loc).node?.kind, 'skip');
    assert.equal(parseLine('   \t ', loc).node?.kind, 'skip');
    assert.equal(parseLine('', loc).node?.kind, 'skip');
  });

  it('reports an indented # as an unknown command', () => {
    assert.equal(error('   # text')?.message, "Unknown command '#'.");
  });

  it('has no inline comments', () => {
    const n = cmd('put a.txt # note');
    assert.deepEqual(n.params.map((p) => p.value), ['a.txt', '#', 'note']);
  });
});

describe('command resolution (§5)', () => {
  it('registers exactly the 40 names of WinSCP', () => {
    assert.equal(REGISTERED_NAMES.size, 40);
    assert.equal(COMMANDS.filter((c) => c.listed).length, 27);
  });

  it('resolves exact names and unique prefixes case-insensitively', () => {
    for (const [typed, name] of [
      ['syn', 'synchronize'],
      ['ke', 'keepuptodate'],
      ['chm', 'chmod'],
      ['opt', 'option'],
      ['ex', 'exit'],
      ['ec', 'echo'],
      ['EXIT', 'exit'],
      ['co', 'copyid'],
      ['cop', 'copyid'],
    ]) {
      const r = resolveCommand(typed!);
      assert.ok(r.ok, typed);
      if (r.ok) assert.equal(r.spec.name, name);
    }
  });

  it('lists candidates alphabetically when ambiguous', () => {
    const cases: [string, string][] = [
      ['o', 'open, option'],
      ['sy', 'symlink, synchronize'],
      ['ch', 'checksum, chmod'],
      ['e', 'echo, exit'],
      ['l', 'lcd, lls, ln, lpwd, ls'],
      ['r', 'recv, rename, rm, rmdir'],
      ['p', 'put, pwd'],
      ['m', 'man, mget, mkdir, mput, mv'],
      ['s', 'send, session, stat, symlink, synchronize'],
      ['c', 'call, cd, checksum, chmod, close, copyid, cp'],
    ];
    for (const [typed, list] of cases) {
      assert.equal(error(`${typed} x`)?.message, `Ambiguous command '${typed}'. Possible matches are: ${list}`);
    }
  });

  it('maps every alias to its command', () => {
    const aliases: [string, string][] = [
      ['dir', 'ls'],
      ['recv', 'get'],
      ['mget', 'get'],
      ['send', 'put'],
      ['mput', 'put'],
      ['rename', 'mv'],
      ['symlink', 'ln'],
      ['bye', 'exit'],
      ['!', 'call'],
      ['man', 'help'],
    ];
    for (const [alias, name] of aliases) {
      const r = resolveCommand(alias);
      assert.ok(r.ok && r.spec.name === name, alias);
    }
    assert.equal(cmd('ascii').name, 'ascii');
    assert.equal(cmd('binary').name, 'binary');
  });

  it('treats ! as a name of its own', () => {
    assert.equal(error('!ls')?.message, "Unknown command '!ls'.");
    assert.equal(cmd('! ls -la').name, 'call');
  });

  it('uses the registered name in parameter-count messages', () => {
    assert.equal(error('recv')?.message, "Missing parameter for command 'recv'.");
    assert.equal(error('pwd x')?.message, "Too many parameters for command 'pwd'.");
    assert.equal(error('ln a')?.message, "Missing parameter for command 'ln'.");
    assert.equal(error('synchronize')?.message, "Missing parameter for command 'synchronize'.");
    assert.equal(error('synchronize remote a b c')?.message, "Too many parameters for command 'synchronize'.");
  });
});

describe('switches and parameters (§6)', () => {
  it('classifies tokens', () => {
    assert.deepEqual(classifyToken('-delete'), { name: 'delete', value: undefined });
    assert.deepEqual(classifyToken('-speed=100'), { name: 'speed', value: '100' });
    assert.deepEqual(classifyToken('-speed:100'), { name: 'speed', value: '100' });
    assert.deepEqual(classifyToken('-rawtransfersettings[2]'), { name: 'rawtransfersettings', value: '2' });
    assert.deepEqual(classifyToken('-filemask='), { name: 'filemask', value: '' });
    assert.deepEqual(classifyToken('--delete'), { name: '-delete', value: undefined });
    for (const p of ['-1D', '-', '-x.txt', '-*', '-foo_bar', '-1', 'a-b', '-a-b']) assert.equal(classifyToken(p), undefined, p);
  });

  it('interleaves switches and parameters', () => {
    const a = cmd('get -delete a.txt b/');
    const b = cmd('get a.txt -delete b/');
    assert.deepEqual(a.params.map((p) => p.value), ['a.txt', 'b/']);
    assert.deepEqual(b.params.map((p) => p.value), ['a.txt', 'b/']);
    assert.equal(b.switches[0]!.name, 'delete');
  });

  it('still reads a quoted dash as a switch, and -- ends switches', () => {
    assert.equal(cmd('get "-delete" a').switches[0]!.name, 'delete');
    const n = cmd('rm -- -delete -x');
    assert.deepEqual(n.params.map((p) => p.value), ['-delete', '-x']);
    assert.equal(n.switches.length, 0);
  });

  it('matches switch names case-insensitively and ignores values of flag switches', () => {
    const n = cmd('put -Delete=yes a');
    assert.equal(n.switches[0]!.name, 'delete');
    assert.equal(n.switches[0]!.value, undefined);
  });

  it('rejects a repeated switch as unknown', () => {
    assert.equal(error('put -delete -delete a')?.message, "Unknown switch 'delete'.");
  });

  it('rejects switches of switch-less commands up front', () => {
    assert.equal(error('ls -la')?.message, "Unknown switch 'la'.");
    assert.equal(error('put -nonewer a')?.message, "Unknown switch 'nonewer'.");
    assert.equal(error('synchronize remote -resume')?.message, "Unknown switch 'resume'.");
  });

  it('lets -rawsettings swallow the parameters after it', () => {
    const n = cmd('open sftp://h/ -rawsettings ProxyMethod=3 ProxyHost=p');
    assert.deepEqual(n.params.map((p) => p.value), ['sftp://h/']);
    assert.deepEqual(n.switches[0]!.list.map((p) => p.value), ['ProxyMethod=3', 'ProxyHost=p']);
  });

  it('limits a list switch by its count', () => {
    const n = cmd('get -rawtransfersettings=2 A=1 B=2 x.txt');
    assert.deepEqual(n.switches[0]!.list.map((p) => p.value), ['A=1', 'B=2']);
    assert.deepEqual(n.params.map((p) => p.value), ['x.txt']);
    const m = cmd('get -rawtransfersettings[1] A=1 x.txt');
    assert.deepEqual(m.params.map((p) => p.value), ['x.txt']);
  });

  it('leaves get without a source when the list switch took it (the trap of §6.2)', () => {
    assert.equal(error('get -rawtransfersettings A=1 file.txt')?.message, "Missing parameter for command 'get'.");
  });

  it('counts consumed parameters toward the maximum', () => {
    assert.equal(error('keepuptodate -rawtransfersettings A=1 B=2 C=3')?.message, "Too many parameters for command 'keepuptodate'.");
  });

  it('checks switch values statically', () => {
    assert.equal(error('put -speed=fast a')?.message, "'fast' is not a valid integer value");
    assert.equal(error('put -permissions=9 a')?.message, "'9' is not valid permission in octal format.");
    assert.equal(error('put -transfer=x a')?.message, "Unknown value 'transfer' of option 'x'.");
    assert.equal(error('put -resumesupport=maybe a')?.message, "Unknown value 'resumesupport' of option 'maybe'.");
    assert.equal(error('open sftp://h -passive=maybe')?.message, "Invalid switch value 'maybe'. Valid values are 'on' and 'off'.");
    assert.equal(error('open sftp://h -timeout=abc')?.message, "'abc' is not a valid integer value");
    // `a` is ambiguous between ascii and automatic
    assert.equal(error('put -transfer=a a')?.message, "Unknown value 'transfer' of option 'a'.");
    assert.equal(error('put -transfer=asc a'), undefined);
  });

  it('carries file, line and column on every node', () => {
    const n = cmd('  put  -delete  "a b"');
    assert.deepEqual(n.span, { file: 's.txt', line: 7, column: 1, endColumn: 22 });
    assert.equal(n.switches[0]!.span.column, 8);
    assert.equal(n.params[0]!.span.column, 17);
  });
});

describe('raw remainder (§4.1)', () => {
  it('keeps quotes, inner spaces and all but one leading separator', () => {
    assert.equal(cmd('echo Hello   world').raw, 'Hello   world');
    assert.equal(cmd('echo "Hello"').raw, '"Hello"');
    assert.equal(cmd('echo    x').raw, '   x');
    assert.equal(cmd('echo').raw, '');
    assert.equal(cmd('echo -delete').raw, '-delete');
    assert.equal(cmd('call ls -la "x y"').raw, 'ls -la "x y"');
  });

  it('does not validate switches of echo and call', () => {
    assert.equal(error('echo -foo -foo'), undefined);
    assert.equal(error('call -x'), undefined);
    assert.equal(error('call')?.message, "Missing parameter for command 'call'.");
  });
});
