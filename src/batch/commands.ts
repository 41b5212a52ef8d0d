/**
 * The batch subset: which simple commands winscript knows, and how their arguments are read.
 * The runner, `--to-sh` and `report` all classify commands here, so the three agree on what is
 * inside the subset.
 *
 * Accepted: echo (and `echo.`, `echo on|off`), rem, set (`set N=v`, `set "N=v"`, `set /p`,
 * `set` / `set PREFIX` listing), cd / chdir (`/d`), `X:` drive changes, pushd, popd, goto,
 * call (`:label` or a command), exit (`/b`), setlocal / endlocal (without delayed expansion),
 * shift, `start /wait` (of WinSCP only), timeout, pause, title, cls, calls of
 * WinSCP.com/WinSCP.exe under any path, and other `.bat`/`.cmd` files. `if` and blocks are
 * handled by the parser. Everything else is outside the subset.
 */
import { PH_OPEN } from './lexer.js';
import { SUBSET_REASON, unsupportedMessage } from './parser.js';

export type BuiltinName =
  | 'echo'
  | 'set'
  | 'cd'
  | 'pushd'
  | 'popd'
  | 'goto'
  | 'call'
  | 'exit'
  | 'setlocal'
  | 'endlocal'
  | 'shift'
  | 'start'
  | 'timeout'
  | 'pause'
  | 'title'
  | 'cls';

const BUILTINS: Record<string, BuiltinName> = {
  echo: 'echo',
  set: 'set',
  cd: 'cd',
  chdir: 'cd',
  pushd: 'pushd',
  popd: 'popd',
  goto: 'goto',
  call: 'call',
  exit: 'exit',
  setlocal: 'setlocal',
  endlocal: 'endlocal',
  shift: 'shift',
  start: 'start',
  timeout: 'timeout',
  pause: 'pause',
  title: 'title',
  cls: 'cls',
};

/** cmd's other internal commands: named by their keyword in messages (`del`, not `del/q`). */
const OTHER_INTERNAL = new Set([
  'assoc', 'break', 'color', 'copy', 'date', 'del', 'dir', 'dpath', 'erase', 'ftype', 'keys', 'md', 'mkdir', 'mklink', 'move', 'path', 'prompt', 'rd', 'ren', 'rename', 'rmdir', 'time', 'type', 'ver', 'verify', 'vol', 'else', 'do', 'in',
]);

export type Classified =
  /** `args` is the text right after the command name, separator included. */
  | { kind: 'builtin'; name: BuiltinName; typed: string; args: string }
  /** `C:` alone: change the current drive. */
  | { kind: 'drive'; drive: string }
  /** `args` is the raw argument text after the program token (what winscp.com re-splits). */
  | { kind: 'winscp'; program: string; args: string }
  | { kind: 'batch'; program: string; args: string }
  | { kind: 'unsupported'; name: string; message: string }
  /** The command name comes from a variable (only in static analysis). */
  | { kind: 'dynamic'; program: string }
  | { kind: 'empty' };

const NAME_END = /[\s.:/\\(+[\],;=]/;

/** Reads the program token the way cmd does: up to an unquoted blank, quotes removed. */
export function programToken(text: string): { token: string; rest: string } {
  let token = '';
  let inQuote = false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      inQuote = !inQuote;
      continue;
    }
    if (!inQuote && (c === ' ' || c === '\t')) break;
    token += c;
  }
  return { token, rest: text.slice(i) };
}

/** `WinSCP.com`, `winscp`, `C:\Program Files (x86)\WinSCP\WinSCP.exe`, any case. */
export function isWinscpProgram(token: string): boolean {
  const base = token.split(/[\\/]/).pop() ?? '';
  return /^winscp(\.com|\.exe)?$/i.test(base);
}

function basename(token: string): string {
  return token.split(/[\\/]/).pop() ?? '';
}

/** Classifies one simple command (already expanded, escapes resolved, redirections removed). */
export function classifyCommand(text: string): Classified {
  const t = text.replace(/^[ \t,;=]+/, '');
  if (t.trim() === '') return { kind: 'empty' };
  if (!t.startsWith('"')) {
    const m = /^[A-Za-z]+/.exec(t);
    if (m) {
      const word = m[0].toLowerCase();
      const after = t[m[0].length];
      const ends = after === undefined || NAME_END.test(after);
      if (ends && BUILTINS[word]) return checkBuiltin({ kind: 'builtin', name: BUILTINS[word]!, typed: m[0], args: t.slice(m[0].length) });
      if (ends && OTHER_INTERNAL.has(word)) return { kind: 'unsupported', name: word, message: unsupportedMessage(word) };
    }
    const d = /^([A-Za-z]):\s*$/.exec(t);
    if (d) return { kind: 'drive', drive: `${d[1]!.toUpperCase()}:` };
  }
  const { token, rest } = programToken(t);
  const base = basename(token);
  if (isWinscpProgram(token)) return { kind: 'winscp', program: token, args: rest };
  if (base.includes(PH_OPEN)) return { kind: 'dynamic', program: token };
  if (/\.(bat|cmd)$/i.test(base)) return { kind: 'batch', program: token, args: rest };
  const name = token === '' ? t.trim() : token;
  return { kind: 'unsupported', name, message: unsupportedMessage(name, `an external program; ${SUBSET_REASON}`) };
}

