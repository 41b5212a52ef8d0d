/**
 * Connections through a proxy, as the raw session settings ProxyMethod, ProxyHost, ProxyPort,
 * ProxyUsername, ProxyPassword and ProxyLocalhost configure them (script spec §11.3): SOCKS4
 * (SOCKS4A when the name does not resolve here), SOCKS5 (RFC 1928, with RFC 1929
 * username/password authentication) and HTTP CONNECT (with Basic authentication).
 *
 * A configured proxy is never silently bypassed: methods winscript cannot use (Telnet, local
 * command) are an error before anything connects. As in WinSCP, connections to the local host
 * go direct unless ProxyLocalhost is on.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { rawBool } from '../session/raw-settings.js';
import { ConnectError } from './connect-error.js';
import { waitSocket } from './socket-wait.js';

export type ProxyMethod = 'socks4' | 'socks5' | 'http';

export interface ProxySettings {
  method: ProxyMethod;
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Proxy connections to the local host too (raw ProxyLocalhost). */
  localhost: boolean;
}

const METHODS: Record<string, ProxyMethod | 'telnet' | 'command' | undefined> = {
  '0': undefined,
  '1': 'socks4',
  '2': 'socks5',
  '3': 'http',
  '4': 'telnet',
  '5': 'command',
};

/**
 * The proxy of a session from its raw settings (lower-case names), or undefined for none.
 * Throws ConnectError for a proxy that cannot be used, so that it is never bypassed.
 */
export function proxyFromRaw(raw: ReadonlyMap<string, string>): ProxySettings | undefined {
  const methodText = (raw.get('proxymethod') ?? '0').trim();
  if (!(methodText in METHODS)) throw new ConnectError([`Unknown proxy method '${methodText}' (raw setting ProxyMethod: 0 none, 1 SOCKS4, 2 SOCKS5, 3 HTTP).`, 'Connection failed.']);
  const method = METHODS[methodText];
  if (method === undefined) return undefined;
  if (method === 'telnet' || method === 'command') {
    throw new ConnectError([`The ${method === 'telnet' ? 'Telnet' : 'local command'} proxy method is not supported by winscript; use SOCKS4, SOCKS5 or HTTP (ProxyMethod=1, 2 or 3).`, 'Connection failed.']);
  }
  const host = (raw.get('proxyhost') ?? '').trim();
  if (host === '') throw new ConnectError(['A proxy is configured (ProxyMethod) but no proxy host (ProxyHost).', 'Connection failed.']);
  const portText = raw.get('proxyport');
  const port = portText !== undefined && /^\d+$/.test(portText.trim()) ? Number(portText) : method === 'http' ? 80 : 1080;
  return {
    method,
    host,
    port,
    username: raw.get('proxyusername') || undefined,
    password: raw.get('proxypassword') || undefined,
    localhost: rawBool(raw, 'proxylocalhost'),
  };
}

/** Whether a connection to `host` goes through the proxy (local host only with ProxyLocalhost). */
export function useProxy(proxy: ProxySettings | undefined, host: string): proxy is ProxySettings {
  if (!proxy) return false;
  if (proxy.localhost) return true;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return !(h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '0.0.0.0');
}

function proxyFail(proxy: ProxySettings, why: string): ConnectError {
  return new ConnectError([`Proxy error: ${why}`, `(${proxyName(proxy.method)} proxy ${proxy.host}:${proxy.port})`, 'Connection failed.']);
}

const proxyName = (m: ProxyMethod) => (m === 'http' ? 'HTTP' : m === 'socks4' ? 'SOCKS4' : 'SOCKS5');

/**
 * Reads from a socket until `enough` says how many bytes make a complete reply. Paused-mode
 * reads ('readable'), so that once the listener is gone the socket is back in its initial state:
 * whatever the server sent after the proxy's reply stays buffered for the protocol's own reader.
 */
function readReply(sock: net.Socket, enough: (buf: Buffer) => number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      sock.off('readable', onReadable);
      sock.off('error', onError);
      sock.off('end', onEnd);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = sock.read() as Buffer | null) !== null) {
        buf = Buffer.concat([buf, chunk]);
        const n = enough(buf);
        if (n === undefined) continue;
        cleanup();
        if (n < buf.length) sock.unshift(buf.subarray(n));
        resolve(buf.subarray(0, n));
        return;
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('the proxy closed the connection'));
    };
    sock.on('readable', onReadable);
    sock.on('error', onError);
    sock.on('end', onEnd);
  });
}

async function socks4(sock: net.Socket, proxy: ProxySettings, host: string, port: number): Promise<void> {
  if (net.isIPv6(host)) throw proxyFail(proxy, 'SOCKS4 cannot connect to an IPv6 address');
  // A name that does not resolve here is sent to the proxy to resolve (SOCKS4A).
  const ip = net.isIPv4(host) ? host : await lookup(host, { family: 4 }).then((r) => r.address, () => undefined);
  const user = Buffer.from(`${proxy.username ?? ''}\0`, 'utf8');
  // SOCKS4A: address 0.0.0.x and the name after the user id, resolved by the proxy.
  const addr = ip ? Buffer.from(ip.split('.').map(Number)) : Buffer.from([0, 0, 0, 1]);
  const head = Buffer.from([4, 1, port >> 8, port & 255]);
  sock.write(Buffer.concat([head, addr, user, ip ? Buffer.alloc(0) : Buffer.from(`${host}\0`, 'utf8')]));
  const r = await readReply(sock, (b) => (b.length >= 8 ? 8 : undefined));
  if (r[1] !== 0x5a) throw proxyFail(proxy, `SOCKS4 request rejected (code ${r[1]})`);
}

