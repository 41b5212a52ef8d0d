/**
 * Wildcard matchers (sync spec §1.1, §1.4):
 * - TMask patterns (M1/M2): `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, case-insensitive, anchored;
 * - Windows wildcards (M3, local `put` sources and `lls`): `*` and `?` only, `[` literal.
 */

export class MaskError extends Error {
  constructor(readonly fragment: string) {
    super(`Mask is invalid near '${fragment}'.`);
    this.name = 'MaskError';
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const escapeSet = (s: string) => s.replace(/[\\\]\[^-]/g, '\\$&');

const cache = new Map<string, RegExp>();

/** Compiles a TMask pattern to an anchored, case-insensitive RegExp. Throws MaskError. */
export function compileTMask(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const close = chars.indexOf(']', i + 1);
      if (close < 0) throw new MaskError(pattern);
      let body = chars.slice(i + 1, close).join('');
      let negate = false;
      if (body.startsWith('!')) {
        negate = true;
        body = body.slice(1);
      }
      let set = '';
      const b = Array.from(body);
      for (let j = 0; j < b.length; j++) {
        if (b[j + 1] === '-' && j + 2 < b.length) {
          set += `${escapeSet(b[j]!)}-${escapeSet(b[j + 2]!)}`;
          j += 2;
        } else set += escapeSet(b[j]!);
      }
      if (set === '' && !negate) throw new MaskError(pattern);
      re += negate ? `[^${set}]` : `[${set}]`;
      i = close;
    } else re += escapeRe(c);
  }
  const compiled = new RegExp(`^${re}$`, 'iu');
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

export function tmaskMatch(pattern: string, text: string): boolean {
  return compileTMask(pattern).test(text);
}

/** Name-part matching with WinSCP's special cases (`*`, `*.*`, `*.`), §1.4. */
export function nameMaskMatch(pattern: string, name: string): boolean {
  if (pattern === '' || pattern === '*' || pattern === '*.*') return true;
  if (pattern === '*.' && !name.includes('.')) return true;
  return tmaskMatch(pattern, name);
}

/** True if the text contains TMask wildcard characters (`*`, `?`, `[`): it is a mask (§1.10). */
export function hasTMaskWildcards(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Windows `FindFirstFile` wildcards: `*`, `?`, case-insensitive; `*.*` matches everything. */
export function windowsWildcardMatch(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === '*.*') return true;
  const re = '^' + [...pattern].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : escapeRe(c))).join('') + '$';
  return new RegExp(re, 'iu').test(name);
}

export function hasWindowsWildcards(s: string): boolean {
  return /[*?]/.test(s);
}
