/**
 * `winscript bat …` and `winscript report …`: argument parsing and dispatch.
 *
 *   winscript bat [--drive X:=/path]… FILE.bat [ARG…]      run the batch file
 *   winscript bat [--drive X:=/path]… --to-sh FILE.bat      print it converted to POSIX sh
 *   winscript bat [--drive X:=/path]… --path WINPATH        print the mapped local path (the
 *                                                           converted scripts use it at run time)
 *   winscript report [--drive X:=/path]… [--problems] FILE|DIR…
 *
 * Drive mappings come from WINSCRIPT_DRIVES plus `--drive` (later wins), as for the main CLI.
 * Options come before FILE; everything after FILE is passed to the batch file.
 */
import type { MainIO } from '../cli/main.js';
import { LocalPathError, LocalPaths, parseDriveSpecs } from '../local-path.js';

const BAT_USAGE = `Usage:
  winscript bat [--drive X:=/path]... FILE.bat [ARG...]    run a batch file that calls WinSCP.com
  winscript bat [--drive X:=/path]... --to-sh FILE.bat     convert it to a POSIX sh script (stdout)
  winscript bat [--drive X:=/path]... --path WINPATH       print the local path WINPATH maps to
Drive mappings: WINSCRIPT_DRIVES='C:=/srv/c;\\\\server\\share=/mnt/x' and --drive (repeatable).
`;

const REPORT_USAGE = `Usage:
  winscript report [--drive X:=/path]... [--problems] FILE|DIR...
Reports how WinSCP scripts (.txt, .scr) and batch files (.bat, .cmd) will run with winscript,
without connecting anywhere. Directories are searched recursively. --problems lists only the
lines that do not run exactly as on Windows.
`;

interface Parsed {
  drives: string[];
  flags: Set<string>;
  values: Map<string, string>;
  rest: string[];
  error?: string;
}

/** Options before the first operand: `--drive X`, `--drive=X`, flags. */
function parseOptions(args: string[], flags: string[], valued: string[]): Parsed {
  const p: Parsed = { drives: [], flags: new Set(), values: new Map(), rest: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('--')) break;
    const eq = a.indexOf('=');
    const name = (eq < 0 ? a : a.slice(0, eq)).slice(2).toLowerCase();
    if (name === 'drive' || valued.includes(name)) {
      let v = eq < 0 ? args[++i] : a.slice(eq + 1);
      if (v === undefined) return { ...p, error: `Option --${name} needs a value.` };
      if (name === 'drive') p.drives.push(v);
      else p.values.set(name, v);
      continue;
    }
    if (flags.includes(name) && eq < 0) {
      p.flags.add(name);
      continue;
    }
    return { ...p, error: `Unknown option '${a}'.` };
  }
  p.rest = args.slice(i);
  return p;
}

function pathsFrom(env: MainIO['env'], drives: string[]): { paths: LocalPaths; errors: string[] } {
  const { map, errors } = parseDriveSpecs([env.WINSCRIPT_DRIVES ?? '', ...drives]);
  return { paths: new LocalPaths(map), errors };
}

/** `winscript bat …` and `winscript report …`. */
export async function runSubcommand(name: string, args: string[], io: MainIO): Promise<number> {
  if (name === 'report') return report(args, io);
  return bat(args, io);
}

async function bat(args: string[], io: MainIO): Promise<number> {
  const p = parseOptions(args, ['to-sh', 'help'], ['path']);
  if (p.error) {
    io.stderr.write(`winscript: ${p.error}\n${BAT_USAGE}`);
    return 1;
  }
  if (p.flags.has('help')) {
    io.stdout.write(BAT_USAGE);
    return 0;
  }
  const { paths, errors } = pathsFrom(io.env, p.drives);
  if (errors.length) {
    for (const e of errors) io.stderr.write(`winscript: ${e}\n`);
    return 1;
  }
  const winPath = p.values.get('path');
  if (winPath !== undefined) {
    try {
      io.stdout.write(paths.resolve(winPath, io.cwd) + '\n');
      return 0;
    } catch (e) {
      if (!(e instanceof LocalPathError)) throw e;
      io.stderr.write(`winscript: ${e.message}\n`);
      return 1;
    }
  }
  const [file, ...batchArgs] = p.rest;
  if (file === undefined) {
    io.stderr.write(`winscript: bat needs a batch file.\n${BAT_USAGE}`);
    return 1;
  }
  if (p.flags.has('to-sh')) {
    if (batchArgs.length) {
      io.stderr.write('winscript: --to-sh takes one batch file and no arguments.\n');
      return 1;
    }
    const { convertFile } = await import('./to-sh.js');
    return convertFile(file, { io, paths });
  }
  const { runBatch } = await import('./runner.js');
  return runBatch(file, batchArgs, { io, drives: p.drives });
}

async function report(args: string[], io: MainIO): Promise<number> {
  const p = parseOptions(args, ['problems', 'help'], []);
  if (p.error) {
    io.stderr.write(`winscript: ${p.error}\n${REPORT_USAGE}`);
    return 1;
  }
  if (p.flags.has('help')) {
    io.stdout.write(REPORT_USAGE);
    return 0;
  }
  if (p.rest.length === 0) {
    io.stderr.write(`winscript: report needs at least one file or directory.\n${REPORT_USAGE}`);
    return 1;
  }
  const { paths, errors } = pathsFrom(io.env, p.drives);
  if (errors.length) {
    for (const e of errors) io.stderr.write(`winscript: ${e}\n`);
    return 1;
  }
  const { runReport } = await import('./report.js');
  return runReport(p.rest, { io, paths, problemsOnly: p.flags.has('problems') });
}
