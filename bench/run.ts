/**
 * `npm run bench` — winscript against lftp and rclone (and OpenSSH scp/sftp for a single big file)
 * over SFTP and FTP on loopback, in the same run, on the same deterministic trees. See
 * bench/README.md for the cases, options and columns.
 *
 * Servers come from the test harness (real OpenSSH sshd and vsftpd on free 127.0.0.1 ports with a
 * throw-away user each); trees are cached under --data (default /tmp/wsbench); raw data goes to
 * bench/out/<timestamp>/; the report to stdout and (full, unfiltered runs) bench/RESULTS.md.
 * winscript runs from a copy of the build taken at the start (bench/out/<timestamp>/winscript), so a
 * rebuild of the shared dist/ during a long run does not change the program under test.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSshd, startVsftpd, type FtpServer, type SshServer } from '../test/helpers/servers.js';
import { MEASURED_BY, runTimed, syncDisks, verifyFile, verifyTree, walk, type Meta, type Verify } from './measure.js';
import { loadavg, machineFacts, renderReport, renderTsv, type RunRecord, type Scenario } from './report.js';
import { ensureTree, touch1pct, type TreeSpec } from './trees.js';
import { ALL_TOOLS, DEFAULT_TOOLS, isWinscript, type ClientFiles, type Endpoint, type Op, type Proto, type Tool } from './tools.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH_DIR = path.join(ROOT, 'bench');

const HELP = `npm run bench [-- OPTIONS]     (= tsc + node dist/bench/run.js OPTIONS)

  --quick              smoke run (< 3 min): 1 run per case, tree small only, big file 100 MiB,
                       listing scale 20,000 files
  --runs N             timed runs per case (default 3; quick 1)
  --proto LIST         sftp,ftp (default both)
  --case LIST          init,nochange,touch,big,scale (default all)
  --tools LIST         ${DEFAULT_TOOLS.join(',')} (default); also winscript-p1 (--parallel 1)
  --trees LIST         small,mixed (default both; quick: small)
  --big-mb N           size of the big file in MiB (default 500; quick 100)
  --scale LIST         file counts of the listing-scale trees (default 20000,100000; quick 20000)
  --data DIR           where the trees are built and cached (default $WSBENCH_DATA or /tmp/wsbench)
  --timeout S          per command (default 600; quick 90)
  --results-md         write bench/RESULTS.md even for a quick or filtered run
  --no-results-md      do not write bench/RESULTS.md
                       (default: only a full, unfiltered run writes it; the report always goes to
                       stdout and bench/out/<timestamp>/report.md)
`;

interface Options {
  quick: boolean;
  runs: number;
  protos: Proto[];
  cases: Set<Scenario>;
  tools: Tool[];
  trees: Array<'small' | 'mixed'>;
  bigMiB: number;
  scale: number[];
  data: string;
  timeoutMs: number;
  writeResults: boolean;
  argv: string[];
}

function list(v: string | undefined, allowed: readonly string[], what: string): string[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const x of xs) if (!allowed.includes(x)) throw new Error(`unknown ${what} '${x}' (one of: ${allowed.join(', ')})`);
  return xs;
}

function num(v: string | undefined, what: string, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} needs a positive number, not '${v}'`);
  return n;
}

/** Any option that changes what is measured (a partial report must not replace the full one). */
function filtered(argv: string[]): boolean {
  return ['--proto', '--case', '--tools', '--trees', '--big-mb', '--scale', '--runs'].some((o) => argv.some((a) => a === o || a.startsWith(`${o}=`)));
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      runs: { type: 'string' },
      proto: { type: 'string' },
      case: { type: 'string' },
      tools: { type: 'string' },
      trees: { type: 'string' },
      'big-mb': { type: 'string' },
      scale: { type: 'string' },
      data: { type: 'string' },
      timeout: { type: 'string' },
      'results-md': { type: 'boolean' },
      'no-results-md': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const toolNames = list(values.tools, ALL_TOOLS.map((t) => t.name), 'tool') ?? DEFAULT_TOOLS;
  return {
    quick,
    runs: Math.round(num(values.runs, '--runs', quick ? 1 : 3)),
    protos: (list(values.proto, ['sftp', 'ftp'], 'protocol') ?? ['sftp', 'ftp']) as Proto[],
    cases: new Set((list(values.case, ['init', 'nochange', 'touch', 'big', 'scale'], 'case') ?? ['init', 'nochange', 'touch', 'big', 'scale']) as Scenario[]),
    tools: ALL_TOOLS.filter((t) => toolNames.includes(t.name)),
    trees: (list(values.trees, ['small', 'mixed'], 'tree') ?? (quick ? ['small'] : ['small', 'mixed'])) as Array<'small' | 'mixed'>,
    bigMiB: Math.round(num(values['big-mb'], '--big-mb', quick ? 100 : 500)),
    scale: values.scale !== undefined ? values.scale.split(',').map((s) => Math.round(num(s, '--scale', 0))) : quick ? [20000] : [20000, 100000],
    data: path.resolve(values.data ?? process.env.WSBENCH_DATA ?? '/tmp/wsbench'),
    timeoutMs: num(values.timeout, '--timeout', quick ? 90 : 600) * 1000,
    writeResults: values['no-results-md'] ? false : values['results-md'] ? true : !quick && !filtered(argv),
    argv,
  };
}

