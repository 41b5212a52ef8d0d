/**
 * FTP, FTPES (explicit TLS, `AUTH TLS`) and FTPS (implicit TLS) sessions on basic-ftp: connecting
 * with WinSCP's status lines (script spec §11.6), TLS certificate verification (§11.4: system CAs,
 * then the certificate cache, then `-certificate`/`-hostkey` fingerprints or `*`, then WinSCP's
 * "certificate is not known" query, answered Cancel in batch mode), login, feature detection
 * (FEAT, UTF-8, MLSD, MFMT/MDTM, HASH, SITE SYMLINK) and the raw session settings that matter on
 * Linux (FtpPasvMode, FtpForcePasvIp2, Utf, FtpUseMlsd, FtpListAll, MinTlsVersion, MaxTlsVersion).
 *
 * Connections of one session (the first one and the pool opened for parallel transfers, all from
 * the same SessionSpec) share the LIST time-zone offset, the remembered upload times, the accepted
 * certificate and a password typed at the prompt.
 *
 * compat: TLS is capped at 1.2 unless raw MaxTlsVersion=13 (WinSCP's default maximum is 1.3):
 * vsftpd 3.0.3 was unreliable with TLS 1.3 data connections.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Client, FTPError, type FTPResponse } from './ftp/basic-ftp.js';
import type { Context } from '../interpreter/context.js';
import { RunAborted, ScriptError, UserAbort } from '../interpreter/errors.js';
import { defaultCachePath } from '../session/host-key.js';
import type { SessionSpec } from '../session/open-session.js';
import { askSecret } from '../session/ask-secret.js';
import { rawBool } from '../session/raw-settings.js';
import { ConnectError, connectErrorLines } from './ssh-connect.js';
import { connectThrough, useProxy } from './proxy.js';
import { waitSocket } from './socket-wait.js';
import type { Transport } from './transport.js';
import {
  cacheCertificate,
  certificateCacheFile,
  certificateListed,
  certificateSummary,
  describeCertificate,
  isCertificateCached,
  normaliseCertificateFingerprint,
  unknownCertificateQuery,
} from './ftp/certificate.js';
import { type ForcePasvIp, FtpConnection } from './ftp/connection.js';
import { replyLines } from './ftp/errors.js';
import { FtpSessionTimes, parseTimeDifference } from './ftp/times.js';
import { type FtpFeatures, FtpTransport, normaliseAlgorithm } from './ftp/transport.js';

/** The FTP Transport class (for type checks and tests). */
export { FtpTransport } from './ftp/transport.js';

/** What the connections of one session share. */
interface SessionShared {
  times: FtpSessionTimes;
  /** SHA-256 fingerprints of certificates accepted in this session. */
  certificates: Set<string>;
  /** A password typed at the prompt (pool connections do not ask again). */
  password?: string;
}

const shared = new WeakMap<SessionSpec, SessionShared>();

function sharedFor(spec: SessionSpec): SessionShared {
  let s = shared.get(spec);
  if (!s) {
    // TimeDifferenceAuto (default on): detect the LIST offset from MDTM; TimeDifference is the
    // manual offset, used when detection is off or finds nothing.
    const manual = spec.raw.get('timedifference');
    const offset = manual === undefined ? 0 : parseTimeDifference(manual);
    if (offset === undefined) throw new ConnectError([`Invalid value '${manual}' of raw setting TimeDifference (16 hex digits of a double of days, e.g. 555555555555A5BF = -1 hour).`, 'Connection failed.']);
    s = { times: new FtpSessionTimes(rawBool(spec.raw, 'timedifferenceauto', true)), certificates: new Set() };
    s.times.offset = offset;
    shared.set(spec, s);
  }
  return s;
}

