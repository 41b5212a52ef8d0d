/**
 * cmd.exe's first phase for batch files: reading the file, splitting it into physical lines and
 * `%` expansion (`%%`, `%0`..`%9`, `%~dp0`-style modifiers, `%*`, `%NAME%`,
 * `%NAME:~s,l%`, `%NAME:old=new%`).
 *
 * The expansion is parameterised by a resolver so that one implementation serves three users:
 * the runner resolves references to their values; `--to-sh`, `report` and the runner's
 * pre-flight check keep them symbolic as placeholders (private-use characters that no later
 * phase treats specially), so the same parser then sees the structure of the line without
 * knowing the values.
 *
 * cmd rules reproduced (batch-file context, not the interactive prompt):
 * - `%%` is one literal `%`;
 * - an undefined `%NAME%` expands to nothing;
 * - a `%` without a closing `%` on the same line is removed;
 * - expansion happens once per physical line, when the line is read; a parenthesised block is
 *   read (and so expanded) as a whole before any of it runs.
 */

/** Opens a placeholder for a `%` reference kept symbolic. */
export const PH_OPEN = '\uE000';
/** Closes a placeholder. */
export const PH_CLOSE = '\uE001';

export type PercentRef =
  /** `%NAME%`; `modifier` is the text after the first `:` (`~0,4`, `a=b`). */
  | { kind: 'var'; name: string; modifier?: string; text: string }
  /** `%1`, `%~1`, `%~dp0`; `mods` is the modifier letters after `~` (or undefined without `~`). */
  | { kind: 'arg'; index: number; mods?: string; text: string }
  /** `%*` */
  | { kind: 'all'; text: string };

export type RefResolver = (ref: PercentRef) => string;

const TILDE = /^~([fdpnxsatz]*(?:\$[^:%]+:)?)(\d)/i;

/** Expands one physical line with cmd's batch-file rules. */
export function expandPercent(line: string, resolve: RefResolver): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    const next = line[i + 1];
    if (next === undefined) {
      i++; // a lone `%` at the end of the line disappears
      continue;
    }
    if (next === '%') {
      out += '%';
      i += 2;
      continue;
    }
    if (next === '*') {
      out += resolve({ kind: 'all', text: '%*' });
      i += 2;
      continue;
    }
    if (next >= '0' && next <= '9') {
      out += resolve({ kind: 'arg', index: Number(next), text: line.slice(i, i + 2) });
      i += 2;
      continue;
    }
    if (next === '~') {
      const m = TILDE.exec(line.slice(i + 1));
      if (m) {
        out += resolve({ kind: 'arg', index: Number(m[2]), mods: m[1]!.toLowerCase(), text: '%' + m[0] });
        i += 1 + m[0].length;
        continue;
      }
    }
    const close = line.indexOf('%', i + 1);
    if (close < 0) {
      i++; // no closing `%`: cmd drops this one and goes on with the next character
      continue;
    }
    const body = line.slice(i + 1, close);
    const colon = body.indexOf(':');
    const ref: PercentRef =
      colon > 0 ? { kind: 'var', name: body.slice(0, colon), modifier: body.slice(colon + 1), text: line.slice(i, close + 1) } : { kind: 'var', name: body, text: line.slice(i, close + 1) };
    out += resolve(ref);
    i = close + 1;
  }
  return out;
}

/**
 * Applies a `%NAME:…%` modifier to a value: `~start[,length]` (negative counts from the end) or
 * `old=new` / `*old=new` (case-insensitive replacement). Returns undefined for a malformed one.
 */
export function applyVarModifier(value: string, modifier: string): string | undefined {
  if (modifier.startsWith('~')) {
    const m = /^~\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?$/.exec(modifier);
    if (!m) return undefined;
    const len = value.length;
    let start = Number(m[1]);
    if (start < 0) start = Math.max(0, len + start);
    start = Math.min(start, len);
    if (m[2] === undefined) return value.slice(start);
    let count = Number(m[2]);
    const end = count < 0 ? Math.max(start, len + count) : Math.min(len, start + count);
    count = end - start;
    return value.slice(start, start + Math.max(0, count));
  }
  const eq = modifier.indexOf('=');
  if (eq < 0) return undefined;
  let search = modifier.slice(0, eq);
  const repl = modifier.slice(eq + 1);
  const fromStart = search.startsWith('*');
  if (fromStart) search = search.slice(1);
  if (search === '') return value;
  const lowerValue = value.toLowerCase();
  const lowerSearch = search.toLowerCase();
  if (fromStart) {
    const at = lowerValue.indexOf(lowerSearch);
    return at < 0 ? value : repl + value.slice(at + search.length);
  }
  let out = '';
  let from = 0;
  for (;;) {
    const at = lowerValue.indexOf(lowerSearch, from);
    if (at < 0) return out + value.slice(from);
    out += value.slice(from, at) + repl;
    from = at + search.length;
  }
}

/** A table of symbolic references: `make` returns the placeholder text for a reference. */
export class Placeholders {
  readonly refs: PercentRef[] = [];

  make = (ref: PercentRef): string => {
    this.refs.push(ref);
    return `${PH_OPEN}${this.refs.length - 1}${PH_CLOSE}`;
  };

  get(index: number): PercentRef {
    return this.refs[index]!;
  }
}

export type Piece = string | PercentRef;

const PH_RE = new RegExp(`${PH_OPEN}(\\d+)${PH_CLOSE}`, 'g');

/** Splits text into literal strings and the references behind its placeholders. */
export function pieces(text: string, table: Placeholders): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(PH_RE)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    out.push(table.get(Number(m[1])));
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function hasPlaceholder(text: string): boolean {
  return text.includes(PH_OPEN);
}

/** Puts the original `%…%` text back in place of the placeholders (for messages). */
export function restoreOriginal(text: string, table: Placeholders): string {
  return text.replace(PH_RE, (_m, n: string) => table.get(Number(n)).text);
}

/** Decodes a batch file: a UTF-8 BOM is dropped; bytes that are not UTF-8 are read as Latin-1. */
export function decodeBatch(bytes: Uint8Array): string {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start));
  } catch {
    // compat: cmd reads batch files in the OEM code page; Latin-1 keeps every byte.
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** Physical lines of a batch file (CR LF, LF or CR); a final terminator adds no empty line. */
export function batchLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Is this physical line a label (`:name`) or a `::` comment? Those are never executed. */
export function labelOf(raw: string): string | undefined {
  const m = /^[\s;,=@]*:(.*)$/.exec(raw);
  if (!m) return undefined;
  return nameUpToDelimiter(m[1]!); // `::x` gives '' (never a jump target)
}

/** The label a `goto`/`call` argument names (`:x`, `x`), as cmd compares it: case-insensitive. */
export function labelName(text: string): string {
  return nameUpToDelimiter(text.trimStart().replace(/^:/, ''));
}

function nameUpToDelimiter(text: string): string {
  const m = /^[^\s:;,=+&|<>^]*/.exec(text);
  return m![0].toLowerCase();
}
