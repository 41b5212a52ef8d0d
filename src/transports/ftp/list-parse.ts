/**
 * FTP directory listings: `ls -l`-style LIST lines (vsftpd, ProFTPD, Pure-FTPd...), DOS/IIS
 * LIST lines and MLSD/MLST facts, with honest time precision (sync spec §2.1, §8.2):
 *
 * - `Mmm dd hh:mm`  → `mdhm`, the year guessed: the current year unless the date would then lie
 *   in the future (later month, or same month and later day), else the previous year;
 * - `Mmm dd  yyyy`  → `mdy` (time of day 00:00);
 * - `Mmm dd hh:mm yyyy`, `yyyy-mm-dd hh:mm`, DOS `mm-dd-yy hh:mmAM` → `ymdhm`;
 * - times with seconds and a year (`ls --full-time`, `-T`) and MLSD `modify` facts → `full`.
 *
 * LIST times are taken as local wall-clock times of the client (as WinSCP does); the session's
 * time-zone offset is applied later (see times.ts). MLSD times are UTC. Every entry keeps the
 * server's own time text in `rawTime`. `.` and `..` are dropped.
 */
import { rightsBits } from '../rights.js';
import type { Entry, EntryType, TimePrecision } from '../transport.js';

/** An entry as parsed, with where its time came from. */
export interface ListedEntry extends Entry {
  /** The time is UTC (MLSD/MLST/MDTM) and not subject to the LIST time-zone offset. */
  utc?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_RE = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';

/**
 * The year of a listing time that has none (`Mmm dd hh:mm`, sync spec §2.1): the current year,
 * unless the month is later than now, or the same month with a later day; then the previous year.
 */
export function guessYear(month: number, day: number, now: Date): number {
  const y = now.getFullYear();
  if (month > now.getMonth() || (month === now.getMonth() && day > now.getDate())) return y - 1;
  return y;
}

/** `rwxr-xr-x` (with s/S/t/T) to permission bits; undefined when it is not such a string. */
export function parseRights(text: string): number | undefined {
  if (!/^[-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT]$/.test(text)) return undefined;
  return rightsBits(text);
}

function typeOf(c: string): EntryType {
  switch (c) {
    case 'd':
      return 'dir';
    case 'l':
      return 'symlink';
    case '-':
      return 'file';
    default:
      return 'other';
  }
}

const localTime = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo, d, h, mi, s, 0).getTime();

interface ParsedTime {
  mtime: number;
  precision: TimePrecision;
}

/** `Mmm dd` + `hh:mm[:ss]` or `yyyy` (+ optional `yyyy` after a time). */
function unixTime(mon: string, day: string, time: string | undefined, year: string | undefined, now: Date): ParsedTime | undefined {
  const mo = MONTHS.indexOf(mon.slice(0, 3).toLowerCase());
  const d = Number(day);
  if (mo < 0 || d < 1 || d > 31) return undefined;
  if (time === undefined) {
    return year === undefined ? undefined : { mtime: localTime(Number(year), mo, d), precision: 'mdy' };
  }
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number | undefined];
  if (h > 23 || mi > 59 || (s !== undefined && s > 60)) return undefined;
  if (year !== undefined) return { mtime: localTime(Number(year), mo, d, h, mi, s ?? 0), precision: s !== undefined ? 'full' : 'ymdhm' };
  // compat: a time with seconds but no year is still only as good as its guessed year.
  return { mtime: localTime(guessYear(mo, d, now), mo, d, h, mi, s ?? 0), precision: s !== undefined ? 'full' : 'mdhm' };
}

