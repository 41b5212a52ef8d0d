/**
 * winscript's entry point: argv -> RunConfig -> run -> exit code (0 when no command failed,
 * 1 otherwise, script spec §14.4).
 */
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import { formatDiagnostic } from '../../grammar/diagnostics.js';
import { decodeScript, splitLines } from '../../grammar/source.js';
import { type RunConfig, defaultConfig } from '../interpreter/config.js';
import { Context } from '../interpreter/context.js';
import { runAll, runLine, type SourceLine } from '../interpreter/run.js';
import { LocalPathError, LocalPaths, parseDriveSpecs } from '../local-path.js';
import { closeSession } from '../session/session.js';
import { ConsolePrinter, type Sink } from '../output/console-printer.js';
import { LineReader } from '../util/line-reader.js';
import { osErrorLines } from '../util/os-error.js';
import { parseArgs, type ParsedArgs } from './winscp-argv.js';
import { attachLogs } from '../log/attach.js';
import type { Readable } from 'node:stream';

export interface MainIO {
  stdout: { write(s: string | Buffer): unknown; isTTY?: boolean };
  stderr: Sink;
  stdin: Readable;
  env: Record<string, string | undefined>;
  cwd: string;
}

function defaultIO(): MainIO {
  return {
    stdout: { write: (s: string) => process.stdout.write(s), isTTY: process.stdout.isTTY },
    stderr: { write: (s: string) => process.stderr.write(s) },
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

export function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../../package.json') as { version: string }).version;
}

const USAGE = `winscript - runs WinSCP scripts on Linux, macOS and in containers

Usage (as winscp.com; switches may start with / or -, names are case-insensitive):
  winscript /script=FILE [/script=FILE2 ...] [/parameter // ARG ...]
  winscript /command "open sftp://user@host/ -hostkey=..." "put x.txt /in/" "exit"
  winscript /check /script=FILE      check a script without running it
  winscript bat FILE.bat [ARG ...]   run a Windows batch file that calls winscp.com
  winscript bat --to-sh FILE.bat     convert such a batch file to POSIX sh
  winscript report FILE ...          compatibility report for scripts and batch files
  winscript --demo                   run the demo against an embedded SFTP server

WinSCP switches:
  /script=FILE  /command CMD...  /parameter // ARG...  /log=FILE  /loglevel=N[*]
  /logsize=[N*]SIZE  /xmllog=FILE  /xmlgroups  /xmllogrequired  /ini=FILE|nul
  /rawconfig N=V...  /rawtransfersettings N=V...  /nointeractiveinput
  /stdout[=binary|chunked]  /stdin[=binary]  /console (ignored)

winscript options:
  --drive X:=/path        map a Windows drive (or \\\\server\\share=/path); repeatable.
                          Also WINSCRIPT_DRIVES='C:=/srv/c;D:=/mnt/d'
  --max-delete N          refuse a synchronize that would delete more than N entries
  --parallel N            connections for synchronize transfers (default 4; 1 = as WinSCP)
  /jsonlog=FILE           JSON Lines event log
  --help, --version
`;

/** Builds the run configuration; returns error lines instead of throwing. */
export function buildConfig(args: ParsedArgs, env: Record<string, string | undefined>, cwd: string): { config: RunConfig; errors: string[] } {
  const errors = [...args.errors];
  const { map, errors: driveErrors } = parseDriveSpecs([env.WINSCRIPT_DRIVES ?? '', ...args.drives]);
  errors.push(...driveErrors);
  const config = defaultConfig(map);
  const paths = new LocalPaths(map);
  const mapPath = (p: string | undefined, what: string): string | undefined => {
    if (p === undefined || p === '') return undefined;
    try {
      return paths.resolve(p, cwd);
    } catch (e) {
      errors.push(`${what}: ${e instanceof LocalPathError ? e.message : String(e)}`);
      return undefined;
    }
  };
  config.scripts = args.scripts.map((s) => mapPath(s, '/script') ?? s);
  config.commands = args.commands;
  config.parameters = args.parameters;
  if (args.ini !== undefined) {
    if (args.ini.toLowerCase() === 'nul' || args.ini === '/dev/null') config.iniNul = true;
    else config.iniFile = mapPath(args.ini, '/ini');
  }
  config.logFile = mapPath(args.log, '/log');
  if (args.loglevel !== undefined) {
    const m = /^(-?\d+)?(\*-?)?$/.exec(args.loglevel.trim());
    if (!m) errors.push(`Invalid /loglevel value '${args.loglevel}'. Use -1, 0, 1 or 2, optionally followed by *.`);
    else config.logLevel = Math.max(-1, Math.min(2, Number(m[1] ?? 0)));
  }
  if (args.logsize !== undefined) {
    const m = /^(?:(\d+)\*)?(\d+)([KMG])?$/i.exec(args.logsize.trim());
    if (!m) errors.push(`Invalid /logsize value '${args.logsize}'. Use [count*]size, e.g. 5*10M.`);
    else config.logSize = { count: Number(m[1] ?? 0), bytes: Number(m[2]) * ({ K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[3] ?? '').toUpperCase() as 'K'] ?? 1) };
  }
  config.xmlLog = mapPath(args.xmllog, '/xmllog');
  config.xmlGroups = args.xmlgroups;
  config.xmlLogRequired = args.xmllogrequired;
  config.jsonLog = mapPath(args.jsonlog, '/jsonlog');
  if (args.stdout !== undefined) {
    const v = args.stdout.toLowerCase();
    if (v === '' || v === 'binary') config.stdout = 'binary';
    else if (v === 'chunked') config.stdout = 'chunked';
    else errors.push(`Invalid /stdout value '${args.stdout}'. Use /stdout, /stdout=binary or /stdout=chunked.`);
  }
  if (args.stdin !== undefined) {
    if (args.stdin === '' || args.stdin.toLowerCase() === 'binary') {
      config.stdin = true;
      config.nointeractiveinput = true;
    } else errors.push(`Invalid /stdin value '${args.stdin}'. Use /stdin or /stdin=binary.`);
  }
  if (args.nointeractiveinput) config.nointeractiveinput = true;
  config.rawTransferSettings = args.rawtransfersettings;
  config.rawConfig = args.rawconfig;
  if (args.maxDelete !== undefined) {
    if (!/^\d+$/.test(args.maxDelete)) errors.push(`--max-delete needs a number, not '${args.maxDelete}'.`);
    else config.maxDelete = Number(args.maxDelete);
  }
  if (args.parallel !== undefined) {
    if (!/^\d+$/.test(args.parallel) || Number(args.parallel) < 1 || Number(args.parallel) > 64) errors.push(`--parallel needs a number from 1 to 64, not '${args.parallel}'.`);
    else config.parallel = Number(args.parallel);
  }
  config.sessionUrl = args.sessionUrl;
  config.sessionSwitches = [...args.sessionSwitches, ...(args.rawsettings.length ? ['-rawsettings', ...args.rawsettings] : [])];
  config.strayParameters = args.stray;
  return { config, errors };
}