// ------------------------------------------------------------------------------------------ helpers

const T0 = performance.now();
function log(msg: string): void {
  const s = Math.round((performance.now() - T0) / 1000);
  process.stderr.write(`[bench ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${msg}\n`);
}

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error?.message}`);
}

function rmrf(p: string): void {
  must('rm', ['-rf', '--one-file-system', p]);
}

/**
 * A private copy of the built winscript (bin/, dist/src, dist/grammar, package.json; node_modules
 * linked), so that a rebuild of the shared dist/ by someone else during a long run cannot change the
 * program under test half-way. Returns the launcher and a short hash of the copied files.
 */
function snapshotWinscript(outDir: string): { bin: string; hash: string } {
  const snap = path.join(outDir, 'winscript');
  fs.mkdirSync(path.join(snap, 'dist'), { recursive: true });
  must('cp', ['-a', path.join(ROOT, 'bin'), path.join(snap, 'bin')]);
  for (const d of ['src', 'grammar']) if (fs.existsSync(path.join(ROOT, 'dist', d))) must('cp', ['-a', path.join(ROOT, 'dist', d), path.join(snap, 'dist', d)]);
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(snap, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(snap, 'node_modules'));
  const h = crypto.createHash('sha256');
  const files = (fs.readdirSync(path.join(snap, 'dist'), { recursive: true }) as string[]).filter((f) => f.endsWith('.js')).sort();
  for (const f of files) h.update(f).update(fs.readFileSync(path.join(snap, 'dist', f)));
  return { bin: path.join(snap, 'bin', 'winscript.js'), hash: h.digest('hex').slice(0, 12) };
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const rotate = <T>(xs: T[], k: number): T[] => xs.map((_, i) => xs[(i + k) % xs.length]!);

/** The last meaningful lines of a tool's log, for the report. */
function logTail(file: string): string {
  try {
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l && !/^\[bench\]/.test(l));
    return lines.slice(-2).join(' / ').slice(0, 240);
  } catch {
    return '';
  }
}

// ------------------------------------------------------------------------------------------ context

interface Server {
  ep: Endpoint;
  uid: number;
  gid: number;
}

interface Ctx {
  opt: Options;
  outDir: string;
  files: ClientFiles;
  records: RunRecord[];
  commands: Map<string, { what: string; display: string; script?: string }>;
}

async function remoteEmptyDir(s: Server, rel: string): Promise<string> {
  const p = path.join(s.ep.home, rel);
  rmrf(p);
  await fsp.mkdir(p, { recursive: true });
  await fsp.chown(p, s.uid, s.gid);
  return p;
}

interface RunSpec {
  s: Server;
  tool: Tool;
  op: Op;
  scenario: Scenario;
  tree: string;
  files: number;
  round: number;
  setup: boolean;
  local: string;
  remoteRel: string;
  bytes: number;
  localMeta?: Map<string, Meta>;
}

async function timed(ctx: Ctx, r: RunSpec): Promise<RunRecord> {
  const tag = `${r.s.ep.proto}-${r.scenario}-${r.tree}`;
  const cmd = r.tool.command(r.s.ep, r.op, r.local, r.remoteRel, ctx.files, tag)!;
  const key = `${r.s.ep.proto} ${r.op}: ${r.tool.name}`;
  if (!ctx.commands.has(key)) ctx.commands.set(key, { what: `${r.s.ep.proto} ${r.op === 'sync' ? 'tree sync' : 'single file'}, ${r.tool.name}`, display: cmd.display, script: cmd.script });
  const logFile = path.join(ctx.outDir, 'logs', `${tag}-${r.tool.name}-r${r.round}${r.setup ? '-setup' : ''}.log`);
  syncDisks();
  const since = Date.now() - 20;
  const t = await runTimed(cmd, logFile, ctx.opt.timeoutMs, ROOT);
  const remote = path.join(r.s.ep.home, r.remoteRel);
  let status: RunRecord['status'] = 'ok';
  let note = '';
  let v: Verify = { ok: false, problems: [], mtimeKept: false, written: 0 };
  if (t.timedOut) {
    status = 'fail';
    note = `timed out after ${ctx.opt.timeoutMs / 1000} s`;
  } else if (t.exit !== 0) {
    const tail = logTail(logFile);
    status = /not available/i.test(tail) ? 'n/a' : 'fail';
    note = `exit ${t.exit}: ${tail}`;
  } else {
    v = r.op === 'put' ? await verifyFile(r.local, remote, since) : await verifyTree(r.local, remote, since, r.localMeta);
    if (!v.ok) {
      status = 'fail';
      note = `remote copy differs: ${v.problems.join('; ')}`;
    }
  }
  const rec: RunRecord = {
    ...identity(r),
    status,
    note,
    wallS: t.wallS,
    rssKiB: t.rssKiB,
    cpuS: t.cpuS,
    machineCpuS: t.machineCpuS,
    exit: t.exit,
    bytes: r.bytes,
    written: v.written,
    mtimeKept: v.mtimeKept,
    log: path.relative(ctx.outDir, logFile),
  };
  keep(ctx, rec);
  log(
    `${rec.proto} ${rec.scenario}${rec.setup ? ' (setup)' : ''} ${rec.tree} r${rec.round} ${rec.tool}: ${t.wallS.toFixed(2)} s, ${(t.rssKiB / 1024).toFixed(0)} MiB, cpu ${t.cpuS.toFixed(2)}/${t.machineCpuS.toFixed(2)} s, written ${v.written}${status === 'ok' ? '' : ` -> ${status.toUpperCase()} ${note}`}`,
  );
  return rec;
}

/** Which run a record is of (protocol, case, tree, tool, round). */
function identity(r: Omit<RunSpec, 'local' | 'remoteRel' | 'op'>): Pick<RunRecord, 'proto' | 'scenario' | 'tree' | 'files' | 'tool' | 'round' | 'setup'> {
  return { proto: r.s.ep.proto, scenario: r.scenario, tree: r.tree, files: r.files, tool: r.tool.name, round: r.round, setup: r.setup };
}

/** Keeps a record for the report and appends it to runs.jsonl. */
function keep(ctx: Ctx, rec: RunRecord): void {
  ctx.records.push(rec);
  fs.appendFileSync(path.join(ctx.outDir, 'runs.jsonl'), JSON.stringify(rec) + '\n');
}

function skipped(ctx: Ctx, r: Omit<RunSpec, 'local' | 'remoteRel' | 'op'>, note: string): void {
  const rec: RunRecord = {
    ...identity(r),
    status: 'fail',
    note,
    wallS: 0,
    rssKiB: 0,
    cpuS: 0,
    machineCpuS: 0,
    exit: -1,
    bytes: r.bytes,
    written: 0,
    mtimeKept: false,
    log: '',
  };
  keep(ctx, rec);
  log(`${rec.proto} ${rec.scenario} ${rec.tree} r${rec.round} ${rec.tool}: skipped (${note})`);
}


// ------------------------------------------------------------------------------------------ cases

/** Local work copies of the trees (shared by all tools and protocols: the tools only read them). */
const workCopies = new Map<string, string>();

async function workCopy(opt: Options, pristine: string, name: string): Promise<string> {
  let w = workCopies.get(name);
  if (!w) {
    w = path.join(opt.data, 'work', name);
    rmrf(w);
    await fsp.mkdir(path.dirname(w), { recursive: true });
    must('cp', ['-a', pristine, w]);
    workCopies.set(name, w);
  }
  return w;
}

/** Undoes touch1pct: the changed files get their pristine contents and mtimes back. */
async function restore(pristine: string, work: string, files: string[]): Promise<void> {
  for (const f of files) {
    const st = await fsp.lstat(path.join(pristine, f));
    await fsp.copyFile(path.join(pristine, f), path.join(work, f));
    await fsp.utimes(path.join(work, f), st.atime, st.mtime);
  }
}

/**
 * init, nochange and touch on one tree. Per round: every tool uploads the (pristine) work copy into
 * its own empty remote directory, then re-syncs it unchanged, then 1 % of the work copy is changed
 * (touch1pct) and every tool re-syncs again; the changed files are restored before the next round.
 */
async function treeCases(ctx: Ctx, s: Server, treeName: 'small' | 'mixed'): Promise<void> {
  const { opt } = ctx;
  const spec: TreeSpec = { name: treeName, kind: treeName };
  const tree = await ensureTree(path.join(opt.data, 'trees'), spec);
  log(`tree ${treeName}: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB${tree.cached ? ' (cached)' : ` (built in ${tree.seconds.toFixed(1)} s)`}`);
  const tools = opt.tools.filter((t) => t.supports(s.ep.proto, 'sync'));
  const work = await workCopy(opt, tree.dir, treeName);
  const remoteRel = (t: Tool) => `bench/${treeName}-${t.name}`;
  const wantInit = opt.cases.has('init');
  const wantNo = opt.cases.has('nochange');
  const wantTouch = opt.cases.has('touch');
  for (let round = 1; round <= opt.runs; round++) {
    const order = rotate(tools, round - 1);
    const base = { s, files: tree.files, round, local: work };
    const initOk = new Map<string, boolean>();
    for (const t of order) {
      await remoteEmptyDir(s, remoteRel(t));
      const rec = await timed(ctx, { ...base, tool: t, op: 'sync', scenario: 'init', tree: treeName, setup: !wantInit, remoteRel: remoteRel(t), bytes: tree.bytes });
      initOk.set(t.name, rec.status === 'ok');
    }
    if (wantNo) {
      for (const t of order) {
        if (!initOk.get(t.name)) skipped(ctx, { ...base, tool: t, scenario: 'nochange', tree: treeName, setup: false, bytes: 0 }, 'not run: the initial upload failed');
        else await timed(ctx, { ...base, tool: t, op: 'sync', scenario: 'nochange', tree: treeName, setup: false, remoteRel: remoteRel(t), bytes: 0 });
      }
    }
    if (wantTouch) {
      const changed = await touch1pct(work, round);
      try {
        for (const t of order) {
          if (!initOk.get(t.name)) skipped(ctx, { ...base, tool: t, scenario: 'touch', tree: treeName, setup: false, bytes: changed.bytes }, 'not run: the initial upload failed');
          else await timed(ctx, { ...base, tool: t, op: 'sync', scenario: 'touch', tree: treeName, setup: false, remoteRel: remoteRel(t), bytes: changed.bytes });
        }
      } finally {
        await restore(tree.dir, work, changed.files);
      }
    }
  }
  for (const t of tools) rmrf(path.join(s.ep.home, remoteRel(t)));
}

/** One big file, uploaded into a removed remote path. */
async function bigCase(ctx: Ctx, s: Server): Promise<void> {
  const { opt } = ctx;
  const tree = await ensureTree(path.join(opt.data, 'trees'), { name: `big${opt.bigMiB}`, kind: 'big', bigMiB: opt.bigMiB });
  log(`big file: ${(tree.bytes / 2 ** 20).toFixed(0)} MiB${tree.cached ? ' (cached)' : ` (built in ${tree.seconds.toFixed(1)} s)`}`);
  const src = path.join(tree.dir, 'big.bin');
  const tools = opt.tools.filter((t) => t.supports(s.ep.proto, 'put'));
  const name = `${opt.bigMiB}MiB`;
  for (let round = 1; round <= opt.runs; round++) {
    for (const t of rotate(tools, round - 1)) {
      const rel = `bench/big-${t.name}.bin`;
      await fsp.rm(path.join(s.ep.home, rel), { force: true });
      await timed(ctx, { s, tool: t, op: 'put', scenario: 'big', tree: name, files: 1, round, setup: false, local: src, remoteRel: rel, bytes: tree.bytes });
      await fsp.rm(path.join(s.ep.home, rel), { force: true });
    }
  }
}

/** Same names, types, sizes and mtimes (to the second). */
function sameMeta(a: Map<string, Meta>, b: Map<string, Meta>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y || x.dir !== y.dir || (!x.dir && (x.size !== y.size || x.mtimeS !== y.mtimeS))) return false;
  }
  return true;
}

/**
 * Listing scale: one remote copy of the tree per protocol, on the server's disk (mtimes kept,
 * owner = the server user), then every tool re-syncs it with nothing to do. The tools share that
 * copy (creating a file costs ~0.5-1 ms on this kind of VM, a copy per tool would cost more than
 * the runs); every run is verified and the copy is made again after a run that left it different.
 * Between benchmark runs the copy is kept under <data>/seeds and moved (rename) into the server's
 * home, so it is not re-created every time.
 */
async function scaleCase(ctx: Ctx, s: Server, n: number): Promise<void> {
  const { opt } = ctx;
  const name = `scale${n}`;
  const tree = await ensureTree(path.join(opt.data, 'trees'), { name, kind: 'scale', scaleFiles: n });
  log(`tree ${name}: ${tree.files} files${tree.cached ? ' (cached)' : ` (built in ${tree.seconds.toFixed(1)} s)`}`);
  const localMeta = await walk(tree.dir);
  const tools = opt.tools.filter((t) => t.supports(s.ep.proto, 'sync'));
  const rel = `bench/${name}`;
  const remote = path.join(s.ep.home, rel);
  const seedDir = path.join(opt.data, 'seeds', name);
  const seed = async () => {
    const t0 = performance.now();
    rmrf(remote);
    let how = 'copied';
    if (fs.existsSync(seedDir)) {
      if (sameMeta(await walk(seedDir), localMeta)) {
        try {
          await fsp.rename(seedDir, remote);
          how = 'moved from the seed cache';
        } catch {
          /* another file system: copy */
        }
      }
      rmrf(seedDir);
    }
    if (!fs.existsSync(remote)) must('cp', ['-a', tree.dir, remote]);
    must('chown', ['-R', `${s.uid}:${s.gid}`, remote]);
    log(`remote copy of ${name} ${how} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  await seed();
  for (let round = 1; round <= opt.runs; round++) {
    for (const t of rotate(tools, round - 1)) {
      const rec = await timed(ctx, { s, tool: t, op: 'sync', scenario: 'scale', tree: name, files: tree.files, round, setup: false, local: tree.dir, remoteRel: rel, bytes: 0, localMeta });
      if (rec.status !== 'ok' || !rec.mtimeKept) await seed();
    }
  }
  // the copy is verified (or fresh): keep it for the next protocol / benchmark run
  if (fs.existsSync(remote)) {
    must('chown', ['-R', '0:0', remote]);
    await fsp.mkdir(path.dirname(seedDir), { recursive: true });
    try {
      await fsp.rename(remote, seedDir);
    } catch {
      /* another file system */
    }
  }
  rmrf(remote);
}