const SOCKS5_ERRORS: Record<number, string> = {
  1: 'general SOCKS server failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

async function socks5(sock: net.Socket, proxy: ProxySettings, host: string, port: number): Promise<void> {
  const withAuth = proxy.username !== undefined;
  sock.write(Buffer.from(withAuth ? [5, 2, 0, 2] : [5, 1, 0]));
  const m = await readReply(sock, (b) => (b.length >= 2 ? 2 : undefined));
  if (m[0] !== 5) throw proxyFail(proxy, 'the server is not a SOCKS5 proxy');
  if (m[1] === 2) {
    if (!withAuth) throw proxyFail(proxy, 'the SOCKS5 proxy requires a user name and password (ProxyUsername, ProxyPassword)');
    const u = Buffer.from(proxy.username ?? '', 'utf8');
    const p = Buffer.from(proxy.password ?? '', 'utf8');
    if (u.length > 255 || p.length > 255) throw proxyFail(proxy, 'proxy user name or password too long');
    sock.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
    const a = await readReply(sock, (b) => (b.length >= 2 ? 2 : undefined));
    if (a[1] !== 0) throw proxyFail(proxy, 'SOCKS5 authentication failed');
  } else if (m[1] !== 0) throw proxyFail(proxy, 'the SOCKS5 proxy accepts none of our authentication methods');
  let addr: Buffer;
  if (net.isIPv4(host)) addr = Buffer.from([1, ...host.split('.').map(Number)]);
  else if (net.isIPv6(host)) {
    const full = expandV6(host);
    addr = Buffer.concat([Buffer.from([4]), Buffer.from(full, 'hex')]);
  } else {
    const name = Buffer.from(host, 'utf8');
    addr = Buffer.concat([Buffer.from([3, name.length]), name]);
  }
  sock.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, Buffer.from([port >> 8, port & 255])]));
  const r = await readReply(sock, (b) => {
    if (b.length < 5) return undefined;
    const len = b[3] === 1 ? 4 : b[3] === 4 ? 16 : b[3] === 3 ? 1 + b[4]! : 0;
    return b.length >= 4 + len + 2 ? 4 + len + 2 : undefined;
  });
  if (r[1] !== 0) throw proxyFail(proxy, `SOCKS5 proxy: ${SOCKS5_ERRORS[r[1]!] ?? `error ${r[1]}`}`);
}

function expandV6(ip: string): string {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  return [...h, ...Array(tail !== undefined ? missing : 0).fill('0'), ...t].map((g) => g.padStart(4, '0')).join('');
}

async function httpConnect(sock: net.Socket, proxy: ProxySettings, host: string, port: number): Promise<void> {
  const target = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  let req = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n`;
  if (proxy.username !== undefined) req += `Proxy-Authorization: Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`, 'utf8').toString('base64')}\r\n`;
  sock.write(`${req}\r\n`);
  const r = await readReply(sock, (b) => {
    const end = b.indexOf('\r\n\r\n');
    if (end >= 0) return end + 4;
    if (b.length > 16384) return b.length;
    return undefined;
  });
  const status = r.toString('latin1').split('\r\n')[0] ?? '';
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(status);
  if (!m) throw proxyFail(proxy, `HTTP response was not understood: ${status.slice(0, 80)}`);
  if (m[1] !== '200') throw proxyFail(proxy, `HTTP response was ${status.slice(status.indexOf(' ') + 1)}`);
}

/** Opens a TCP connection to host:port through the proxy; the socket is ready for the protocol. */
export async function connectThrough(proxy: ProxySettings, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const sock = net.connect({ host: proxy.host, port: proxy.port });
  sock.setNoDelay(true);
  await waitSocket(sock, 'connect', timeoutMs).catch((e: NodeJS.ErrnoException) => {
    const line =
      e.code === 'ECONNREFUSED'
        ? `Network error: Connection to proxy "${proxy.host}" refused.`
        : e.code === 'ETIMEDOUT'
          ? `Network error: Connection to proxy "${proxy.host}" timed out.`
          : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
            ? `Proxy host "${proxy.host}" does not exist.`
            : `Network error: ${e.message}`;
    throw new ConnectError([line, 'Connection failed.']);
  });
  // The handshake gets its own timeout: a proxy that accepts but never answers.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(proxyFail(proxy, 'no answer from the proxy')), timeoutMs);
  });
  const handshake = proxy.method === 'http' ? httpConnect(sock, proxy, host, port) : proxy.method === 'socks5' ? socks5(sock, proxy, host, port) : socks4(sock, proxy, host, port);
  handshake.catch(() => {}); // settled after a timeout: nobody waits for it any more
  try {
    await Promise.race([handshake, timeout]);
    return sock;
  } catch (e) {
    sock.destroy();
    throw e instanceof ConnectError ? e : proxyFail(proxy, (e as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