async function loadSources(config: RunConfig, typedScripts: string[]): Promise<{ lines: SourceLine[]; errors: string[] }> {
  const lines: SourceLine[] = [];
  for (let i = 0; i < config.scripts.length; i++) {
    const file = config.scripts[i]!;
    const shown = typedScripts[i] ?? file;
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch (e) {
      return { lines, errors: [`Cannot open script file '${shown}'.`, ...osErrorLines(e)] };
    }
    const decoded = decodeScript(bytes);
    if (!decoded.ok) return { lines, errors: decoded.lines };
    splitLines(decoded.text).forEach((text, n) => lines.push({ file: shown, line: n + 1, text }));
  }
  config.commands.forEach((text, n) => lines.push({ file: '/command', line: n + 1, text }));
  return { lines, errors: [] };
}

/** Runs winscript with the given arguments; resolves to the exit code. */
export async function main(argv: string[], io: MainIO = defaultIO()): Promise<number> {
  const sub = argv[0]?.toLowerCase();
  if (sub === 'bat' || sub === 'report') {
    const { runSubcommand } = await import('../batch/subcommands.js');
    return runSubcommand(sub, argv.slice(1), io);
  }
  const args = parseArgs(argv);
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    io.stdout.write(`winscript ${version()}\n`);
    return 0;
  }
  const { config, errors } = buildConfig(args, io.env, io.cwd);
  if (errors.length) {
    for (const e of errors) io.stderr.write(`winscript: ${e}\n`);
    return 1;
  }
  if (args.demo) {
    const { runDemo } = await import('../demo/demo.js');
    return runDemo(io);
  }
  const loaded = await loadSources(config, args.scripts);
  if (args.check) return runCheck(loaded, config, io);

  const out: Sink = config.stdout ? io.stderr : io.stdout;
  const printer = new ConsolePrinter({ out, locations: io.stderr, isTTY: !config.stdout && Boolean(io.stdout.isTTY) });
  const stdin = new LineReader(io.stdin);
  const ctx = new Context({ config, env: io.env, cwd: io.cwd, stdin, rawStdout: io.stdout, rawStdin: io.stdin });
  ctx.bus.on(printer.handle);
  ctx.bus.onHeldBack(printer.heldBack);
  if (args.logpasswords) io.stderr.write('winscript: warning: /logpasswords is accepted, but passwords are never written to any log.\n');
  const logs = await attachLogs(ctx);
  if (loaded.errors.length) {
    ctx.out.error(loaded.errors);
    printer.flush();
    await logs.close();
    return 1;
  }

  const onSigint = () => {
    if (ctx.onInterrupt?.()) return;
    if (ctx.abortController.signal.aborted) process.exit(1);
    ctx.abortController.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const scripted = loaded.lines.length > 0;
    if (config.sessionUrl !== undefined) {
      if (scripted) ctx.out.line("Opening session using command-line parameter in scripting is deprecated. Use 'open' command instead.");
      const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
      await runLine(ctx, { file: '<command line>', line: 1, text: ['open', quote(config.sessionUrl), ...config.sessionSwitches.map(quote)].join(' ') });
      if (ctx.options.batch === 'abort') ctx.stopped = false; // a failure here does not stop the script (§12.3)
    }
    if (config.strayParameters.length && scripted) {
      ctx.out.line('Scripting does not use standalone parameters. The parameters you have specified on command-line will not be used. Your command-line syntax is probably wrong.');
    }
    await runAll(ctx, loaded.lines);
  } finally {
    process.off('SIGINT', onSigint);
    stdin.close();
    for (const s of ctx.sessions) await closeSession(s);
    ctx.sessions = [];
    const code = ctx.failed || ctx.aborted ? 1 : 0;
    if (config.logLevel >= 1 && (config.logFile || config.xmlLog)) ctx.out.line(`Exit code: ${code}`);
    printer.flush();
    await logs.close();
  }
  return ctx.failed || ctx.aborted ? 1 : 0;
}

async function runCheck(loaded: { lines: SourceLine[]; errors: string[] }, config: RunConfig, io: MainIO): Promise<number> {
  if (loaded.errors.length) {
    for (const e of loaded.errors) io.stdout.write(e + '\n');
    return 1;
  }
  const { checkScript } = await import('../script/check.js');
  const diags = checkScript(loaded.lines, { paths: new LocalPaths(config.drives), cwd: io.cwd });
  for (const d of diags) io.stdout.write(formatDiagnostic(d) + '\n');
  const errors = diags.filter((d) => d.severity === 'error').length;
  if (errors === 0) io.stdout.write(`${loaded.lines.length} lines checked, no errors.\n`);
  return errors ? 1 : 0;
}
