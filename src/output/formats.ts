/**
 * Text formats shared by `ls`, `stat` and the synchronize preview (sync spec §3.7, §6.3).
 */
import type { Entry, TimePrecision } from '../transports/transport.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
const s2 = (n: number) => String(n).padStart(2, ' ');

/** A time by precision, in local time: `Mar  5  9:07:03 2025`, `Mar  5  9:07 2025`, `Mar  5  9:07`, `Mar  5 2025`, or ''. */
export function formatRemoteTime(mtime: number | undefined, precision: TimePrecision): string {
  if (mtime === undefined || precision === 'none') return '';
  const d = new Date(mtime);
  const md = `${MONTHS[d.getMonth()]} ${s2(d.getDate())}`;
  switch (precision) {
    case 'full':
      return `${md} ${s2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
    case 'ymdhm':
      return `${md} ${s2(d.getHours())}:${p2(d.getMinutes())} ${d.getFullYear()}`;
    case 'mdhm':
      return `${md} ${s2(d.getHours())}:${p2(d.getMinutes())}`;
    case 'mdy':
      return `${md} ${d.getFullYear()}`;
  }
}

/** `rwxr-xr-x` with setuid/setgid/sticky as s/S/t/T. */
export function rightsText(mode: number | undefined): string {
  if (mode === undefined) return '---------';
  const bit = (m: number, c: string) => (mode & m ? c : '-');
  let u = bit(0o400, 'r') + bit(0o200, 'w') + bit(0o100, 'x');
  let g = bit(0o40, 'r') + bit(0o20, 'w') + bit(0o10, 'x');
  let o = bit(0o4, 'r') + bit(0o2, 'w') + bit(0o1, 'x');
  if (mode & 0o4000) u = u.slice(0, 2) + (mode & 0o100 ? 's' : 'S');
  if (mode & 0o2000) g = g.slice(0, 2) + (mode & 0o10 ? 's' : 'S');
  if (mode & 0o1000) o = o.slice(0, 2) + (mode & 0o1 ? 't' : 'T');
  return u + g + o;
}

export function typeChar(e: Pick<Entry, 'type'>): string {
  return e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : e.type === 'file' ? '-' : '-';
}

/** One `ls`/`stat` line: `%s%s %3s %-8s %-8s %9s %-12s %s%s`. */
export function formatLsLine(e: Entry): string {
  const link = e.type === 'symlink' && e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : '';
  return `${typeChar(e)}${rightsText(e.mode)} ${String(e.links ?? 0).padStart(3)} ${(e.owner ?? '').padEnd(8)} ${(e.group ?? '').padEnd(8)} ${String(e.size).padStart(9)} ${formatRemoteTime(e.mtime, e.precision).padEnd(12)} ${e.name}${link}`;
}

/** XML log time: UTC `yyyy-mm-ddThh:nn:ss.zzzZ`. */
export function xmlTime(ms: number): string {
  return new Date(ms).toISOString();
}