/** Rejects the forms of accepted commands that are outside the subset. */
function checkBuiltin(c: Classified & { kind: 'builtin' }): Classified {
  const words = c.args.trim().split(/\s+/).filter((w) => w !== '').map((w) => w.toLowerCase());
  const bad = (name: string, why?: string): Classified => ({ kind: 'unsupported', name, message: unsupportedMessage(name, why) });
  switch (c.name) {
    case 'set':
      if (/^\s*\/a/i.test(c.args)) return bad('set /a', `arithmetic is ${SUBSET_REASON}`);
      return c;
    case 'setlocal':
      for (const w of words) {
        if (w === 'enabledelayedexpansion') return bad('setlocal enabledelayedexpansion', `delayed expansion (!var!) is ${SUBSET_REASON}`);
        if (w === 'disableextensions') return bad('setlocal disableextensions');
      }
      return c;
    case 'start': {
      const s = parseStart(c.args);
      if ('error' in s) return bad('start', s.error);
      if (!s.wait) return bad('start', 'without /wait the program runs in the background; use start /wait');
      const inner = classifyCommand(s.command);
      if (inner.kind === 'winscp' || inner.kind === 'dynamic') return c;
      return bad(`start ${inner.kind === 'unsupported' ? inner.name : s.command.trim()}`, `start /wait is accepted for WinSCP only; ${SUBSET_REASON}`);
    }
    case 'timeout': {
      const t = parseTimeout(c.args);
      if ('error' in t) return bad('timeout', t.error);
      return c;
    }
    case 'call': {
      const rest = c.args.replace(/^[ \t,;=]+/, '');
      if (rest.startsWith(':') || rest.trim() === '') return c;
      const inner = classifyCommand(rest);
      if (inner.kind === 'unsupported') return inner;
      return c;
    }
    default:
      return c;
  }
}

// ---------------------------------------------------------------- argument readers

export type EchoAction = { kind: 'print'; text: string } | { kind: 'state' } | { kind: 'set'; on: boolean };

/** `echo text`, `echo.`, `echo on|off`, bare `echo` (prints the state). */
export function parseEcho(args: string): EchoAction {
  if (args === '') return { kind: 'state' };
  const first = args[0]!;
  if (first === ' ' || first === '\t') {
    const rest = args.slice(1);
    const w = rest.trim().toLowerCase();
    if (w === 'on' || w === 'off') return { kind: 'set', on: w === 'on' };
    if (w === '') return { kind: 'state' };
    return { kind: 'print', text: rest };
  }
  // `echo.`, `echo(`, `echo:` … print what follows, possibly an empty line.
  return { kind: 'print', text: args.slice(1) };
}

export type SetAction =
  | { kind: 'assign'; name: string; value: string }
  | { kind: 'prompt'; name: string; prompt: string }
  | { kind: 'list'; prefix: string }
  | { kind: 'error'; message: string };

function splitAssignment(rest: string): { name: string; value: string } | undefined {
  let body = rest;
  if (body.startsWith('"')) {
    // `set "NAME=value"`: between the first and the last quote; anything after is ignored.
    const last = body.lastIndexOf('"');
    body = last > 0 ? body.slice(1, last) : body.slice(1);
  }
  const eq = body.indexOf('=');
  if (eq < 0) return undefined;
  return { name: body.slice(0, eq), value: body.slice(eq + 1) };
}

export function parseSet(args: string): SetAction {
  const rest = args.replace(/^[ \t]+/, '');
  const p = /^\/p(?:[ \t]+|$)/i.exec(rest);
  if (p) {
    const a = splitAssignment(rest.slice(p[0].length));
    if (!a || a.name === '') return { kind: 'error', message: 'The syntax of the command is incorrect.' };
    let prompt = a.value;
    if (prompt.length >= 2 && prompt.startsWith('"') && prompt.endsWith('"')) prompt = prompt.slice(1, -1);
    return { kind: 'prompt', name: a.name, prompt };
  }
  const a = splitAssignment(rest);
  if (!a) return { kind: 'list', prefix: rest.replace(/^"|"$/g, '').trim() };
  if (a.name === '') return { kind: 'error', message: 'The syntax of the command is incorrect.' };
  return { kind: 'assign', name: a.name, value: a.value };
}

