/**
 * FTP LIST time handling (sync spec §8.3): the time-zone offset from one file's MDTM, and the
 * remembered upload times that give later listings the exact time. Times are built as local
 * wall-clock times, as LIST times are read, so the tests hold in any time zone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListedEntry } from '../../src/transports/ftp/list-parse.js';
import { FtpSessionTimes, offsetFromFile, shiftable } from '../../src/transports/ftp/times.js';

const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime();
const H = 3600_000;
const file = (name: string, mtime: number, precision: ListedEntry['precision']): ListedEntry => ({ name, type: 'file', size: 1, mtime, precision });

describe('offset detection', () => {
  const now = local(2026, 12, 1, 18, 0);
  it('MDTM reduced to the listing precision minus the LIST time', () => {
    // The server lists 10:05 (its own clock), MDTM says the instant is 10:05:37 local + 2 h.
    const listed = { mtime: local(2026, 12, 1, 10, 5), precision: 'mdhm' as const };
    assert.equal(offsetFromFile(listed, local(2026, 12, 1, 12, 5, 37), now), 2 * H);
    assert.equal(offsetFromFile(listed, local(2026, 12, 1, 10, 5, 59), now), 0);
  });
  it('a time in the future: try another file; 48 h or more: not a time zone', () => {
    const listed = { mtime: local(2026, 12, 1, 10, 5), precision: 'mdhm' as const };
    assert.equal(offsetFromFile(listed, now + 60_000, now), 'future');
    assert.equal(offsetFromFile(listed, local(2026, 11, 28, 10, 5), now), undefined);
  });
  it('only minute precision or better is shifted', () => {
    assert.deepEqual((['full', 'ymdhm', 'mdhm', 'mdy', 'none'] as const).map(shiftable), [true, true, true, false, false]);
  });
});

describe('FtpSessionTimes', () => {
  it('candidates: regular files with minute precision, in listing order', () => {
    const t = new FtpSessionTimes(true);
    const list: ListedEntry[] = [
      { name: 'd', type: 'dir', size: 0, mtime: local(2026, 12, 1, 1), precision: 'mdhm' },
      file('old', local(2021, 5, 6), 'mdy'),
      { name: 'l', type: 'symlink', size: 1, mtime: local(2026, 12, 1, 1), precision: 'mdhm' },
      file('a', local(2026, 12, 1, 1), 'mdhm'),
      { ...file('m', local(2026, 12, 1, 1), 'full'), utc: true },
      file('b', local(2026, 12, 1, 2), 'mdhm'),
    ];
    assert.deepEqual(t.candidates(list).map((e) => e.name), ['a', 'b']);
  });

  it('the offset shifts minute-precision LIST times, not day-only or UTC ones', () => {
    const t = new FtpSessionTimes(false);
    t.offset = -2 * H;
    const list = [file('m', local(2026, 12, 1, 10, 5), 'mdhm'), file('d', local(2021, 5, 6), 'mdy'), { ...file('u', 1000, 'full'), utc: true }];
    assert.deepEqual(t.adjust('/x', list), []);
    assert.deepEqual(list.map((e) => e.mtime), [local(2026, 12, 1, 8, 5), local(2021, 5, 6), 1000]);
  });

  it('a remembered upload time upgrades a matching entry to full precision', () => {
    const t = new FtpSessionTimes(false);
    const exact = local(2026, 12, 1, 10, 5, 37) + 456;
    t.remember('/x/a.txt.filepart', exact);
    t.moved('/x/a.txt.filepart', '/x/a.txt');
    assert.equal(t.uploads.get('/x/a.txt'), local(2026, 12, 1, 10, 5, 37), 'whole seconds, under the final name');
    const e = file('a.txt', local(2026, 12, 1, 10, 5), 'mdhm');
    t.adjust('/x', [e]);
    assert.deepEqual([e.mtime, e.precision], [local(2026, 12, 1, 10, 5, 37), 'full']);
    // day precision matches too
    t.remember('/x/old.txt', local(2021, 5, 6, 7, 8, 9));
    const o = file('old.txt', local(2021, 5, 6), 'mdy');
    t.adjust('/x', [o]);
    assert.deepEqual([o.mtime, o.precision], [local(2021, 5, 6, 7, 8, 9), 'full']);
  });

  it('a changed file (the listing disagrees) forgets the remembered time', () => {
    const t = new FtpSessionTimes(false);
    t.remember('/x/a.txt', local(2026, 12, 1, 10, 5, 37));
    const e = file('a.txt', local(2026, 12, 1, 11, 0), 'mdhm');
    t.adjust('/x', [e]);
    assert.deepEqual([e.mtime, e.precision], [local(2026, 12, 1, 11, 0), 'mdhm']);
    assert.ok(!t.uploads.has('/x/a.txt'));
  });

  it('with an offset, the remembered time is compared as the server shows it (also day-only)', () => {
    const t = new FtpSessionTimes(false);
    t.offset = -5 * H; // the server's clock reads 5 h ahead of ours
    t.remember('/x/m.txt', local(2026, 12, 1, 10, 5, 37));
    t.remember('/x/d.txt', local(2021, 5, 6, 22, 30)); // 03:30 on May 7 by the server's clock
    const m = file('m.txt', local(2026, 12, 1, 15, 5), 'mdhm');
    const d = file('d.txt', local(2021, 5, 7), 'mdy');
    t.adjust('/x', [m, d]);
    assert.deepEqual([m.mtime, m.precision, d.mtime, d.precision], [local(2026, 12, 1, 10, 5, 37), 'full', local(2021, 5, 6, 22, 30), 'full']);
  });

  it('while the offset is unknown a mismatch is left to an exact MDTM check', () => {
    const t = new FtpSessionTimes(true);
    t.remember('/x/d.txt', local(2021, 5, 6, 22, 30));
    const d = file('d.txt', local(2021, 5, 7), 'mdy');
    const [u] = t.adjust('/x', [d]);
    assert.ok(u && u.entry === d && t.uploads.has('/x/d.txt'));
    t.confirm(u, local(2021, 5, 6, 22, 30) + 999);
    assert.deepEqual([d.mtime, d.precision], [local(2021, 5, 6, 22, 30), 'full']);
    const other = file('d.txt', local(2021, 5, 7), 'mdy');
    const [u2] = t.adjust('/x', [other]);
    t.confirm(u2!, local(2021, 5, 6, 22, 31));
    assert.equal(other.precision, 'mdy');
    assert.ok(!t.uploads.has('/x/d.txt'));
  });

  it('forget and a rename onto a remembered name drop it', () => {
    const t = new FtpSessionTimes(false);
    t.remember('/x/a', 5000);
    t.remember('/x/b', 7000);
    t.moved('/x/c', '/x/a');
    assert.ok(!t.uploads.has('/x/a'));
    t.forget('/x/b');
    assert.equal(t.uploads.size, 0);
  });
});
