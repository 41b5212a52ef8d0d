/**
 * Unit tests for the SCP listing parser (src/transports/scp/ls-parse.ts): GNU
 * `ls -la --full-time --quoting-style=c` lines, plain `ls -la` lines with their year/time
 * forms, symlinks, special permission bits, devices and odd names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rightsBits } from '../../src/transports/rights.js';
import { guessYear, parseListing, parseLsLine, readCQuoted } from '../../src/transports/scp/ls-parse.js';
import { parseProbe, PROBE_COMMAND } from '../../src/transports/scp.js';

/** A listing line as the shell sends it: UTF-8 bytes read as latin1. */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('scp ls parser: GNU --full-time --quoting-style=c', () => {
  it('parses a regular file with full precision and the UTC offset', () => {
    const e = parseLsLine('-rw-r----- 1 alice staff 6 2021-05-06 07:08:09.123456789 +0000 "a.txt"', 'full')!;
    assert.deepEqual(e, {
      name: 'a.txt',
      type: 'file',
      size: 6,
      mtime: Date.UTC(2021, 4, 6, 7, 8, 9),
      precision: 'full',
      rawTime: '2021-05-06 07:08:09.123456789 +0000',
      mode: 0o640,
      owner: 'alice',
      group: 'staff',
      links: 1,
    });
  });

  it('applies a non-UTC offset', () => {
    const e = parseLsLine('-rw-r--r-- 1 u g 1 2021-05-06 09:08:09.000000000 +0200 "x"', 'full')!;
    assert.equal(e.mtime, Date.UTC(2021, 4, 6, 7, 8, 9));
    const w = parseLsLine('-rw-r--r-- 1 u g 1 2021-05-05 23:38:09.000000000 -0730 "x"', 'full')!;
    assert.equal(w.mtime, Date.UTC(2021, 4, 6, 7, 8, 9));
  });

  it('decodes C-quoted names: spaces, quotes, backslashes, newlines, octal UTF-8 bytes', () => {
    const e = parseLsLine(String.raw`-rw-r--r-- 1 root root 1 2026-12-01 18:34:59.246918787 +0000 "we\nird \"q\" \303\274 \\ \t end"`, 'full')!;
    assert.equal(e.name, 'we\nird "q" ü \\ \t end');
    const spaces = parseLsLine('-rw-r--r-- 1 u g 1 2026-12-01 18:34:59.246918787 +0000 " lead and trail "', 'full')!;
    assert.equal(spaces.name, ' lead and trail ');
  });

  it('parses symlinks with their quoted target', () => {
    const e = parseLsLine(String.raw`lrwxrwxrwx 1 u g 11 2026-12-01 18:34:59.246918787 +0000 "my link" -> "dir/a \342\202\254 -> b"`, 'full')!;
    assert.equal(e.type, 'symlink');
    assert.equal(e.name, 'my link');
    assert.equal(e.linkTarget, 'dir/a € -> b');
    assert.equal(e.mode, 0o777);
  });

  it('parses directories and setuid/setgid/sticky bits', () => {
    assert.equal(parseLsLine('drwxrwxrwt 10 root root 4096 2026-12-01 18:34:59.246918787 +0000 "tmp"', 'full')!.mode, 0o1777);
    const d = parseLsLine('drwxr-sr-x 2 u g 4096 2026-12-01 18:34:59.246918787 +0000 "shared"', 'full')!;
    assert.equal(d.type, 'dir');
    assert.equal(d.mode, 0o2755);
    assert.equal(parseLsLine('-rwsr-xr-x 1 root root 9 2026-12-01 18:34:59.246918787 +0000 "su"', 'full')!.mode, 0o4755);
    assert.equal(parseLsLine('-rwSr-Sr-T 1 root root 9 2026-12-01 18:34:59.246918787 +0000 "odd"', 'full')!.mode, 0o7644);
  });

  it('accepts ACL / SELinux markers and device files', () => {
    const acl = parseLsLine('-rw-rw-r--+ 1 u g 3 2026-12-01 18:34:59.246918787 +0000 "acl"', 'full')!;
    assert.equal(acl.mode, 0o664);
    const se = parseLsLine('-rw-r--r--. 1 u g 3 2026-12-01 18:34:59.246918787 +0000 "se"', 'full')!;
    assert.equal(se.name, 'se');
    const dev = parseLsLine('crw-rw-rw- 1 root root 1, 3 2026-12-01 18:34:59.246918787 +0000 "null"', 'full')!;
    assert.equal(dev.type, 'other');
    assert.equal(dev.name, 'null');
    assert.equal(parseLsLine('prw-r--r-- 1 u g 0 2026-12-01 18:34:59.246918787 +0000 "fifo"', 'full')!.type, 'other');
  });

  it('parseListing skips "total", blank lines, . and ..', () => {
    const out = [
      'total 16',
      'drwxr-xr-x 2 u g 4096 2026-12-01 18:34:59.246918787 +0000 "."',
      'drwxr-xr-x 3 root root 4096 2026-12-01 18:34:58.522918822 +0000 ".."',
      '-rw-r----- 1 u g 6 2021-05-06 07:08:09.000000000 +0000 "a.txt"',
      String.raw`-rw-r--r-- 1 u g 1 2026-12-01 18:34:59.246918787 +0000 "\303\274.txt"`,
      '',
    ].join('\n');
    assert.deepEqual(
      parseListing(out, 'full').map((e) => e.name),
      ['a.txt', 'ü.txt'],
    );
  });

  it('readCQuoted stops at the closing quote and rejects unterminated strings', () => {
    assert.deepEqual(readCQuoted('"a\\"b" -> x', 0), { value: 'a"b', end: 6 });
    assert.equal(readCQuoted('"never closed', 0), undefined);
    assert.equal(readCQuoted('no quote', 0), undefined);
  });
});

