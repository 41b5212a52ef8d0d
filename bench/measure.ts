/**
 * Timing one command (wall clock around the process, peak RSS and CPU from GNU time) and checking
 * the remote copy against the local tree afterwards (both live on this machine: the servers'
 * homes are local directories).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Command } from './tools.js';

export interface Timing {
  wallS: number;
  /** peak RSS of the largest single process of the command (GNU time %M), KiB */
  rssKiB: number;
  /** user + system CPU of the command and the children it waited for, s */
  cpuS: number;
  /** CPU time the whole machine was busy while the command ran (all processes), s */
  machineCpuS: number;
  exit: number;
  timedOut: boolean;
}

/** Busy CPU time of the whole machine so far (user+nice+system+irq+softirq of /proc/stat), s. */
function machineBusyS(): number {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq] = f;
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / 100; // USER_HZ
  } catch {
    return 0;
  }
}

export const GNU_TIME = '/usr/bin/time';
/** Without GNU time (Debian package `time`), RSS is sampled from /proc and CPU read from our own. */
export const HAVE_GNU_TIME = fs.existsSync(GNU_TIME) && !process.env.WSBENCH_NO_GNU_TIME;
export const MEASURED_BY = HAVE_GNU_TIME
  ? 'GNU time (`%M` = the largest single process of the command and the children it waited for; `%U+%S`)'
  : 'sampling (GNU time is not installed: peak RSS = the largest VmHWM of the command\'s processes in /proc, read every 20 ms; CPU = the children\'s CPU time of the benchmark process)';

/** User+system CPU of the children this process has waited for (/proc/self/stat cutime, cstime), s. */
function childrenCpuS(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // fields 16 and 17, USER_HZ
  } catch {
    return 0;
  }
}

