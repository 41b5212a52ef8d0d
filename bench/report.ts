/** Aggregation of the timed runs, target evaluation and the markdown report. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export type Scenario = 'init' | 'nochange' | 'touch' | 'big' | 'scale';

export interface RunRecord {
  proto: string;
  scenario: Scenario;
  tree: string;
  /** files in the tree (listing scale) */
  files: number;
  tool: string;
  round: number;
  /** run only to prepare a later scenario (its case was filtered out): not reported */
  setup: boolean;
  status: 'ok' | 'fail' | 'skip' | 'n/a';
  note: string;
  wallS: number;
  rssKiB: number;
  cpuS: number;
  /** CPU time the whole machine was busy during the run (client + servers + anything else), s */
  machineCpuS: number;
  exit: number;
  /** bytes the case has to move (init: tree, big: file, touch: the changed files) */
  bytes: number;
  written: number;
  mtimeKept: boolean;
  log: string;
}

export interface Row {
  proto: string;
  scenario: Scenario;
  tree: string;
  files: number;
  tool: string;
  runs: number;
  okRuns: number;
  status: 'ok' | 'fail' | 'n/a';
  note: string;
  median?: number;
  min?: number;
  max?: number;
  cpu?: number;
  machineCpu?: number;
  rssMB?: number;
  bytes: number;
  written?: number;
  mtimeKept: boolean;
}

const MB = 1e6;
export const RSS_TARGET_MB = 150;
export const TIME_TARGET = 0.8;
export const FLAT_TARGET = 1.25;

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

export const SCENARIO_LABEL: Record<Scenario, string> = {
  init: 'initial upload',
  nochange: 're-sync, nothing changed',
  touch: 're-sync, 1 % changed',
  big: 'one big file',
  scale: 'listing scale, nothing changed',
};

const SCENARIO_ORDER: Scenario[] = ['init', 'nochange', 'touch', 'big', 'scale'];

export function aggregate(records: RunRecord[]): Row[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    if (r.setup) continue;
    const k = [r.proto, r.scenario, r.tree, r.tool].join('\t');
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const rows: Row[] = [];
  for (const rs of groups.values()) {
    const f = rs[0]!;
    const ok = rs.filter((r) => r.status === 'ok');
    const ran = rs.filter((r) => r.status === 'ok' || r.status === 'fail');
    const bad = rs.find((r) => r.status !== 'ok');
    const allNa = rs.every((r) => r.status === 'n/a');
    rows.push({
      proto: f.proto,
      scenario: f.scenario,
      tree: f.tree,
      files: f.files,
      tool: f.tool,
      runs: rs.length,
      okRuns: ok.length,
      status: allNa ? 'n/a' : bad ? 'fail' : 'ok',
      note: bad ? bad.note : '',
      median: median(ok.map((r) => r.wallS)),
      min: ok.length ? Math.min(...ok.map((r) => r.wallS)) : undefined,
      max: ok.length ? Math.max(...ok.map((r) => r.wallS)) : undefined,
      cpu: median(ok.map((r) => r.cpuS)),
      machineCpu: median(ok.map((r) => r.machineCpuS)),
      rssMB: ran.length ? Math.max(...ran.map((r) => r.rssKiB)) * 1024 / MB : undefined,
      bytes: f.bytes,
      written: median(ok.map((r) => r.written)),
      mtimeKept: ok.length > 0 && ok.every((r) => r.mtimeKept),
    });
  }
  return rows;
}

export interface CaseKey {
  proto: string;
  scenario: Scenario;
  tree: string;
}

function cases(rows: Row[]): CaseKey[] {
  const seen = new Map<string, CaseKey>();
  for (const r of rows) seen.set(`${r.proto}\t${r.scenario}\t${r.tree}`, { proto: r.proto, scenario: r.scenario, tree: r.tree });
  const protoOrder = (p: string) => (p === 'sftp' ? 0 : 1);
  return [...seen.values()].sort(
    (a, b) =>
      protoOrder(a.proto) - protoOrder(b.proto) ||
      SCENARIO_ORDER.indexOf(a.scenario) - SCENARIO_ORDER.indexOf(b.scenario) ||
      (rows.find((r) => r.tree === a.tree)?.files ?? 0) - (rows.find((r) => r.tree === b.tree)?.files ?? 0) ||
      a.tree.localeCompare(b.tree),
  );
}

