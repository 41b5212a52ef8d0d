import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskAllows, parseFileMask, singleMaskMatch } from '../../../src/masks/file-mask.js';
import { MaskError, nameMaskMatch, windowsWildcardMatch } from '../../../src/masks/wildcard.js';

const DAY = 86_400_000;
const NOW = new Date(2025, 2, 14, 12, 0, 0);
function allows(mask: string, item: { path: string; dir?: boolean; size?: number; mtime?: number }, root?: string): boolean {
  const i = item.path.lastIndexOf('/');
  return maskAllows(parseFileMask(mask, NOW), { name: item.path.slice(i + 1), dirPath: i <= 0 ? '/' : item.path.slice(0, i), isDir: item.dir ?? false, size: item.size, mtime: item.mtime }, { root });
}

describe('file masks: worked examples (sync spec §1.12)', () => {
  it('file elements never affect directories', () => assert.ok(allows('*.txt', { path: '/a/docs', dir: true })));
  it('*.txt needs a dot', () => assert.ok(!allows('*.txt', { path: '/a/README' })));
  it('*.* matches dot-less names', () => assert.ok(allows('*.*', { path: '/a/README' })));
  it('*. matches names without a dot', () => {
    assert.ok(allows('*.', { path: '/a/README' }));
    assert.ok(!allows('*.', { path: '/a/.htaccess' }));
  });
  it('|*/ excludes every directory', () => assert.ok(!allows('|*/', { path: '/a/sub', dir: true })));
  it('directory include masks match ancestors', () => {
    assert.ok(allows('images/', { path: '/a/images/x', dir: true }));
    assert.ok(!allows('images/', { path: '/a/other', dir: true }));
    assert.ok(allows('images/', { path: '/a/readme.txt' }));
    assert.ok(allows('*.jpg;images/', { path: '/a/images/p.jpg' }));
  });
  it('size bounds', () => {
    assert.ok(!allows('*.log>=1K<1M', { path: '/a.log', size: 500 }));
    assert.ok(allows('*.log>=1K<1M', { path: '/a.log', size: 1024 }));
    assert.ok(!allows('*.log>=1K<1M', { path: '/a.log', size: 1024 * 1024 }));
    assert.ok(allows('*.bin>1M', { path: '/x.bin', size: 1024 * 1024 + 1 }));
    assert.ok(!allows('*.bin>1M', { path: '/x.bin', size: 1024 * 1024 }));
    assert.ok(allows('>20240101', { path: '/x', size: 20_240_102 }));
    assert.ok(!allows('>20240101', { path: '/x', size: 100, mtime: NOW.getTime() }));
  });
  it('exclusion is case-insensitive and wins', () => {
    assert.ok(!allows('|*.bak', { path: '/X.BAK' }));
    assert.ok(!allows('*.txt|secret*', { path: '/secret.txt' }));
    assert.ok(allows('*.txt|secret*', { path: '/public.TXT' }));
  });
  it('time bounds: absolute and relative', () => {
    assert.ok(!allows('>2024-01-01', { path: '/x', mtime: new Date(2023, 11, 31, 23, 59).getTime() }));
    assert.ok(allows('>2024-01-01', { path: '/x', mtime: new Date(2024, 0, 1, 0, 1).getTime() }));
    assert.ok(allows('<1D', { path: '/x', mtime: NOW.getTime() - 2 * DAY }));
    assert.ok(!allows('<1D', { path: '/x', mtime: NOW.getTime() - 1000 }));
    assert.ok(allows('>1D', { path: '/x', mtime: NOW.getTime() - 1000 }));
    assert.ok(allows('>=today', { path: '/x', mtime: new Date(2025, 2, 14, 0, 0).getTime() }));
    assert.ok(!allows('>=today', { path: '/x', mtime: new Date(2025, 2, 13, 23, 59).getTime() }));
  });
  it('a constraint-only element is a file element', () => assert.ok(allows('>1M', { path: '/big', dir: true })));
  it('path masks', () => {
    assert.ok(allows('/home/u/*.txt', { path: '/home/u/a.txt' }));
    assert.ok(!allows('/home/u/*.txt', { path: '/home/u/sub/a.txt' }));
    assert.ok(allows('/home/u/*/*.txt', { path: '/home/u/sub/deep/a.txt' }));
    assert.ok(allows('*/public_html/*.bak', { path: '/var/www/public_html/x.bak' }));
    assert.ok(!allows('public_html/*.bak', { path: '/var/www/public_html/x.bak' }));
  });
  it('./ path parts are relative to the operation root', () => {
    assert.ok(!allows('|./cache/', { path: '/var/www/cache', dir: true }, '/var/www'));
    assert.ok(allows('|./cache/', { path: '/var/www/sub/cache', dir: true }, '/var/www'));
    assert.ok(allows('./img/*.png', { path: '/var/www/img/a.png' }, '/var/www'));
    assert.ok(!allows('./img/*.png', { path: '/var/www/x/img/a.png' }, '/var/www'));
  });
  it('doubled delimiters are literals', () => {
    assert.ok(allows('report;;final.txt', { path: '/report;final.txt' }));
    assert.ok(allows('a||b', { path: '/a|b' }));
  });
  it('sets and ranges', () => {
    assert.ok(nameMaskMatch('file[[]1].txt', 'file[1].txt'));
    assert.ok(!nameMaskMatch('file[1].txt', 'file[1].txt'));
    assert.ok(nameMaskMatch('file[1].txt', 'file1.txt'));
    assert.ok(nameMaskMatch('[a-c]*', 'Beta'));
    assert.ok(nameMaskMatch('[!a-c]*', 'delta'));
    assert.ok(!nameMaskMatch('[!a-c]*', 'alpha'));
  });
  it('empty include part includes everything', () => {
    assert.ok(allows('|*.tmp', { path: '/a.txt' }));
    assert.ok(allows('', { path: '/a.txt' }));
    assert.ok(allows('  ;  ', { path: '/a.txt' }));
  });
});