/** The process and all its descendants (via /proc/<pid>/task/<tid>/children). */
function processTree(pid: number): number[] {
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    try {
      for (const tid of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (kids) todo.push(...kids.split(' ').map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Peak RSS (VmHWM) of the largest process of the tree under pid, KiB. */
function peakRssKiB(pid: number): number {
  let max = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) max = Math.max(max, Number(m[1]));
    } catch {
      /* gone */
    }
  }
  return max;
}

/** What GNU time wrote; zeros if the command was killed before it wrote anything. */
function readGnuTime(timeFile: string): { rssKiB: number; cpuS: number; exit?: number } {
  try {
    // GNU time writes "Command exited with non-zero status N" before the format line
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [m, u, s, x] = last.split(/\s+/).map(Number);
    return { rssKiB: Number.isFinite(m) ? m! : 0, cpuS: Number.isFinite(u) && Number.isFinite(s) ? u! + s! : 0, exit: Number.isFinite(x) ? x : undefined };
  } catch {
    return { rssKiB: 0, cpuS: 0 };
  }
}

/** Runs cmd under GNU time (or sampled); output goes to logFile. Never rejects for a failing command. */
export function runTimed(cmd: Command, logFile: string, timeoutMs: number, cwd: string): Promise<Timing> {
  const timeFile = `${logFile}.time`;
  fs.writeFileSync(logFile, `$ ${cmd.display}\n`);
  const fd = fs.openSync(logFile, 'a');
  return new Promise((resolve) => {
    const busy0 = machineBusyS();
    const cpu0 = childrenCpuS();
    const t0 = process.hrtime.bigint();
    // detached: own process group, so a timeout can stop the command with everything it started
    const [file, ...args] = HAVE_GNU_TIME ? [GNU_TIME, '-f', '%M %U %S %x', '-o', timeFile, ...cmd.argv] : cmd.argv;
    const child = spawn(file!, args, {
      cwd,
      env: { ...process.env, ...cmd.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    fs.closeSync(fd);
    let sampledKiB = 0;
    const sampler = HAVE_GNU_TIME ? undefined : setInterval(() => (sampledKiB = Math.max(sampledKiB, peakRssKiB(child.pid ?? 0))), 20);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    const done = (code: number | null) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      const machineCpuS = machineBusyS() - busy0;
      const gnu = HAVE_GNU_TIME ? readGnuTime(timeFile) : undefined;
      const rssKiB = gnu ? gnu.rssKiB : sampledKiB;
      const cpuS = gnu ? gnu.cpuS : childrenCpuS() - cpu0;
      const exit = gnu?.exit !== undefined && code !== null ? gnu.exit : (code ?? -1);
      if (timedOut) fs.appendFileSync(logFile, `\n[bench] killed after ${timeoutMs / 1000} s\n`);
      resolve({ wallS, rssKiB, cpuS, machineCpuS, exit: timedOut ? -1 : exit, timedOut });
    };
    child.on('error', (e) => {
      fs.appendFileSync(logFile, `\n[bench] spawn failed: ${e.message}\n`);
      done(-1);
    });
    child.on('close', done);
  });
}

export interface Verify {
  ok: boolean;
  /** what differs (first lines of diff -rq plus metadata findings) */
  problems: string[];
  /** all regular files' mtimes equal to the second */
  mtimeKept: boolean;
  /** remote files whose ctime is after the start of the timed run (written or re-stamped by it) */
  written: number;
}

export interface Meta {
  dir: boolean;
  size: number;
  mtimeS: number;
  ctimeMs: number;
}

export async function walk(root: string): Promise<Map<string, Meta>> {
  const m = new Map<string, Meta>();
  const rec = async (d: string, rel: string) => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const p = path.join(d, e.name);
      const st = await fsp.lstat(p);
      m.set(r, { dir: st.isDirectory(), size: st.size, mtimeS: Math.floor(st.mtimeMs / 1000), ctimeMs: st.ctimeMs });
      if (st.isDirectory()) await rec(p, r);
    }
  };
  await rec(root, '');
  return m;
}

/** Compares remote (a directory under a server home) with local: names, types, sizes, contents. */
export async function verifyTree(local: string, remote: string, sinceMs: number, localMeta?: Map<string, Meta>): Promise<Verify> {
  const problems: string[] = [];
  if (!fs.existsSync(remote)) return { ok: false, problems: [`remote ${remote} missing`], mtimeKept: false, written: 0 };
  const [l, r] = await Promise.all([localMeta ?? walk(local), walk(remote)]);
  let mtimeKept = true;
  let written = 0;
  let missing = 0;
  let extra = 0;
  let meta = 0;
  for (const [k, lm] of l) {
    const rm = r.get(k);
    if (!rm) {
      if (missing++ < 3) problems.push(`missing on remote: ${k}`);
      continue;
    }
    if (lm.dir !== rm.dir || (!lm.dir && lm.size !== rm.size)) {
      if (meta++ < 3) problems.push(`differs: ${k} (local ${lm.dir ? 'dir' : lm.size}, remote ${rm.dir ? 'dir' : rm.size})`);
    }
    if (!lm.dir && lm.mtimeS !== rm.mtimeS) mtimeKept = false;
  }
  for (const [k, rm] of r) {
    if (!l.has(k) && extra++ < 3) problems.push(`extra on remote: ${k}`);
    if (!rm.dir && rm.ctimeMs >= sinceMs) written++;
  }
  if (missing > 3) problems.push(`... ${missing} missing in all`);
  if (extra > 3) problems.push(`... ${extra} extra in all`);
  if (meta > 3) problems.push(`... ${meta} differing in all`);
  if (problems.length === 0) {
    // contents: diff -rq (only when names and sizes agree; it would repeat the findings above)
    const d = spawnSync('diff', ['-rq', '--no-dereference', local, remote], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (d.status !== 0) {
      const lines = (d.stdout + d.stderr).trim().split('\n');
      problems.push(...lines.slice(0, 3), ...(lines.length > 3 ? [`... ${lines.length} diff lines in all`] : []));
    }
  }
  return { ok: problems.length === 0, problems, mtimeKept, written };
}

/** Compares one remote file with the local one (cmp). */
export async function verifyFile(local: string, remote: string, sinceMs: number): Promise<Verify> {
  let st: fs.Stats;
  try {
    st = await fsp.lstat(remote);
  } catch {
    return { ok: false, problems: [`remote ${remote} missing`], mtimeKept: false, written: 0 };
  }
  const lst = await fsp.lstat(local);
  const problems: string[] = [];
  if (st.size !== lst.size) problems.push(`size ${st.size}, expected ${lst.size}`);
  else if (spawnSync('cmp', ['-s', local, remote]).status !== 0) problems.push('contents differ (cmp)');
  return { ok: problems.length === 0, problems, mtimeKept: Math.floor(st.mtimeMs / 1000) === Math.floor(lst.mtimeMs / 1000), written: st.ctimeMs >= sinceMs ? 1 : 0 };
}

/** Flushes dirty pages (a previous big upload must not slow down the next timed run). */
export function syncDisks(): void {
  spawnSync('sync');
}