// ------------------------------------------------------------------------------------------ main

async function main(): Promise<number> {
  let opt: Options;
  try {
    opt = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const started = new Date();
  const loadAtStart = loadavg();
  const needed = new Set(['cp', 'chown', 'diff', 'cmp', 'sync']);
  for (const t of opt.tools) needed.add(isWinscript(t.name) ? process.execPath : t.name.replace(/-p\d+$/, ''));
  const missing = [...needed].filter((c) => !(c.startsWith('/') ? fs.existsSync(c) : have(c)));
  if (missing.length) {
    process.stderr.write(`bench: missing commands: ${missing.join(', ')}\n`);
    return 2;
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) {
    process.stderr.write('bench: dist/src/cli/main.js missing: run `npx tsc -p tsconfig.json` (npm run bench does)\n');
    return 2;
  }

  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const outDir = path.join(BENCH_DIR, 'out', stamp + (opt.quick ? '-quick' : ''));
  for (const d of ['logs', 'scripts', 'conf']) await fsp.mkdir(path.join(outDir, d), { recursive: true });
  await fsp.rm(path.join(BENCH_DIR, 'out', 'latest'), { force: true });
  await fsp.symlink(path.basename(outDir), path.join(BENCH_DIR, 'out', 'latest'));
  await fsp.mkdir(path.join(opt.data, 'trees'), { recursive: true });
  log(`output ${path.relative(ROOT, outDir)}, trees in ${opt.data}, ${opt.runs} run(s) per case`);

  const servers = new Map<Proto, Server>();
  const stops: Array<() => Promise<void>> = [];
  const files: ClientFiles = {
    rcloneConf: path.join(outDir, 'conf', 'rclone.conf'),
    knownHosts: path.join(outDir, 'conf', 'known_hosts'),
    scriptDir: path.join(outDir, 'scripts'),
    node: process.execPath,
    winscriptBin: '',
  };
  const snap = snapshotWinscript(outDir);
  files.winscriptBin = snap.bin;
  const buildFacts = machineFacts(ROOT, loadAtStart).filter(([k]) => k === 'winscript');
  log(`winscript under test: ${buildFacts[0]?.[1]}, dist ${snap.hash} (copied to ${path.relative(ROOT, path.dirname(path.dirname(snap.bin)))})`);
  const rclone: string[] = [];
  try {
    if (opt.protos.includes('sftp')) {
      const s: SshServer = await startSshd();
      stops.push(() => s.stop());
      const st = fs.statSync(s.home);
      servers.set('sftp', {
        ep: { proto: 'sftp', port: s.port, user: s.user, password: s.password, home: s.home, hostKeySha256: s.hostKeySha256, hostKeyLine: s.hostKeyLine, clientKeyPath: s.clientKeyPath },
        uid: st.uid,
        gid: st.gid,
      });
      fs.writeFileSync(files.knownHosts!, `[127.0.0.1]:${s.port} ${s.hostKeyLine}\n`);
      rclone.push('[bsftp]', 'type = sftp', 'host = 127.0.0.1', `port = ${s.port}`, `user = ${s.user}`, `key_file = ${s.clientKeyPath}`, `known_hosts_file = ${files.knownHosts}`, '');
      log(`sshd on 127.0.0.1:${s.port}, user ${s.user}, home ${s.home}`);
    }
    if (opt.protos.includes('ftp')) {
      const f: FtpServer = await startVsftpd({ tls: 'none' });
      stops.push(() => f.stop());
      const st = fs.statSync(f.home);
      servers.set('ftp', { ep: { proto: 'ftp', port: f.port, user: f.user, password: f.password, home: f.home }, uid: st.uid, gid: st.gid });
      const obscured = spawnSync('rclone', ['obscure', f.password], { encoding: 'utf8' }).stdout.trim();
      rclone.push('[bftp]', 'type = ftp', 'host = 127.0.0.1', `port = ${f.port}`, `user = ${f.user}`, `pass = ${obscured}`, '');
      log(`vsftpd on 127.0.0.1:${f.port}, user ${f.user}, home ${f.home}`);
    }
    fs.writeFileSync(files.rcloneConf, rclone.join('\n'), { mode: 0o600 });

    const ctx: Ctx = { opt, outDir, files, records: [], commands: new Map() };
    for (const proto of opt.protos) {
      const s = servers.get(proto)!;
      await remoteEmptyDir(s, 'bench');
      if (opt.cases.has('init') || opt.cases.has('nochange') || opt.cases.has('touch')) for (const tree of opt.trees) await treeCases(ctx, s, tree);
      if (opt.cases.has('big')) await bigCase(ctx, s);
      if (opt.cases.has('scale')) for (const n of [...opt.scale].sort((a, b) => a - b)) await scaleCase(ctx, s, n);
      rmrf(path.join(s.ep.home, 'bench'));
    }
    rmrf(path.join(opt.data, 'work'));

    const elapsedS = (performance.now() - T0) / 1000;
    const invocation = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${opt.argv.length ? ` -- ${opt.argv.join(' ')}` : ''}` : `node dist/bench/run.js ${opt.argv.join(' ')}`.trim();
    const report = renderReport({
      title: 'winscript benchmark: SFTP and FTP sync on loopback, side by side with lftp and rclone',
      invocation,
      started,
      elapsedS,
      runsPerCase: opt.runs,
      quick: opt.quick,
      machine: machineFacts(ROOT, loadAtStart).map(([k, v]): [string, string] =>
        k === 'winscript' ? [k, `${buildFacts[0]?.[1] ?? v} at the start; the build under test (sha256 of its dist/**/*.js: ${snap.hash}) was copied to the output directory then, so later rebuilds of dist/ did not affect the run`] : [k, v],
      ),
      filtered: filtered(opt.argv),
      commands: [...ctx.commands.values()],
      records: ctx.records,
      outDir: path.relative(ROOT, outDir),
      notes: methodNotes(opt),
      gaps: fs.existsSync(path.join(BENCH_DIR, 'GAPS.md')) ? fs.readFileSync(path.join(BENCH_DIR, 'GAPS.md'), 'utf8') : undefined,
    });
    await fsp.writeFile(path.join(outDir, 'report.md'), report);
    await fsp.writeFile(path.join(outDir, 'results.tsv'), renderTsv(ctx.records));
    if (opt.writeResults) await fsp.writeFile(path.join(BENCH_DIR, 'RESULTS.md'), report);
    process.stdout.write(report);
    log(`done in ${(elapsedS / 60).toFixed(1)} min; report ${opt.writeResults ? 'bench/RESULTS.md and ' : ''}${path.relative(ROOT, outDir)}/report.md`);
    return 0;
  } finally {
    for (const stop of stops) await stop().catch((e) => log(`stopping a server failed: ${e}`));
  }
}

function methodNotes(opt: Options): string[] {
  return [
    'Servers: real OpenSSH sshd and vsftpd on 127.0.0.1 started through `test/helpers/servers.ts` (a throw-away user each; its home is the login directory). Client and servers share the machine\'s cores, so every figure includes server CPU time competing with the client.',
    'Trees: `small` = 2,000 files of 1-8 KiB in 20 directories on 3 levels (9.1 MB); `mixed` = 5,000 such files + 20 × 5 MiB (128 MB); big = one file of keystream; listing scale = N files of 0-100 bytes in 220 directories. Names, sizes, contents (AES-CTR keystream, incompressible) and mtimes are fixed (the algorithm of the shared `mktree.sh`; `small` and `mixed` are byte-identical to its trees).',
    `Rounds: every case runs ${opt.runs} time(s); within a round each tool runs once, in an order rotated by one tool per round, so no tool always comes first or last.`,
    'initial upload: an empty remote directory per tool, then the tool uploads the local tree (a copy of the pristine tree, shared by all tools: they only read it); nothing changed: the same sync right after; 1 % changed: mktree\'s touch1pct on the local copy (every 100th file in byte order gets a line appended and a newer mtime), then the same sync (the changed files are restored before the next round).',
    'one big file: the remote file is removed before every run; over SFTP OpenSSH `scp` (SFTP protocol, as OpenSSH 9 does by default) and `sftp -b` are the ceiling.',
    'listing scale: one remote copy of the tree per protocol, made on the server\'s disk (mtimes kept, owner = the server user) and shared by the tools (every run is verified; the copy is made again after a run that changed it), re-synced with nothing to do; the point is winscript\'s peak RSS as the tree grows.',
    'Timing: wall clock around the process (spawn to exit, measured by the runner); `sync` is run before every timed command so that dirty pages of the previous run do not slow it down. Peak RSS and CPU: ' + MEASURED_BY + '.',
    'Verification after every timed run: names, types and sizes of the remote tree against the local one, then `diff -rq` for contents (single file: `cmp`). A difference, a non-zero exit or a timeout fails the run, and a case with a failed run is reported as FAIL. "written" counts remote files whose ctime is after the start of the run (files the run wrote or re-stamped), "mtime" whether all mtimes match to the second.',
    'Tools: winscript runs the generated WinSCP script with `/ini=nul` (its default of 4 connections for synchronize); lftp with `mirror -R --no-perms` (WinSCP does not set permissions by default), once with one connection and once with `--parallel=4`; rclone with its defaults (4 transfers, 8 checkers) plus `--sftp-disable-hashcheck` (winscript does not hash either) resp. `--ftp-writing-mdtm` (vsftpd has no MFMT). lftp and the OpenSSH clients log in with the server\'s ed25519 client key, winscript with the password (the way the generated WinSCP scripts do).',
    'Timings are never asserted by the test suite; noise on this kind of 2-core VM is 10-30 % between rounds, so ratios within ~20 % of a target are close calls (rerun with `--runs 5`).',
  ];
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  },
);