/** A raw on/off/auto setting: WinSCP's `0` = on, `1` = off, `2` = auto (FtpUseMlsd, FtpForcePasvIp2, FtpListAll). */
export function autoSwitch(v: string | undefined): 'on' | 'off' | 'auto' {
  switch (v?.trim().toLowerCase()) {
    case '0':
    case 'on':
    case 'yes':
    case 'true':
      return 'on';
    case '1':
    case 'off':
    case 'no':
    case 'false':
      return 'off';
    default:
      return 'auto';
  }
}

/**
 * Raw setting Utf: `0` = off (Latin-1), `1` = on (UTF-8, `OPTS UTF8 ON` always), `2` = auto
 * (`OPTS UTF8 ON` when FEAT lists UTF8).
 *
 * compat: in auto mode without UTF8 in FEAT, WinSCP uses the Windows ANSI code page; winscript
 * uses UTF-8, the usual file-name encoding on Linux servers.
 */
export function utfSetting(v: string | undefined): 'on' | 'off' | 'auto' {
  switch (v?.trim().toLowerCase()) {
    case '0':
    case 'off':
      return 'off';
    case '1':
    case 'on':
      return 'on';
    default:
      return 'auto';
  }
}

/** Raw MinTlsVersion / MaxTlsVersion (`10`, `11`, `12`, `13`). */
export function tlsVersion(v: string | undefined): tls.SecureVersion | undefined {
  switch (v?.trim()) {
    case '10':
      return 'TLSv1';
    case '11':
      return 'TLSv1.1';
    case '12':
      return 'TLSv1.2';
    case '13':
      return 'TLSv1.3';
    default:
      return undefined;
  }
}

/** Parses a FEAT reply into upper-case command → arguments. */
export function parseFeat(r: { code: number; message: string }): Map<string, string> {
  const feats = new Map<string, string>();
  if (r.code !== 211) return feats;
  const lines = r.message.split(/\r?\n/);
  for (const line of lines.slice(1, -1)) {
    const t = line.trim();
    if (t === '') continue;
    const sp = t.indexOf(' ');
    const cmd = (sp < 0 ? t : t.slice(0, sp)).toUpperCase();
    const args = sp < 0 ? '' : t.slice(sp + 1).trim();
    feats.set(cmd, feats.has(cmd) ? `${feats.get(cmd)};${args}` : args);
  }
  return feats;
}

const CHECKSUM_COMMANDS: [string, string][] = [
  ['XSHA1', 'sha1'],
  ['XSHA256', 'sha256'],
  ['XSHA512', 'sha512'],
  ['XMD5', 'md5'],
  ['MD5', 'md5'],
  ['XCRC', 'crc32'],
];

interface TlsCheck {
  ctx: Context;
  spec: SessionSpec;
  quiet: boolean;
  share: SessionShared;
  print(line: string): void;
}

/**
 * Decides on the server's certificate (script spec §11.4): trusted by the system CAs for a host
 * name; in the certificate cache; listed in `-hostkey`/`-certificate` (URL `fingerprint=`), `*`
 * with a warning; else WinSCP's query (batch: Cancel). Returns the SHA-256 fingerprint.
 *
 * As in WinSCP, a certificate for an IP address is never trusted on the CAs' word alone.
 */
