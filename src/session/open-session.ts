/**
 * Turns an `open` command (URL + switches + raw settings) into a connected Session. Protocol
 * libraries are imported only when a session of that kind opens, so that start-up stays fast.
 */
import fsp from 'node:fs/promises';
import { getSwitch, type CommandNode } from '../../grammar/ast.js';
import { parseOnOff } from '../../grammar/command-table.js';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { ConnectError, type SshOptions } from '../transports/ssh-connect.js';
import { proxyFromRaw, type ProxySettings } from '../transports/proxy.js';
import type { Transport } from '../transports/transport.js';
import { defaultCachePath, type HostKeyInfo } from './host-key.js';
import { defaultPort, type FtpTls, parseSessionUrl, type Protocol, sessionDisplayName, type SessionUrl } from './session-url.js';
import { rawBool } from './raw-settings.js';
import { recycleBinFromRaw } from './recycle-bin.js';
import type { Session } from './session.js';
import { defaultReadOnlyKnownHosts, verifyHostKey } from './verify-host-key.js';
import { askSecret } from './ask-secret.js';

/** Everything needed to (re)connect: used for the first connection and for pool connections. */
export interface SessionSpec {
  protocol: Protocol;
  tls: FtpTls;
  host: string;
  port: number;
  user: string;
  password?: string;
  privateKeyFile?: string;
  passphrase?: string;
  hostkey?: string;
  urlFingerprint?: string;
  certificate?: string;
  passive: boolean;
  timeoutSec: number;
  raw: Map<string, string>;
  name: string;
  remoteDir?: string;
  localDir?: string;
  /** Raw settings ProxyMethod, ProxyHost, …; undefined for a direct connection. */
  proxy?: ProxySettings;
}

/** Raw session settings winscript honours (lower-case); others get a warning. */
export const HONOURED_RAW = new Set([
  'hostname', 'portnumber', 'username', 'password', 'passwordplain', 'publickeyfile', 'passphrase', 'hostkey', 'timeout',
  'pingintervalsecs', 'pingtype', 'ftppasvmode', 'ftps', 'ftpforcepasvip2', 'utf', 'remotedirectory', 'localdirectory',
  'name', 'fsprotocol', 'exitcode1iserror', 'minTlsVersion'.toLowerCase(), 'maxtlsversion', 'ftpuseMlsd'.toLowerCase(),
  'addressfamily', 'cipher', 'kex', 'ftplistall', 'ftphost', 'ftppingtype', 'ftppinginterval',
  'proxymethod', 'proxyhost', 'proxyport', 'proxyusername', 'proxypassword', 'proxylocalhost',
  'tunnel', 'tunnelhostname', 'tunnelportnumber', 'tunnelusername', 'tunnelpasswordplain', 'tunnelpublickeyfile',
  'tunnelhostkey', 'tunnelpassphrase', 'tunnellocalportnumber',
  'deletetorecyclebin', 'overwrittentorecyclebin', 'recyclebinpath', 'sftpserver', 'timedifference', 'timedifferenceauto',
]);

async function readSecretFile(ctx: Context, file: string): Promise<string> {
  try {
    const text = (await fsp.readFile(ctx.localPath(file))).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/)[0] ?? '';
  } catch (e) {
    throw new ScriptError([`Cannot read password file '${file}'.`, (e as Error).message]);
  }
}

/** The proxy of the raw settings; a proxy that cannot be used is an error, never bypassed. */
function proxyOf(raw: Map<string, string>): ProxySettings | undefined {
  try {
    return proxyFromRaw(raw);
  } catch (e) {
    if (e instanceof ConnectError) throw new ScriptError(e.lines);
    throw e;
  }
}

