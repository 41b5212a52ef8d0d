/**
 * WinSCP's relative time syntax, shared by `%TIMESTAMP±…#fmt%` (script spec §3.4.1) and mask
 * time constraints (sync spec §1.6): `<digits><unit>[S]` with units Y, D, H, N, S, or the
 * keywords `today` (= 0DS) and `yesterday` (= 1DS). There is no month unit.
 */

export interface RelativeTime {
  amount: number;
  unit: 'Y' | 'D' | 'H' | 'N' | 'S';
  /** Truncate to the start of the unit (`1DS` = midnight). */
  startOf: boolean;
}

export function parseRelativeTime(text: string): RelativeTime | undefined {
  const t = text.trim();
  if (/^today$/i.test(t)) return { amount: 0, unit: 'D', startOf: true };
  if (/^yesterday$/i.test(t)) return { amount: 1, unit: 'D', startOf: true };
  const m = /^(\d+)\s*([YDHNS])(S?)$/i.exec(t);
  if (!m) return undefined;
  return { amount: Number(m[1]), unit: m[2]!.toUpperCase() as RelativeTime['unit'], startOf: m[3] !== '' };
}

/** `now + sign*amount units`, in local wall-clock arithmetic, optionally truncated. */
export function applyRelativeTime(now: Date, rel: RelativeTime, add: boolean): Date {
  const d = new Date(now.getTime());
  const n = add ? rel.amount : -rel.amount;
  switch (rel.unit) {
    case 'Y':
      d.setFullYear(d.getFullYear() + n);
      break;
    case 'D':
      d.setDate(d.getDate() + n);
      break;
    case 'H':
      d.setHours(d.getHours() + n);
      break;
    case 'N':
      d.setMinutes(d.getMinutes() + n);
      break;
    case 'S':
      d.setSeconds(d.getSeconds() + n);
      break;
  }
  if (rel.startOf) {
    switch (rel.unit) {
      case 'Y':
        d.setMonth(0, 1);
        d.setHours(0, 0, 0, 0);
        break;
      case 'D':
        d.setHours(0, 0, 0, 0);
        break;
      case 'H':
        d.setMinutes(0, 0, 0);
        break;
      case 'N':
        d.setSeconds(0, 0);
        break;
      case 'S':
        d.setMilliseconds(0);
        break;
    }
  }
  return d;
}
