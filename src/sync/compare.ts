/**
 * Time comparison primitives (sync spec §2): precision reduction and the 2-second tolerance.
 */
import type { TimePrecision } from '../transports/transport.js';

const RANK: Record<TimePrecision, number> = { full: 4, ymdhm: 3, mdhm: 2, mdy: 1, none: 0 };

/** The coarser of two precisions. */
export function coarser(a: TimePrecision, b: TimePrecision): TimePrecision {
  return RANK[a] <= RANK[b] ? a : b;
}

/** `reduce(t, class)`: seconds dropped for minute classes, the time of day for MDY, 0 for none. */
export function reduceTime(t: number, precision: TimePrecision): number {
  switch (precision) {
    case 'full':
      return t;
    case 'ymdhm':
    case 'mdhm': {
      const d = new Date(t);
      d.setSeconds(0, 0);
      return d.getTime();
    }
    case 'mdy': {
      const d = new Date(t);
      d.setHours(0, 0, 0, 0);
      return d.getTime();
    }
    case 'none':
      return 0;
  }
}

/** -1 if `b` is newer by 2 s or more, +1 if `a` is, else 0. Exactly 2.000 s counts as different. */
export function cmpTime(a: number, b: number): -1 | 0 | 1 {
  if (b - a >= 2000) return -1;
  if (a - b >= 2000) return 1;
  return 0;
}

/**
 * Whether a source is newer than its target for `-neweronly` (§5.4): both reduced to the
 * coarser precision, newer by at least 2 s.
 */
export function sourceIsNewer(src: { mtime?: number; precision: TimePrecision }, dst: { mtime?: number; precision: TimePrecision }): boolean {
  if (src.mtime === undefined || dst.mtime === undefined) return true;
  const p = coarser(src.precision, dst.precision);
  return cmpTime(reduceTime(src.mtime, p), reduceTime(dst.mtime, p)) === 1;
}