describe('scp ls parser: plain ls -la', () => {
  const now = new Date(Date.UTC(2026, 11, 1, 18, 40));

  it('recent files: MDHM with the year guessed (this year)', () => {
    const e = parseLsLine('-rw-r--r-- 1 root root 1 Dec  1 18:34 file', 'plain', { now })!;
    assert.equal(e.precision, 'mdhm');
    assert.equal(e.mtime, Date.UTC(2026, 11, 1, 18, 34));
    assert.equal(e.rawTime, 'Dec  1 18:34');
    assert.equal(e.name, 'file');
  });

  it('a date later than today belongs to the previous year', () => {
    const e = parseLsLine('-rw-r--r-- 1 u g 1 Dec 24 09:05 xmas', 'plain', { now })!;
    assert.equal(e.mtime, Date.UTC(2025, 11, 24, 9, 5));
    assert.equal(guessYear(0, 1, now), 2026);
    assert.equal(guessYear(11, 2, now), 2025);
  });

  it('old files: MDY (date only, local midnight of the listed date)', () => {
    const e = parseLsLine('-rw-r----- 1 u g 6 May  6  2021 a.txt', 'plain', { now })!;
    assert.equal(e.precision, 'mdy');
    assert.equal(e.mtime, new Date(2021, 4, 6).getTime());
    assert.equal(e.rawTime, 'May  6  2021');
  });

  it('long-iso times are YMDHM', () => {
    const e = parseLsLine('-rw-r--r-- 1 u g 6 2021-05-06 07:08 iso name', 'plain', { now })!;
    assert.equal(e.precision, 'ymdhm');
    assert.equal(e.mtime, Date.UTC(2021, 4, 6, 7, 8));
    assert.equal(e.name, 'iso name');
  });

  it('names with spaces (leading too), UTF-8 bytes and symlinks', () => {
    assert.equal(parseLsLine(bytes('-rw-r--r-- 1 u g 1 Dec  1 18:34 a b ü.txt'), 'plain', { now })!.name, 'a b ü.txt');
    assert.equal(parseLsLine('-rw-r--r-- 1 u g 1 Dec  1 18:34  lead', 'plain', { now })!.name, ' lead');
    const l = parseLsLine('lrwxrwxrwx 1 root root 5 Dec  1 18:34 lnk -> a b.txt', 'plain', { now })!;
    assert.equal(l.type, 'symlink');
    assert.equal(l.name, 'lnk');
    assert.equal(l.linkTarget, 'a b.txt');
    // an arrow in a regular file's name is part of the name
    assert.equal(parseLsLine('-rw-r--r-- 1 u g 1 Dec  1 18:34 x -> y', 'plain', { now })!.name, 'x -> y');
  });

  it('devices, numeric owners and busybox-style columns', () => {
    const d = parseLsLine('brw-rw---- 1 0 6 8, 0 Nov 30 10:00 sda', 'plain', { now })!;
    assert.equal(d.type, 'other');
    assert.equal(d.owner, '0');
    assert.equal(d.name, 'sda');
    assert.equal(parseLsLine('drwxr-xr-x    2 1000     1000          4096 Nov 30 10:00 dir', 'plain', { now })!.type, 'dir');
  });

  it('ignores lines that are not entries', () => {
    assert.equal(parseLsLine('total 16', 'plain'), undefined);
    assert.equal(parseLsLine('ls: cannot access x', 'plain'), undefined);
    assert.equal(parseLsLine('', 'full'), undefined);
    // a plain line is not accepted where the full form is expected
    assert.equal(parseLsLine('-rw-r--r-- 1 u g 1 Dec  1 18:34 file', 'full'), undefined);
  });
});

describe('scp mode letters and the start-up probe', () => {
  it('rightsBits', () => {
    assert.equal(rightsBits('rw-r--r--'), 0o644);
    assert.equal(rightsBits('rwxr-x---'), 0o750);
    assert.equal(rightsBits('---------'), 0);
    assert.equal(rightsBits('rwsrwsrwt'), 0o7777);
  });

  it('parseProbe skips login-script noise before the marker', () => {
    assert.ok(PROBE_COMMAND.includes('--full-time'));
    assert.deepEqual(parseProbe('Welcome!\n@@winscript-scp-probe@@\n/home/u\ngnu\n'), { home: '/home/u', gnu: true });
    assert.deepEqual(parseProbe('@@winscript-scp-probe@@\n/\nplain\n'), { home: '/', gnu: false });
    assert.equal(parseProbe('nothing'), undefined);
  });
});
