/**
 * The tools under test and the command lines they run. Every command is an argv array (no shell),
 * run with the environment given; `display` is the same command with the password and the per-run
 * paths replaced by placeholders, for the report.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Proto = 'sftp' | 'ftp';
export type Op = 'sync' | 'put';

export interface Endpoint {
  proto: Proto;
  port: number;
  user: string;
  password: string;
  home: string;
  /** sftp only */
  hostKeySha256?: string;
  hostKeyLine?: string;
  clientKeyPath?: string;
}

export interface ClientFiles {
  /** known_hosts for the OpenSSH clients (sftp only) */
  knownHosts?: string;
  /** rclone config with the remotes `bsftp` and `bftp` */
  rcloneConf: string;
  /** directory for generated scripts */
  scriptDir: string;
  /** node binary and bin/winscript.js */
  node: string;
  winscriptBin: string;
}

export interface Command {
  argv: string[];
  env?: Record<string, string>;
  /** printable form: secrets and per-run paths replaced */
  display: string;
  /** generated script (winscript, sftp -b), shown in the report */
  script?: string;
}

export interface Tool {
  name: string;
  /** true for the tools whose best time is the reference of the winscript/peer ratio */
  peer: boolean;
  supports(proto: Proto, op: Op): boolean;
  /** returns undefined when the tool does not do this proto/op */
  command(ep: Endpoint, op: Op, src: string, destRel: string, files: ClientFiles, tag: string): Command | undefined;
}

const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function placeholders(s: string, ep: Endpoint, src: string, destRel: string, f?: ClientFiles): string {
  let out = s.split(ep.password).join('<password>');
  if (ep.clientKeyPath) out = out.split(ep.clientKeyPath).join('<client-key>');
  if (f?.knownHosts) out = out.split(f.knownHosts).join('<known_hosts>');
  if (f) out = out.split(f.rcloneConf).join('<rclone.conf>');
  out = out.split(path.join(ep.home, destRel)).join('<remote>');
  out = out.split(destRel).join('<remote-rel>');
  out = out.split(src).join('<local>');
  out = out.split(ep.home).join('<home>');
  out = out.replace(new RegExp(`(:|-p |-P )${ep.port}\\b`, 'g'), '$1<port>');
  out = out.split(ep.user).join('<user>');
  if (ep.hostKeySha256) out = out.split(ep.hostKeySha256).join('<sha256>');
  return out;
}

