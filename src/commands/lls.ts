import path from 'node:path';
import { hasTMaskWildcards, windowsWildcardMatch } from '../masks/wildcard.js';
import { compareNames } from '../util/collate.js';
import { LocalTransport } from '../transports/local.js';
import { isTransportError, type Entry } from '../transports/transport.js';
import type { CommandHandler } from './types.js';

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * One `lls` line (sync spec §6.4): date, two spaces, time, four spaces, `<DIR>` left-aligned
 * or the size with thousands separators right-aligned in 14 columns, one space, the name.
 *
 * compat: WinSCP uses the Windows locale's short date and time; winscript uses the fixed
 * `yyyy-mm-dd  hh:nn:ss` (local time).
 */
export function formatLlsLine(e: Pick<Entry, 'name' | 'type' | 'size' | 'mtime' | 'targetType'>): string {
  const d = new Date(e.mtime ?? 0);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  const isDir = e.type === 'dir' || (e.type === 'symlink' && e.targetType === 'dir');
  const size = isDir ? '<DIR>'.padEnd(14) : e.size.toLocaleString('en-US').padStart(14);
  return `${date}  ${time}    ${size} ${e.name}`;
}

/** `lls [<directory>|<mask>|<directory>/<mask>]` (§8.13). */
export const lls: CommandHandler = async (ctx, node) => {
  const param = node.params[0]?.value;
  let dirText = '';
  let mask = '*.*';
  if (param !== undefined) {
    const norm = param.replace(/\\/g, '/');
    const slash = norm.lastIndexOf('/');
    const last = norm.slice(slash + 1);
    if (hasTMaskWildcards(last)) {
      mask = last;
      dirText = slash >= 0 ? param.slice(0, slash + 1) : '';
    } else dirText = param;
  }
  const dir = dirText === '' ? ctx.localCwd : ctx.localPath(dirText);
  let entries: Entry[];
  try {
    entries = await new LocalTransport().list(dir);
  } catch (e) {
    const detail = isTransportError(e) ? e.details[e.details.length - 1] : String(e);
    ctx.noMatch(`No file matching '${mask}' found. (${detail})`);
    return;
  }
  const listed = entries
    .filter((e) => windowsWildcardMatch(mask, e.name))
    .sort((a, b) => compareNames(a.name, b.name));
  // Windows lists `..` for every folder but a drive root; only the catch-all masks show it.
  const withParent = dir !== '/' && (mask === '*' || mask === '*.*');
  if (listed.length === 0 && !withParent) {
    ctx.noMatch(`No file matching '${mask}' found.`);
    return;
  }
  if (withParent) {
    const parent = await new LocalTransport().stat(path.dirname(dir)).catch(() => undefined);
    ctx.out.line(formatLlsLine({ name: '..', type: 'dir', size: 0, mtime: parent?.mtime }));
  }
  for (const e of listed) ctx.out.line(formatLlsLine(e));
};
