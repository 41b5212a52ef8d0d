/**
 * `winscript bat --to-sh FILE.bat`: converts the batch subset to a readable POSIX sh script
 * that calls `winscript`.
 *
 * Translation:
 * - WinSCP.com calls become `winscript` with the arguments WinSCP would see (split with
 *   WinSCP's rules at conversion time) requoted for sh, followed by `ERRORLEVEL=$?`;
 * - `%VAR%` becomes `${VAR}` (names keep the spelling of their first `set`, else of the
 *   environment at conversion time, else of their first use); `set` exports, so WinSCP
 *   scripts see the variables as `%VAR%`. A reference that WinSCP would split on blanks
 *   (outside WinSCP quotes) stays unquoted in sh, with globbing off (`set -f`), so the words
 *   come out the same;
 * - `if` → `if …; then … else … fi`; `errorlevel N` → `[ "$ERRORLEVEL" -ge N ]`; `&&`/`||`
 *   test the command's status;
 * - labels: without `goto`/`call :label` they are comments; otherwise every label starts a sh
 *   function that ends by calling the next one (cmd falls through labels), `goto x` is
 *   `ws_label_x "$@"; return`, `call :x a b` is `ws_label_x a b`, `goto :eof` / `exit /b` are
 *   `return`. (A long `goto` loop nests function calls; fine for retry loops.)
 * - Windows paths in cd / pushd / if exist / redirections are mapped now through LocalPaths
 *   when a mapping exists; otherwise (or when they contain variables) they are mapped when the
 *   script runs by `ws_path`, i.e. `winscript bat --path`, with a comment naming the drive.
 *   Paths inside WinSCP commands are left to winscript, which maps them at run time.
 *
 * A line that cannot be converted gets `# winscript: could not convert: <reason>`, the original
 * lines as comments, and a command that stops the script there with exit code 1. Approximations
 * that do not change the result get `# winscript: note: …`.
 */
import path from 'node:path';
import type { MainIO } from '../cli/main.js';
import { splitWords } from '../../grammar/parser.js';
import { LocalPathError, type LocalPaths, windowsRootOf } from '../local-path.js';
import { lookupEnv } from '../script/expand.js';
import {
  allArgsText,
  classifyCommand,
  parseCd,
  parseEcho,
  parseExit,
  parseGoto,
  parsePath,
  parseSet,
  parseStart,
  parseTimeout,
  splitBatchArgs,
  type Classified,
} from './commands.js';
import { expandPercent, hasPlaceholder, labelName, PH_CLOSE, PH_OPEN, pieces, Placeholders, type PercentRef } from './lexer.js';
import type { Condition, Node, Redirection } from './parser.js';
import { loadBatch, parseCmdInteger, type BatchFile } from './runner.js';
import { statements, walk, type Statement } from './static.js';
import { isNulDevice } from './streams.js';

export interface ToShOptions {
  paths: LocalPaths;
  /** Environment at conversion time (spelling of variable names). */
  env?: Record<string, string | undefined>;
}

class Unconvertible extends Error {}

/** Status of a translated command, for `&&` / `||`. */
type Status = { kind: 'always' } | { kind: 'last' } | { kind: 'test'; test: string };

interface Tr {
  lines: string[];
  status: Status;
  /** Index of the line that takes the command's redirections (default: the only line). */
  redirLine?: number;
}

