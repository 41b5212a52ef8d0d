/**
 * Variable expansion of a raw script line, before comment detection and tokenising (script
 * spec §3): `%1%..%N%`, then `%TIMESTAMP%`, then `%TIMESTAMP[±rel]#fmt%`, then `%NAME%`
 * environment variables. Pure: the clock and the environment are passed in.
 */
import { formatDelphi } from '../util/format-date.js';
import { applyRelativeTime, parseRelativeTime } from '../util/relative-time.js';

export interface ExpandContext {
  /** `/parameter` values, `%1%` first. */
  parameters: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** True when an environment variable TIMESTAMP existed at start-up (§3.3). */
  timestampFromEnv: boolean;
  /** Clock; sampled once per line for the plain form, again for relative forms. */
  now: () => Date;
}

export function expandLine(line: string, ctx: ExpandContext): string {
  let s = expandParameters(line, ctx.parameters);
  const now = ctx.now();
  if (!ctx.timestampFromEnv) s = s.split('%TIMESTAMP%').join(formatDelphi(now, 'yyyymmddhhnnss'));
  s = expandFormattedTimestamps(s, now, ctx.now);
  return expandEnvironment(s, ctx.env);
}

/** §3.2: each `%i%` for i = 1..count, in order, replaced verbatim. */
export function expandParameters(line: string, params: readonly string[]): string {
  let s = line;
  params.forEach((value, i) => {
    s = s.split(`%${i + 1}%`).join(value);
  });
  return s;
}

/** §3.4: the recognition algorithm, reproduced step by step. */
export function expandFormattedTimestamps(line: string, lineNow: Date, clock: () => Date): string {
  const WORD = '%TIMESTAMP';
  let s = line;
  let from = 0;
  for (;;) {
    const at = s.toUpperCase().indexOf(WORD, from);
    if (at < 0) return s;
    const o = at + WORD.length;
    const p2 = s.indexOf('%', o);
    const p3 = s.indexOf('#', o);
    if (p2 < 0) return s;
    const sign = s[o];
    if (p3 >= 0 && p3 < p2 && (p3 === o || sign === '+' || sign === '-')) {
      let when: Date | undefined = lineNow;
      if (p3 !== o) {
        const rel = parseRelativeTime(s.slice(o + 1, p3));
        when = rel ? applyRelativeTime(clock(), rel, sign === '+') : undefined;
      }
      if (when) {
        const text = formatDelphi(when, s.slice(p3 + 1, p2));
        s = s.slice(0, at) + text + s.slice(p2 + 1);
        from = at + text.length;
        continue;
      }
    }
    from = o;
  }
}

/**
 * §3.5, Windows `ExpandEnvironmentStrings` semantics: a defined `%NAME%` is replaced; for an
 * undefined one the text stays and scanning resumes at its closing `%`. Lookup is exact-case
 * first, then case-insensitive (scripts written on Windows use `%UserProfile%` and the like).
 */
export function expandEnvironment(line: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const open = line.indexOf('%', i);
    if (open < 0) break;
    const close = line.indexOf('%', open + 1);
    if (close < 0) break;
    out += line.slice(i, open);
    const name = line.slice(open + 1, close);
    const value = name === '' ? undefined : lookupEnv(env, name);
    if (value !== undefined) {
      out += value;
      i = close + 1;
    } else {
      out += line.slice(open, close);
      i = close;
    }
  }
  return out + line.slice(i);
}

export function lookupEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const exact = env[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === lower && v !== undefined) return v;
  return undefined;
}
