import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeScript, splitLines } from '../../../grammar/source.js';

describe('script file decoding (§2.1) and line splitting (§2.2)', () => {
  it('decodes UTF-8 without BOM', () => {
    const r = decodeScript(Buffer.from('echo héllo\n', 'utf8'));
    assert.deepEqual(r, { ok: true, text: 'echo héllo\n' });
  });

  it('removes a UTF-8 BOM', () => {
    const r = decodeScript(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('echo x', 'utf8')]));
    assert.deepEqual(r, { ok: true, text: 'echo x' });
  });

  it('decodes UTF-16LE and UTF-16BE with BOM', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('echo ü\r\n', 'utf16le')]);
    assert.deepEqual(decodeScript(le), { ok: true, text: 'echo ü\r\n' });
    const be = Buffer.from('echo ü', 'utf16le').swap16();
    assert.deepEqual(decodeScript(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), { ok: true, text: 'echo ü' });
  });

  it('rejects invalid UTF-8 with the decoder error and WinSCP\'s line', () => {
    const r = decodeScript(Buffer.from([0x65, 0x63, 0x68, 0x6f, 0x20, 0xe9, 0x0a]));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.lines.length, 2);
      assert.equal(r.lines[1], 'The file must be in UTF-8 or UTF-16 encoding.');
    }
  });

  it('splits on LF, CR and CRLF in any mix without an extra last line', () => {
    assert.deepEqual(splitLines('a\r\nb\rc\nd'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitLines('a\r\n'), ['a']);
    assert.deepEqual(splitLines('a\n\nb\n'), ['a', '', 'b']);
    assert.deepEqual(splitLines(''), []);
  });

  it('does not trim lines', () => {
    assert.deepEqual(splitLines('  echo x  \n'), ['  echo x  ']);
  });
});
