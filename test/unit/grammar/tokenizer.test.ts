import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitWords } from '../../../grammar/parser.js';

const words = (s: string) => splitWords(s).map((w) => w.value);

describe('tokenizer (script spec §4)', () => {
  it('splits on spaces and tabs only, collapsing runs', () => {
    assert.deepEqual(words('put  a.txt   b/'), ['put', 'a.txt', 'b/']);
    assert.deepEqual(words('put\ta.txt\t\tb/'), ['put', 'a.txt', 'b/']);
    // CR and NBSP are ordinary characters
    assert.deepEqual(words('a\rb c\u00a0d'), ['a\rb', 'c\u00a0d']);
  });

  it('keeps spaces inside quotes and removes the quotes', () => {
    assert.deepEqual(words('put "my file.txt" /home/x/'), ['put', 'my file.txt', '/home/x/']);
    assert.deepEqual(words('"put" x'), ['put', 'x']);
  });

  it('opens and closes quotes in the middle of a token', () => {
    assert.deepEqual(words('ab"c d"e'), ['abc de']);
    assert.deepEqual(words('put -filemask="*.txt;*.bak" *'), ['put', '-filemask=*.txt;*.bak', '*']);
    assert.deepEqual(words('-filemask="|*.bak; *.tmp"x y'), ['-filemask=|*.bak; *.tmp' + 'x', 'y']);
  });

  it('reads "" as a literal quote inside and outside quotes', () => {
    assert.deepEqual(words('get "a ""b"" c"'), ['get', 'a "b" c']);
    assert.deepEqual(words('echo ""'), ['echo', '"']);
    assert.deepEqual(words('put "file with ""quotes"".txt"'), ['put', 'file with "quotes".txt']);
    assert.deepEqual(words('x""y'), ['x"y']);
  });

  it('gives backslash no meaning', () => {
    assert.deepEqual(words('put C:\\temp\\x.txt'), ['put', 'C:\\temp\\x.txt']);
    // "C:\dir\" is a folder: the backslash does not escape the closing quote
    assert.deepEqual(words('lcd "C:\\dir\\"'), ['lcd', 'C:\\dir\\']);
    // \" is a backslash followed by a quote toggle
    assert.deepEqual(words('a\\"b c"'), ['a\\b c']);
  });

  it('extends an unterminated quote to the end of the line and flags it', () => {
    const w = splitWords('cd "/dir with space');
    assert.deepEqual(w.map((x) => x.value), ['cd', '/dir with space']);
    assert.equal(w[1]!.unterminated, true);
    assert.equal(w[0]!.unterminated, false);
    // a lone quote at the end yields an empty argument
    assert.deepEqual(words('echo x "'), ['echo', 'x', '']);
  });

  it('treats single quotes as ordinary characters', () => {
    assert.deepEqual(words("put 'a b'"), ['put', "'a", "b'"]);
  });

  it('records offsets for columns', () => {
    const w = splitWords('  put  "a b"');
    assert.equal(w[0]!.start, 2);
    assert.equal(w[1]!.start, 7);
    assert.equal(w[1]!.end, 12);
  });

  it('returns no words for blank text', () => {
    assert.deepEqual(words(''), []);
    assert.deepEqual(words(' \t '), []);
  });
});