/** Builds the connection spec from the command (§11.1-11.3). Throws ScriptError. */
export async function sessionSpec(ctx: Context, node: CommandNode): Promise<SessionSpec> {
  const sw = (n: string) => getSwitch(node, n);
  const urlText = node.params[0]?.value;
  let url: SessionUrl;
  if (urlText === undefined || urlText === '') {
    url = { protocol: 'sftp', explicitProtocol: false, tls: 'none', host: '', rawSettings: [] };
  } else {
    const r = parseSessionUrl(urlText);
    if (!r.ok) throw new ScriptError(r.message);
    url = r.url;
  }
  if (sw('filezilla')) throw new ScriptError('FileZilla sites are not available: winscript has no access to FileZilla\'s site manager. Use a session URL.');

  const raw = new Map<string, string>();
  for (const [k, v] of url.rawSettings) raw.set(k.toLowerCase(), v);
  for (const p of sw('rawsettings')?.list ?? []) {
    const eq = p.value.indexOf('=');
    if (eq > 0) raw.set(p.value.slice(0, eq).toLowerCase(), p.value.slice(eq + 1));
  }
  for (const k of raw.keys()) if (!HONOURED_RAW.has(k)) ctx.out.warning(`raw session setting '${k}' is not used by winscript and was ignored.`);

  let protocol = url.protocol;
  let tls = url.tls;
  const fsProtocol = raw.get('fsprotocol');
  if (fsProtocol !== undefined) protocol = ({ '0': 'scp', '1': 'sftp', '2': 'sftp', '5': 'ftp', '6': 'webdav', '7': 's3' } as Record<string, Protocol>)[fsProtocol] ?? protocol;
  const ftps = raw.get('ftps');
  if (ftps !== undefined) tls = ftps === '1' ? 'implicit' : ftps === '2' || ftps === '3' ? 'explicit' : 'none';
  const onOff = (name: string): boolean | undefined => {
    const s = sw(name);
    if (!s) return undefined;
    const v = parseOnOff(s.value ?? '');
    if (v === 'invalid') throw new ScriptError(`Invalid switch value '${s.value}'. Valid values are 'on' and 'off'.`);
    return v ?? true;
  };
  const implicit = onOff('implicit');
  const explicit = onOff('explicit') ?? onOff('explicittls') ?? onOff('explicitssl');
  if (implicit !== undefined) tls = implicit ? 'implicit' : tls === 'implicit' ? 'none' : tls;
  if (explicit !== undefined) tls = explicit ? 'explicit' : tls === 'explicit' ? 'none' : tls;
  if (protocol === 'ftp' && rawBool(raw, 'tunnel')) throw new ScriptError('An SSH tunnel (raw setting Tunnel) is supported by winscript for SFTP and SCP sessions only; it would not be used, so the session is not opened.');
  if (protocol === 'webdav' || protocol === 's3') throw new ScriptError(`The ${protocol === 's3' ? 'S3' : 'WebDAV'} protocol is not supported by winscript.`);

  const fromFiles = Boolean(sw('passwordsfromfiles'));
  const secret = async (v: string | undefined) => (v === undefined ? undefined : fromFiles ? readSecretFile(ctx, v) : v);

  let host = raw.get('hostname') ?? url.host;
  if (host === '') {
    const answer = await askSecret(ctx, 'Host: ', { visible: true });
    if (answer === undefined || answer === '') throw new ScriptError('Host name was not specified.', { reported: false });
    host = answer;
  }
  const timeoutText = sw('timeout')?.value ?? raw.get('timeout');
  const timeoutSec = timeoutText !== undefined && /^\d+$/.test(timeoutText) ? Number(timeoutText) : 15;
  const portRaw = raw.get('portnumber');
  const port = (portRaw && /^\d+$/.test(portRaw) ? Number(portRaw) : undefined) ?? url.port ?? defaultPort(protocol, tls);
  const user = sw('username')?.value ?? raw.get('username') ?? url.user ?? (protocol === 'ftp' ? 'anonymous' : '');
  const password = (await secret(sw('password')?.value)) ?? raw.get('passwordplain') ?? (await secret(url.password)) ?? (protocol === 'ftp' && !url.user && !sw('username') ? 'anonymous@' : undefined);
  const passive = (() => {
    const s = sw('passive');
    if (!s) return raw.get('ftppasvmode') !== '0';
    const v = parseOnOff(s.value ?? '');
    if (v === 'invalid') throw new ScriptError(`Invalid switch value '${s.value}'. Valid values are 'on' and 'off'.`);
    return v ?? true; // a bare -passive keeps the default (on)
  })();
  return {
    protocol,
    tls,
    host,
    port,
    user,
    password,
    privateKeyFile: sw('privatekey')?.value ?? raw.get('publickeyfile'),
    passphrase: (await secret(sw('passphrase')?.value)) ?? raw.get('passphrase'),
    hostkey: sw('hostkey')?.value ?? raw.get('hostkey'),
    urlFingerprint: url.fingerprint,
    certificate: sw('certificate')?.value,
    passive,
    timeoutSec,
    raw,
    name: sessionDisplayName({ user: user || undefined, host }, sw('sessionname')?.value ?? raw.get('name')),
    remoteDir: url.path ?? raw.get('remotedirectory'),
    localDir: raw.get('localdirectory'),
    proxy: proxyOf(raw),
  };
}

