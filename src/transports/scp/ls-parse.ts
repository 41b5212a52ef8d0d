/**
 * Parser for the `ls -l` style listings an SCP session reads through the shell (WinSCP's SCP
 * file system lists directories with `ls -la` and parses its output; sync spec §2.1, §8.2).
 *
 * Two forms are understood:
 * - GNU coreutils `ls -la --full-time --quoting-style=c` (the form winscript asks for when the
 *   server's `ls` supports it): `-rw-r--r-- 1 u g 13 2021-05-06 07:08:09.123456789 +0000 "name"`.
 *   Names and link targets are C-quoted (`"we\nird \"q\" \303\274"`), so spaces, quotes,
 *   newlines and any byte survive; the time carries seconds and a UTC offset: precision 'full'.
 * - plain `ls -la` (any other `ls`): `-rw-r--r-- 1 u g 13 May  6 07:08 name` (MDHM, year
 *   guessed) or `... May  6  2020 name` (MDY). Names are taken literally up to the end of the
 *   line, so a name containing a newline cannot be represented in this form (documented
 *   limitation of the fallback), and a symlink line is split at the first ` -> `.
 *   `YYYY-MM-DD HH:MM` (long-iso) times are accepted too (YMDHM).
 *
 * The listing is requested with `TZ=UTC0`, so every time the server prints is UTC.
 *
 * Input is a byte-preserving (latin1) string; names, targets, owners and groups are decoded as
 * UTF-8 at the end, after C escapes (octal bytes) were resolved.
 */
import { rightsBits } from '../rights.js';
import type { Entry, EntryType, TimePrecision } from '../transport.js';

/** Which listing form a line is in. */
export type LsStyle = 'full' | 'plain';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Type letter, nine permission letters, optional ACL/SELinux marker. */
const PERMS = String.raw`([-dlcbpsDnw?])([-r?][-w?][-xsS?][-r?][-w?][-xsS?][-r?][-w?][-xtT?])[.+@]?`;
/** Links, owner, group, size (or `major, minor` for devices). */
const COLUMNS = String.raw`\s+(\d+)\s+(\S+)\s+(\S+)\s+(?:\d+,\s*)?(\d+)`;
const FULL_TIME = String.raw`(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? ([+-])(\d\d)(\d\d)`;

const FULL_LINE = new RegExp(`^${PERMS}${COLUMNS}\\s+(${FULL_TIME}) (.*)$`);
const PLAIN_LINE = new RegExp(
  `^${PERMS}${COLUMNS}\\s+((?:([A-Za-z]{3})\\s+(\\d{1,2})\\s+(?:(\\d{1,2}):(\\d\\d)|(\\d{4})))|(?:(\\d{4})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d))) (.*)$`,
);

function typeOf(c: string): EntryType {
  if (c === '-') return 'file';
  if (c === 'd') return 'dir';
  if (c === 'l') return 'symlink';
  return 'other';
}

/** latin1 "byte string" -> UTF-8 text. */
function utf8(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', e: '\x1b' };

/**
 * Reads a C-quoted string (`"..."` with `\n`, `\"`, `\\`, `\ooo` escapes) starting at `pos`
 * (which must be the opening quote). Returns the raw bytes (as latin1) and the index after the
 * closing quote, or undefined when the text is not a complete quoted string.
 */
export function readCQuoted(s: string, pos: number): { value: string; end: number } | undefined {
  if (s[pos] !== '"') return undefined;
  let out = '';
  for (let i = pos + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) return undefined;
    if (n >= '0' && n <= '7') {
      let digits = n;
      while (digits.length < 3 && s[i + 1] !== undefined && s[i + 1]! >= '0' && s[i + 1]! <= '7') digits += s[++i];
      out += String.fromCharCode(parseInt(digits, 8) & 0xff);
    } else out += C_ESCAPES[n] ?? n;
  }
  return undefined;
}

/** Splits the name part of a `--quoting-style=c` line: `"name"` or `"link" -> "target"`. */
function splitQuotedName(rest: string): { name: string; target?: string } | undefined {
  const n = readCQuoted(rest, 0);
  if (!n) return undefined;
  const tail = rest.slice(n.end);
  if (tail === '') return { name: n.value };
  if (!tail.startsWith(' -> ')) return undefined;
  const t = readCQuoted(tail, 4);
  // An unquoted target (should not happen with --quoting-style=c) is taken literally.
  return { name: n.value, target: t ? t.value : tail.slice(4) };
}

