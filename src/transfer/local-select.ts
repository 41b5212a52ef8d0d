/**
 * Local sources of `put` (sync spec §5.1.2): Windows wildcards (`*`, `?`) in the last component,
 * matched case-insensitively; `.`/`..` never match; a trailing separator is removed with the
 * ambiguity warning and the folder itself is uploaded.
 */
import path from 'node:path';
import { AMBIGUOUS_SLASH } from '../commands/remote-util.js';
import type { Context } from '../interpreter/context.js';
import { hasWindowsWildcards, windowsWildcardMatch } from '../masks/wildcard.js';
import { LocalTransport } from '../transports/local.js';
import { compareNames } from '../util/collate.js';
import { type Entry, isTransportError } from '../transports/transport.js';

export interface LocalSelected {
  /** Absolute POSIX path. */
  path: string;
  /** undefined: does not exist (fails when transferred, as in WinSCP). */
  entry?: Entry;
  shown: string;
}

export async function selectLocal(ctx: Context, operands: string[], local = new LocalTransport()): Promise<LocalSelected[]> {
  const out: LocalSelected[] = [];
  for (let op of operands) {
    if (op.length > 1 && /[\\/]$/.test(op) && !/^[A-Za-z]:[\\/]$/.test(op)) {
      ctx.out.line(AMBIGUOUS_SLASH);
      op = op.replace(/[\\/]+$/, '');
    }
    const norm = op.replace(/\\/g, '/');
    const slash = norm.lastIndexOf('/');
    const last = norm.slice(slash + 1);
    if (hasWindowsWildcards(last)) {
      const dirText = slash >= 0 ? op.slice(0, slash + 1) : '';
      const dir = dirText === '' ? ctx.localCwd : ctx.localPath(dirText);
      let entries: Entry[];
      try {
        entries = await local.list(dir);
      } catch (e) {
        const detail = isTransportError(e) ? e.details[e.details.length - 1] : String(e);
        ctx.noMatch(`No file matching '${last}' found. (${detail})`);
        continue;
      }
      const matched = entries.filter((e) => windowsWildcardMatch(last, e.name)).sort((a, b) => compareNames(a.name, b.name));
      if (matched.length === 0) ctx.noMatch(`No file matching '${last}' found.`);
      for (const e of matched) out.push({ path: path.join(dir, e.name), entry: await follow(local, path.join(dir, e.name), e), shown: dirText + e.name });
      continue;
    }
    const p = ctx.localPath(op);
    const entry = await local.stat(p).catch(() => undefined);
    out.push({ path: p, entry: entry && { ...entry, name: path.basename(p) }, shown: op });
  }
  return out;
}

async function follow(local: LocalTransport, p: string, e: Entry): Promise<Entry> {
  if (e.type !== 'symlink') return e;
  const t = await local.stat(p).catch(() => undefined);
  return t ? { ...t, name: e.name } : e;
}
