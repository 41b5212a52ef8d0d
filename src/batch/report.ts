/**
 * `winscript report FILE|DIR…`: a compatibility report for WinSCP scripts (`.txt`, `.scr`)
 * and batch files (`.bat`, `.cmd`), made without connecting or running anything.
 *
 * Every line that does something is classified:
 * - ok: runs as on Windows;
 * - difference: runs, with a documented difference (lls date format, ASCII line ends, /log
 *   format, echo on, timeout/pause, %DATE%/%TIME% …);
 * - needs drive mapping: uses Windows drives or UNC shares (listed), which WINSCRIPT_DRIVES
 *   must map;
 * - unsupported: will not run, with the reason (commands outside the batch subset, WebDAV/S3,
 *   -filezilla, copyid, lines that fail on Windows too …).
 *
 * Batch files are read with the runner's own parser. Variables set earlier in the file to
 * fixed values are substituted (so `set DIR=C:\x` … `lcd %DIR%` shows the drive); `%~dp0` is
 * the batch file's folder. Inside WinSCP.com calls the `/command` lines are classified as
 * WinSCP commands, and `/script=` files are reported too: files on disk (relative paths are
 * taken from the batch file's folder) and scripts the batch itself writes with `echo … > file`.
 *
 * The report ends with the drives and shares to map and a WINSCRIPT_DRIVES line to set. Exit
 * code 0 unless a named file or folder could not be read.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { MainIO } from '../cli/main.js';
import { parseArgs } from '../cli/winscp-argv.js';
import type { CommandNode } from '../../grammar/ast.js';
import { getSwitch } from '../../grammar/ast.js';
import { matchPrefix } from '../../grammar/command-table.js';
import { DiagnosticCodes } from '../../grammar/diagnostics.js';
import { splitWords } from '../../grammar/parser.js';
import { decodeScript, splitLines } from '../../grammar/source.js';
import { isBlankLine, isCommentLine, parseLine } from '../../grammar/to-ast.js';
import { LocalPathError, LocalPaths, windowsRootOf } from '../local-path.js';
import { checkScript } from '../script/check.js';
import { parseSessionUrl } from '../session/session-url.js';
import { maskSecrets } from '../util/redact.js';
import { allArgsText, classifyCommand, parseCd, parseEcho, parsePath, parseSet, parseStart } from './commands.js';
import { batchLines, decodeBatch, hasPlaceholder, pieces, Placeholders, restoreOriginal, type PercentRef } from './lexer.js';
import type { Node } from './parser.js';
import { statements, walk } from './static.js';
import { isNulDevice } from './streams.js';

export interface ReportOptions {
  io: MainIO;
  /** The drive mapping in effect (WINSCRIPT_DRIVES, --drive): shown next to each drive. */
  paths: LocalPaths;
  /** List only lines that are not `ok`. */
  problemsOnly?: boolean;
}

export type Klass = 'ok' | 'difference' | 'drive' | 'unsupported';
const RANK: Record<Klass, number> = { ok: 0, difference: 1, drive: 2, unsupported: 3 };
const LABEL: Record<Klass, string> = { ok: 'ok', difference: 'difference', drive: 'needs drive mapping', unsupported: 'unsupported' };

export class Finding {
  klass: Klass = 'ok';
  readonly reasons: string[] = [];

  add(klass: Klass, reason?: string): void {
    if (RANK[klass] > RANK[this.klass]) this.klass = klass;
    if (reason && !this.reasons.includes(reason)) this.reasons.push(reason);
  }
}

export interface Entry {
  where: string;
  text: string;
  finding: Finding;
}

interface FileReport {
  shown: string;
  kind: 'batch file' | 'WinSCP script';
  note?: string;
  entries: Entry[];
}

const ASCII_NOTE = 'ASCII transfers write LF line ends to local files (Windows: CR LF)';
const LLS_NOTE = 'lls shows dates as yyyy-mm-dd hh:nn:ss (Windows: the short date and time of the locale)';

type Queued = { file: string; shown: string; kind?: 'batch' | 'script'; note?: string };

