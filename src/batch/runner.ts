/**
 * `winscript bat FILE.bat [args]`: runs a Windows batch file the way cmd.exe would, for the
 * subset of cmd that WinSCP batch files use (commands.ts lists it), and runs every
 * WinSCP.com / WinSCP.exe call in-process through `main()`.
 *
 * Execution follows cmd's model so that the usual batch-file surprises behave the same:
 * statements are read one at a time from a file position; each physical line is `%`-expanded
 * when it is read (a whole `( … )` block before any of it runs); `goto` moves the position
 * (searching forward, then from the top); `call :label` runs a nested frame until `goto :eof`,
 * `exit /b` or the end of the file; `ERRORLEVEL` is only changed by programs and by failing
 * commands.
 *
 * Before anything runs, the whole file is parsed with symbolic values (pre-flight): a command
 * outside the subset anywhere in the file stops the run with
 * `winscript: FILE:LINE: unsupported command '…' (…)` and exit code 1, before side effects.
 * The same check runs when the batch calls another batch file.
 *
 * Differences from cmd (by design, for non-interactive Linux runs):
 * - every local path goes through LocalPaths (src/local-path.ts); a path on a drive or share
 *   that is not mapped stops the run (exit 1) instead of failing one command;
 * - `%CD%`, `%~dp0`, `%~f1` are POSIX paths (`%~d0` is empty): they can be combined with
 *   Windows-style suffixes (`%~dp0logs\x.log`) because LocalPaths accepts both separators;
 * - `cd X:\dir` without `/d` also changes the drive;
 * - `echo … > file` writes LF line ends and UTF-8;
 * - `echo on` shows commands as `<cwd>>command` (cmd's prompt with a POSIX path);
 * - `timeout /t N` sleeps N seconds without output; `pause` prints its prompt and waits for a
 *   line only when standard input is a terminal; `title` and `cls` do nothing;
 * - `%DATE%` is `ddd mm/dd/yyyy` and `%TIME%` is `hh:mm:ss.cc` (the en-US forms);
 * - `start /wait` is accepted for WinSCP only; `/d DIR` sets the directory of that call.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { MainIO } from '../cli/main.js';
import { splitWords } from '../../grammar/parser.js';
import { LocalPathError, LocalPaths, parseDriveSpecs } from '../local-path.js';
import { windowsWildcardMatch } from '../masks/wildcard.js';
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
import { applyVarModifier, batchLines, decodeBatch, expandPercent, labelName, labelOf, type PercentRef } from './lexer.js';
import { preflight } from './static.js';
import { parseStatement, renderNode, SUBSET_REASON, unsupportedMessage, type Condition, type Node, type PhysicalLine, type Redirection } from './parser.js';
import { FileInput, FileSink, isNulDevice, NUL_INPUT, NUL_SINK, SharedInput, type InputSource, type OutSink } from './streams.js';

export type MainFn = (argv: string[], io: MainIO) => Promise<number>;

export interface BatchRunOptions {
  io: MainIO;
  /** `--drive` specs given to `winscript bat` (added after WINSCRIPT_DRIVES). */
  drives?: string[];
  /** Runs one WinSCP call; defaults to winscript's `main`. */
  main?: MainFn;
}

export interface BatchFile {
  /** The name used in messages (as given). */
  shown: string;
  /** Absolute POSIX path. */
  path: string;
  lines: string[];
}

interface Frame {
  file: BatchFile;
  /** `%0`, `%1`, … as cmd passes them (quotes kept). */
  args: string[];
  /** `%*`. */
  allArgs: string;
  /** Index of the next physical line to read. */
  pos: number;
  shift: number;
}

/** Stops the whole run with `winscript: FILE:LINE: message`, exit code 1. */
export class BatchFailure extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }

  format(): string {
    return `winscript: ${this.file}${this.line > 0 ? `:${this.line}` : ''}: ${this.message}`;
  }
}