async function verifyCertificate(sock: tls.TLSSocket, c: TlsCheck): Promise<string> {
  const x509 = sock.getPeerX509Certificate();
  if (!x509) throw new ConnectError(['Could not verify TLS certificate', 'Connection failed.']);
  const info = describeCertificate(x509.raw);
  if (c.share.certificates.has(info.sha256)) return info.sha256;
  const hostIsIp = net.isIP(c.spec.host) !== 0;
  const accept = () => {
    c.share.certificates.add(info.sha256);
    return info.sha256;
  };
  if (sock.authorized && !hostIsIp) return accept();
  const iniNul = c.ctx.config.iniNul;
  const cacheFile = certificateCacheFile(c.ctx.config.hostKeyCache ?? defaultCachePath(c.ctx.env));
  if (!iniNul && isCertificateCached(cacheFile, c.spec.host, c.spec.port, info.sha256)) return accept();
  const configured = c.spec.hostkey ?? c.spec.certificate ?? c.spec.urlFingerprint;
  if (configured !== undefined) {
    for (const alt of configured.split(';').map((s) => s.trim())) {
      if (alt === '*') {
        c.print('WARNING! Giving up security and accepting any certificate as configured!');
        return accept();
      }
      const n = normaliseCertificateFingerprint(alt);
      if (n && certificateListed({ any: false, hex: [n], invalid: [] }, info)) return accept();
    }
  }
  if (c.quiet) throw new ConnectError(['Peer certificate rejected', 'Connection failed.']);
  const summary = certificateSummary({ authorizationError: sock.authorizationError ? String(sock.authorizationError) : undefined, host: c.spec.host, hostIsIp });
  const answer = await c.ctx.ask(unknownCertificateQuery(info, summary), ['Yes', 'No', 'Cancel']);
  if (answer === 'Yes') {
    if (!iniNul) {
      try {
        cacheCertificate(cacheFile, c.spec.host, c.spec.port, info.sha256);
      } catch {
        /* not cached: accepted for this session anyway */
      }
    }
    return accept();
  }
  if (answer === 'No') return accept();
  throw new ConnectError(['Peer certificate rejected', 'Connection failed.']);
}

/** Waits for the server's greeting (220) on a freshly attached control socket. */
function greeting(client: Client): Promise<FTPResponse> {
  return client.ftp.handle(undefined, (res, task) => {
    if (res instanceof Error) task.reject(res);
    else if (res.code >= 200 && res.code < 300) task.resolve(res);
    else if (res.code >= 300) task.reject(new FTPError(res));
  }) as Promise<FTPResponse>;
}

/**
 * Connects one FTP transport for a session spec. `quiet`: an extra pool connection (no status
 * lines, no prompts). Throws ConnectError with WinSCP's lines.
 */