class Reporter {
  readonly files: FileReport[] = [];
  /** Drives (`C:`) and shares (`\\server\share`) used anywhere. */
  readonly roots = new Set<string>();
  private readonly queue: Queued[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly opts: ReportOptions) {}

  enqueue(q: Queued): void {
    const key = path.resolve(q.file);
    if (this.seen.has(key)) {
      const pending = this.queue.find((x) => path.resolve(x.file) === key);
      if (pending && !pending.note) pending.note = q.note;
      return;
    }
    this.seen.add(key);
    this.queue.push(q);
  }

  async drain(): Promise<boolean> {
    let ok = true;
    while (this.queue.length) {
      const q = this.queue.shift()!;
      let bytes: Buffer;
      try {
        bytes = await fsp.readFile(q.file);
      } catch (e) {
        this.opts.io.stderr.write(`winscript: cannot read '${q.shown}': ${(e as Error).message}\n`);
        ok = false;
        continue;
      }
      const kind = q.kind ?? (/\.(bat|cmd)$/i.test(q.file) ? 'batch' : 'script');
      if (kind === 'batch') this.files.push(this.batch(q, batchLines(decodeBatch(bytes))));
      else {
        const decoded = decodeScript(bytes);
        const report: FileReport = { shown: q.shown, kind: 'WinSCP script', note: q.note, entries: [] };
        if (!decoded.ok) {
          const f = new Finding();
          f.add('unsupported', decoded.lines.join(' '));
          report.entries.push({ where: q.shown, text: '(whole file)', finding: f });
        } else {
          splitLines(decoded.text).forEach((text, i) => {
            const f = this.winscpLine(text, q.shown, i + 1);
            if (f) report.entries.push({ where: `${q.shown}:${i + 1}`, text, finding: f });
          });
        }
        this.files.push(report);
      }
    }
    return ok;
  }

  // ------------------------------------------------------------------ paths

  private shownPath(file: string): string {
    const rel = path.relative(this.opts.io.cwd, file);
    return rel === '' || rel.startsWith('..') ? file : rel;
  }

  /** Records the Windows root of a local path. */
  private local(f: Finding, value: string): void {
    if (isNulDevice(value)) return;
    const root = windowsRootOf(value);
    if (!root) return;
    if (root.kind === 'drive-relative') {
      f.add('drive', `${value} is relative to the current drive: the local directory must be on a mapped drive`);
      return;
    }
    this.roots.add(root.name);
    const mapped = this.mappedRoot(root.name);
    f.add('drive', mapped ? `uses ${root.name} (mapped to ${mapped})` : `uses ${root.name}, which is not mapped`);
  }

  private mappedRoot(root: string): string | undefined {
    try {
      return this.opts.paths.resolve(root + '\\', '/');
    } catch (e) {
      if (e instanceof LocalPathError) return undefined;
      throw e;
    }
  }

  /** A local path as a file to read, or a reason why it cannot be read now. */
  private fileOf(p: string, baseDir: string): { file: string } | { why: string } {
    if (p.includes('%')) return { why: `${p} depends on a variable` };
    try {
      return { file: this.opts.paths.resolve(p, baseDir) };
    } catch (e) {
      if (e instanceof LocalPathError) return { why: `${p} is on a drive that is not mapped` };
      throw e;
    }
  }

  // ------------------------------------------------------------------ WinSCP lines

  /** Classifies one WinSCP script line; undefined for blank lines and comments. */
  winscpLine(text: string, file: string, line: number): Finding | undefined {
    if (isBlankLine(text) || isCommentLine(text)) return undefined;
    const f = new Finding();
    const parsed = parseLine(text, { file, line });
    const err = parsed.diagnostics.find((d) => d.severity === 'error');
    if (!parsed.node || parsed.node.kind !== 'command' || err) {
      f.add('unsupported', `${err?.message ?? 'the line cannot be parsed'} (this fails on Windows too)`);
      return f;
    }
    const node = parsed.node;
    for (const d of checkScript([{ file, line, text }], { paths: new LocalPaths(), cwd: '/' })) {
      if (d.code === DiagnosticCodes.UnmappedDrive) continue;
      if (/WebDAV|S3/.test(d.message) && d.code === DiagnosticCodes.BadSessionUrl) f.add('unsupported', d.message);
      else if (d.severity === 'error') f.add('unsupported', `${d.message} (this fails on Windows too)`);
      else f.add('difference', d.message);
    }
    this.commandSpecifics(node, f);
    return f;
  }

