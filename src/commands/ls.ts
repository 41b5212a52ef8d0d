import { singleMaskMatch } from '../masks/file-mask.js';
import { hasTMaskWildcards } from '../masks/wildcard.js';
import type { FileRecord } from '../log/events.js';
import { formatLsLine, rightsText, typeChar, xmlTime } from '../output/formats.js';
import { type Entry, parentOf } from '../transports/transport.js';
import { remoteFail, remotePath, splitDirPart } from './remote-util.js';
import type { CommandHandler } from './types.js';

export function fileRecord(e: Entry, withName: boolean): FileRecord {
  return {
    filename: withName ? e.name : undefined,
    type: typeChar(e).toUpperCase(),
    size: e.type === 'dir' ? undefined : e.size,
    modification: e.mtime !== undefined && e.precision !== 'none' ? xmlTime(e.mtime) : undefined,
    permissions: e.mode !== undefined ? rightsText(e.mode) : undefined,
    owner: e.owner,
    group: e.group,
  };
}

/**
 * `ls [<directory>|<mask>|<directory>/<mask>]` (§8.16): one line per entry, `..` included
 * (except at `/`); a mask that matches nothing prints the no-match message.
 */
export const ls: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const param = node.params[0]?.value;
  let dir = s.cwd;
  let mask: string | undefined;
  if (param !== undefined) {
    const [dirPart, last] = splitDirPart(param);
    if (hasTMaskWildcards(last)) {
      mask = last;
      dir = remotePath(s, dirPart === '' ? '.' : dirPart);
    } else dir = remotePath(s, param);
  }
  let entries: Entry[];
  try {
    entries = await s.transport.list(dir);
  } catch (e) {
    const err = remoteFail(`Error listing directory '${dir}'.`, e);
    if (ctx.options.batch === 'continue') {
      await ctx.ask(err.lines, ['Abort', 'Retry', 'Skip']);
      return;
    }
    throw err;
  }
  if (dir !== '/') {
    const parent = s.transport.listedParent?.(dir) ?? (await s.transport.stat(parentOf(dir)).catch(() => undefined));
    entries = [{ ...(parent ?? { type: 'dir', size: 0, precision: 'none' as const }), name: '..', type: 'dir' }, ...entries];
  }
  if (mask !== undefined) {
    const m = mask;
    entries = entries.filter((e) => singleMaskMatch(m, e.name, e.size, e.mtime));
    if (entries.length === 0) {
      ctx.noMatch(`No file matching '${mask}' found.`);
      return;
    }
  }
  for (const e of entries) ctx.out.line(formatLsLine(e));
  ctx.out.operation({ kind: 'ls', values: [['destination', dir]], success: true, files: entries.map((e) => fileRecord(e, true)) });
};