/** `cd [/d] path`: the path with quotes and trailing blanks removed ('' = print). */
export function parseCd(args: string): { path: string; drive: boolean } {
  let rest = args.replace(/^[ \t]+/, '');
  let drive = false;
  const d = /^\/d(?:[ \t]+|$)/i.exec(rest);
  if (d) {
    drive = true;
    rest = rest.slice(d[0].length);
  }
  return { path: rest.replace(/"/g, '').trim(), drive };
}

/** `pushd path`. */
export function parsePath(args: string): string {
  return args.replace(/"/g, '').trim();
}

/** `goto label` / `goto :label`; '' when missing. */
export function parseGoto(args: string): string {
  const rest = args.replace(/^[ \t,;=]+/, '');
  return (/^[^ \t]*/.exec(rest)?.[0] ?? '').replace(/^:/, '');
}

/** `exit [/b] [code]`. */
export function parseExit(args: string): { local: boolean; code?: number } {
  const words = args.trim().split(/[ \t]+/).filter((w) => w !== '');
  let local = false;
  if (words[0]?.toLowerCase() === '/b') {
    local = true;
    words.shift();
  }
  if (words.length === 0) return { local };
  const n = Number.parseInt(words[0]!, 10);
  return { local, code: Number.isNaN(n) ? 0 : n };
}

/** `timeout [/t] N [/nobreak]`. */
export function parseTimeout(args: string): { seconds: number } | { error: string } {
  const words = args.trim().split(/[ \t]+/).filter((w) => w !== '' && w.toLowerCase() !== '/nobreak');
  if (words[0]?.toLowerCase() === '/t') words.shift();
  if (words.length !== 1 || !/^-?\d+$/.test(words[0]!)) return { error: 'expected timeout /t SECONDS [/nobreak]' };
  const seconds = Number(words[0]);
  if (seconds < 0) return { error: 'timeout /t -1 waits for a key press, which a non-interactive run cannot give' };
  return { seconds };
}

/** `start ["title"] [/wait] [/b] [/min] [/d dir] … command`. */
export function parseStart(args: string): { wait: boolean; dir?: string; command: string } | { error: string } {
  let rest = args.replace(/^[ \t]+/, '');
  let wait = false;
  let dir: string | undefined;
  let titleSeen = false;
  for (;;) {
    if (!titleSeen && rest.startsWith('"')) {
      const close = rest.indexOf('"', 1);
      if (close < 0) return { error: 'unterminated title' };
      titleSeen = true;
      rest = rest.slice(close + 1).replace(/^[ \t]+/, '');
      continue;
    }
    const m = /^\/([A-Za-z]+)(?:[ \t]+|$)/.exec(rest);
    if (m) {
      const opt = m[1]!.toLowerCase();
      if (opt === 'wait') wait = true;
      else if (opt === 'd') {
        const after = rest.slice(m[0].length);
        const tok = programToken(after);
        dir = tok.token;
        rest = tok.rest.replace(/^[ \t]+/, '');
        continue;
      } else if (!['b', 'min', 'max', 'normal', 'low', 'high', 'realtime', 'abovenormal', 'belownormal', 'i', 'separate', 'shared'].includes(opt)) {
        return { error: `unknown option /${m[1]}` };
      }
      rest = rest.slice(m[0].length);
      continue;
    }
    const dm = /^\/d(\S+)(?:[ \t]+|$)/i.exec(rest);
    if (dm) {
      dir = dm[1]!.replace(/"/g, '');
      rest = rest.slice(dm[0].length);
      continue;
    }
    break;
  }
  if (rest.trim() === '') return { error: 'no program given' };
  return { wait, dir, command: rest };
}

/**
 * Arguments of `call :label …` and of another batch file, split as cmd does for `%1`…: blanks,
 * `,`, `;` and `=` separate; quotes group and stay part of the argument.
 */
export function splitBatchArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  let has = false;
  for (const c of text) {
    if (c === '"') {
      inQuote = !inQuote;
      cur += c;
      has = true;
      continue;
    }
    if (!inQuote && /[ \t,;=]/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      continue;
    }
    cur += c;
    has = true;
  }
  if (has) out.push(cur);
  return out;
}

/** `%*` for a call: the argument text without leading separators. */
export function allArgsText(text: string): string {
  return text.replace(/^[ \t,;=]+/, '');
}