  private commandSpecifics(node: CommandNode, f: Finding): void {
    const params = node.params.map((p) => p.value);
    const ascii = () => {
      const t = getSwitch(node, 'transfer')?.value;
      if (t && ['ascii', 'automatic'].includes(matchPrefix(t, ['binary', 'ascii', 'automatic']).match ?? '')) f.add('difference', ASCII_NOTE);
    };
    switch (node.name) {
      case 'lls':
        f.add('difference', LLS_NOTE);
        for (const p of params) this.local(f, p);
        break;
      case 'lcd':
        for (const p of params) this.local(f, p);
        break;
      case 'ascii':
        f.add('difference', ASCII_NOTE);
        break;
      case 'option': {
        const name = params[0] ? matchPrefix(params[0], ['echo', 'batch', 'confirm', 'transfer', 'synchdelete', 'exclude', 'include', 'reconnecttime', 'failonnomatch']).match : undefined;
        const v = params[1] ? matchPrefix(params[1], ['binary', 'ascii', 'automatic']).match : undefined;
        if (name === 'transfer' && (v === 'ascii' || v === 'automatic')) f.add('difference', ASCII_NOTE);
        break;
      }
      case 'copyid':
        f.add('unsupported', 'copyid is not available in winscript');
        for (const p of params) this.local(f, p);
        break;
      case 'open': {
        if (getSwitch(node, 'filezilla')) f.add('unsupported', "-filezilla: FileZilla's site manager is not available");
        const url = params[0];
        if (url !== undefined && !url.includes('://')) {
          const r = parseSessionUrl(url);
          if (r.ok && !r.url.user) f.add('difference', `'${url}' has no protocol: on Windows it may name a stored site, and winscript has no stored sites (use a session URL)`);
        }
        const key = getSwitch(node, 'privatekey')?.value;
        if (key && !key.startsWith('@')) this.local(f, key);
        break;
      }
      case 'put':
        ascii();
        for (const p of params.length > 1 ? params.slice(0, -1) : params) if (p !== '-') this.local(f, p);
        break;
      case 'get':
        ascii();
        if (params.length > 1 && params[params.length - 1] !== '-') this.local(f, params[params.length - 1]!);
        break;
      case 'synchronize':
        ascii();
        if (params[1] !== undefined) this.local(f, params[1]);
        break;
      case 'keepuptodate':
        ascii();
        if (params[0] !== undefined) this.local(f, params[0]);
        break;
    }
  }

  // ------------------------------------------------------------------ batch files