/** The secrets of a spec, for scrubbing logs. */
export function secretsOf(spec: SessionSpec): string[] {
  return [spec.password, spec.passphrase, spec.raw.get('passwordplain'), spec.raw.get('proxypassword'), spec.raw.get('tunnelpasswordplain'), spec.raw.get('tunnelpassphrase')].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** SSH options (SFTP and SCP) for a spec. `quiet` suppresses the status lines (pool connections). */
async function loadKey(ctx: Context, file: string | undefined, passphrase: string | undefined): Promise<SshOptions['key']> {
  if (!file) return undefined;
  // Loaded on demand: the key parser pulls in ssh2 and Argon2, which scripts without keys never need.
  const { loadPrivateKey, KeyError } = await import('./keys.js');
  try {
    const bytes = file.startsWith('@') ? Buffer.from(file.slice(1), 'hex') : await fsp.readFile(ctx.localPath(file));
    return loadPrivateKey(bytes, { fileName: file.startsWith('@') ? '(in-memory key)' : file, passphrase });
  } catch (e) {
    if (e instanceof KeyError) throw new ScriptError(e.message);
    if (e instanceof ScriptError) throw e;
    throw new ScriptError([`Unable to open key file "${file}".`, (e as Error).message]);
  }
}

/** SSH options (SFTP and SCP) for a spec. `quiet` suppresses the status lines (pool connections). */
export async function sshOptions(ctx: Context, spec: SessionSpec, quiet: boolean): Promise<SshOptions> {
  const key = await loadKey(ctx, spec.privateKeyFile, spec.passphrase);
  const print = (l: string) => {
    if (!quiet) ctx.out.line(l);
  };
  const batch = ctx.options.batch !== 'off';
  const hostKeyCheck = (host: string, port: number, hostkey: string | undefined, urlFingerprint: string | undefined) => (info: HostKeyInfo) =>
    verifyHostKey(info, {
      host,
      port,
      hostkey,
      urlFingerprint,
      iniNul: ctx.config.iniNul,
      cacheFile: ctx.config.hostKeyCache ?? defaultCachePath(ctx.env),
      readOnlyFiles: defaultReadOnlyKnownHosts(ctx.env),
      print,
      ask:
        batch || quiet || !ctx.stdin.isTTY || ctx.config.nointeractiveinput
          ? undefined
          : async (lines) => {
              for (const l of lines) ctx.out.line(l);
              const a = await ctx.ask([], ['Yes', 'No', 'Cancel']);
              return a === 'Yes' ? 'cache' : a === 'No' ? 'once' : 'cancel';
            },
    });
  const opts: SshOptions = {
    host: spec.host,
    port: spec.port,
    username: spec.user,
    password: spec.password,
    key,
    agent: ctx.env.SSH_AUTH_SOCK || undefined,
    timeoutMs: spec.timeoutSec * 1000,
    keepaliveSec: Number(spec.raw.get('pingintervalsecs') ?? 0) || undefined,
    status: print,
    askPassword: async (prompt) => (quiet ? undefined : askSecret(ctx, prompt, { visible: false })),
    verifyHostKey: hostKeyCheck(spec.host, spec.port, spec.hostkey, spec.urlFingerprint),
    debug: ctx.config.logLevel >= 2 ? (l) => ctx.out.debug(l, 2) : undefined,
    proxy: spec.proxy,
    sftpServer: spec.raw.get('sftpserver'),
  };
  const raw = spec.raw;
  if (rawBool(raw, 'tunnel')) {
    const host = raw.get('tunnelhostname')?.trim();
    if (!host) throw new ScriptError('Tunnel is on (raw setting Tunnel) but no tunnel host is given (TunnelHostName).');
    const portText = raw.get('tunnelportnumber')?.trim();
    const port = portText && /^\d+$/.test(portText) ? Number(portText) : 22;
    // The tunnel's own credentials; its connection lines stay quiet, its host key is checked like any other.
    opts.tunnel = {
      ...opts,
      host,
      port,
      username: raw.get('tunnelusername') ?? spec.user,
      password: raw.get('tunnelpasswordplain'),
      key: await loadKey(ctx, raw.get('tunnelpublickeyfile'), raw.get('tunnelpassphrase')),
      status: () => {},
      askPassword: async () => undefined,
      verifyHostKey: hostKeyCheck(host, port, raw.get('tunnelhostkey'), undefined),
      tunnel: undefined,
    };
  }
  return opts;
}

/** Connects one transport for a spec. */
export async function connectTransport(ctx: Context, spec: SessionSpec, quiet = false): Promise<Transport> {
  try {
    switch (spec.protocol) {
      case 'sftp': {
        const { connectSftp } = await import('../transports/sftp.js');
        return await connectSftp(await sshOptions(ctx, spec, quiet));
      }
      case 'scp': {
        const { connectScp } = await import('../transports/scp.js');
        return await connectScp(await sshOptions(ctx, spec, quiet));
      }
      case 'ftp': {
        const { connectFtp } = await import('../transports/ftp.js');
        return await connectFtp(ctx, spec, quiet);
      }
      default:
        throw new ScriptError('Operation not supported.');
    }
  } catch (e) {
    if (e instanceof ConnectError) throw new ScriptError(e.lines, { fatal: true });
    throw e;
  }
}

/** Opens a session: connects, checks the initial directory, returns it (not yet registered). */
export async function openSession(ctx: Context, spec: SessionSpec): Promise<Session> {
  const transport = await connectTransport(ctx, spec);
  try {
    const home = await transport.home();
    let cwd = home;
    if (spec.remoteDir) {
      const dir = spec.remoteDir.startsWith('/') ? spec.remoteDir : `${home.replace(/\/$/, '')}/${spec.remoteDir}`;
      try {
        const st = await transport.stat(dir);
        if (st.type !== 'dir') throw new Error('not a directory');
        cwd = await transport.realpath(dir);
      } catch (e) {
        const details = e instanceof Error && 'details' in e ? (e as { details: string[] }).details : [];
        throw new ScriptError([`Error changing directory to '${spec.remoteDir}'.`, ...details]);
      }
    }
    return {
      name: spec.name,
      protocol: spec.protocol as Session['protocol'],
      exitCode1IsError: rawBool(spec.raw, 'exitcode1iserror'),
      transport,
      cwd,
      home,
      pool: [],
      recycleBin: recycleBinFromRaw(spec.raw, home),
      connectAnother: transport.capabilities.maxConnections > 1 ? () => connectTransport(ctx, spec, true) : undefined,
    };
  } catch (e) {
    await transport.close().catch(() => {});
    throw e;
  }
}