const fmtS = (x: number | undefined) => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const fmtMB = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(0));

function cell(r: Row | undefined): string {
  if (!r) return '';
  if (r.status === 'n/a') return 'n/a';
  if (r.status === 'fail') return r.median === undefined ? '**FAIL**' : `**FAIL** (${r.okRuns}/${r.runs} ok: ${fmtS(r.median)})`;
  return fmtS(r.median);
}

export interface Evaluation {
  key: CaseKey;
  reference?: Row;
  ratio?: number;
  target: string;
  /** the target as a sentence, for the targets table */
  label: string;
  met: 'met' | 'not met' | 'FAILED' | 'n/a' | 'info';
  detail: string;
}

/** The time target of a case: winscript's median against the best peer (scp for the SFTP big file). */
export function evaluateTime(rows: Row[], key: CaseKey): Evaluation {
  const here = rows.filter((r) => r.proto === key.proto && r.scenario === key.scenario && r.tree === key.tree);
  const ws = here.find((r) => r.tool === 'winscript');
  let refs: Row[];
  let target: string;
  let label = '';
  let limit: number | undefined;
  const big = key.scenario === 'big' && key.proto === 'sftp';
  if (big) {
    refs = here.filter((r) => r.tool === 'scp');
    target = `≥ ${TIME_TARGET} × scp throughput (ratio ≤ ${(1 / TIME_TARGET).toFixed(2)})`;
    label = `throughput ≥ ${TIME_TARGET} × scp's`;
    limit = 1 / TIME_TARGET;
  } else if (key.scenario === 'big' || key.scenario === 'scale') {
    refs = here.filter((r) => r.tool === 'lftp' || r.tool === 'rclone');
    target = key.scenario === 'big' ? 'info (vs faster of lftp / rclone)' : 'info (the target here is RSS)';
  } else {
    refs = here.filter((r) => r.tool === 'lftp' || r.tool === 'lftp-p4' || r.tool === 'rclone');
    target = `≤ ${TIME_TARGET} × best of lftp / rclone`;
    label = `wall time ≤ ${TIME_TARGET} × the faster of lftp / rclone`;
    limit = TIME_TARGET;
  }
  const okRefs = refs.filter((r) => r.status === 'ok' && r.median !== undefined).sort((a, b) => a.median! - b.median!);
  const reference = okRefs[0];
  const ev: Evaluation = { key, reference, target, label, met: limit === undefined ? 'info' : 'n/a', detail: '' };
  if (!ws) return { ...ev, met: 'n/a', detail: 'winscript not run' };
  if (ws.status !== 'ok' || ws.median === undefined) return { ...ev, met: limit === undefined ? 'info' : 'FAILED', detail: `winscript ${ws.status === 'n/a' ? 'not available' : 'failed'}: ${ws.note}` };
  if (!reference) return { ...ev, met: 'n/a', detail: 'no reference tool succeeded' };
  ev.ratio = ws.median / reference.median!;
  ev.detail = big
    ? `${mbps(ws)} vs ${mbps(reference)} MB/s = ${(reference.median! / ws.median).toFixed(2)} × scp's throughput`
    : `${fmtS(ws.median)} s vs ${reference.tool} ${fmtS(reference.median)} s`;
  if (limit !== undefined) ev.met = ev.ratio <= limit ? 'met' : 'not met';
  return ev;
}

function mbps(r: Row | undefined): string {
  if (!r || r.median === undefined || !r.bytes) return '-';
  return (r.bytes / MB / r.median).toFixed(r.bytes / MB / r.median < 10 ? 1 : 0);
}