  private batch(q: Queued, lines: string[]): FileReport {
    const report: FileReport = { shown: q.shown, kind: 'batch file', note: q.note, entries: [] };
    const dir = path.dirname(path.resolve(q.file));
    const generated = this.generatedScripts(lines, dir);
    const table = new Placeholders();
    const known = new Map<string, string>();
    const resolve = (ref: PercentRef): string => {
      if (ref.kind === 'var' && ref.modifier === undefined) {
        const v = known.get(ref.name.toUpperCase());
        if (v !== undefined) return v;
      }
      if (ref.kind === 'arg' && ref.index === 0 && /^d?p$|^pd$/.test(ref.mods ?? '')) return dir + '/';
      return table.make(ref);
    };
    const byLine = new Map<number, Finding>();
    const subs = new Map<number, Entry[]>();
    const at = (line: number) => {
      let f = byLine.get(line);
      if (!f) byLine.set(line, (f = new Finding()));
      return f;
    };
    let echoOn = true;
    let echoNoted = false;
    const cwd = new StaticCwd();
    for (const s of statements(lines, resolve)) {
      if (!('node' in s)) continue;
      if (echoOn && !s.node.quiet && s.node.type !== 'nop' && !echoNoted) {
        echoNoted = true;
        at(s.node.line).add('difference', 'echo is on: cmd would show each command before running it; winscript shows it as <folder>>command (start with @echo off)');
      }
      for (const n of walk(s.node)) {
        const f = at(n.line);
        switch (n.type) {
          case 'bad':
            f.add('unsupported', n.message);
            break;
          case 'if':
            if (n.cond.kind === 'exist') this.local(f, restoreOriginal(n.cond.path, table));
            break;
          case 'block':
            for (const r of n.redirs) if (r.op !== 'dup') this.local(f, restoreOriginal(r.target, table));
            break;
          case 'cmd': {
            for (const r of n.redirs) if (r.op !== 'dup') this.local(f, restoreOriginal(r.target, table));
            this.dateRefs(n.text, table, f);
            const r = this.batchCommand(n, table, f, dir, q.shown, generated, known, cwd);
            if (r.echo !== undefined) echoOn = r.echo;
            if (r.subs.length) subs.set(n.line, [...(subs.get(n.line) ?? []), ...r.subs]);
            break;
          }
          default:
            break;
        }
      }
    }
    const lineNos = [...byLine.keys()].sort((a, b) => a - b);
    for (const l of lineNos) {
      const text = lines[l - 1] ?? '';
      if (text.trim() === '') continue;
      report.entries.push({ where: `${q.shown}:${l}`, text: text.trim(), finding: byLine.get(l)! });
      report.entries.push(...(subs.get(l) ?? []));
    }
    return report;
  }

  private dateRefs(text: string, table: Placeholders, f: Finding): void {
    for (const p of pieces(text, table)) {
      if (typeof p === 'string' || p.kind !== 'var') continue;
      const up = p.name.toUpperCase();
      if (up === 'DATE' || up === 'TIME') f.add('difference', `%${up}% is always in the en-US form (${up === 'DATE' ? 'ddd mm/dd/yyyy' : 'hh:mm:ss.cc'}); Windows uses the locale`);
      if (p.modifier !== undefined && (up === 'DATE' || up === 'TIME')) f.add('difference', `${p.text} cuts %${up}% by position: check the result with the en-US form`);
    }
  }

  /** Scripts the batch writes with `echo … > file` / `>> file`: target → lines. */
  private generatedScripts(lines: string[], dir: string): Map<string, { line: number; text: string }[]> {
    const out = new Map<string, { line: number; text: string }[]>();
    const table = new Placeholders();
    const known = new Map<string, string>();
    const resolve = (ref: PercentRef): string => {
      if (ref.kind === 'var' && ref.modifier === undefined) {
        const v = known.get(ref.name.toUpperCase());
        if (v !== undefined) return v;
      }
      if (ref.kind === 'arg' && ref.index === 0 && /^d?p$|^pd$/.test(ref.mods ?? '')) return dir + '/';
      return table.make(ref);
    };
    const cwd = new StaticCwd();
    for (const s of statements(lines, resolve)) {
      if (!('node' in s)) continue;
      for (const n of walk(s.node)) {
        if (n.type !== 'cmd') continue;
        const c = classifyCommand(n.text);
        if (c.kind !== 'builtin') continue;
        if (c.name === 'set') this.track(c.args, known);
        if (c.name === 'cd') cwd.cd(restoreOriginal(parseCd(c.args).path, table));
        if (c.name === 'pushd') cwd.cd(restoreOriginal(parsePath(c.args), table));
        if (c.name !== 'echo') continue;
        const a = parseEcho(c.args);
        const r = [...n.redirs].reverse().find((x) => x.fd === 1 && (x.op === '>' || x.op === '>>'));
        if (a.kind !== 'print' || !r) continue;
        const key = scriptKey(cwd.join(restoreOriginal(r.target, table)));
        const list = r.op === '>' ? [] : (out.get(key) ?? []);
        list.push({ line: n.line, text: restoreOriginal(a.text, table) });
        out.set(key, list);
      }
    }
    return out;
  }

