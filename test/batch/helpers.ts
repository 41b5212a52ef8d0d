/**
 * Helpers for the batch tests: a sandbox (a temp copy of fixtures/batch plus a folder that
 * plays drive C:), running a fixture with `winscript bat` in-process, converting it with
 * `--to-sh` and running the result with sh through a `winscript` shim, and file snapshots.
 *
 * Server-backed variants: pass the connection details through `env` (e.g.
 * `runBat(sb, 'upload.bat', { env: { SFTP_URL, SFTP_HOSTKEY } })`) and reference them in the
 * fixture as %SFTP_URL%; `runSh` takes the same options, so the equivalence check can be
 * reused unchanged.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.js';

/** The repository: the first folder above this file (or the cwd) whose package.json is winscript's. */
function findRepo(): string {
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const pkg = path.join(dir, 'package.json');
      if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'fixtures', 'batch'))) {
        try {
          if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'winscript') return dir;
        } catch {
          // not ours; keep walking
        }
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the winscript repository (package.json with fixtures/batch) above the test or the current directory');
}

export const REPO = findRepo();
export const FIXTURES = path.join(REPO, 'fixtures', 'batch');
/** The compiled main.js next to this compiled test (works for dist/ and for any --outDir). */
export const MAIN_JS = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  args?: string[];
  /** Added to the sandbox environment (WINSCRIPT_DRIVES maps C: to the sandbox). */
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Options before the file (`--drive …`). */
  options?: string[];
}

export interface Sandbox {
  /** The copy of fixtures/batch; batch files run here. */
  dir: string;
  /** The folder mapped as C: (contains jobs/out). */
  cdrive: string;
  env: Record<string, string | undefined>;
  /** Empties the sandbox and copies the fixtures again (same paths). */
  reset(): void;
}

export function sandbox(): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-bat-'));
  const dir = path.join(root, 'fixtures');
  const cdrive = path.join(root, 'c');
  const reset = () => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cdrive, { recursive: true, force: true });
    fs.cpSync(FIXTURES, dir, { recursive: true });
    fs.mkdirSync(path.join(cdrive, 'jobs', 'out'), { recursive: true });
  };
  reset();
  return { dir, cdrive, env: { PATH: process.env.PATH, HOME: process.env.HOME, WINSCRIPT_DRIVES: `C:=${cdrive}` }, reset };
}

function io(sb: Sandbox, opts: RunOptions, out: { stdout: string; stderr: string }) {
  return {
    stdout: { write: (s: string) => void (out.stdout += s), isTTY: false },
    stderr: { write: (s: string) => void (out.stderr += s) },
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    env: { ...sb.env, ...opts.env },
    cwd: sb.dir,
  };
}

/** `winscript bat [options] FILE [args]`, in-process, in the sandbox folder. */
export async function runBat(sb: Sandbox, file: string, opts: RunOptions = {}): Promise<Result> {
  const out = { stdout: '', stderr: '' };
  const code = await main(['bat', ...(opts.options ?? []), file, ...(opts.args ?? [])], io(sb, opts, out));
  return { code, ...out };
}

/** Any winscript command line, in-process, in the sandbox folder. */
export async function runWinscript(sb: Sandbox, argv: string[], opts: RunOptions = {}): Promise<Result> {
  const out = { stdout: '', stderr: '' };
  const code = await main(argv, io(sb, opts, out));
  return { code, ...out };
}

/** Converts a fixture with `--to-sh` and writes the result next to it; returns its path. */
export async function toSh(sb: Sandbox, file: string, opts: RunOptions = {}): Promise<{ shFile: string; text: string; result: Result }> {
  const result = await runWinscript(sb, ['bat', ...(opts.options ?? []), '--to-sh', file], opts);
  const shFile = path.join(sb.dir, file.replace(/\.(bat|cmd)$/i, '') + '.sh');
  fs.writeFileSync(shFile, result.stdout);
  return { shFile, text: result.stdout, result };
}

/** A `winscript` command for sh that runs the compiled main.js of this build. */
export function shimDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-shim-'));
  const mjs = path.join(dir, 'winscript.mjs');
  fs.writeFileSync(
    mjs,
    `import { main } from ${JSON.stringify(pathToFileURL(MAIN_JS).href)};\n` +
      // Exit only once stdout is flushed (pipes are asynchronous in Node).
      `main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)), (e) => { console.error(e); process.exit(1); });\n`,
  );
  const sh = path.join(dir, 'winscript');
  fs.writeFileSync(sh, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(mjs)} "$@"\n`);
  fs.chmodSync(sh, 0o755);
  return dir;
}

/** Runs a sh script in the sandbox folder with the shim first on PATH. */
export function runSh(sb: Sandbox, shFile: string, shim: string, opts: RunOptions = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env = { ...sb.env, ...opts.env };
    env.PATH = `${shim}${path.delimiter}${env.PATH ?? ''}`;
    const child = spawn('sh', [shFile, ...(opts.args ?? [])], { cwd: sb.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.stdin.on('error', () => {}); // the script may exit before reading its input
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Every file under the given folders (relative name → content), minus the excluded names. */
export function snapshot(roots: Record<string, string>, exclude: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, root] of Object.entries(roots)) {
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        const rel = `${label}/${path.relative(root, full)}`;
        if (exclude(rel)) continue;
        if (e.isDirectory()) {
          out[rel + '/'] = '';
          walk(full);
        } else out[rel] = fs.readFileSync(full, 'utf8');
      }
    };
    walk(root);
  }
  return out;
}
