/**
 * Session URLs (script spec §11.2):
 *   [<protocol>://][<user>[:<password>][;<param>=<value>]…@]<host>[:<port>][/<path>]
 * The last `@` splits the credentials; `+` decodes to a space; `user:@host` is an explicitly
 * empty password; `;fingerprint=` and `;x-name=value` parameters; invalid ports are ignored.
 */

export type Protocol = 'sftp' | 'scp' | 'ftp' | 'webdav' | 's3';
export type FtpTls = 'none' | 'implicit' | 'explicit';

export interface SessionUrl {
  protocol: Protocol;
  /** The protocol was given explicitly (otherwise: default settings, SFTP). */
  explicitProtocol: boolean;
  tls: FtpTls;
  host: string;
  port?: number;
  /** The port text was present but not a valid port (silently ignored, as WinSCP does). */
  badPort?: string;
  user?: string;
  /** undefined = none given; '' = explicitly empty (`user:@host`). */
  password?: string;
  fingerprint?: string;
  /** `;x-name=value` raw settings, names as given. */
  rawSettings: [string, string][];
  /** Initial remote directory (decoded), when not empty or `/`. */
  path?: string;
}

const PREFIXES: Record<string, { protocol: Protocol; tls: FtpTls }> = {
  sftp: { protocol: 'sftp', tls: 'none' },
  ssh: { protocol: 'sftp', tls: 'none' },
  scp: { protocol: 'scp', tls: 'none' },
  ftp: { protocol: 'ftp', tls: 'none' },
  ftps: { protocol: 'ftp', tls: 'implicit' },
  ftpes: { protocol: 'ftp', tls: 'explicit' },
  dav: { protocol: 'webdav', tls: 'none' },
  http: { protocol: 'webdav', tls: 'none' },
  davs: { protocol: 'webdav', tls: 'implicit' },
  https: { protocol: 'webdav', tls: 'implicit' },
  s3: { protocol: 's3', tls: 'implicit' },
  s3plain: { protocol: 's3', tls: 'none' },
};

export function defaultPort(protocol: Protocol, tls: FtpTls): number {
  switch (protocol) {
    case 'sftp':
    case 'scp':
      return 22;
    case 'ftp':
      return tls === 'implicit' ? 990 : 21;
    case 'webdav':
    case 's3':
      return tls === 'none' ? 80 : 443;
  }
}

/** WinSCP's URL decoding: `+` is a space, `%XX` runs are UTF-8, a stray `%` stays. */
export function urlDecode(s: string): string {
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    flush();
    out += c === '+' ? ' ' : c;
  }
  flush();
  return out;
}

export type UrlParse = { ok: true; url: SessionUrl } | { ok: false; message: string };

export function parseSessionUrl(text: string): UrlParse {
  let rest = text;
  let protocol: Protocol = 'sftp';
  let tls: FtpTls = 'none';
  let explicitProtocol = false;
  const m = /^(?:winscp-)?([a-z][a-z0-9]*):/i.exec(rest);
  if (m && (rest.slice(m[0].length).startsWith('//') || PREFIXES[m[1]!.toLowerCase()])) {
    const p = PREFIXES[m[1]!.toLowerCase()];
    if (!p) return { ok: false, message: `Unknown protocol '${m[1]}' in session URL '${text}'. Use sftp://, scp://, ftp://, ftps:// or ftpes://.` };
    protocol = p.protocol;
    tls = p.tls;
    explicitProtocol = true;
    rest = rest.slice(m[0].length);
    if (rest.startsWith('//')) rest = rest.slice(2);
  }
  const slash = rest.indexOf('/');
  const conn = slash >= 0 ? rest.slice(0, slash) : rest;
  let pathText = slash >= 0 ? rest.slice(slash) : '';
  const at = conn.lastIndexOf('@');
  const userInfo = at >= 0 ? conn.slice(0, at) : undefined;
  const hostInfo = at >= 0 ? conn.slice(at + 1) : conn;

  let host: string;
  let portText: string | undefined;
  if (hostInfo.startsWith('[')) {
    const close = hostInfo.indexOf(']');
    if (close < 0) return { ok: false, message: `Malformed IPv6 address in session URL '${text}': missing ']'.` };
    host = hostInfo.slice(1, close);
    const after = hostInfo.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
    else if (after !== '') return { ok: false, message: `Malformed session URL '${text}': unexpected '${after}' after the IPv6 address.` };
  } else {
    const colon = hostInfo.indexOf(':');
    host = urlDecode(colon >= 0 ? hostInfo.slice(0, colon) : hostInfo);
    if (colon >= 0) portText = hostInfo.slice(colon + 1);
  }
  const url: SessionUrl = { protocol, explicitProtocol, tls, host, rawSettings: [] };
  if (portText !== undefined && portText !== '') {
    const decoded = urlDecode(portText);
    const n = /^\d+$/.test(decoded) ? Number(decoded) : NaN;
    if (n >= 1 && n <= 65535) url.port = n;
    else url.badPort = portText;
  }
  if (userInfo !== undefined) {
    const semi = userInfo.indexOf(';');
    const cred = semi >= 0 ? userInfo.slice(0, semi) : userInfo;
    const params = semi >= 0 ? userInfo.slice(semi + 1).split(';') : [];
    const colon = cred.indexOf(':');
    url.user = urlDecode(colon >= 0 ? cred.slice(0, colon) : cred);
    if (colon >= 0) url.password = urlDecode(cred.slice(colon + 1));
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const name = urlDecode(p.slice(0, eq));
      const value = urlDecode(p.slice(eq + 1));
      if (name.toLowerCase() === 'fingerprint') url.fingerprint = value;
      else if (name.toLowerCase().startsWith('x-')) url.rawSettings.push([name.slice(2), value]);
    }
  }
  const psemi = pathText.indexOf(';');
  if (psemi >= 0) pathText = pathText.slice(0, psemi);
  if (pathText !== '' && pathText !== '/') url.path = urlDecode(pathText);
  return { ok: true, url };
}

/** The session name WinSCP shows: `user@host` or `host`, `/` as `\` (§8.25). */
export function sessionDisplayName(url: Pick<SessionUrl, 'user' | 'host'>, explicitName?: string): string {
  const name = explicitName ?? (url.user ? `${url.user}@${url.host}` : url.host);
  return name.replace(/\//g, '\\');
}