// <size>[, minor] <Mmm> <dd> <hh:mm[:ss]> [<yyyy>] <name>   or   <size> <Mmm> <dd> <yyyy> <name>
const UNIX_DATE = new RegExp(
  `(?:^|\\s)(\\d+)(?:,\\s*\\d+)?\\s+(${MONTH_RE}[a-z]*\\.?\\s+(\\d{1,2})\\s+(?:(\\d{1,2}:\\d{2}(?::\\d{2})?)(?:\\s+(\\d{4}))?|(\\d{4})))\\s(.*)$`,
  'i',
);
// <size> <dd> <Mmm> <hh:mm|yyyy> <name> (day first, some European servers)
const UNIX_DATE_DMY = new RegExp(`(?:^|\\s)(\\d+)\\s+((\\d{1,2})\\.?\\s+${MONTH_RE}[a-z]*\\.?\\s+(?:(\\d{1,2}:\\d{2})|(\\d{4})))\\s(.*)$`, 'i');
// <size> <yyyy-mm-dd> <hh:mm[:ss[.fff]]> [<+zzzz>] <name> (ls --time-style=long-iso / full-iso)
const UNIX_DATE_ISO = /(?:^|\s)(\d+)\s+((\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s+[+-]\d{4})?)\s(.*)$/;

/** One `ls -l`-style line (`drwxr-xr-x 2 user group 4096 Dec 01 18:36 name`). */
export function parseUnixLine(line: string, now: Date): ListedEntry | undefined {
  const m = /^([-dlcbpsDn?])([-rwxsStTlL?]{9})[+.@]?\s+(.*)$/.exec(line);
  if (!m) return undefined;
  const [, typeChar, rights, rest] = m as unknown as [string, string, string, string];
  let sizeText: string;
  let rawTime: string;
  let time: ParsedTime | undefined;
  let name: string;
  let d: RegExpExecArray | null;
  if ((d = UNIX_DATE.exec(rest))) {
    sizeText = d[1]!;
    rawTime = d[2]!;
    time = unixTime(d[3]!, d[4]!, d[5], d[6] ?? d[7], now);
    name = d[8]!;
  } else if ((d = UNIX_DATE_ISO.exec(rest))) {
    sizeText = d[1]!;
    rawTime = d[2]!;
    const [y, mo, day, h, mi] = [d[3], d[4], d[5], d[6], d[7]].map(Number) as [number, number, number, number, number];
    const s = d[8] === undefined ? undefined : Number(d[8]);
    time = { mtime: localTime(y, mo - 1, day, h, mi, s ?? 0), precision: s === undefined ? 'ymdhm' : 'full' };
    name = d[9]!;
  } else if ((d = UNIX_DATE_DMY.exec(rest))) {
    sizeText = d[1]!;
    rawTime = d[2]!;
    time = unixTime(d[4]!, d[3]!, d[5], d[6], now);
    name = d[7]!;
  } else return undefined;
  const head = rest.slice(0, d.index).trim().split(/\s+/).filter((x) => x !== '');
  let links: number | undefined;
  if (head.length >= 2 && /^\d+$/.test(head[0]!)) links = Number(head.shift());
  const owner = head[0];
  const group = head.length > 1 ? head.slice(1).join(' ') : undefined;
  const type = typeOf(typeChar);
  let linkTarget: string | undefined;
  if (type === 'symlink') {
    const arrow = name.indexOf(' -> ');
    if (arrow >= 0) {
      linkTarget = name.slice(arrow + 4);
      name = name.slice(0, arrow);
    }
  }
  if (name === '') return undefined;
  const e: ListedEntry = {
    name,
    type,
    size: Number(sizeText),
    precision: time ? time.precision : 'none',
    rawTime,
    // `l`/`L` in the group execute position is System V mandatory locking (setgid, no x).
    mode: parseRights(rights.replace(/[lL]/g, 'S')),
  };
  if (time) e.mtime = time.mtime;
  if (links !== undefined) e.links = links;
  if (owner !== undefined) e.owner = owner;
  if (group !== undefined) e.group = group;
  if (linkTarget !== undefined) e.linkTarget = linkTarget;
  return e;
}