const ALWAYS: Status = { kind: 'always' };
const EL_OK: Status = { kind: 'test', test: '[ "$ERRORLEVEL" -eq 0 ]' };
const RESERVED = new Set(['IFS', 'PS1', 'PS2', 'PS4', 'OPTIND', 'OPTARG', 'PPID', 'LINENO', 'ERRORLEVEL']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quoted sh word (bare when it is plainly safe). */
export function sq(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const dq = (s: string) => s.replace(/[\\"$`]/g, '\\$&');

const HELPERS: Record<string, { deps: string[]; text: string }> = {
  ws_cd: {
    deps: [],
    text: `# cd as cmd does it: a message and ERRORLEVEL 1 when the folder does not exist.
ws_cd() {
  cd -- "$1" 2>/dev/null && return 0
  echo 'The system cannot find the path specified.' >&2
  ERRORLEVEL=1
  return 1
}`,
  },
  ws_pushd: {
    deps: ['ws_cd'],
    text: `ws_depth=0
ws_pushd() {
  ws_old=$PWD
  ws_cd "$1" || return 1
  ws_depth=$((ws_depth + 1))
  eval "ws_dir_$ws_depth=\\$ws_old"
}
ws_popd() {
  [ "$ws_depth" -gt 0 ] || return 0
  eval "cd -- \\"\\$ws_dir_$ws_depth\\""
  ws_depth=$((ws_depth - 1))
}`,
  },
  ws_path: {
    deps: [],
    text: `# Maps a Windows path (C:\\x, \\\\server\\share\\x) with WINSCRIPT_DRIVES, as winscript does.
ws_path() {
  winscript bat --path "$1"
}`,
  },
  ws_exists: {
    deps: [],
    text: `# if exist with wildcards (matching is case-sensitive here, unlike Windows).
ws_exists() {
  ws_ifs=$IFS; IFS=; set +f
  for ws_f in $1; do
    if [ -e "$ws_f" ]; then set -f; IFS=$ws_ifs; return 0; fi
  done
  set -f; IFS=$ws_ifs
  return 1
}`,
  },
  ws_isint: {
    deps: [],
    text: `ws_isint() {
  case $1 in
    -*) case \${1#-} in ''|*[!0-9]*) return 1 ;; esac ;;
    ''|*[!0-9]*) return 1 ;;
  esac
}`,
  },
  ws_cmp: {
    deps: ['ws_isint'],
    text: `# cmd's equ/neq/lss/leq/gtr/geq: numbers compare as numbers, anything else as text.
ws_cmp() {
  if ws_isint "$1" && ws_isint "$3"; then
    case $2 in
      equ) [ "$1" -eq "$3" ] ;; neq) [ "$1" -ne "$3" ] ;; lss) [ "$1" -lt "$3" ] ;;
      leq) [ "$1" -le "$3" ] ;; gtr) [ "$1" -gt "$3" ] ;; geq) [ "$1" -ge "$3" ] ;;
    esac
  else
    case $2 in
      equ) [ "x$1" = "x$3" ] ;; neq) [ "x$1" != "x$3" ] ;;
      lss) expr "x$1" \\< "x$3" >/dev/null ;; leq) expr "x$1" \\<= "x$3" >/dev/null ;;
      gtr) expr "x$1" \\> "x$3" >/dev/null ;; geq) expr "x$1" \\>= "x$3" >/dev/null ;;
    esac
  fi
}`,
  },
  ws_substr: {
    deps: [],
    text: `# %VAR:~start,length% (negative numbers count from the end), as cmd computes it.
ws_substr() {
  ws_s=$1 ws_a=$2 ws_n=$3 awk 'BEGIN {
    s = ENVIRON["ws_s"]; a = ENVIRON["ws_a"] + 0; n = ENVIRON["ws_n"]; l = length(s)
    if (a < 0) a = l + a; if (a < 0) a = 0; if (a > l) a = l
    if (n == "") e = l; else if (n + 0 < 0) e = l + n; else e = a + n
    if (e > l) e = l; if (e < a) e = a
    printf "%s", substr(s, a + 1, e - a) }'
}`,
  },
  ws_replace: {
    deps: [],
    text: `# %VAR:old=new% (old is matched ignoring case; *old replaces up to the first match).
ws_replace() {
  ws_s=$1 ws_o=$2 ws_n=$3 awk 'BEGIN {
    s = ENVIRON["ws_s"]; o = ENVIRON["ws_o"]; n = ENVIRON["ws_n"]; star = 0
    if (substr(o, 1, 1) == "*") { star = 1; o = substr(o, 2) }
    if (o == "") { printf "%s", s; exit }
    out = ""; ls = tolower(s); lo = tolower(o)
    while ((i = index(ls, lo)) > 0) {
      if (star) { printf "%s", n substr(s, i + length(o)); exit }
      out = out substr(s, 1, i - 1) n; s = substr(s, i + length(o)); ls = substr(ls, i + length(o))
    }
    printf "%s", out s }'
}`,
  },
  ws_lc: {
    deps: [],
    text: `ws_lc() {
  printf '%s' "$1" | tr '[:upper:]' '[:lower:]'
}`,
  },
};

class Converter {
  private readonly table = new Placeholders();
  private readonly stmts: Statement[];
  private readonly helpers = new Set<string>();
  /** Upper-case batch name → sh name. */
  private readonly names = new Map<string, string>();
  /** Names the batch assigns (they are not cmd's dynamic variables then). */
  private readonly assigned = new Set<string>();
  /** Label → function name (first definition wins, as goto finds it first from the top). */
  private readonly labelFns = new Map<string, string>();
  private functionMode = false;
  private usesDp0 = false;
  private echoOn = true;
  private echoNoted = false;
  private pending: string[] = [];
  /**
   * Variables that the current statement both changes and reads: cmd expanded them when it read
   * the statement, so the sh code reads copies taken before it (`ws_at_NAME`).
   */
  private snapshot = new Set<string>();
  private readonly drivesNeeded = new Set<string>();
  private readonly notesShown = new Set<string>();
  /** Lines that could not be converted and stop the script. */
  private readonly failing: number[] = [];
  private readonly roots = new Set<string>();

  constructor(
    private readonly file: BatchFile,
    private readonly opts: ToShOptions,
  ) {
    this.stmts = [...statements(file.lines, this.table.make)];
    this.collect();
  }

  // ------------------------------------------------------------------ first pass

  private collect(): void {
    const spelled = new Map<string, string>();
    let jumps = false;
    for (const s of this.stmts) {
      if (!('node' in s)) {
        if (s.label !== '' && !this.labelFns.has(s.label)) this.labelFns.set(s.label, `ws_label_${s.label.replace(/[^a-z0-9_]/g, '_')}`);
        continue;
      }
      for (const n of walk(s.node)) {
        if (n.type !== 'cmd') continue;
        const c = classifyCommand(n.text);
        if (c.kind !== 'builtin') continue;
        if (c.name === 'set') {
          const a = parseSet(c.args);
          if ((a.kind === 'assign' || a.kind === 'prompt') && !hasPlaceholder(a.name)) {
            const up = a.name.toUpperCase();
            this.assigned.add(up);
            if (!spelled.has(up)) spelled.set(up, a.name);
          }
        } else if (c.name === 'goto' && parseGoto(c.args).toLowerCase() !== 'eof') jumps = true;
        else if (c.name === 'call' && allArgsText(c.args).startsWith(':')) jumps = true;
      }
    }
    for (const r of this.table.refs) {
      if (r.kind !== 'var') continue;
      const up = r.name.toUpperCase();
      if (spelled.has(up)) continue;
      const env = this.opts.env ?? {};
      const envName = Object.keys(env).find((k) => k.toUpperCase() === up && lookupEnv(env, k) !== undefined);
      spelled.set(up, envName ?? r.name);
    }
    for (const [up, name] of spelled) this.names.set(up, name);
    // Disambiguate function names that collide after sanitising.
    const used = new Set<string>();
    for (const [label, fn] of this.labelFns) {
      let f = fn;
      for (let i = 2; used.has(f); i++) f = `${fn}_${i}`;
      used.add(f);
      this.labelFns.set(label, f);
    }
    this.functionMode = jumps && this.labelFns.size > 0;
  }

  // ------------------------------------------------------------------ words

  private shName(name: string): string {
    if (hasPlaceholder(name)) throw new Unconvertible('a variable name that comes from another variable');
    const up = name.toUpperCase();
    const sh = this.names.get(up) ?? name;
    if (!IDENT.test(sh)) throw new Unconvertible(`the variable name '${name}' is not valid in sh`);
    if (RESERVED.has(sh.toUpperCase()) && up !== 'ERRORLEVEL') throw new Unconvertible(`the variable name '${name}' has a special meaning in sh`);
    return sh;
  }

  /** The sh expansion of a `%` reference (for a double-quoted context). */
  private refSh(ref: PercentRef): string {
    if (ref.kind === 'all') return '$*';
    if (ref.kind === 'arg') {
      const mods = ref.mods;
      if (ref.index === 0) {
        if (mods === undefined || mods === '') return '$0';
        if (/^d?p$|^pd$/.test(mods)) {
          this.usesDp0 = true;
          return '${ws_dp0}';
        }
        if (mods === 'f' || mods === 'dpnx') {
          this.usesDp0 = true;
          return '${ws_dp0}$(basename -- "$0")';
        }
        if (mods === 'nx') return '$(basename -- "$0")';
        throw new Unconvertible(`the modifier ${ref.text}`);
      }
      if (mods === undefined || mods === '') return `\${${ref.index}}`;
      throw new Unconvertible(`the modifier ${ref.text}`);
    }
    if (ref.modifier !== undefined) return this.modified(ref);
    const up = ref.name.toUpperCase();
    if (this.snapshot.has(up)) return `\${ws_at_${up === 'ERRORLEVEL' && !this.assigned.has(up) ? 'ERRORLEVEL' : this.shName(ref.name)}}`;
    if (!this.assigned.has(up)) {
      switch (up) {
        case 'ERRORLEVEL':
          return '${ERRORLEVEL}';
        case 'CD':
          return '${PWD}';
        case 'RANDOM':
          return `$(awk 'BEGIN { srand(); print int(rand() * 32768) }')`;
        case 'DATE':
          return `$(date '+%a %m/%d/%Y')`;
        case 'TIME':
          // cmd pads the hour with a blank; sh has no centiseconds.
          return `$(date '+%H:%M:%S' | sed 's/^0/ /').00`;
      }
    }
    return `\${${this.shName(ref.name)}}`;
  }

  /** `%VAR:~s,l%` and `%VAR:old=new%` through the ws_substr / ws_replace helpers. */
  private modified(ref: PercentRef & { kind: 'var' }): string {
    const base = this.refSh({ ...ref, modifier: undefined });
    const m = /^~\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?$/.exec(ref.modifier!);
    if (m) {
      this.helpers.add('ws_substr');
      return `$(ws_substr "${base}" ${m[1]}${m[2] !== undefined ? ` ${m[2]}` : ''})`;
    }
    const eq = ref.modifier!.indexOf('=');
    if (ref.modifier!.startsWith('~') || eq < 0) throw new Unconvertible(`the form ${ref.text}`);
    this.helpers.add('ws_replace');
    const arg = (t: string) => `"${dq(t)}"`;
    return `$(ws_replace "${base}" ${arg(ref.modifier!.slice(0, eq))} ${arg(ref.modifier!.slice(eq + 1))})`;
  }

  /** One sh word for the whole text (echo text, values, paths). */
  private word(text: string): string {
    const ps = pieces(text, this.table);
    if (ps.every((p) => typeof p === 'string')) return sq(ps.join(''));
    return `"${ps.map((p) => (typeof p === 'string' ? dq(p) : this.refSh(p))).join('')}"`;
  }

  /**
   * One argument of a WinSCP call. `raw` is the token as written (WinSCP quotes included):
   * a reference outside WinSCP quotes is left unquoted so that sh splits its value on blanks
   * as WinSCP would; inside quotes it stays one word.
   */
  private winscpWord(raw: string): string {
    type Seg = { text: string; quoted: boolean } | { ref: PercentRef; quoted: boolean };
    const segs: Seg[] = [];
    let quoted = false;
    for (let i = 0; i < raw.length; ) {
      const c = raw[i]!;
      if (c === '"' && raw[i + 1] === '"') {
        segs.push({ text: '"', quoted });
        i += 2;
      } else if (c === '"') {
        quoted = !quoted;
        i++;
      } else if (c === PH_OPEN) {
        const close = raw.indexOf(PH_CLOSE, i);
        segs.push({ ref: this.table.get(Number(raw.slice(i + 1, close))), quoted });
        i = close + 1;
      } else {
        segs.push({ text: c, quoted });
        i++;
      }
    }
    const splitting = segs.some((s) => 'ref' in s && !s.quoted && s.ref.kind !== 'arg');
    if (!splitting) {
      const text = segs.map((s) => ('ref' in s ? `${PH_OPEN}${this.table.refs.indexOf(s.ref)}${PH_CLOSE}` : s.text)).join('');
      return this.word(text);
    }
    if (segs.length === 1 && 'ref' in segs[0]! && segs[0].ref.kind === 'all') return '"$@"';
    let out = '';
    let lit = '';
    const flush = () => {
      if (lit !== '') out += sq(lit);
      lit = '';
    };
    for (const s of segs) {
      if ('text' in s) {
        lit += s.text;
        continue;
      }
      flush();
      const e = this.refSh(s.ref);
      out += s.quoted || s.ref.kind === 'arg' ? `"${e}"` : e;
    }
    flush();
    return out;
  }

  /** Relative path with `\` through LocalPaths (against a stand-in folder), for sh. */
  private relative(p: string): string {
    const base = '/winscript-cwd';
    const r = this.opts.paths.resolve(p, base);
    return path.relative(base, r) || '.';
  }

  private noteRoot(text: string): void {
    const root = windowsRootOf(text);
    if (root && root.kind !== 'drive-relative') this.roots.add(root.name);
  }

  /** A local path of the batch as one sh word. */
  private pathWord(text: string): string {
    if (isNulDevice(text)) return '/dev/null';
    if (hasPlaceholder(text)) {
      const ps = pieces(text, this.table);
      const first = ps[0];
      const rest = ps.slice(1);
      const posixRef =
        first !== undefined &&
        typeof first !== 'string' &&
        ((first.kind === 'arg' && first.index === 0 && /^d?p$|^pd$/.test(first.mods ?? '')) || (first.kind === 'var' && first.name.toUpperCase() === 'CD' && !this.assigned.has('CD') && first.modifier === undefined));
      if (posixRef && rest.every((p) => typeof p === 'string')) {
        const tail = (rest as string[]).join('').replace(/^[\\/]+/, '');
        const head = this.refSh(first);
        if (tail === '') return `"${head}"`;
        const rel = this.relative(tail);
        return `"${head}${head === '${ws_dp0}' ? '' : '/'}${dq(rel)}"`;
      }
      this.helpers.add('ws_path');
      this.pending.push(`# winscript: note: ${this.restore(text)} is mapped when the script runs (ws_path)`);
      return `"$(ws_path ${this.word(text)})"`;
    }
    const root = windowsRootOf(text);
    if (root?.kind === 'drive' || root?.kind === 'unc') {
      this.roots.add(root.name);
      try {
        return sq(this.opts.paths.resolve(text, '/'));
      } catch (e) {
        if (!(e instanceof LocalPathError)) throw e;
        this.drivesNeeded.add(root.name);
        this.helpers.add('ws_path');
        this.pending.push(`# winscript: note: ${root.name} was not mapped when converting; ${text} is mapped when the script runs (set WINSCRIPT_DRIVES='${root.name}=/some/folder')`);
        return `"$(ws_path ${sq(text)})"`;
      }
    }
    if (root?.kind === 'drive-relative') {
      this.helpers.add('ws_path');
      this.pending.push(`# winscript: note: ${text} is relative to the current drive; it is mapped when the script runs`);
      return `"$(ws_path ${sq(text)})"`;
    }
    if (!text.includes('\\')) return sq(text);
    return sq(path.isAbsolute(text.replace(/\\/g, '/')) ? this.opts.paths.resolve(text, '/') : this.relative(text));
  }

  private restore(text: string): string {
    return text.replace(new RegExp(`${PH_OPEN}(\\d+)${PH_CLOSE}`, 'g'), (_m, n: string) => this.table.get(Number(n)).text);
  }

  // ------------------------------------------------------------------ statements

  private unconverted(reason: string, from: number, to: number, fatal = true): string[] {
    const out = [`# winscript: could not convert: ${reason}`];
    for (let l = from; l <= to; l++) out.push(`#   ${l}: ${this.file.lines[l - 1] ?? ''}`);
    if (fatal) {
      this.failing.push(from);
      out.push(`echo ${sq(`winscript: ${this.file.shown}:${from}: this line was not converted to sh; edit the script`)} >&2; exit 1`);
    }
    return out;
  }

  /** Runs `fn`; an Unconvertible turns into the "could not convert" lines for the node. */
  private guarded(n: Node, fn: () => Tr): Tr {
    const before = this.pending.length;
    try {
      const tr = fn();
      const notes = this.pending.splice(before).filter((x) => !this.notesShown.has(x));
      for (const x of notes) this.notesShown.add(x);
      if (notes.length) tr.lines.unshift(...notes);
      if (tr.redirLine !== undefined) tr.redirLine += notes.length;
      return tr;
    } catch (e) {
      this.pending.splice(before);
      if (!(e instanceof Unconvertible)) throw e;
      return { lines: this.unconverted(e.message, n.line, n.endLine), status: ALWAYS };
    }
  }

  private tr(n: Node): Tr {
    switch (n.type) {
      case 'nop':
        return { lines: [], status: ALWAYS };
      case 'bad':
        return { lines: this.unconverted(n.message, n.line, n.endLine), status: ALWAYS };
      case 'cmd':
        return this.guarded(n, () => this.withRedirections(this.simple(n.text), n.redirs));
      case 'block': {
        const parts = n.body.map((b) => this.tr(b));
        const lines = parts.flatMap((p) => p.lines);
        const status = parts.length ? parts[parts.length - 1]!.status : ALWAYS;
        if (n.redirs.length === 0) return { lines, status };
        return this.guarded(n, () => ({ lines: ['{', ...indent(lines.length ? lines : [':']), `}${this.redirections(n.redirs)}`], status: ALWAYS }));
      }
      case 'seq': {
        let cur = this.tr(n.first);
        for (const r of n.rest) {
          const next = this.tr(r.node);
          if (r.op === '&') cur = { lines: [...cur.lines, ...next.lines], status: next.status };
          else cur = { lines: conditional(cur, r.op, next.lines), status: ALWAYS };
        }
        return cur;
      }
      case 'if':
        return this.guarded(n, () => {
          let test = this.condition(n.cond, n.ci);
          if (n.not) test = negate(test);
          const thenTr = this.tr(n.then);
          const lines = [`if ${test}; then`, ...indent(thenTr.lines.length ? thenTr.lines : [':'])];
          if (n.else) {
            const elseTr = this.tr(n.else);
            lines.push('else', ...indent(elseTr.lines.length ? elseTr.lines : [':']));
          }
          lines.push('fi');
          return { lines, status: ALWAYS };
        });
    }
  }

  private condition(c: Condition, ci: boolean): string {
    switch (c.kind) {
      case 'errorlevel': {
        const n = parseCmdInteger(c.value);
        if (n === undefined) throw new Unconvertible(`'if errorlevel ${this.restore(c.value)}' needs a number`);
        return `[ "$ERRORLEVEL" -ge ${n} ]`;
      }
      case 'defined':
        return `[ -n "\${${this.shName(c.name)}+x}" ]`;
      case 'exist': {
        const w = this.pathWord(c.path);
        if (/[*?]/.test(path.basename(c.path.replace(/\\/g, '/')))) {
          this.helpers.add('ws_exists');
          return `ws_exists ${w}`;
        }
        return `[ -e ${w} ]`;
      }
      case 'compare': {
        let { left, right } = c;
        if (c.op === '==') {
          // Both sides quoted: the quotes cannot change equality, drop them for readability.
          if (/^".*"$/s.test(left) && /^".*"$/s.test(right) && left.length >= 2 && right.length >= 2) {
            left = left.slice(1, -1);
            right = right.slice(1, -1);
          }
          if (ci) return `[ ${this.lowered(left)} = ${this.lowered(right)} ]`;
          return `[ ${this.word(left)} = ${this.word(right)} ]`;
        }
        const el = this.errorlevelRef(left);
        const rn = parseCmdInteger(right);
        if (el && rn !== undefined) {
          const op = { equ: '-eq', neq: '-ne', lss: '-lt', leq: '-le', gtr: '-gt', geq: '-ge' }[c.op];
          return `[ "$${this.snapshot.has('ERRORLEVEL') ? 'ws_at_ERRORLEVEL' : 'ERRORLEVEL'}" ${op} ${rn} ]`;
        }
        this.helpers.add('ws_cmp');
        if (ci) return `ws_cmp ${this.lowered(left)} ${c.op} ${this.lowered(right)}`;
        return `ws_cmp ${this.word(left)} ${c.op} ${this.word(right)}`;
      }
    }
  }

  /** A word compared with /i: lower-cased now when it is fixed text, else when the script runs. */
  private lowered(text: string): string {
    if (!hasPlaceholder(text)) return sq(text.toLowerCase());
    this.helpers.add('ws_lc');
    return `"$(ws_lc ${this.word(text)})"`;
  }

  private errorlevelRef(text: string): boolean {
    const ps = pieces(text, this.table);
    return ps.length === 1 && typeof ps[0] !== 'string' && ps[0]!.kind === 'var' && ps[0]!.name.toUpperCase() === 'ERRORLEVEL' && !this.assigned.has('ERRORLEVEL') && ps[0]!.modifier === undefined;
  }

  private redirections(redirs: Redirection[]): string {
    let s = '';
    for (const r of redirs) {
      const fd = r.fd === 1 && r.op !== '<' ? '' : r.fd === 0 && r.op === '<' ? '' : String(r.fd);
      if (r.op === 'dup') s += ` ${r.fd}>&${r.target}`;
      else if (r.target.toLowerCase() === 'con') s += ` ${fd}${r.op === '<' ? '<' : '>'} /dev/tty`;
      else s += ` ${fd}${r.op} ${this.pathWord(r.target)}`;
    }
    return s;
  }

  private withRedirections(tr: Tr, redirs: Redirection[]): Tr {
    if (redirs.length === 0) return tr;
    const red = this.redirections(redirs);
    if (tr.lines.length === 0) return { lines: [`:${red}`], status: ALWAYS };
    const at = tr.redirLine ?? (tr.lines.length === 1 ? 0 : undefined);
    if (at !== undefined) {
      const lines = [...tr.lines];
      lines[at] += red;
      return { ...tr, lines };
    }
    return { lines: ['{', ...indent(tr.lines), `}${red}`], status: tr.status };
  }

  private simple(text: string): Tr {
    const c = classifyCommand(text);
    switch (c.kind) {
      case 'empty':
        return { lines: [], status: ALWAYS };
      case 'unsupported':
        throw new Unconvertible(c.message);
      case 'dynamic':
        throw new Unconvertible(`the command ${this.restore(c.program)} comes from a variable`);
      case 'drive':
        this.helpers.add('ws_cd');
        return { lines: [`ws_cd ${this.pathWord(`${c.drive}\\`)}`], status: { kind: 'last' } };
      case 'winscp':
        return this.winscp(c.args);
      case 'batch':
        return this.batchCall(c);
      case 'builtin':
        return this.builtin(c);
    }
  }

  private winscp(argsText: string, cdTo?: string): Tr {
    const words = splitWords(argsText).map((w) => this.winscpWord(argsText.slice(w.start, w.end)));
    const start = cdTo === undefined ? 'winscript' : `(cd -- ${cdTo} && exec winscript`;
    const end = cdTo === undefined ? '' : ')';
    let lines: string[];
    if (start.length + words.join(' ').length + end.length < 100) lines = [[start, ...words].join(' ') + end];
    else {
      // Long calls: the switches on the first line, then one /command line (or argument) per line.
      const list = words.findIndex((w) => /^[/-](command|parameter)$/i.test(w));
      const head = list >= 0 ? list + 1 : Math.min(1, words.length);
      lines = [[start, ...words.slice(0, head)].join(' '), ...words.slice(head).map((w) => '  ' + w)];
      lines = lines.map((l, i) => (i < lines.length - 1 ? l + ' \\' : l + end));
    }
    const redirLine = lines.length - 1;
    lines.push('ERRORLEVEL=$?');
    return { lines, status: EL_OK, redirLine };
  }

  private batchCall(c: Classified & { kind: 'batch' }): Tr {
    const args = splitBatchArgs(c.args).map((a) => this.word(a.replace(/^"(.*)"$/s, '$1')));
    this.pending.push(`# winscript: note: ${this.restore(c.program)} runs with winscript bat (convert it too to drop this); variables it sets are not seen here`);
    return { lines: [['winscript', 'bat', this.pathWord(c.program), ...args].join(' '), 'ERRORLEVEL=$?'], status: EL_OK, redirLine: 0 };
  }

  private builtin(c: Classified & { kind: 'builtin' }): Tr {
    switch (c.name) {
      case 'echo': {
        const a = parseEcho(c.args);
        if (a.kind === 'set') {
          this.echoOn = a.on;
          return { lines: [], status: ALWAYS };
        }
        if (a.kind === 'state') return { lines: [`echo ${sq(`ECHO is ${this.echoOn ? 'on' : 'off'}.`)}`], status: ALWAYS };
        if (a.text === '') return { lines: ['echo'], status: ALWAYS };
        return { lines: [`printf '%s\\n' ${this.word(a.text)}`], status: ALWAYS };
      }
      case 'set': {
        const a = parseSet(c.args);
        switch (a.kind) {
          case 'assign': {
            const name = this.shName(a.name);
            if (a.value === '') return { lines: [`unset ${name}`], status: ALWAYS };
            return { lines: [`export ${name}=${this.word(a.value)}`], status: ALWAYS };
          }
          case 'prompt': {
            const name = this.shName(a.name);
            return {
              lines: [
                `printf '%s' ${this.word(a.prompt)}`,
                'if IFS= read -r ws_line; then',
                `  if [ -n "$ws_line" ]; then export ${name}="$ws_line"; else ERRORLEVEL=1; fi`,
                'else',
                "  echo; ERRORLEVEL=1",
                'fi',
              ],
              status: ALWAYS,
            };
          }
          case 'list':
            throw new Unconvertible("'set' without a value lists variables; use env in sh");
          case 'error':
            throw new Unconvertible(a.message);
        }
        break;
      }
      case 'cd': {
        const { path: p } = parseCd(c.args);
        if (p === '') return { lines: ['pwd'], status: ALWAYS };
        this.helpers.add('ws_cd');
        return { lines: [`ws_cd ${this.pathWord(p)}`], status: { kind: 'last' } };
      }
      case 'pushd': {
        const p = parsePath(c.args);
        if (p === '') return { lines: [], status: ALWAYS };
        this.helpers.add('ws_pushd');
        return { lines: [`ws_pushd ${this.pathWord(p)}`], status: { kind: 'last' } };
      }
      case 'popd':
        this.helpers.add('ws_pushd');
        return { lines: ['ws_popd'], status: ALWAYS };
      case 'goto': {
        const label = parseGoto(c.args);
        if (label.toLowerCase() === 'eof') return { lines: [this.functionMode ? 'return' : 'exit "$ERRORLEVEL"'], status: ALWAYS };
        if (hasPlaceholder(label)) throw new Unconvertible(`goto ${this.restore(label)}: the label comes from a variable`);
        const fn = this.labelFns.get(labelName(label));
        if (!fn) throw new Unconvertible(`goto ${label}: there is no label ':${label}'`);
        return { lines: [`${fn} "$@"; return`], status: ALWAYS };
      }
      case 'call': {
        // `call` expands `%` a second time; the symbolic expansion does the same.
        const rest = expandPercent(allArgsText(c.args), this.table.make);
        if (rest.startsWith(':')) {
          const label = labelName(rest);
          const fn = this.labelFns.get(label);
          if (!fn) throw new Unconvertible(`call :${label}: there is no such label`);
          const after = rest.slice(1).replace(/^[^\s:;,=+&|<>^]*/, '');
          const args = splitBatchArgs(after).map((a) => this.word(a.replace(/^"(.*)"$/s, '$1')));
          return { lines: [[fn, ...args].join(' ')], status: EL_OK };
        }
        return this.simple(rest);
      }
      case 'exit': {
        const e = parseExit(c.args);
        if (e.local && this.functionMode) return { lines: [...(e.code !== undefined ? [`ERRORLEVEL=${e.code}`] : []), 'return'], status: ALWAYS };
        return { lines: [e.code !== undefined ? `exit ${e.code}` : 'exit "$ERRORLEVEL"'], status: ALWAYS };
      }
      case 'setlocal':
        return { lines: ['# setlocal: variables set by this script do not leak to its caller in sh anyway'], status: ALWAYS };
      case 'endlocal':
        return { lines: ['# winscript: note: endlocal has no sh equivalent here; variables set since setlocal keep their values'], status: ALWAYS };
      case 'shift':
        if (/^\s*\/\d/.test(c.args)) throw new Unconvertible('shift /N');
        return { lines: ['shift'], status: ALWAYS };
      case 'start': {
        const s = parseStart(c.args);
        if ('error' in s) throw new Unconvertible(`start: ${s.error}`);
        const inner = classifyCommand(s.command);
        if (inner.kind !== 'winscp') throw new Unconvertible('start /wait of something other than WinSCP');
        return this.winscp(inner.args, s.dir === undefined ? undefined : this.pathWord(s.dir));
      }
      case 'timeout': {
        const t = parseTimeout(c.args);
        if ('error' in t) throw new Unconvertible(`timeout: ${t.error}`);
        return { lines: [`sleep ${t.seconds}`], status: ALWAYS };
      }
      case 'pause':
        return { lines: [`printf '%s\\n' 'Press any key to continue . . . '`, 'if [ -t 0 ]; then read -r ws_line; fi'], status: ALWAYS };
      case 'title':
      case 'cls':
        return { lines: [`# ${c.name}: nothing to do in sh`], status: ALWAYS };
    }
    throw new Unconvertible(c.typed);
  }

  // ------------------------------------------------------------------ output

  private statement(n: Node): string[] {
    const out: string[] = [];
    if (this.echoOn && !n.quiet && n.type !== 'nop' && !this.echoNoted) {
      this.echoNoted = true;
      out.push("# winscript: could not convert: echo is on here, so cmd would print each command before running it (start the batch file with @echo off)");
    }
    const snap = this.changedAndRead(n);
    this.snapshot = snap;
    const names = [...snap].map((up) => (up === 'ERRORLEVEL' && !this.assigned.has(up) ? 'ERRORLEVEL' : this.safeName(up)));
    try {
      const lines = this.tr(n).lines;
      if (names.length && !names.includes(undefined)) {
        out.push(`# cmd reads ${names.map((x) => `%${x}%`).join(', ')} once, before this statement runs:`);
        out.push(names.map((x) => `ws_at_${x}=\${${x}}`).join('; '));
      }
      out.push(...lines);
    } finally {
      this.snapshot = new Set();
    }
    return out;
  }

  private safeName(up: string): string | undefined {
    try {
      return this.shName(this.names.get(up) ?? up);
    } catch {
      return undefined;
    }
  }

  /** Upper-case names that a multi-command statement sets and also reads. */
  private changedAndRead(n: Node): Set<string> {
    const cmds = [...walk(n)].filter((x): x is Node & { type: 'cmd' } => x.type === 'cmd');
    if (cmds.length < 2) return new Set();
    const changed = new Set<string>();
    const read = new Set<string>();
    const readText = (t: string) => {
      for (const p of pieces(t, this.table)) if (typeof p !== 'string' && p.kind === 'var') read.add(p.name.toUpperCase());
    };
    for (const x of walk(n)) {
      if (x.type === 'if') {
        const c = x.cond;
        if (c.kind === 'compare') (readText(c.left), readText(c.right));
        else if (c.kind === 'exist') readText(c.path);
      }
      if (x.type === 'cmd' || x.type === 'block') for (const r of x.redirs) readText(r.target);
      if (x.type !== 'cmd') continue;
      readText(x.text);
      const c = classifyCommand(x.text);
      if (c.kind === 'winscp' || c.kind === 'batch' || c.kind === 'drive') changed.add('ERRORLEVEL');
      if (c.kind !== 'builtin') continue;
      if (['call', 'cd', 'pushd', 'exit', 'start'].includes(c.name)) changed.add('ERRORLEVEL');
      if (c.name === 'set') {
        const a = parseSet(c.args);
        if ((a.kind === 'assign' || a.kind === 'prompt') && !hasPlaceholder(a.name)) changed.add(a.name.toUpperCase());
        if (a.kind === 'prompt') changed.add('ERRORLEVEL');
      }
    }
    return new Set([...changed].filter((x) => read.has(x)));
  }

  convert(): string {
    const sections: { fn?: string; label?: string; line?: number; body: string[] }[] = [{ fn: this.functionMode ? 'ws_main' : undefined, body: [] }];
    const seenLabels = new Set<string>();
    for (const s of this.stmts) {
      if ('label' in s) {
        if (!this.functionMode) {
          sections[0]!.body.push(`# :${this.file.lines[s.line - 1]!.trim().replace(/^:/, '')}`);
          continue;
        }
        if (s.label === '') continue; // `::` comment
        let fn = this.labelFns.get(s.label)!;
        if (seenLabels.has(s.label)) fn = `${fn}_dup${s.line}`;
        seenLabels.add(s.label);
        sections.push({ fn, label: s.label, line: s.line, body: [] });
        continue;
      }
      sections[sections.length - 1]!.body.push(...this.statement(s.node));
    }

    const body: string[] = [];
    if (this.functionMode) {
      sections.forEach((sec, i) => {
        const next = sections[i + 1];
        if (sec.label !== undefined) body.push(`# :${sec.label} (line ${sec.line})`);
        body.push(`${sec.fn}() {`);
        const lines = [...sec.body];
        // cmd runs on into the next label's lines (unless this section always leaves).
        const last = lines[lines.length - 1] ?? '';
        if (next && !/^(return|exit\b.*|.*; return)$/.test(last)) lines.push(`${next.fn} "$@"`);
        body.push(...indent(lines.length ? lines : [':']), '}', '');
      });
      body.push('ws_main "$@"');
    } else body.push(...sections[0]!.body);

    const head = [
      '#!/bin/sh',
      `# Converted from ${this.file.shown} by winscript bat --to-sh.`,
      '# WinSCP.com calls run winscript with the same arguments; ERRORLEVEL keeps their exit code.',
      '# Variables are exported so that WinSCP scripts see them as %NAME%.',
    ];
    for (const l of this.file.lines) for (const w of l.split(/[\s"=]+/)) this.noteRoot(w);
    if (this.roots.size) {
      const list = [...this.roots].sort();
      head.push(`# Windows paths are mapped by winscript when it runs: WINSCRIPT_DRIVES must map ${list.join(', ')}.`);
    }
    head.push('# Lines marked "winscript: could not convert" need to be edited by hand.', '');
    if (this.failing.length) {
      // As `winscript bat` refuses such a file before running anything, so does the script.
      head.push(
        `# winscript: could not convert line${this.failing.length === 1 ? '' : 's'} ${this.failing.join(', ')}: remove the next line once ${this.failing.length === 1 ? 'it is' : 'they are'} fixed.`,
        `echo ${sq(`winscript: ${this.file.shown}: ${this.failing.length} line${this.failing.length === 1 ? ' was' : 's were'} not converted to sh (lines ${this.failing.join(', ')}); edit the script`)} >&2; exit 1`,
        '',
      );
    }
    head.push('set -f  # no globbing: cmd leaves wildcards to the programs', 'ERRORLEVEL=0');
    if (this.usesDp0) head.push('ws_dp0=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)/  # %~dp0');
    const helperText: string[] = [];
    const added = new Set<string>();
    const add = (h: string) => {
      if (added.has(h)) return;
      for (const d of HELPERS[h]!.deps) add(d);
      added.add(h);
      helperText.push(HELPERS[h]!.text, '');
    };
    for (const h of Object.keys(HELPERS)) if (this.helpers.has(h)) add(h);
    return [...head, '', ...helperText, ...body, '', 'exit "$ERRORLEVEL"', ''].join('\n');
  }
}

function indent(lines: string[]): string[] {
  return lines.map((l) => (l === '' ? l : '  ' + l));
}

function negate(test: string): string {
  const m = /^\[ "\$ERRORLEVEL" -ge (-?\d+) \]$/.exec(test);
  if (m) return `[ "$ERRORLEVEL" -lt ${m[1]} ]`;
  if (test.startsWith('[ -n ')) return '[ -z ' + test.slice(5);
  return `! ${test}`;
}

/** `A && B` / `A || B` in sh, from A's status. */
function conditional(a: Tr, op: '&&' | '||', b: string[]): string[] {
  const body = indent(b.length ? b : [':']);
  switch (a.status.kind) {
    case 'always':
      // Internal commands such as echo or set do not fail: `||` never runs its right side.
      return op === '&&' ? [...a.lines, ...b] : [...a.lines, `# (the part after || never runs: the command before it cannot fail)`];
    case 'last': {
      const last = a.lines[a.lines.length - 1]!;
      return [...a.lines.slice(0, -1), `if ${op === '&&' ? '' : '! '}${last}; then`, ...body, 'fi'];
    }
    case 'test':
      return [...a.lines, `if ${op === '&&' ? a.status.test : negate(a.status.test)}; then`, ...body, 'fi'];
  }
}

/** Converts a loaded batch file to sh text. */
export function batchToSh(file: BatchFile, opts: ToShOptions): string {
  return new Converter(file, opts).convert();
}

/** `winscript bat --to-sh FILE`: prints the sh script; exit 1 when the file cannot be read. */
export async function convertFile(file: string, ctx: { io: MainIO; paths: LocalPaths }): Promise<number> {
  let batch: BatchFile;
  try {
    batch = await loadBatch(ctx.paths.resolve(file, ctx.io.cwd), file);
  } catch (e) {
    ctx.io.stderr.write(`winscript: cannot read batch file '${file}': ${(e as Error).message}\n`);
    return 1;
  }
  ctx.io.stdout.write(batchToSh(batch, { paths: ctx.paths, env: ctx.io.env }));
  return 0;
}
