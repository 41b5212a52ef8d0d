/**
 * FTP listing parsers against raw listings (fixtures/listings): vsftpd's `LIST -a` as captured
 * from the test server, hand-written DOS/IIS and MLSD listings; time precision, year guessing
 * and the server's time text kept in `rawTime`. Expected times are built as local wall-clock
 * times, as LIST times are read, so the tests hold in any time zone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.js';
import {
  formatMlsxTime,
  guessYear,
  type ListedEntry,
  parseDosLine,
  parseListing,
  parseMlsxLine,
  parseMlsxTime,
  parseRights,
  parseUnixLine,
} from '../../src/transports/ftp/list-parse.js';

/** The fixtures next to the compiled tests' project, or (a build outside it) under the cwd. */
const FIXTURES = [path.join(ROOT, 'fixtures/listings'), path.join(process.cwd(), 'fixtures/listings')].find((d) => fs.existsSync(d)) ?? path.join(ROOT, 'fixtures/listings');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
/** When vsftpd-list-a.txt was captured (its `Mmm dd hh:mm` lines are from that day). */
const CAPTURED = new Date('2026-12-01T18:51:29Z');
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime();
const byName = (list: ListedEntry[]) => new Map(list.map((e) => [e.name, e]));

describe('vsftpd LIST -a (captured)', () => {
  const entries = parseListing(fixture('vsftpd-list-a.txt'), 'list', CAPTURED);
  const m = byName(entries);

  it('reads every line, drops . and .., keeps hidden files', () => {
    assert.equal(entries.length, 19);
    assert.ok(!m.has('.') && !m.has('..'));
    assert.ok(m.has('.hidden'));
  });

  it('recent files: Mmm dd hh:mm is minute precision in the guessed (current) year', () => {
    const e = m.get('recent.txt')!;
    assert.deepEqual(
      { type: e.type, size: e.size, precision: e.precision, rawTime: e.rawTime, mtime: e.mtime, mode: e.mode, links: e.links, owner: e.owner, group: e.group },
      { type: 'file', size: 5, precision: 'mdhm', rawTime: 'Dec 01 16:51', mtime: local(2026, 12, 1, 16, 51), mode: 0o644, links: 1, owner: '993', group: '0' },
    );
    assert.equal(m.get('five-months.txt')!.mtime, local(2026, 7, 4, 18, 51));
    assert.equal(m.get('five-months.txt')!.precision, 'mdhm');
  });

  it('old and future files: Mmm dd  yyyy is day precision', () => {
    const old = m.get('old.txt')!;
    assert.equal(old.precision, 'mdy');
    assert.equal(old.rawTime, 'May 06  2021');
    assert.equal(old.mtime, local(2021, 5, 6));
    assert.equal(m.get('future.txt')!.mtime, local(2028, 1, 5));
    assert.equal(m.get('seven-months.txt')!.rawTime, 'May 05  2026');
    assert.equal(m.get('sticky')!.mtime, local(2020, 1, 2));
  });

  it('names: spaces, UTF-8, a leading space, " -> " in a file name, date-like text', () => {
    for (const n of ['name with spaces ü€.txt', ' leading space', 'a -> b', 'Dec 01 10:00 looks like a date']) {
      assert.equal(m.get(n)?.type, 'file', n);
      assert.equal(m.get(n)?.size, 1, n);
    }
    assert.equal(m.get('Dec 01 10:00 looks like a date')!.rawTime, 'Dec 01 18:50');
  });

  it('symlinks keep their target text; directories, modes with special bits, big sizes', () => {
    assert.deepEqual([m.get('link')!.type, m.get('link')!.linkTarget], ['symlink', 'recent.txt']);
    assert.equal(m.get('dirlink')!.linkTarget, 'sub dir');
    assert.equal(m.get('broken')!.linkTarget, 'missing-target');
    assert.equal(m.get('sub dir')!.type, 'dir');
    assert.equal(m.get('sticky')!.mode, 0o1777);
    assert.equal(m.get('setuid')!.mode, 0o4755);
    assert.equal(m.get('private')!.mode, 0o600);
    assert.equal(m.get('sparse-5g.bin')!.size, 5368709120);
    assert.equal(m.get('empty')!.size, 0);
  });

  it('keepDots returns . and .. (the directory and its parent)', () => {
    const all = parseListing(fixture('vsftpd-list-a.txt'), 'list', CAPTURED, true);
    assert.deepEqual(all.filter((e) => e.name === '.' || e.name === '..').map((e) => [e.name, e.type, e.group]), [
      ['.', 'dir', '0'],
      ['..', 'dir', '992'],
    ]);
    assert.deepEqual(parseListing(fixture('vsftpd-list-a-empty.txt'), 'list', CAPTURED), []);
  });

  it('plain LIST has no hidden files and no . or ..', () => {
    const plain = byName(parseListing(fixture('vsftpd-list.txt'), 'list', CAPTURED));
    assert.equal(plain.size, 18);
    assert.ok(!plain.has('.hidden'));
  });

  it('the year of Mmm dd hh:mm is the previous one when the date would be in the future', () => {
    const jan = byName(parseListing(fixture('vsftpd-list-a.txt'), 'list', new Date(2027, 0, 15)));
    assert.equal(jan.get('recent.txt')!.mtime, local(2026, 12, 1, 16, 51));
    assert.equal(jan.get('five-months.txt')!.mtime, local(2026, 7, 4, 18, 51));
    const nov30 = byName(parseListing(fixture('vsftpd-list-a.txt'), 'list', new Date(2026, 10, 30, 23, 0)));
    assert.equal(nov30.get('recent.txt')!.mtime, local(2025, 12, 1, 16, 51));
  });
});