/** One DOS/IIS line (`12-01-26  06:36PM       <DIR>          name`, also `2026-12-01  18:36`). */
export function parseDosLine(line: string): ListedEntry | undefined {
  const m = /^((\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?)\s+(<DIR>|\d+)\s+(.+)$/.exec(line);
  if (!m) return undefined;
  const [, raw, a, b, c, hh, mm, ampm, size, name] = m as unknown as string[];
  let y: number;
  let mo: number;
  let d: number;
  if (a!.length === 4) [y, mo, d] = [Number(a), Number(b), Number(c)];
  else [mo, d, y] = [Number(a), Number(b), Number(c)];
  if (y < 100) y += y < 70 ? 2000 : 1900;
  let h = Number(hh);
  if (ampm) {
    const pm = ampm.toLowerCase() === 'pm';
    if (h === 12) h = pm ? 12 : 0;
    else if (pm) h += 12;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) return undefined;
  const dir = size === '<DIR>';
  return {
    name: name!,
    type: dir ? 'dir' : 'file',
    size: dir ? 0 : Number(size),
    mtime: localTime(y, mo - 1, d, h, Number(mm)),
    precision: 'ymdhm',
    rawTime: raw,
  };
}

/** `YYYYMMDDHHMMSS[.sss]` (MDTM, MLSD `modify`), UTC, to ms since the epoch. */
export function parseMlsxTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3})\d*)?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  return Number.isNaN(t) ? undefined : t;
}

/** Formats ms since the epoch as `YYYYMMDDHHMMSS` (UTC) for MFMT / MDTM. */
export function formatMlsxTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * One MLSD / MLST line: `type=file;size=5;modify=20261201183603;UNIX.mode=0644; name`.
 * Returns undefined for `cdir`/`pdir` entries and unparsable lines.
 */
export function parseMlsxLine(line: string): ListedEntry | undefined {
  const sp = line.indexOf(' ');
  if (sp < 0) return undefined;
  const facts = new Map<string, string>();
  for (const f of line.slice(0, sp).split(';')) {
    const eq = f.indexOf('=');
    if (eq > 0) facts.set(f.slice(0, eq).toLowerCase(), f.slice(eq + 1));
  }
  const name = line.slice(sp + 1);
  const t = (facts.get('type') ?? '').toLowerCase();
  if (t === 'cdir' || t === 'pdir' || name === '') return undefined;
  let type: EntryType = 'other';
  let linkTarget: string | undefined;
  if (t === 'file') type = 'file';
  else if (t === 'dir') type = 'dir';
  else if (t.startsWith('os.unix=slink') || t.startsWith('os.unix=symlink') || t === 'link') {
    type = 'symlink';
    const raw = facts.get('type')!;
    const colon = raw.indexOf(':');
    if (colon >= 0) linkTarget = raw.slice(colon + 1);
  }
  const modify = facts.get('modify');
  const mtime = modify !== undefined ? parseMlsxTime(modify) : undefined;
  const e: ListedEntry = { name, type, size: Number(facts.get('size') ?? facts.get('sizd') ?? 0) || 0, precision: mtime === undefined ? 'none' : 'full', utc: true };
  if (mtime !== undefined) {
    e.mtime = mtime;
    e.rawTime = modify;
  }
  const mode = facts.get('unix.mode');
  if (mode !== undefined && /^[0-7]{3,4}$/.test(mode)) e.mode = parseInt(mode, 8);
  const owner = facts.get('unix.ownername') ?? facts.get('unix.owner') ?? facts.get('unix.uid');
  const group = facts.get('unix.groupname') ?? facts.get('unix.group') ?? facts.get('unix.gid');
  if (owner !== undefined) e.owner = owner;
  if (group !== undefined) e.group = group;
  if (linkTarget !== undefined) e.linkTarget = linkTarget;
  return e;
}

/**
 * Parses a whole listing. `format` 'mlsd' reads facts lines; 'list' tries `ls -l` lines, then
 * DOS lines, and skips `total N` and anything unrecognised. `.` and `..` are dropped unless
 * `keepDots` (their attributes describe the directory and its parent).
 */
export function parseListing(text: string, format: 'list' | 'mlsd', now: Date = new Date(), keepDots = false): ListedEntry[] {
  const out: ListedEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    let e: ListedEntry | undefined;
    if (format === 'mlsd') e = parseMlsxLine(line.replace(/^ /, ''));
    else {
      if (/^total\s+\d+/i.test(line)) continue;
      e = parseUnixLine(line, now) ?? parseDosLine(line);
    }
    if (!e || (!keepDots && (e.name === '.' || e.name === '..'))) continue;
    out.push(e);
  }
  return out;
}