function sshOpts(ep: Endpoint, f: ClientFiles): string[] {
  return ['-i', ep.clientKeyPath!, '-o', `UserKnownHostsFile=${f.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes'];
}

// ---------------------------------------------------------------------------------------- winscript

function winscriptTool(name: string, extraArgs: string[]): Tool {
  return {
    name,
    peer: false,
    supports: () => true,
    command(ep, op, src, destRel, f, tag) {
      const user = encodeURIComponent(ep.user);
      const pass = encodeURIComponent(ep.password);
      const open =
        ep.proto === 'sftp'
          ? `open sftp://${user}:${pass}@127.0.0.1:${ep.port}/ -hostkey="ssh-ed25519 255 ${ep.hostKeySha256}"`
          : `open ftp://${user}:${pass}@127.0.0.1:${ep.port}/`;
      const remote = path.join(ep.home, destRel);
      const action = op === 'sync' ? `synchronize remote "${src}" "${remote}"` : `put "${src}" "${remote}"`;
      const script = ['option batch abort', 'option confirm off', open, action, 'exit', ''].join('\n');
      const file = path.join(f.scriptDir, `${tag}-${name}.txt`);
      fs.writeFileSync(file, script, { mode: 0o600 });
      const argv = [f.node, f.winscriptBin, ...extraArgs, '/ini=nul', `/script=${file}`];
      return {
        argv,
        display: placeholders(`node bin/winscript.js ${extraArgs.map(q).join(' ')}${extraArgs.length ? ' ' : ''}/ini=nul /script=<script>`, ep, src, destRel),
        script: placeholders(script, ep, src, destRel),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------- lftp

function lftpTool(name: string, mirrorFlags: string[], syncOnly: boolean): Tool {
  return {
    name,
    peer: true,
    supports: (_proto, op) => !syncOnly || op === 'sync',
    command(ep, op, src, destRel, f) {
      if (syncOnly && op !== 'sync') return undefined;
      const common = ['set cmd:interactive false', 'set net:max-retries 1', 'set net:reconnect-interval-base 1', 'set xfer:clobber true'];
      let open: string[];
      if (ep.proto === 'sftp') {
        const ssh = ['ssh', '-a', '-x', ...sshOpts(ep, f)].join(' ');
        // the password is a dummy: ssh logs in with the key
        open = [`set sftp:connect-program "${ssh}"`, `open -u ${ep.user},x -p ${ep.port} sftp://127.0.0.1`];
      } else {
        // vsftpd has no MFMT: MDTM with a time argument (mdtm_write) keeps the mtimes
        open = ['set ftp:passive-mode true', 'set ftp:ssl-allow false', 'set ftp:use-mdtm-overloaded true', `open -u ${ep.user},${ep.password} -p ${ep.port} ftp://127.0.0.1`];
      }
      const action = op === 'sync' ? `mirror -R ${mirrorFlags.join(' ')} "${src}" "${destRel}"` : `put "${src}" -o "${destRel}"`;
      const script = [...common, ...open, action].join('; ');
      return { argv: ['lftp', '-c', script], display: placeholders(`lftp -c ${q(script)}`, ep, src, destRel, f) };
    },
  };
}

// ---------------------------------------------------------------------------------------- rclone

function rcloneTool(name: string, extra: string[]): Tool {
  return {
    name,
    peer: true,
    supports: () => true,
    command(ep, op, src, destRel, f) {
      // --sftp-disable-hashcheck: no md5sum over an exec channel after each file (winscript does not hash)
      // --ftp-writing-mdtm: vsftpd has no MFMT; MDTM with a time argument keeps the mtimes
      const flags = ep.proto === 'sftp' ? ['--sftp-disable-hashcheck'] : ['--ftp-writing-mdtm'];
      const remote = `${ep.proto === 'sftp' ? 'bsftp' : 'bftp'}:${destRel}`;
      const argv = ['rclone', '--config', f.rcloneConf, op === 'sync' ? 'sync' : 'copyto', ...flags, ...extra, src, remote];
      return { argv, display: placeholders(argv.map(q).join(' '), ep, src, destRel, f) };
    },
  };
}

// ---------------------------------------------------------------------------------------- OpenSSH

const scpTool: Tool = {
  name: 'scp',
  peer: false,
  supports: (proto, op) => proto === 'sftp' && op === 'put',
  command(ep, op, src, destRel, f) {
    if (ep.proto !== 'sftp' || op !== 'put') return undefined;
    // OpenSSH 9.x scp uses the SFTP protocol
    const argv = ['scp', '-q', '-P', String(ep.port), ...sshOpts(ep, f), src, `${ep.user}@127.0.0.1:${path.join(ep.home, destRel)}`];
    return { argv, display: placeholders(argv.map(q).join(' '), ep, src, destRel, f) };
  },
};

const sftpTool: Tool = {
  name: 'sftp',
  peer: false,
  supports: (proto, op) => proto === 'sftp' && op === 'put',
  command(ep, op, src, destRel, f, tag) {
    if (ep.proto !== 'sftp' || op !== 'put') return undefined;
    const batch = path.join(f.scriptDir, `${tag}-sftp.txt`);
    const script = `put "${src}" "${path.join(ep.home, destRel)}"\n`;
    fs.writeFileSync(batch, script);
    const argv = ['sftp', '-q', '-P', String(ep.port), ...sshOpts(ep, f), '-b', batch, `${ep.user}@127.0.0.1`];
    return { argv, display: placeholders(argv.map(q).join(' ').replace(batch, '<batch>'), ep, src, destRel, f), script: placeholders(script, ep, src, destRel) };
  },
};

export const ALL_TOOLS: Tool[] = [
  winscriptTool('winscript', []),
  lftpTool('lftp', ['--no-perms'], false),
  lftpTool('lftp-p4', ['--no-perms', '--parallel=4'], true),
  rcloneTool('rclone', []),
  scpTool,
  sftpTool,
  // not in the default set (pick with --tools): winscript with one connection, as WinSCP itself
  winscriptTool('winscript-p1', ['--parallel', '1']),
];

export const DEFAULT_TOOLS = ['winscript', 'lftp', 'lftp-p4', 'rclone', 'scp', 'sftp'];

export const isWinscript = (name: string) => name.startsWith('winscript');
