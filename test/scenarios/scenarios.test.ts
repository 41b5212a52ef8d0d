/**
 * Scenario tests (rclone-bisync style): each folder in fixtures/scenarios holds initial local and
 * remote trees (times fixed by manifest.txt), a WinSCP script, and the expected final trees,
 * output and exit code. Every scenario runs against the real servers listed in its
 * protocols.txt (OpenSSH sshd for sftp, vsftpd for ftp), as
 * `winscript /script="c:\temp\script.txt"` with C: mapped to a fresh folder.
 *
 * WINSCRIPT_UPDATE_GOLDEN=1 rewrites expected/stdout.txt and expected/tree.txt from the run (review
 * the diff before committing).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.js';
import { type FtpServer, type SshServer, sshdOrSkip, vsftpdOrSkip } from '../helpers/servers.js';

process.env.TZ = 'UTC';
const DIR = path.join(ROOT, 'fixtures/scenarios');
const UPDATE = process.env.WINSCRIPT_UPDATE_GOLDEN === '1';
const DEFAULT_TIME = '2024-01-01T00:00:00Z';

type Proto = 'sftp' | 'ftp';
let sshd: Promise<SshServer | undefined> | undefined;
let ftpd: Promise<FtpServer | undefined> | undefined;
const server = (p: Proto) => (p === 'sftp' ? (sshd ??= sshdOrSkip()) : (ftpd ??= vsftpdOrSkip({ tls: 'none' })));
after(async () => {
  await (await sshd)?.stop();
  await (await ftpd)?.stop();
});

const read = (f: string, fallback = '') => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : fallback);

function copyTree(src: string, dst: string): void {
  fs.mkdirSync(dst, { recursive: true });
  if (fs.existsSync(src)) fs.cpSync(src, dst, { recursive: true });
}

/** Applies manifest.txt: `default <ISO>`, `mtime <side>/<path> <ISO>`, `mkdir <side>/<path>`, `chmod <side>/<path> <octal>`. */
function applyManifest(scenario: string, roots: Record<'local' | 'remote', string>): { chmods: [string, number][] } {
  const lines = read(path.join(scenario, 'manifest.txt')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let def = DEFAULT_TIME;
  const times = new Map<string, string>();
  const chmods: [string, number][] = [];
  const resolve = (spec: string) => {
    const [side, ...rest] = spec.split('/');
    return path.join(roots[side as 'local' | 'remote'], ...rest);
  };
  for (const l of lines) {
    const [cmd, a, b] = l.split(/\s+/);
    if (cmd === 'default') def = a!;
    else if (cmd === 'mkdir') fs.mkdirSync(resolve(a!), { recursive: true });
    else if (cmd === 'mtime') times.set(resolve(a!), b!);
    else if (cmd === 'chmod') chmods.push([resolve(a!), parseInt(b!, 8)]);
  }
  for (const side of ['local', 'remote'] as const) {
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        const t = new Date(times.get(full) ?? def).getTime() / 1000;
        fs.utimesSync(full, t, t);
      }
    };
    walk(roots[side]);
  }
  return { chmods };
}

/** `<side>/<path>/` for directories, `<side>/<path> <sha8> <ISO mtime>` for files, sorted. */
function describeTree(roots: Record<'local' | 'remote', string>, withTimes: boolean): string {
  const out: string[] = [];
  for (const side of ['local', 'remote'] as const) {
    const walk = (d: string, rel: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          out.push(`${side}/${r}/`);
          walk(full, r);
        } else {
          const sha = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 8);
          const t = new Date(Math.floor(fs.statSync(full).mtimeMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
          out.push(`${side}/${r} ${sha}${withTimes ? ` ${t}` : ''}`);
        }
      }
    };
    if (fs.existsSync(roots[side])) walk(roots[side], '');
    else out.push(`${side} (missing)`);
  }
  return out.sort().join('\n') + '\n';
}

const CONNECT_LINES = /^(Searching for host\.\.\.|Connecting to host\.\.\.|Connecting to 127\.0\.0\.1.*|Authenticating\.\.\.|Using username ".*"\.|Authenticating with pre-entered password\.|Authenticated\.|Starting the session\.\.\.|Session started\.|Connected|TLS connection established.*|Active session: \[\d+\] .*)$/;