describe('guessYear (sync spec §2.1)', () => {
  const now = new Date(2026, 5, 15, 12, 0); // 15 June 2026
  it('current year unless the month is later, or the same month with a later day', () => {
    assert.equal(guessYear(5, 15, now), 2026); // same day
    assert.equal(guessYear(5, 14, now), 2026);
    assert.equal(guessYear(5, 16, now), 2025);
    assert.equal(guessYear(6, 1, now), 2025);
    assert.equal(guessYear(0, 1, now), 2026);
    assert.equal(guessYear(11, 31, now), 2025);
  });
});

describe('other ls -l forms', () => {
  const now = new Date(2026, 11, 1, 12, 0);
  it('time with a year, full-time with seconds, long-iso, day-first, no group, devices', () => {
    const a = parseUnixLine('-rw-r--r--   1 user  group   12 Mar  5 09:07 2025 x.txt', now)!;
    assert.deepEqual([a.precision, a.mtime, a.rawTime], ['ymdhm', local(2025, 3, 5, 9, 7), 'Mar  5 09:07 2025']);
    const b = parseUnixLine('-rw-r--r--   1 user  group   12 Mar  5 09:07:03 2025 y.txt', now)!;
    assert.deepEqual([b.precision, b.mtime], ['full', local(2025, 3, 5, 9, 7, 3)]);
    const c = parseUnixLine('-rw-r--r-- 1 user group 12 2025-03-05 09:07 z z.txt', now)!;
    assert.deepEqual([c.name, c.precision, c.mtime], ['z z.txt', 'ymdhm', local(2025, 3, 5, 9, 7)]);
    const d = parseUnixLine('-rw-r--r-- 1 user group 12 2025-03-05 09:07:03.123456789 +0100 iso.txt', now)!;
    assert.deepEqual([d.name, d.precision], ['iso.txt', 'full']);
    const e = parseUnixLine('-rw-r--r-- 1 user group 12 05 Mar 2025 dmy.txt', now)!;
    assert.deepEqual([e.name, e.precision, e.mtime], ['dmy.txt', 'mdy', local(2025, 3, 5)]);
    const f = parseUnixLine('-rw-r--r-- 1 owner 4096 Nov 30 10:00 nogroup', now)!;
    assert.deepEqual([f.owner, f.group, f.size, f.links], ['owner', undefined, 4096, 1]);
    const g = parseUnixLine('crw-rw-rw- 1 root root 1, 3 Nov 30 10:00 null', now)!;
    assert.deepEqual([g.type, g.name], ['other', 'null']);
    assert.equal(parseUnixLine('total 12', now), undefined);
  });
});

describe('DOS / IIS listings', () => {
  it('MM-DD-YY hh:mmAM with <DIR>; 12 AM and 12 PM; YYYY-MM-DD', () => {
    const m = byName(parseListing(fixture('synthetic-dos.txt'), 'list'));
    assert.deepEqual([m.get('sub dir')!.type, m.get('sub dir')!.mtime], ['dir', local(2026, 12, 1, 18, 36)]);
    assert.deepEqual([m.get('old.txt')!.size, m.get('old.txt')!.mtime, m.get('old.txt')!.precision], [3, local(2021, 5, 6, 7, 8), 'ymdhm']);
    assert.equal(m.get('midnight.txt')!.mtime, local(2026, 12, 1, 0, 5));
    assert.equal(m.get('noon.txt')!.mtime, local(2026, 12, 1, 12, 30));
    assert.equal(m.get('iso.txt')!.mtime, local(2026, 11, 30, 23, 59));
    assert.equal(parseDosLine('not a listing line'), undefined);
  });
});

describe('MLSD / MLST', () => {
  it('facts: UTC times with full precision, cdir/pdir dropped, symlinks, missing modify', () => {
    const list = parseListing(fixture('synthetic-mlsd.txt'), 'mlsd');
    const m = byName(list);
    assert.equal(list.length, 5);
    const r = m.get('recent.txt')!;
    assert.deepEqual([r.type, r.size, r.mtime, r.precision, r.utc, r.mode, r.owner, r.group], ['file', 5, Date.UTC(2026, 11, 1, 16, 51, 25), 'full', true, 0o644, 'alice', 'staff']);
    assert.equal(m.get('old file.txt')!.mtime, Date.UTC(2021, 4, 6, 7, 8, 9, 123));
    assert.deepEqual([m.get('sticky')!.type, m.get('sticky')!.mode], ['dir', 0o1777]);
    assert.deepEqual([m.get('link')!.type, m.get('link')!.linkTarget], ['symlink', '/srv/target']);
    assert.deepEqual([m.get('no-time')!.precision, m.get('no-time')!.mtime], ['none', undefined]);
    assert.equal(parseMlsxLine('type=pdir; ..'), undefined);
  });

  it('MDTM/MFMT times both ways', () => {
    assert.equal(parseMlsxTime('20210506070809'), Date.UTC(2021, 4, 6, 7, 8, 9));
    assert.equal(parseMlsxTime('20210506070809.5'), Date.UTC(2021, 4, 6, 7, 8, 9, 500));
    assert.equal(parseMlsxTime('2021-05-06'), undefined);
    assert.equal(formatMlsxTime(Date.UTC(2021, 4, 6, 7, 8, 9, 999)), '20210506070809');
  });
});

describe('permission strings', () => {
  it('rwx with s/S/t/T', () => {
    assert.equal(parseRights('rwxr-xr-x'), 0o755);
    assert.equal(parseRights('rwsr-sr-t'), 0o7755);
    assert.equal(parseRights('rwSr-Sr-T'), 0o7644);
    assert.equal(parseRights('bogus!!!!'), undefined);
  });
});