export async function connectFtp(ctx: Context, spec: SessionSpec, quiet: boolean): Promise<Transport> {
  const share = sharedFor(spec);
  const print = (l: string) => {
    if (!quiet) ctx.out.line(l);
  };
  const debug = (l: string) => ctx.out.debug(l, 2);
  const timeoutMs = Math.max(1, spec.timeoutSec) * 1000;
  const hostText = spec.port === 21 ? spec.host : `${spec.host}:${spec.port}`;
  const raw = spec.raw;
  const utf = utfSetting(raw.get('utf'));
  const encoding: BufferEncoding = utf === 'off' ? 'latin1' : 'utf8';
  const hostIsIp = net.isIP(spec.host) !== 0;
  const tlsOptions: tls.ConnectionOptions = {
    host: spec.host,
    servername: hostIsIp ? undefined : spec.host,
    minVersion: tlsVersion(raw.get('mintlsversion')) ?? 'TLSv1.2',
    maxVersion: tlsVersion(raw.get('maxtlsversion')) ?? 'TLSv1.2',
    rejectUnauthorized: false,
  };
  if (tlsOptions.minVersion && tlsOptions.maxVersion && tlsOptions.minVersion > tlsOptions.maxVersion) tlsOptions.maxVersion = tlsOptions.minVersion;
  const check: TlsCheck = { ctx, spec, quiet, share, print };

  const client = new Client(timeoutMs);
  client.ftp.encoding = encoding;
  if (ctx.config.logLevel >= 2) {
    client.ftp.verbose = true;
    client.ftp.log = (m: string) => debug(m.replace(/^> PASS .*/, '> PASS ****'));
  }
  const proxy = useProxy(spec.proxy, spec.host) ? spec.proxy : undefined;
  const conn = new FtpConnection(client, {
    passive: spec.passive,
    forcePasvIp: autoSwitch(raw.get('ftpforcepasvip2')) as ForcePasvIp,
    timeoutMs,
    proxy: proxy && { connect: (h, p, t) => connectThrough(proxy, h, p, t), controlHost: spec.host },
  });
  const fail = (lines: string[]): never => {
    client.close();
    throw new ConnectError(lines);
  };

  print(`Connecting to ${hostText} ...`);
  let certSha256: string | undefined;
  try {
    if (spec.tls === 'implicit') {
      const sock = proxy ? tls.connect({ ...tlsOptions, socket: await connectThrough(proxy, spec.host, spec.port, timeoutMs) }) : tls.connect({ ...tlsOptions, port: spec.port });
      await waitSocket(sock, 'secureConnect', timeoutMs);
      print(`Connected with ${hostText}, negotiating TLS connection...`);
      certSha256 = await verifyCertificate(sock, check);
      print('TLS connection established. Waiting for welcome message...');
      client.ftp.socket = sock;
    } else if (proxy) {
      // Already connected; basic-ftp's reader picks up whatever the server has sent so far.
      client.ftp.socket = await connectThrough(proxy, spec.host, spec.port, timeoutMs);
    } else {
      const sock = net.connect({ host: spec.host, port: spec.port });
      await waitSocket(sock, 'connect', timeoutMs);
      client.ftp.socket = sock;
    }
    sockNoDelay(client);
    await greeting(client);
    if (spec.tls === 'explicit') {
      const r = await conn.send('AUTH TLS');
      if (r.code !== 234 && r.code !== 334) fail([...replyLines(r.message), 'Connection failed.']);
      const plain = client.ftp.socket;
      const sock = tls.connect({ ...tlsOptions, socket: plain });
      await waitSocket(sock, 'secureConnect', timeoutMs);
      certSha256 = await verifyCertificate(sock, check);
      print('TLS connection established.');
      client.ftp.socket = sock;
    }
  } catch (e) {
    client.close();
    if (e instanceof ConnectError || e instanceof RunAborted || e instanceof UserAbort || e instanceof ScriptError) throw e;
    if (e instanceof FTPError) throw new ConnectError([...replyLines(e.message), 'Connection failed.']);
    if (e instanceof Error && /^Timeout \(control socket\)/.test(e.message)) throw new ConnectError(['Timeout waiting for server to respond.', 'Connection failed.']);
    const ssl = e as { code?: string; reason?: string };
    if (typeof ssl.code === 'string' && ssl.code.startsWith('ERR_SSL_')) {
      const versions = `${tlsOptions.minVersion} through ${tlsOptions.maxVersion}`;
      const reason = ssl.reason ?? ssl.code;
      throw new ConnectError(["Can't establish TLS connection", /version|protocol/i.test(reason) ? `The server is using unsupported protocol. The session is configured to use ${versions} (raw settings MinTlsVersion, MaxTlsVersion).` : reason, 'Connection failed.']);
    }
    throw new ConnectError(connectErrorLines(e, { host: spec.host }, { triedKey: false, triedPassword: false, authStarted: false }));
  }
  if (spec.tls !== 'none') {
    conn.tlsOptions = { ...tlsOptions };
    conn.certSha256 = certSha256;
  }

  try {
    // Login (§11.5): a rejected password is not asked for again.
    const u = await conn.send(`USER ${spec.user}`);
    if (u.code === 331 || u.code === 332) {
      let password = spec.password ?? share.password;
      if (password === undefined && !quiet) {
        password = await askSecret(ctx, 'Password: ', { visible: false });
        if (password !== undefined) share.password = password;
      }
      if (password === undefined) fail(['Authentication failed.']);
      const p = await conn.send(`PASS ${password}`);
      if (p.code === 530 || p.code >= 400 || p.code === 332) fail(['Access denied.', ...replyLines(p.message), 'Authentication failed.']);
    } else if (u.code >= 400) fail(['Access denied.', ...replyLines(u.message), 'Authentication failed.']);
    print('Connected');
    print('Starting the session...');

    const feat = parseFeat(await conn.send('FEAT'));
    if (feat.has('UTF8') && utf !== 'off') await conn.send('OPTS UTF8 ON');
    else if (utf === 'on') await conn.send('OPTS UTF8 ON');
    await conn.expect('TYPE I', 'EFAILURE');
    if (spec.tls !== 'none') {
      await conn.send('PBSZ 0');
      await conn.expect('PROT P', 'EFAILURE');
    }
    const pwd = await conn.expect('PWD', 'EFAILURE');
    const home = parsePwd(pwd.message);

    const mlsdSetting = autoSwitch(raw.get('ftpusemlsd'));
    const mlsd = mlsdSetting === 'on' || (mlsdSetting === 'auto' && feat.has('MLST'));
    if (mlsd && feat.has('MLST')) await conn.send('OPTS MLST type;size;modify;unix.mode;unix.owner;unix.group;unix.ownername;unix.groupname;');
    const features: FtpFeatures = {
      feat,
      mlsd,
      mdtm: feat.has('MDTM'),
      size: feat.has('SIZE') || feat.size === 0,
      setTime: feat.has('MFMT') ? 'mfmt' : feat.has('MDTM') ? 'mdtm' : 'none',
      setTimeConfirmed: false,
      hashAlgs: feat.has('HASH') ? feat.get('HASH')!.split(';').map((a) => a.trim().replace(/\*$/, '')).filter(Boolean) : [],
      checksumCommands: new Map(CHECKSUM_COMMANDS.filter(([cmd]) => feat.has(cmd)).map(([cmd, alg]) => [normaliseAlgorithm(alg), cmd])),
      siteSymlink: (feat.get('SITE') ?? '').split(';').some((s) => s.trim().toUpperCase() === 'SYMLINK'),
      listAll: autoSwitch(raw.get('ftplistall')),
      encoding,
    };
    if (features.setTime === 'mdtm') await probeMdtmWrite(conn, home, features);
    const transport = new FtpTransport(conn, features, share.times, home, timeoutMs);
    print('Session started.');
    return transport;
  } catch (e) {
    client.close();
    if (e instanceof ConnectError || e instanceof RunAborted || e instanceof UserAbort || e instanceof ScriptError) throw e;
    const lines = e instanceof Error && 'details' in e ? (e as { details: string[] }).details : [e instanceof Error ? e.message : String(e)];
    throw new ConnectError([...lines, 'Connection failed.']);
  }
}

