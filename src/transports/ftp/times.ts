/**
 * Session-wide FTP time handling for LIST listings (sync spec §8.3), shared by all connections
 * of one session:
 *
 * - the time-zone offset: on the first listing, the `MDTM` time (UTC) of the first regular file
 *   with at least minute precision, reduced to the listing precision, minus its LIST time. Files
 *   with a time in the future are passed over; offsets of 48 h or more are not used. The offset
 *   shifts LIST times of minute precision or better (not day-only ones);
 * - remembered upload times: the exact mtime of every file uploaded with time preservation. A
 *   later listing entry whose time, reduced to its precision, equals the remembered one (within
 *   2 s) gets the remembered full-precision time; a mismatch forgets it. This is what keeps an
 *   immediate second `synchronize` over LIST-only FTP from uploading everything again.
 */
import { reduceTime } from '../../sync/compare.js';
import { joinPath, type TimePrecision } from '../transport.js';
import type { ListedEntry } from './list-parse.js';

const MAX_OFFSET_MS = 48 * 3600 * 1000;

/**
 * Raw setting TimeDifference (manual LIST time-zone offset, added to listed times) in ms:
 * WinSCP stores a double of days as 16 hex digits of its little-endian bytes
 * (`555555555555A5BF` = -1 hour); a plain decimal number of days is taken too. undefined =
 * not understood.
 */
export function parseTimeDifference(v: string): number | undefined {
  const t = v.trim();
  let days: number;
  if (/^[0-9a-f]{16}$/i.test(t)) days = Buffer.from(t, 'hex').readDoubleLE(0);
  else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) days = Number(t);
  else return undefined;
  if (!Number.isFinite(days) || Math.abs(days) >= 2) return undefined;
  return Math.round(days * 86_400_000 / 1000) * 1000;
}

/** LIST times of these precisions are shifted by the session's time-zone offset. */
export function shiftable(p: TimePrecision): boolean {
  return p === 'mdhm' || p === 'ymdhm' || p === 'full';
}

/**
 * The offset one file gives: its MDTM time (UTC instant) reduced to the listing precision,
 * minus its listing time. 'future' when the MDTM time lies ahead of `now` (try another file),
 * undefined when the difference is too large to be a time zone.
 */
export function offsetFromFile(listed: { mtime: number; precision: TimePrecision }, mdtmUtc: number, now: number): number | 'future' | undefined {
  if (mdtmUtc > now) return 'future';
  const off = reduceTime(mdtmUtc, listed.precision) - listed.mtime;
  return Math.abs(off) >= MAX_OFFSET_MS ? undefined : off;
}

/** A listed file with a remembered upload time that the listing alone cannot confirm. */
export interface Undecided {
  entry: ListedEntry;
  path: string;
  remembered: number;
}

/** The time state one session's connections share. */
export class FtpSessionTimes {
  /** ms added to shiftable LIST times. */
  offset = 0;
  /** Detection still to be tried (first listing with a usable file). */
  detecting: boolean;
  /** Exact mtimes (ms, whole seconds) of files uploaded with time preservation, by full path. */
  readonly uploads = new Map<string, number>();

  constructor(detect: boolean) {
    this.detecting = detect;
  }

  /** The first entry that can be used to detect the offset, in listing order. */
  candidates(entries: ListedEntry[]): ListedEntry[] {
    return entries.filter((e) => e.type === 'file' && !e.utc && e.mtime !== undefined && shiftable(e.precision));
  }

  /**
   * Applies remembered upload times and the offset to the entries of `dir` (in place). The
   * remembered time is compared as the server's clock shows it (minus the offset, reduced to
   * the entry's precision) with the listing text's time. A mismatch forgets it, except while
   * the offset is still unknown: those entries are returned for an exact check (MDTM), see
   * `confirm`.
   *
   * compat: WinSCP compares after shifting and does not shift day-only times, so a day-only
   * entry of a server in another time zone never matches there; comparing in the server's
   * terms matches it too.
   */
  adjust(dir: string, entries: ListedEntry[]): Undecided[] {
    const undecided: Undecided[] = [];
    for (const e of entries) {
      if (e.mtime === undefined || e.utc) continue;
      const raw = e.mtime;
      if (e.precision !== 'full' && e.precision !== 'none') {
        const full = joinPath(dir, e.name);
        const remembered = this.uploads.get(full);
        if (remembered !== undefined) {
          if (Math.abs(reduceTime(remembered - this.offset, e.precision) - raw) < 2000) {
            e.mtime = remembered;
            e.precision = 'full';
            continue;
          }
          if (this.detecting) undecided.push({ entry: e, path: full, remembered });
          else this.uploads.delete(full);
        }
      }
      if (this.offset !== 0 && shiftable(e.precision)) e.mtime = raw + this.offset;
    }
    return undecided;
  }

  /** The exact (MDTM) time of an undecided entry: the remembered time if it is the same second. */
  confirm(u: Undecided, exactUtc: number | undefined): void {
    if (exactUtc !== undefined && Math.floor(exactUtc / 1000) === Math.floor(u.remembered / 1000)) {
      u.entry.mtime = u.remembered;
      u.entry.precision = 'full';
    } else this.uploads.delete(u.path);
  }

  remember(path: string, mtime: number): void {
    this.uploads.set(path, Math.floor(mtime / 1000) * 1000);
  }

  /** A rename moves what is remembered (uploads go through `<name>.filepart`). */
  moved(from: string, to: string): void {
    const t = this.uploads.get(from);
    this.uploads.delete(to);
    if (t !== undefined) {
      this.uploads.delete(from);
      this.uploads.set(to, t);
    }
  }

  forget(path: string): void {
    this.uploads.delete(path);
  }
}