describe('file masks: errors (§1.8)', () => {
  const bad = (m: string, fragment: string) => assert.throws(() => parseFileMask(m), (e: unknown) => e instanceof MaskError && e.message === `Mask is invalid near '${fragment}'.`, m);
  it('rejects a second |', () => bad('a|b|c', 'c'));
  it('rejects constraints on directory masks', () => bad('dir/>1K', 'dir/>1K'));
  it('rejects duplicate bounds of one kind and direction', () => bad('*.x>1K>2K', '>2K'));
  it('rejects invalid size values', () => bad('*>abc', '>abc'));
  it('rejects an unterminated set', () => assert.throws(() => parseFileMask('[abc'), MaskError));
  it('accepts size and time bounds together', () => assert.doesNotThrow(() => parseFileMask('*.log>1M<7D')));
});

describe('single-mask mode (§1.10)', () => {
  it('matches one element, name only; never . or ..', () => {
    assert.ok(singleMaskMatch('*.txt', 'a.txt'));
    assert.ok(singleMaskMatch('a;b', 'a;b'));
    assert.ok(!singleMaskMatch('*', '..'));
    assert.ok(singleMaskMatch('*.log>1K', 'x.log', 2000));
    assert.ok(!singleMaskMatch('*.log>1K', 'x.log', 10));
    assert.ok(!singleMaskMatch('a\\*', 'a\\b'));
  });
});

describe('Windows wildcards (M3)', () => {
  it('supports * and ? only, case-insensitively, [ literal', () => {
    assert.ok(windowsWildcardMatch('*.CSV', 'a.csv'));
    assert.ok(windowsWildcardMatch('a?c', 'abc'));
    assert.ok(windowsWildcardMatch('[x]', '[x]'));
    assert.ok(!windowsWildcardMatch('[x]', 'x'));
    assert.ok(windowsWildcardMatch('*.*', 'noext'));
  });
});