export interface ReportInput {
  title: string;
  invocation: string;
  started: Date;
  elapsedS: number;
  runsPerCase: number;
  quick: boolean;
  filtered: boolean;
  machine: Array<[string, string]>;
  commands: Array<{ what: string; display: string; script?: string }>;
  records: RunRecord[];
  notes: string[];
  outDir: string;
  /** Hand-written analysis of the targets not met (bench/GAPS.md), placed after the targets. */
  gaps?: string;
}

export function renderReport(inp: ReportInput): string {
  const rows = aggregate(inp.records);
  const tools = [...new Set(rows.map((r) => r.tool))].sort((a, b) => order(a) - order(b));
  const ks = cases(rows);
  const out: string[] = [];
  const P = (s = '') => out.push(s);
  P(`# ${inp.title}`);
  P();
  P(`Generated by \`${inp.invocation}\` (${inp.quick ? 'QUICK mode: fewer runs and smaller trees, a smoke test, not a measurement' : inp.filtered ? 'filtered run' : 'full run'}), started ${inp.started.toISOString().replace(/\.\d+Z$/, 'Z')}, took ${(inp.elapsedS / 60).toFixed(1)} min; ${inp.runsPerCase} timed run(s) per case, tools alternating within each round. Raw data: \`${inp.outDir}\` (git-ignored).`);
  P();
  P('## Machine');
  P();
  P('| | |');
  P('|---|---|');
  for (const [k, v] of inp.machine) P(`| ${k} | ${v.replace(/\|/g, '\\|')} |`);
  P();

  P('## Summary: median wall time in seconds (winscript vs peers)');
  P();
  P(`ratio = winscript / reference (the fastest of lftp, lftp -P4 and rclone; for the SFTP big file: scp). Time target: ratio ≤ ${TIME_TARGET} on every initial upload and re-sync; SFTP big file: ≥ ${TIME_TARGET} × scp's throughput. RSS = winscript's peak RSS (largest process, MB = 10^6 bytes).`);
  P();
  P(`| proto | case | tree | ${tools.join(' | ')} | reference | ratio | target | met | winscript RSS MB |`);
  P(`|---|---|---|${tools.map(() => '---:').join('|')}|---|---:|---|---|---:|`);
  const evals: Evaluation[] = [];
  for (const k of ks) {
    const here = rows.filter((r) => r.proto === k.proto && r.scenario === k.scenario && r.tree === k.tree);
    const ev = evaluateTime(rows, k);
    evals.push(ev);
    const ws = here.find((r) => r.tool === 'winscript');
    P(
      `| ${k.proto} | ${SCENARIO_LABEL[k.scenario]} | ${treeLabel(here[0]!)} | ${tools.map((t) => cell(here.find((r) => r.tool === t))).join(' | ')} | ${ev.reference?.tool ?? '-'} | ${ev.ratio === undefined ? '-' : ev.ratio.toFixed(2)} | ${ev.target} | ${metCell(ev.met)} | ${fmtMB(ws?.rssMB)} |`,
    );
  }
  P();

  P('## Targets');
  P();
  P('| target | case | value | met |');
  P('|---|---|---|---|');
  for (const ev of evals) {
    if (ev.met === 'info') continue;
    P(`| ${ev.label} | ${ev.key.proto} ${SCENARIO_LABEL[ev.key.scenario]} ${ev.key.tree} | ${ev.ratio === undefined ? ev.detail : `${ev.ratio.toFixed(2)} (${ev.detail})`} | ${metCell(ev.met)} |`);
  }
  for (const r of rows.filter((r) => r.tool === 'winscript' && (r.tree.startsWith('mixed') || r.scenario === 'scale'))) {
    const met = r.rssMB === undefined ? 'FAILED' : r.rssMB <= RSS_TARGET_MB ? (r.status === 'ok' ? 'met' : 'FAILED') : 'not met';
    P(`| peak RSS ≤ ${RSS_TARGET_MB} MB | ${r.proto} ${SCENARIO_LABEL[r.scenario]} ${treeLabel(r)} | ${r.rssMB === undefined ? r.note : `${fmtMB(r.rssMB)} MB${r.status === 'ok' ? '' : ` (run failed: ${r.note})`}`} | ${metCell(met)} |`);
  }
  // flatness: winscript's RSS on the no-change re-syncs, smallest vs largest tree
  for (const proto of [...new Set(rows.map((r) => r.proto))]) {
    const pts = rows
      .filter((r) => r.proto === proto && r.tool === 'winscript' && (r.scenario === 'nochange' || r.scenario === 'scale') && r.status === 'ok' && r.rssMB !== undefined)
      .sort((a, b) => a.files - b.files);
    if (pts.length < 2) {
      P(`| peak RSS flat with tree size (largest ≤ ${FLAT_TARGET} × smallest) | ${proto} re-sync, nothing changed | fewer than two successful tree sizes | n/a |`);
      continue;
    }
    const lo = pts[0]!;
    const hi = pts[pts.length - 1]!;
    const growth = hi.rssMB! / lo.rssMB!;
    const perFile = ((hi.rssMB! - lo.rssMB!) * MB) / (hi.files - lo.files);
    P(
      `| peak RSS flat with tree size (largest ≤ ${FLAT_TARGET} × smallest) | ${proto} re-sync, nothing changed | ${pts.map((p) => `${p.files.toLocaleString('en-US')} files: ${fmtMB(p.rssMB)} MB`).join(', ')}; ×${growth.toFixed(2)}, ${perFile.toFixed(0)} bytes per extra file | ${metCell(growth <= FLAT_TARGET && hi.rssMB! <= RSS_TARGET_MB ? 'met' : 'not met')} |`,
    );
  }
  P();

  if (inp.gaps) {
    P(inp.gaps.trim());
    P();
  }

  P('## All rows');
  P();
  P('median / min-max over the successful runs; MB/s for uploads of whole trees and the big file; CPU client / machine = user+system CPU of the client processes / CPU time the whole machine was busy during the run (client + server + anything else running; median); RSS = peak of the largest client process over all runs; written = remote files created or re-stamped by the timed run (median); mtime = every file\'s mtime equal to the second after the run.');
  P();
  P('| proto | case | tree | tool | ok runs | median s | min-max s | MB/s | CPU client / machine s | peak RSS MB | written | mtime | verify / note |');
  P('|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const k of ks) {
    for (const t of tools) {
      const r = rows.find((x) => x.proto === k.proto && x.scenario === k.scenario && x.tree === k.tree && x.tool === t);
      if (!r) continue;
      const v = r.status === 'ok' ? 'ok' : `**${r.status.toUpperCase()}**: ${r.note.replace(/\|/g, '\\|')}`;
      P(
        `| ${r.proto} | ${SCENARIO_LABEL[r.scenario]} | ${treeLabel(r)} | ${r.tool} | ${r.okRuns}/${r.runs} | ${fmtS(r.median)} | ${r.min === undefined ? '-' : `${fmtS(r.min)}-${fmtS(r.max)}`} | ${r.scenario === 'init' || r.scenario === 'big' ? mbps(r) : ''} | ${fmtS(r.cpu)} / ${fmtS(r.machineCpu)} | ${fmtMB(r.rssMB)} | ${r.written ?? '-'} | ${r.okRuns ? (r.mtimeKept ? 'yes' : 'no') : '-'} | ${v} |`,
      );
    }
  }
  P();

  P('## Command lines');
  P();
  P('Placeholders: `<local>` source tree or file, `<remote>` absolute remote path, `<remote-rel>` the same relative to the login directory, `<home>` the login directory, `<user>`/`<password>`/`<port>` of the throw-away server instance, `<sha256>` its host key fingerprint.');
  P();
  for (const c of inp.commands) {
    P(`* ${c.what}: \`${c.display}\``);
    if (c.script) {
      P();
      P('  ```');
      for (const l of c.script.trimEnd().split('\n')) P(`  ${l}`);
      P('  ```');
    }
  }
  P();
  P('## Method');
  P();
  for (const n of inp.notes) P(`* ${n}`);
  P();
  return out.join('\n');
}