/** Options for year guessing in plain listings. */
export interface ParseOptions {
  /** "Now" for year guessing of `Mon DD HH:MM` times (default: the current time). */
  now?: Date;
}

/**
 * Year guessing for MDHM times (sync spec §2.1): the current year, unless that puts the date in
 * the future (later month, or same month and later day), then the previous year. UTC, because
 * the listing was produced with TZ=UTC0.
 */
export function guessYear(month: number, day: number, now: Date): number {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (month > m || (month === m && day > now.getUTCDate())) return y - 1;
  return y;
}

/**
 * Parses one listing line. Returns undefined for lines that are not entries (`total 16`, blank
 * lines, garbage). `.` and `..` are returned like any other entry; `parseListing` drops them.
 */
export function parseLsLine(line: string, style: LsStyle, opts: ParseOptions = {}): Entry | undefined {
  if (style === 'full') {
    const m = FULL_LINE.exec(line);
    if (!m) return undefined;
    const [, t, perms, links, owner, group, size, rawTime, Y, Mo, D, h, mi, s, sign, oh, om, rest] = m as unknown as string[];
    const names = splitQuotedName(rest!);
    if (!names) return undefined;
    const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
    const mtime = Date.UTC(Number(Y), Number(Mo) - 1, Number(D), Number(h), Number(mi), Number(s)) - offset;
    return build(t!, perms!, links!, owner!, group!, size!, names, mtime, 'full', rawTime!);
  }
  return parsePlainLine(line, opts);
}

function parsePlainLine(line: string, opts: ParseOptions): Entry | undefined {
  const m = PLAIN_LINE.exec(line);
  if (!m) return undefined;
  const [, t, perms, links, owner, group, size, rawTime, mon, day, hh, mm, year, iy, imo, id, ih, imi, rest] = m as unknown as (string | undefined)[];
  let mtime: number;
  let precision: TimePrecision;
  if (iy !== undefined) {
    mtime = Date.UTC(Number(iy), Number(imo) - 1, Number(id), Number(ih), Number(imi));
    precision = 'ymdhm';
  } else {
    const month = MONTHS.indexOf(mon!.toLowerCase());
    if (month < 0) return undefined;
    const d = Number(day);
    if (year !== undefined) {
      // compat: a date-only time is taken as local midnight of the listed date, so that
      // reduceTime(…, 'mdy') (local calendar days) keeps the date the server printed.
      mtime = new Date(Number(year), month, d).getTime();
      precision = 'mdy';
    } else {
      const y = guessYear(month, d, opts.now ?? new Date());
      mtime = Date.UTC(y, month, d, Number(hh), Number(mm));
      precision = 'mdhm';
    }
  }
  let names: { name: string; target?: string } = { name: rest! };
  if (t === 'l') {
    const i = rest!.indexOf(' -> ');
    if (i >= 0) names = { name: rest!.slice(0, i), target: rest!.slice(i + 4) };
  }
  return build(t!, perms!, links!, owner!, group!, size!, names, mtime, precision, rawTime!);
}

function build(
  t: string,
  perms: string,
  links: string,
  owner: string,
  group: string,
  size: string,
  names: { name: string; target?: string },
  mtime: number,
  precision: TimePrecision,
  rawTime: string,
): Entry {
  const e: Entry = {
    name: utf8(names.name),
    type: typeOf(t),
    size: Number(size),
    mtime,
    precision,
    rawTime,
    mode: rightsBits(perms),
    owner: utf8(owner),
    group: utf8(group),
    links: Number(links),
  };
  if (e.type === 'symlink' && names.target !== undefined) e.linkTarget = utf8(names.target);
  return e;
}

/**
 * Parses a whole `ls -la` output (bytes as latin1 string, or a Buffer). Lines that are not
 * entries are skipped; `.` and `..` are dropped.
 */
export function parseListing(text: string | Buffer, style: LsStyle, opts: ParseOptions = {}): Entry[] {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  const out: Entry[] = [];
  for (const line of s.split('\n')) {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    const e = parseLsLine(l, style, opts);
    if (e && e.name !== '.' && e.name !== '..') out.push(e);
  }
  return out;
}