function normalise(stdout: string, local: string, remote: string): string {
  return stdout
    .split('\n')
    .filter((l) => !CONNECT_LINES.test(l))
    .map((l) => l.split(remote).join('<REMOTE>').split(local).join('<LOCAL>').replace(/\| +[\d.]+ KB\/s \|/, '| X KB/s |'))
    .join('\n');
}

const scenarios = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((n) => fs.existsSync(path.join(DIR, n, 'script.txt'))).sort() : [];

for (const name of scenarios) {
  const scenario = path.join(DIR, name);
  const only = process.env.WINSCRIPT_SCENARIO_PROTOCOLS?.split(/[ ,]+/);
  const protocols = (read(path.join(scenario, 'protocols.txt'), 'sftp').trim().split(/\s+/) as Proto[]).filter((p) => p && (!only || only.includes(p)));
  describe(`scenario ${name}`, () => {
    for (const proto of protocols) {
      it(`over ${proto}`, async (t) => {
        const srv = await server(proto);
        if (!srv) return void t.skip(`${proto} server not available`);
        const drive = fs.mkdtempSync(path.join(os.tmpdir(), `winscript-scn-${name}-`));
        const local = path.join(drive, 'site');
        const remote = path.join(srv.home, 'site');
        fs.rmSync(remote, { recursive: true, force: true });
        copyTree(path.join(scenario, 'initial/local'), local);
        copyTree(path.join(scenario, 'initial/remote'), remote);
        const { chmods } = applyManifest(scenario, { local, remote });
        execFileSync('chown', ['-R', `${srv.user}:${srv.user}`, remote]);
        for (const [p, mode] of chmods) {
          if (p.startsWith(remote)) execFileSync('chown', ['root:root', p]); // the login user cannot read it
          fs.chmodSync(p, mode);
        }
        if (read(path.join(scenario, 'remove-local.txt')).trim() === 'yes') fs.rmSync(local, { recursive: true, force: true });
        fs.mkdirSync(path.join(drive, 'temp'));
        fs.copyFileSync(path.join(scenario, 'script.txt'), path.join(drive, 'temp/script.txt'));
        const url = proto === 'sftp' ? `sftp://${srv.user}:${encodeURIComponent(srv.password)}@127.0.0.1:${srv.port}/` : `ftp://${srv.user}:${encodeURIComponent(srv.password)}@127.0.0.1:${srv.port}/`;
        const hostkey = proto === 'sftp' ? `-hostkey="ssh-ed25519 255 ${(srv as SshServer).hostKeySha256}"` : '';
        const extra = read(path.join(scenario, 'args.txt')).trim().split(/\s+/).filter(Boolean);
        const r = await runCli(['/ini=nul', ...extra, '/script=c:\\temp\\script.txt'], { env: { WINSCRIPT_DRIVES: `C:=${drive}`, WS_URL: url, WS_HOSTKEY: hostkey } });
        for (const [p] of chmods) fs.chmodSync(p, 0o755);
        const stdout = normalise(r.stdout, local, remote);
        const tree = describeTree({ local, remote }, true);
        const expDir = path.join(scenario, 'expected');
        const perProto = (f: string) => (fs.existsSync(path.join(expDir, `${proto}.${f}`)) ? path.join(expDir, `${proto}.${f}`) : path.join(expDir, f));
        if (UPDATE) {
          // Written per protocol; identical files are merged into the shared name by hand.
          fs.mkdirSync(expDir, { recursive: true });
          fs.writeFileSync(path.join(expDir, `${proto}.stdout.txt`), stdout);
          fs.writeFileSync(path.join(expDir, `${proto}.tree.txt`), tree);
          fs.writeFileSync(path.join(expDir, `${proto}.exit.txt`), `${r.code}\n`);
        }
        assert.equal(r.code, Number(read(perProto('exit.txt'), '0').trim()), `exit code\n${r.stdout}\n${r.stderr}`);
        assert.equal(stdout, read(perProto('stdout.txt')), 'stdout');
        assert.equal(tree, read(perProto('tree.txt')), 'final trees');
        fs.rmSync(drive, { recursive: true, force: true });
      });
    }
  });
}