function metCell(m: Evaluation['met']): string {
  return m === 'met' ? 'met' : m === 'not met' ? '**not met**' : m === 'FAILED' ? '**FAILED**' : m;
}

function treeLabel(r: { tree: string; files: number }): string {
  return r.tree.startsWith('scale') ? `${r.files.toLocaleString('en-US')} files` : r.tree;
}

function order(t: string): number {
  const o = ['winscript', 'winscript-p1', 'lftp', 'lftp-p4', 'rclone', 'scp', 'sftp'].indexOf(t);
  return o < 0 ? 99 : o;
}

/** TSV of the aggregated rows, for scripts. */
export function renderTsv(records: RunRecord[]): string {
  const rows = aggregate(records);
  const head = ['proto', 'scenario', 'tree', 'files', 'tool', 'runs', 'ok_runs', 'status', 'median_s', 'min_s', 'max_s', 'cpu_s', 'machine_cpu_s', 'peak_rss_mb', 'bytes', 'written', 'mtime_kept', 'note'];
  const lines = rows.map((r) =>
    [r.proto, r.scenario, r.tree, r.files, r.tool, r.runs, r.okRuns, r.status, r.median?.toFixed(3) ?? '', r.min?.toFixed(3) ?? '', r.max?.toFixed(3) ?? '', r.cpu?.toFixed(2) ?? '', r.machineCpu?.toFixed(2) ?? '', r.rssMB?.toFixed(1) ?? '', r.bytes, r.written ?? '', r.mtimeKept, r.note.replace(/\s+/g, ' ')].join('\t'),
  );
  return [head.join('\t'), ...lines].join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------- machine

export function loadavg(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

function sh(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

export function machineFacts(root: string, loadAtStart: string): Array<[string, string]> {
  const cpuModel = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? os.cpus()[0]?.model ?? '?').trim();
  const aes = /^flags\s*:.*\baes\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  let osName = '?';
  try {
    osName = fs.readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1] ?? '?';
  } catch {
    /* keep ? */
  }
  const gitHead = sh(`cd '${root}' && git rev-parse --short HEAD 2>/dev/null`);
  const dirty = sh(`cd '${root}' && git status --porcelain 2>/dev/null | wc -l`);
  const pkg = JSON.parse(fs.readFileSync(`${root}/package.json`, 'utf8')) as { version: string };
  return [
    ['date', new Date().toISOString().replace(/\.\d+Z$/, 'Z')],
    ['load average (1/5/15 min)', `${loadAtStart} before the run, ${loadavg()} after it (other processes on the machine compete for the same cores; see the machine CPU column)`],
    ['CPU', `${cpuModel}, ${os.cpus().length} cores${aes ? ' (AES-NI)' : ''}`],
    ['RAM', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS / kernel', `${osName}, Linux ${os.release()}`],
    ['Node', process.version],
    ['winscript', `${pkg.version}, git ${gitHead || '?'}${Number(dirty) > 0 ? ` + ${dirty.trim()} uncommitted/untracked paths in the checkout` : ''}`],
    ['OpenSSH', `${sh('ssh -V')} (sshd: internal-sftp, ed25519 host key, LogLevel VERBOSE, from test/helpers/servers.ts)`],
    ['vsftpd', `${sh('/usr/sbin/vsftpd -v 0>&1 | head -1')} (plain FTP, passive, LIST listings, log_ftp_protocol=YES, from test/helpers/servers.ts)`],
    ['lftp', sh('lftp --version | head -1').replace(/\s*\|\s*Copyright.*$/, '').replace(/\s*\|\s*/g, ' ')],
    ['rclone', sh('rclone version | head -1')],
    ['GNU time', `Debian package time ${sh("dpkg-query -W -f '$" + "{Version}' time 2>/dev/null") || 'not installed: RSS sampled from /proc'}`],
  ];
}