class GotoSignal {
  constructor(readonly label: string) {}
}
/** `goto :eof`, `exit /b`: the current frame ends. */
class EndFrame {}
/** `exit N`: the whole run ends. */
class HardExit {
  constructor(readonly code: number) {}
}

/** Variables with cmd's case-insensitive names (the spelling of the last `set` is kept). */
export class Vars {
  private readonly m = new Map<string, { name: string; value: string }>();

  static fromEnv(env: Record<string, string | undefined>): Vars {
    const v = new Vars();
    for (const [k, val] of Object.entries(env)) if (val !== undefined) v.set(k, val);
    return v;
  }

  get(name: string): string | undefined {
    return this.m.get(name.toUpperCase())?.value;
  }

  set(name: string, value: string): void {
    this.m.set(name.toUpperCase(), { name, value });
  }

  delete(name: string): void {
    this.m.delete(name.toUpperCase());
  }

  entries(): { name: string; value: string }[] {
    return [...this.m.values()].sort((a, b) => (a.name.toUpperCase() < b.name.toUpperCase() ? -1 : 1));
  }

  toEnv(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { name, value } of this.m.values()) out[name] = value;
    return out;
  }

  clone(): Vars {
    const v = new Vars();
    for (const [k, e] of this.m) v.m.set(k, { ...e });
    return v;
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Quotes a command-line argument the way a user would type it for cmd. */
export function cmdQuote(arg: string): string {
  return arg === '' || /[\s,;=&|<>^()]/.test(arg) ? `"${arg}"` : arg;
}

/** Reads and decodes a batch file. */
export async function loadBatch(file: string, shown: string): Promise<BatchFile> {
  const bytes = await fsp.readFile(file);
  return { shown, path: path.resolve(file), lines: batchLines(decodeBatch(bytes)) };
}

export class BatchRunner {
  private readonly io: MainIO;
  private readonly cliDrives: string[];
  private readonly mainFn: MainFn | undefined;
  vars: Vars;
  cwd: string;
  errorlevel = 0;
  private echoOn = true;
  private readonly dirStack: string[] = [];
  private readonly locals: { vars: Vars; cwd: string }[] = [];
  private out: OutSink;
  private err: OutSink;
  private input: InputSource;
  private readonly stdin: SharedInput;
  private where = { file: '', line: 0 };
  private pathsCache: { spec: string; paths: LocalPaths } | undefined;

  constructor(opts: BatchRunOptions) {
    this.io = opts.io;
    this.cliDrives = opts.drives ?? [];
    this.mainFn = opts.main;
    this.vars = Vars.fromEnv(opts.io.env);
    this.cwd = opts.io.cwd;
    this.out = opts.io.stdout;
    this.err = opts.io.stderr;
    this.stdin = new SharedInput(opts.io.stdin);
    this.input = this.stdin;
  }

  /** Runs the batch file; resolves to its exit code. */
  async run(file: string, args: string[]): Promise<number> {
    try {
      const driveErrors = parseDriveSpecs([this.driveSpec()]).errors;
      if (driveErrors.length) {
        for (const e of driveErrors) this.io.stderr.write(`winscript: ${e}\n`);
        return 1;
      }
      const batch = await this.load(this.cwdPath(file), file);
      if (!batch) return 1;
      const frame: Frame = { file: batch, args: [file, ...args.map(cmdQuote)], allArgs: args.map(cmdQuote).join(' '), pos: 0, shift: 0 };
      await this.runScoped(frame);
      return this.errorlevel;
    } catch (e) {
      if (e instanceof HardExit) return e.code;
      if (e instanceof BatchFailure) {
        this.io.stderr.write(e.format() + '\n');
        return 1;
      }
      throw e;
    } finally {
      this.stdin.close();
    }
  }

  // ------------------------------------------------------------------ files and frames

  /** The path of the top-level file: relative to the current directory, any separator. */
  private cwdPath(file: string): string {
    try {
      return this.paths().resolve(file, this.cwd);
    } catch (e) {
      if (e instanceof LocalPathError) throw new BatchFailure(file, 0, e.message);
      throw e;
    }
  }

  private async load(file: string, shown: string): Promise<BatchFile | undefined> {
    let batch: BatchFile;
    try {
      batch = await loadBatch(file, shown);
    } catch (e) {
      this.io.stderr.write(`winscript: cannot read batch file '${shown}': ${(e as Error).message}\n`);
      return undefined;
    }
    const problems = preflight(batch);
    if (problems.length) {
      for (const p of problems) this.io.stderr.write(`winscript: ${shown}:${p.line}: ${p.message}\n`);
      throw new HardExit(1);
    }
    return batch;
  }

  /** Runs a frame; `setlocal`s it leaves open are undone when it ends (as cmd does). */
  private async runScoped(frame: Frame): Promise<void> {
    const depth = this.locals.length;
    try {
      await this.runFrame(frame);
    } finally {
      while (this.locals.length > depth) this.endlocal();
    }
  }

  private async runFrame(frame: Frame): Promise<void> {
    const lines = frame.file.lines;
    const feed = (): PhysicalLine | undefined => {
      if (frame.pos >= lines.length) return undefined;
      const i = frame.pos++;
      this.where = { file: frame.file.shown, line: i + 1 };
      return { text: this.expand(lines[i]!, frame), line: i + 1 };
    };
    while (frame.pos < lines.length) {
      if (labelOf(lines[frame.pos]!) !== undefined) {
        frame.pos++;
        continue;
      }
      const node = parseStatement(feed()!, feed);
      if (this.echoOn && !node.quiet && node.type !== 'nop') this.out.write(`\n${this.cwd}>${renderNode(node)}\n`);
      try {
        await this.exec(node, frame);
      } catch (e) {
        if (e instanceof GotoSignal) frame.pos = this.findLabel(frame, e.label);
        else if (e instanceof EndFrame) return;
        else throw e;
      }
    }
  }

  /** Line index just after `:label`, searching forward from the current position, then from the top. */
  private findLabel(frame: Frame, label: string): number {
    const lines = frame.file.lines;
    const order = [...Array(lines.length).keys()];
    const start = Math.min(frame.pos, lines.length);
    for (const i of [...order.slice(start), ...order.slice(0, start)]) {
      if (labelOf(lines[i]!) === label) return i + 1;
    }
    throw this.failure(`The system cannot find the batch label specified - ${label}`);
  }

  private failure(message: string): BatchFailure {
    return new BatchFailure(this.where.file, this.where.line, message);
  }

  // ------------------------------------------------------------------ expansion and paths

  private expand(text: string, frame: Frame): string {
    return expandPercent(text, (ref) => this.resolveRef(ref, frame));
  }

  private resolveRef(ref: PercentRef, frame: Frame): string {
    if (ref.kind === 'all') return frame.allArgs;
    if (ref.kind === 'arg') {
      const raw = frame.args[ref.index + frame.shift];
      if (raw === undefined) return '';
      if (ref.mods === undefined) return raw;
      // `%~dp0` names the batch file, also inside a `call :label` subroutine (as in cmd).
      return this.argModifiers(raw, ref, ref.index + frame.shift === 0 ? frame.file.path : undefined);
    }
    const value = this.getVar(ref.name);
    if (ref.modifier === undefined) return value ?? '';
    if (value === undefined) return '';
    const m = applyVarModifier(value, ref.modifier);
    if (m === undefined) throw this.failure(unsupportedMessage(ref.text, 'not a substring (:~s,l) or replacement (:a=b) form'));
    return m;
  }

  /** `%~1`, `%~f1`, `%~dp0`, `%~nx0` … (`s`, `a`, `t`, `z`, `$PATH:` are not supported). */
  private argModifiers(raw: string, ref: PercentRef & { kind: 'arg' }, ownPath: string | undefined): string {
    const mods = ref.mods ?? '';
    const unquoted = raw.replace(/^"(.*)"$/s, '$1');
    if (mods === '') return unquoted;
    if (/[satz$]/.test(mods)) throw this.failure(unsupportedMessage(ref.text, `the ~${mods.replace(/[fdpnx]/g, '')} modifier is ${SUBSET_REASON}`));
    const full = ownPath ?? this.resolvePath(unquoted);
    const parsed = path.parse(full);
    if (mods === 'f' || (mods.includes('f') && !/[dpnx]/.test(mods))) return full;
    let s = '';
    // compat: POSIX paths have no drive letter, so `d` contributes nothing.
    if (mods.includes('p')) s += parsed.dir.endsWith('/') ? parsed.dir : parsed.dir + '/';
    if (mods.includes('n')) s += parsed.name;
    if (mods.includes('x')) s += parsed.ext;
    return s;
  }

  private getVar(name: string): string | undefined {
    const v = this.vars.get(name);
    if (v !== undefined) return v;
    const now = new Date();
    switch (name.toUpperCase()) {
      case 'ERRORLEVEL':
        return String(this.errorlevel);
      case 'CD':
        return this.cwd;
      case 'RANDOM':
        return String(Math.floor(Math.random() * 32768));
      case 'DATE':
        return `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][now.getDay()]} ${pad2(now.getMonth() + 1)}/${pad2(now.getDate())}/${now.getFullYear()}`;
      case 'TIME':
        return `${String(now.getHours()).padStart(2, ' ')}:${pad2(now.getMinutes())}:${pad2(now.getSeconds())}.${pad2(Math.floor(now.getMilliseconds() / 10))}`;
      default:
        return undefined;
    }
  }

  /** WINSCRIPT_DRIVES as the batch sees it, then the `--drive` options. */
  private driveSpec(): string {
    return [this.vars.get('WINSCRIPT_DRIVES') ?? '', ...this.cliDrives].filter((s) => s.trim() !== '').join(';');
  }

  private paths(): LocalPaths {
    const spec = this.driveSpec();
    if (this.pathsCache?.spec !== spec) this.pathsCache = { spec, paths: new LocalPaths(parseDriveSpecs([spec]).map) };
    return this.pathsCache.paths;
  }

  /** Maps a local path of the batch; an unmapped drive stops the run. */
  private resolvePath(p: string, cwd = this.cwd): string {
    try {
      return this.paths().resolve(p, cwd);
    } catch (e) {
      if (e instanceof LocalPathError) throw this.failure(e.message);
      throw e;
    }
  }

  // ------------------------------------------------------------------ execution

  private async exec(n: Node, frame: Frame): Promise<boolean> {
    this.where = { file: frame.file.shown, line: n.line };
    switch (n.type) {
      case 'nop':
        return true;
      case 'bad':
        throw this.failure(n.message);
      case 'seq': {
        let ok = await this.exec(n.first, frame);
        for (const r of n.rest) {
          if (r.op === '&' || (r.op === '&&' && ok) || (r.op === '||' && !ok)) ok = await this.exec(r.node, frame);
        }
        return ok;
      }
      case 'block':
        return this.withRedirections(n.redirs, async () => {
          let ok = true;
          for (const b of n.body) ok = await this.exec(b, frame);
          return ok;
        });
      case 'if': {
        let result = await this.condition(n.cond, n.ci);
        if (n.not) result = !result;
        if (result) return this.exec(n.then, frame);
        if (n.else) return this.exec(n.else, frame);
        return true;
      }
      case 'cmd':
        return this.withRedirections(n.redirs, () => this.simple(n.text, frame));
    }
  }

  private async condition(c: Condition, ci: boolean): Promise<boolean> {
    switch (c.kind) {
      case 'errorlevel': {
        const n = Number.parseInt(c.value, 10);
        if (Number.isNaN(n)) throw this.failure(`syntax error: 'if errorlevel' needs a number, not '${c.value}'`);
        return this.errorlevel >= n;
      }
      case 'defined':
        // Dynamic variables (%CD%, %ERRORLEVEL% …) are not "defined" unless set.
        return this.vars.get(c.name) !== undefined;
      case 'exist':
        return this.exists(c.path);
      case 'compare': {
        const { left, right } = c;
        if (c.op === '==') return ci ? left.toLowerCase() === right.toLowerCase() : left === right;
        const ln = parseCmdInteger(left);
        const rn = parseCmdInteger(right);
        let cmp: number;
        if (ln !== undefined && rn !== undefined) cmp = ln - rn;
        else {
          const a = ci ? left.toLowerCase() : left;
          const b = ci ? right.toLowerCase() : right;
          cmp = a < b ? -1 : a > b ? 1 : 0;
        }
        return { equ: cmp === 0, neq: cmp !== 0, lss: cmp < 0, leq: cmp <= 0, gtr: cmp > 0, geq: cmp >= 0 }[c.op];
      }
    }
  }

  /** `if exist`: a file or folder; `*` and `?` in the last component match as on Windows. */
  private async exists(p: string): Promise<boolean> {
    if (isNulDevice(p)) return true;
    const full = this.resolvePath(p);
    const base = path.basename(full);
    if (/[*?]/.test(base)) {
      try {
        return (await fsp.readdir(path.dirname(full))).some((n) => windowsWildcardMatch(base, n));
      } catch {
        return false;
      }
    }
    return fs.existsSync(full);
  }

  /** Applies `>`, `>>`, `<`, `2>&1` … around one command or block. */
  private async withRedirections(redirs: Redirection[], fn: () => Promise<boolean>): Promise<boolean> {
    if (redirs.length === 0) return fn();
    const saved = { out: this.out, err: this.err, input: this.input };
    const opened: FileSink[] = [];
    const fds: Record<number, OutSink> = { 1: this.out, 2: this.err };
    let input = this.input;
    try {
      for (const r of redirs) {
        if (r.op === 'dup') {
          const src = Number(r.target);
          if (src === 0 || fds[src] === undefined) throw this.failure(unsupportedMessage(`${r.fd}>&${r.target}`, 'only 1 and 2 can be duplicated'));
          fds[r.fd] = fds[src]!;
          continue;
        }
        if (r.op === '<') {
          if (isNulDevice(r.target)) input = NUL_INPUT;
          else {
            const file = this.resolvePath(r.target);
            try {
              input = new FileInput(file);
            } catch {
              this.err.write('The system cannot find the file specified.\n');
              this.errorlevel = 1;
              return false;
            }
          }
          continue;
        }
        if (r.fd !== 1 && r.fd !== 2) throw this.failure(unsupportedMessage(`${r.fd}>`, 'only handles 1 and 2 can be redirected'));
        let sink: OutSink;
        if (isNulDevice(r.target)) sink = NUL_SINK;
        else if (r.target.toLowerCase() === 'con') sink = r.fd === 2 ? this.io.stderr : this.io.stdout;
        else {
          const file = this.resolvePath(r.target);
          try {
            const f = new FileSink(file, r.op === '>>');
            opened.push(f);
            sink = f;
          } catch {
            this.err.write('The system cannot find the path specified.\n');
            this.errorlevel = 1;
            return false;
          }
        }
        fds[r.fd] = sink;
      }
      this.out = fds[1]!;
      this.err = fds[2]!;
      this.input = input;
      return await fn();
    } finally {
      this.out = saved.out;
      this.err = saved.err;
      this.input = saved.input;
      for (const f of opened) f.close();
    }
  }

  private async simple(text: string, frame: Frame): Promise<boolean> {
    const c = classifyCommand(text);
    switch (c.kind) {
      case 'empty':
        return true;
      case 'unsupported':
        throw this.failure(c.message);
      case 'dynamic':
        throw this.failure(unsupportedMessage(c.program));
      case 'drive':
        return this.changeDir(`${c.drive}\\`);
      case 'winscp':
        return this.winscp(c.args);
      case 'batch':
        await this.callBatch(c);
        throw new EndFrame(); // without `call`, control does not come back (as in cmd)
      case 'builtin':
        return this.builtin(c, frame);
    }
  }

  private async builtin(c: Classified & { kind: 'builtin' }, frame: Frame): Promise<boolean> {
    switch (c.name) {
      case 'echo': {
        const a = parseEcho(c.args);
        if (a.kind === 'set') this.echoOn = a.on;
        else if (a.kind === 'state') this.out.write(`ECHO is ${this.echoOn ? 'on' : 'off'}.\n`);
        else this.out.write(a.text + '\n');
        return true;
      }
      case 'set':
        return this.set(c.args);
      case 'cd': {
        const { path: p } = parseCd(c.args);
        if (p === '') {
          this.out.write(this.cwd + '\n');
          return true;
        }
        return this.changeDir(p);
      }
      case 'pushd': {
        const p = parsePath(c.args);
        if (p === '') return true;
        const before = this.cwd;
        if (!(await this.changeDir(p))) return false;
        this.dirStack.push(before);
        return true;
      }
      case 'popd': {
        const d = this.dirStack.pop();
        if (d !== undefined) this.cwd = d;
        return true;
      }
      case 'goto': {
        const label = parseGoto(c.args);
        if (label === '') throw this.failure("syntax error: 'goto' needs a label");
        if (label.toLowerCase() === 'eof') throw new EndFrame();
        throw new GotoSignal(labelName(label));
      }
      case 'call':
        return this.call(c.args, frame);
      case 'exit': {
        const e = parseExit(c.args);
        if (e.local) {
          if (e.code !== undefined) this.errorlevel = e.code;
          throw new EndFrame();
        }
        throw new HardExit(e.code ?? this.errorlevel);
      }
      case 'setlocal':
        this.locals.push({ vars: this.vars.clone(), cwd: this.cwd });
        return true;
      case 'endlocal':
        this.endlocal();
        return true;
      case 'shift': {
        const m = /^\s*\/(\d)/.exec(c.args);
        if (m) frame.args.splice(Number(m[1]) + frame.shift, 1);
        else frame.shift++;
        return true;
      }
      case 'start': {
        const s = parseStart(c.args);
        if ('error' in s) throw this.failure(unsupportedMessage('start', s.error));
        const inner = classifyCommand(s.command);
        if (inner.kind !== 'winscp') throw this.failure(unsupportedMessage('start', 'start /wait is accepted for WinSCP only'));
        return this.winscp(inner.args, s.dir === undefined ? undefined : this.resolvePath(s.dir));
      }
      case 'timeout': {
        const t = parseTimeout(c.args);
        if ('error' in t) throw this.failure(unsupportedMessage('timeout', t.error));
        await new Promise((r) => setTimeout(r, t.seconds * 1000));
        return true;
      }
      case 'pause':
        this.out.write('Press any key to continue . . . \n');
        if (this.input.isTTY) await this.input.readLine();
        return true;
      case 'title':
      case 'cls':
        return true;
    }
  }

  private endlocal(): void {
    const l = this.locals.pop();
    if (!l) return;
    this.vars = l.vars;
    this.cwd = l.cwd;
  }

  private async set(args: string): Promise<boolean> {
    const a = parseSet(args);
    switch (a.kind) {
      case 'assign':
        if (a.value === '') this.vars.delete(a.name);
        else this.vars.set(a.name, a.value);
        return true;
      case 'list': {
        const p = a.prefix.toUpperCase();
        const shown = this.vars.entries().filter((e) => e.name.toUpperCase().startsWith(p));
        if (shown.length === 0) {
          this.err.write(`Environment variable ${a.prefix} not defined\n`);
          this.errorlevel = 1;
          return false;
        }
        for (const e of shown) this.out.write(`${e.name}=${e.value}\n`);
        return true;
      }
      case 'prompt': {
        this.out.write(a.prompt);
        const line = await this.input.readLine();
        if (line === undefined || line === '') {
          // cmd keeps the old value and sets ERRORLEVEL 1 on empty input or end of input.
          if (line === undefined) this.out.write('\n');
          this.errorlevel = 1;
          return false;
        }
        this.vars.set(a.name, line);
        return true;
      }
      case 'error':
        this.err.write(a.message + '\n');
        this.errorlevel = 1;
        return false;
    }
  }

  private async changeDir(p: string): Promise<boolean> {
    const target = this.resolvePath(p);
    try {
      if (!(await fsp.stat(target)).isDirectory()) throw new Error('not a directory');
    } catch {
      this.err.write('The system cannot find the path specified.\n');
      this.errorlevel = 1;
      return false;
    }
    this.cwd = target;
    return true;
  }

  private async call(args: string, frame: Frame): Promise<boolean> {
    // `call` expands `%` a second time (so `%%X%%` in a call becomes %X% and then its value).
    const rest = this.expand(allArgsText(args), frame);
    if (rest.startsWith(':')) {
      const label = labelName(rest);
      const after = rest.slice(1).replace(/^[^\s:;,=+&|<>^]*/, '');
      const argv = splitBatchArgs(after);
      const sub: Frame = { file: frame.file, args: [`:${label}`, ...argv], allArgs: allArgsText(after), pos: 0, shift: 0 };
      sub.pos = this.findLabel({ ...frame }, label);
      await this.runScoped(sub);
      return this.errorlevel === 0;
    }
    const c = classifyCommand(rest);
    if (c.kind === 'batch') {
      await this.callBatch(c);
      return this.errorlevel === 0;
    }
    return this.simple(rest, frame);
  }

  /** Runs another batch file as a nested frame. */
  private async callBatch(c: Classified & { kind: 'batch' }): Promise<void> {
    const file = this.resolvePath(c.program);
    if (!fs.existsSync(file)) {
      this.err.write(`'${c.program}' is not recognized as an internal or external command,\noperable program or batch file.\n`);
      this.errorlevel = 9009;
      return;
    }
    const batch = await this.load(file, c.program);
    if (!batch) {
      this.errorlevel = 1;
      return;
    }
    const argv = splitBatchArgs(c.args);
    await this.runScoped({ file: batch, args: [c.program, ...argv], allArgs: allArgsText(c.args), pos: 0, shift: 0 });
  }

  /** One WinSCP.com call, in-process, with the raw argument text split as winscp.com does. */
  private async winscp(argsText: string, cwd = this.cwd): Promise<boolean> {
    const argv = splitWords(argsText).map((w) => w.value);
    if (argv[0] !== undefined && /^(bat|report)$/i.test(argv[0])) {
      throw this.failure(unsupportedMessage(`WinSCP.com ${argv[0]}`, "a first argument 'bat' or 'report' would start a winscript subcommand"));
    }
    const env: Record<string, string | undefined> = this.vars.toEnv();
    const drives = this.driveSpec();
    if (drives !== '') env.WINSCRIPT_DRIVES = drives;
    const main = this.mainFn ?? (await import('../cli/main.js')).main;
    const stdout = this.out;
    const io: MainIO = {
      stdout: { write: (s: string) => stdout.write(s), isTTY: Boolean(stdout.isTTY) },
      stderr: this.err,
      stdin: this.input.stream(),
      env,
      cwd,
    };
    let code: number;
    try {
      code = await main(argv, io);
    } catch (e) {
      this.err.write(`winscript: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      code = 1;
    }
    this.errorlevel = code;
    return code === 0;
  }
}

/** cmd's integer syntax for `equ`/`lss`…: decimal, `0x` hex, leading-0 octal, optional sign. */
export function parseCmdInteger(s: string): number | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  const v = body.toLowerCase().startsWith('0x') ? Number.parseInt(body.slice(2), 16) : body.length > 1 && body.startsWith('0') ? Number.parseInt(body, 8) : Number(body);
  return m[1] === '-' ? -v : v;
}

/** Convenience: run a batch file with the given IO. */
export function runBatch(file: string, args: string[], opts: BatchRunOptions): Promise<number> {
  return new BatchRunner(opts).run(file, args);
}