  /** `set NAME=value` with a fixed value: remembered for substitution. */
  private track(args: string, known: Map<string, string>): void {
    const a = parseSet(args);
    if (a.kind === 'assign' && !hasPlaceholder(a.name)) {
      if (a.value !== '' && !hasPlaceholder(a.value)) known.set(a.name.toUpperCase(), a.value);
      else known.delete(a.name.toUpperCase());
    } else if (a.kind === 'prompt' && !hasPlaceholder(a.name)) known.delete(a.name.toUpperCase());
  }

  private batchCommand(
    n: Node & { type: 'cmd' },
    table: Placeholders,
    f: Finding,
    dir: string,
    shown: string,
    generated: Map<string, { line: number; text: string }[]>,
    known: Map<string, string>,
    cwd: StaticCwd,
  ): { subs: Entry[]; echo?: boolean } {
    const restore = (t: string) => restoreOriginal(t, table);
    const c = classifyCommand(n.text);
    switch (c.kind) {
      case 'empty':
        return { subs: [] };
      case 'unsupported':
        f.add('unsupported', c.message);
        // Its arguments are unknown, but Windows paths among them still need mapping.
        for (const w of restore(n.text).split(/[\s"]+/)) if (windowsRootOf(w)?.kind === 'drive' || windowsRootOf(w)?.kind === 'unc') this.local(f, w);
        return { subs: [] };
      case 'dynamic':
        f.add('difference', `the command ${restore(c.program)} comes from a variable: not checked`);
        return { subs: [] };
      case 'drive':
        this.local(f, c.drive + '\\');
        cwd.cd(c.drive + '\\');
        return { subs: [] };
      case 'winscp':
        return { subs: this.winscpCall(c.args, n.line, table, f, dir, shown, generated, cwd) };
      case 'batch':
        this.batchRef(c.program, restore, f, dir);
        return { subs: [] };
      case 'builtin':
        switch (c.name) {
          case 'set':
            this.track(c.args, known);
            return { subs: [] };
          case 'echo': {
            const a = parseEcho(c.args);
            if (a.kind === 'set') {
              if (a.on) f.add('difference', 'echo on: winscript shows each command as <folder>>command');
              return { subs: [], echo: a.on };
            }
            return { subs: [] };
          }
          case 'cd':
            this.local(f, restore(parseCd(c.args).path));
            cwd.cd(restore(parseCd(c.args).path));
            return { subs: [] };
          case 'pushd':
            this.local(f, restore(parsePath(c.args)));
            cwd.cd(restore(parsePath(c.args)));
            return { subs: [] };
          case 'timeout':
            f.add('difference', 'timeout sleeps without printing a countdown and cannot be cut short by a key');
            return { subs: [] };
          case 'pause':
            f.add('difference', 'pause waits for Enter only when standard input is a terminal');
            return { subs: [] };
          case 'call': {
            const rest = allArgsText(c.args);
            if (rest.startsWith(':')) return { subs: [] };
            return this.batchCommand({ ...n, text: rest }, table, f, dir, shown, generated, known, cwd);
          }
          case 'start': {
            const s = parseStart(c.args);
            if ('error' in s) return { subs: [] };
            if (s.dir !== undefined) this.local(f, restore(s.dir));
            return this.batchCommand({ ...n, text: s.command }, table, f, dir, shown, generated, known, cwd);
          }
          default:
            return { subs: [] };
        }
    }
  }

  private batchRef(program: string, restore: (t: string) => string, f: Finding, dir: string): void {
    const p = restore(program);
    this.local(f, p);
    const target = this.fileOf(p, dir);
    if ('file' in target) this.enqueue({ file: target.file, shown: this.shownPath(target.file), kind: 'batch', note: `called by a batch file` });
  }

  /** A WinSCP.com call: its switches, `/command` lines and `/script=` files. */
  private winscpCall(
    argsText: string,
    line: number,
    table: Placeholders,
    f: Finding,
    dir: string,
    shown: string,
    generated: Map<string, { line: number; text: string }[]>,
    cwd: StaticCwd,
  ): Entry[] {
    const tokens = splitWords(argsText).map((w) => restoreOriginal(w.value, table));
    const a = parseArgs(tokens);
    const subs: Entry[] = [];
    for (const e of a.errors) f.add('unsupported', e);
    if (a.log !== undefined) {
      f.add('difference', "/log: the log file is winscript's own text log, not WinSCP's session log format");
      this.local(f, a.log);
    }
    if (a.xmllog !== undefined) this.local(f, a.xmllog);
    if (a.ini !== undefined && a.ini.toLowerCase() !== 'nul') {
      f.add('difference', '/ini: WinSCP configuration files (stored sites, settings) are not read');
      this.local(f, a.ini);
    }
    if (a.rawconfig.length) f.add('difference', '/rawconfig: WinSCP configuration settings have no effect in winscript');
    for (const s of a.scripts) {
      this.local(f, s);
      const gen = generated.get(scriptKey(cwd.join(s)));
      if (gen) {
        gen.forEach((g, i) => {
          const sf = this.winscpLine(g.text, shown, g.line);
          if (sf) subs.push({ where: `${shown}:${g.line} (line ${i + 1} of ${s}, written by echo)`, text: g.text, finding: sf });
        });
        continue;
      }
      let target = this.fileOf(cwd.join(s), dir);
      if (('why' in target || !fs.existsSync(target.file)) && !windowsRootOf(s) && !s.startsWith('/')) {
        // The batch may run somewhere else; the script usually lies next to it.
        const beside = this.fileOf(s, dir);
        if ('file' in beside && fs.existsSync(beside.file)) target = beside;
      }
      if ('why' in target) {
        f.add('ok', `/script=${s} not analyzed: ${target.why}`);
        continue;
      }
      if (!fs.existsSync(target.file)) {
        f.add('ok', `/script=${s} not analyzed: ${target.file} does not exist`);
        continue;
      }
      this.enqueue({ file: target.file, shown: this.shownPath(target.file), kind: 'script', note: `/script= of ${shown}:${line}` });
    }
    if (a.sessionUrl !== undefined) {
      const text = ['open', quoteWinscp(a.sessionUrl), ...a.sessionSwitches.map(quoteWinscp)].join(' ');
      const sf = this.winscpLine(text, shown, line);
      if (sf) {
        sf.add('difference', 'a session on the command line is deprecated (WinSCP warns too); use open');
        subs.push({ where: `${shown}:${line} (session)`, text, finding: sf });
      }
    }
    a.commands.forEach((cmd, i) => {
      const sf = this.winscpLine(cmd, shown, line);
      if (sf) subs.push({ where: `${shown}:${line} /command ${i + 1}`, text: cmd, finding: sf });
    });
    return subs;
  }
}

/**
 * The batch's current folder as text, followed through `cd`/`pushd` with fixed paths, so that
 * `echo … > C:\x\s.txt` and a later `cd /d C:\x` + `/script=s.txt` are seen as the same file.
 * '' is the folder the batch starts in (taken to be its own folder).
 */
class StaticCwd {
  text = '';

  cd(p: string): void {
    if (p === '' || p.includes('%')) return;
    const root = windowsRootOf(p);
    if (root?.kind === 'drive-relative') {
      const cur = windowsRootOf(this.text);
      this.text = (cur?.kind === 'drive' || cur?.kind === 'unc' ? cur.name : '') + p;
    } else this.text = this.join(p);
  }

  join(p: string): string {
    if (windowsRootOf(p) || p.startsWith('/') || this.text === '') return p;
    return `${this.text.replace(/[\\/]+$/, '')}\\${p}`;
  }
}

function quoteWinscp(t: string): string {
  return /[\s"]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** How a script path is compared with an `echo > …` target: case, quotes and separators ignored. */
function scriptKey(p: string): string {
  const s = p.replace(/"/g, '').replace(/\//g, '\\');
  const unc = s.startsWith('\\\\');
  return (unc ? '\\' : '') + s.replace(/\\(\.\\)+/g, '\\').replace(/^\.\\/, '').replace(/\\{2,}/g, '\\').toLowerCase();
}

const EXTENSIONS = /\.(txt|scr|bat|cmd)$/i;

async function collect(input: string, cwd: string, out: Queued[], io: MainIO): Promise<boolean> {
  const full = path.resolve(cwd, input);
  let st;
  try {
    st = await fsp.stat(full);
  } catch (e) {
    io.stderr.write(`winscript: cannot read '${input}': ${(e as Error).message}\n`);
    return false;
  }
  if (!st.isDirectory()) {
    out.push({ file: full, shown: input });
    return true;
  }
  let ok = true;
  const entries = (await fsp.readdir(full, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const shown = path.join(input, e.name);
    if (e.isDirectory()) ok = (await collect(shown, cwd, out, io)) && ok;
    else if (EXTENSIONS.test(e.name)) out.push({ file: path.join(full, e.name), shown });
  }
  return ok;
}

function counts(entries: Entry[]): string {
  const n: Record<Klass, number> = { ok: 0, difference: 0, drive: 0, unsupported: 0 };
  for (const e of entries) n[e.finding.klass]++;
  const total = entries.length;
  return (
    `${total} line${total === 1 ? '' : 's'}: ${n.ok} run${n.ok === 1 ? 's' : ''} as on Windows, ${n.difference} with a documented difference, ` +
    `${n.drive} need${n.drive === 1 ? 's' : ''} a drive mapping, ${n.unsupported} unsupported`
  );
}

/** `C:` → `/mnt/c`, `\\nas\backup` → `/mnt/nas/backup`: a suggestion for unmapped roots. */
function suggestedTarget(root: string): string {
  if (/^[A-Z]:$/.test(root)) return `/mnt/${root[0]!.toLowerCase()}`;
  return '/mnt/' + root.replace(/^\\\\/, '').split('\\').join('/').toLowerCase();
}

export async function runReport(inputs: string[], opts: ReportOptions): Promise<number> {
  const { io } = opts;
  const r = new Reporter(opts);
  const list: Queued[] = [];
  let ok = true;
  for (const i of inputs) ok = (await collect(i, io.cwd, list, io)) && ok;
  for (const q of list) r.enqueue(q);
  ok = (await r.drain()) && ok;

  const w = (s: string) => io.stdout.write(s + '\n');
  w(`winscript compatibility report (${r.files.length} file${r.files.length === 1 ? '' : 's'}; nothing was run and no connection was made)`);
  const all: Entry[] = [];
  for (const file of r.files) {
    w('');
    w(`== ${file.shown} (${file.kind}${file.note ? `, ${file.note}` : ''})`);
    for (const e of file.entries) {
      all.push(e);
      if (opts.problemsOnly && e.finding.klass === 'ok') continue;
      w(`${e.where}: ${LABEL[e.finding.klass]}: ${maskSecrets(e.text)}`);
      for (const reason of e.finding.reasons) w(`    ${maskSecrets(reason)}`);
    }
    w(`-- ${file.shown}: ${counts(file.entries)}`);
  }
  w('');
  w(`Summary: ${r.files.length} file${r.files.length === 1 ? '' : 's'}, ${counts(all)}.`);
  const roots = [...r.roots].sort((a, b) => (a.length === 2) !== (b.length === 2) ? (a.length === 2 ? -1 : 1) : a.toLowerCase() < b.toLowerCase() ? -1 : 1);
  if (roots.length) {
    const mapping = roots.map((root) => {
      let target: string | undefined;
      try {
        target = opts.paths.resolve(root + '\\', '/');
      } catch (e) {
        if (!(e instanceof LocalPathError)) throw e;
      }
      return { root, target };
    });
    const unmapped = mapping.filter((m) => m.target === undefined).map((m) => m.root);
    w(`Drives to map: ${roots.join(', ')}${unmapped.length === 0 ? ' (all mapped already)' : unmapped.length < roots.length ? ` (not mapped yet: ${unmapped.join(', ')})` : ''}`);
    const spec = mapping.map((m) => `${m.root}=${m.target ?? suggestedTarget(m.root)}`).join(';');
    w(`Set (adjust the folders): export WINSCRIPT_DRIVES='${spec}'`);
  } else w('Drives to map: none');
  return ok ? 0 : 1;
}