function sockNoDelay(client: Client): void {
  const s = client.ftp.socket as net.Socket & { setNoDelay?: (b: boolean) => void };
  s.setNoDelay?.(true);
}

/** `257 "/home/u" is the current directory` → `/home/u` (doubled quotes inside are one). */
export function parsePwd(message: string): string {
  const text = replyLines(message)[0] ?? '';
  const m = /"((?:[^"]|"")*)"/.exec(text) ?? /'([^']*)'/.exec(text);
  let p = m ? m[1]!.replace(/""/g, '"') : text.split(' ')[0]!;
  if (!p.startsWith('/')) p = '/' + p;
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/**
 * Two-argument MDTM sets a time on vsftpd (mdtm_write=YES) and IIS, but other servers read the
 * whole argument as a file name. A probe on a path that does not exist tells most of them apart
 * without touching anything: "Could not *set* …" (supported) vs "Could not *get* …" (not).
 * Anything else stays undecided until the first real attempt.
 */
async function probeMdtmWrite(conn: FtpConnection, home: string, f: FtpFeatures): Promise<void> {
  const probe = `${home === '/' ? '' : home}/.winscript-mdtm-probe-${process.pid}-${Date.now()}`;
  const r = await conn.send(`MDTM 20000101000000 ${probe}`);
  const text = replyLines(r.message).join(' ').toLowerCase();
  if (/\bset\b/.test(text) || (r.code >= 200 && r.code < 300)) f.setTimeConfirmed = true;
  else if (/\b(get|read|retrieve)\b/.test(text) || r.code === 501) f.setTime = 'none';
}
