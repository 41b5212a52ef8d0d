/**
 * One FTP control connection (basic-ftp's Client/FTPContext underneath) and its data
 * connections: passive (PASV, EPSV for IPv6; the PASV address replaced by the control
 * connection's per raw setting FtpForcePasvIp2) and active (PORT/EPRT on the control
 * connection's local address). With TLS, every data connection is TLS too, resumes the control
 * connection's session, and must present the certificate that was verified for the session.
 *
 * basic-ftp runs one task at a time per connection and closes the connection when a second one
 * starts; callers (FtpTransport) serialise all use. Data connections are managed here rather
 * than by basic-ftp so that active mode, REST/APPE and streaming in both directions work, and a
 * failed data connection does not take the control connection down.
 */
import net from 'node:net';
import tls from 'node:tls';
import { type Client, FTPError } from './basic-ftp.js';
import { waitSocket } from '../socket-wait.js';
import { TransportError, type TransportErrorCode } from '../transport.js';
import { connectionLost, type Reply, replyError, replyLines } from './errors.js';

/** Raw setting FtpForcePasvIp2: use the control connection's address for passive data connections. */
export type ForcePasvIp = 'on' | 'off' | 'auto';

/** How data connections are opened (script switches -passive, raw FtpPasvMode/FtpForcePasvIp2). */
export interface DataSettings {
  passive: boolean;
  forcePasvIp: ForcePasvIp;
  /** Connection and inactivity timeout of data connections. */
  timeoutMs: number;
  /** Opens data connections through the session's proxy (passive mode only). */
  proxy?: { connect(host: string, port: number, timeoutMs: number): Promise<net.Socket>; controlHost: string };
}

/** A transfer whose data connection is open (the server's preliminary reply has arrived). */
export interface Transfer {
  /** The data connection (TLS when the session uses TLS). */
  socket: net.Socket;
  /** The server's final reply (2xx); rejects with a TransportError. */
  final: Promise<Reply>;
  /** The final reply has arrived (or the transfer failed). */
  settled(): boolean;
  /** The data side is complete: from now on the control connection's reply timeout applies. */
  dataDone(): void;
  /** Stops the transfer by closing the data connection (flushing it first when `graceful`); `final` still settles. */
  abort(graceful?: boolean): void;
}

interface DataChannel {
  /** The connected (and with TLS, secured) data socket. */
  ready: Promise<net.Socket>;
  close(): void;
}

const isPrivateV4 = (ip: string) => /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|0\.)/.test(ip);

/** The host to open a passive data connection to (raw setting FtpForcePasvIp2: on, off, auto). */
export function pasvHost(replyHost: string, controlHost: string, force: ForcePasvIp): string {
  if (force === 'on' || replyHost === '0.0.0.0') return controlHost;
  if (force === 'off') return replyHost;
  // auto: a private/unroutable address from a server reached over a routable one (an address, or
  // through a proxy a name) is a NAT artefact.
  const routable = net.isIPv4(controlHost) ? !isPrivateV4(controlHost) : !net.isIP(controlHost);
  return isPrivateV4(replyHost) && routable ? controlHost : replyHost;
}

/** `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`. */
export function parsePasv(message: string): { host: string; port: number } {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(message);
  if (!m) throw new TransportError('EFAILURE', [`Invalid response to PASV command '${replyLines(message).join(' ')}'.`]);
  const n = m.slice(1).map(Number);
  return { host: n.slice(0, 4).join('.'), port: (n[4]! & 255) * 256 + (n[5]! & 255) };
}

/** `229 Entering Extended Passive Mode (|||6446|)`. */
export function parseEpsv(message: string): number {
  const m = /\(([!-~])\1\1(\d+)\1\)/.exec(message);
  if (!m) throw new TransportError('EFAILURE', [`Invalid response to EPSV command '${replyLines(message).join(' ')}'.`]);
  return Number(m[2]);
}

function dataError(e: unknown): TransportError {
  if (e instanceof TransportError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new TransportError('EFAILURE', [`Transfer channel can't be opened. Reason: ${msg}`], { cause: e });
}

async function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const s = net.connect({ host, port });
  await waitSocket(s, 'connect', timeoutMs).catch((e: NodeJS.ErrnoException) =>
    Promise.reject(dataError(e.code === 'ETIMEDOUT' ? new Error(`Timeout when connecting to ${host}:${port}`) : e)),
  );
  return s;
}

/**
 * Runs `f` with stack traces off: basic-ftp records `new Error().stack` for every command (for
 * its "forgot an await" diagnostics), which cost about 0.5 s per 2,000 uploaded files. The
 * capture happens synchronously inside the call, so the limit is restored right after.
 */
function withoutStacks<T>(f: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return f();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A logged-in (or logging-in) control connection; callers serialise its use. */
export class FtpConnection {
  /** TLS settings for data connections; undefined for plain FTP. */
  tlsOptions: tls.ConnectionOptions | undefined;
  /** SHA-256 of the certificate accepted for the session (data connections must match it). */
  certSha256: string | undefined;

  constructor(
    readonly client: Client,
    readonly data: DataSettings,
  ) {}

  get ftp(): Client['ftp'] {
    return this.client.ftp;
  }

  get closed(): boolean {
    return this.client.closed;
  }

  /** Sends a command; resolves with the server's reply whatever its code; rejects with ECONNLOST. */
  async send(command: string): Promise<Reply> {
    if (/[\r\n\0]/.test(command)) throw new TransportError('EFAILURE', ['Invalid character in command or file name.']);
    try {
      const r = await withoutStacks(() => this.client.sendIgnoringError(command));
      return { code: r.code, message: r.message };
    } catch (e) {
      throw connectionLost(e);
    }
  }

  /** Sends a command and requires a reply accepted by `ok` (default: 2xx); else a TransportError. */
  async expect(command: string, fallback550: TransportErrorCode = 'ENOENT', ok: (code: number) => boolean = (c) => c >= 200 && c < 300): Promise<Reply> {
    const r = await this.send(command);
    if (!ok(r.code)) throw replyError(r, fallback550);
    return r;
  }

  private controlHost(): string {
    return (this.ftp.socket.remoteAddress ?? '').replace(/^::ffff:/i, '');
  }

  /** With TLS: wraps a data socket, resuming the control session and checking the certificate. */
  private secure(raw: net.Socket): Promise<net.Socket> {
    const opts = this.tlsOptions;
    if (!opts) return Promise.resolve(raw);
    return new Promise((resolve, reject) => {
      const control = this.ftp.socket as tls.TLSSocket;
      const session = this.ftp.tlsSessionStore ?? control.getSession?.();
      const s = tls.connect({ ...opts, socket: raw, session, rejectUnauthorized: false });
      s.on('session', (sess: Buffer) => (this.ftp.tlsSessionStore = sess));
      s.once('secureConnect', () => {
        if (!s.isSessionReused() && this.certSha256) {
          const fp = s.getPeerX509Certificate()?.fingerprint256.toLowerCase();
          if (fp !== this.certSha256) {
            s.destroy();
            reject(new TransportError('EFAILURE', ['Could not verify TLS certificate', 'The data connection presented a different certificate than the control connection.']));
            return;
          }
        }
        resolve(s);
      });
      s.once('error', (e) => reject(dataError(e)));
    });
  }

  private async openPassive(): Promise<DataChannel> {
    const proxy = this.data.proxy;
    const ctrl = proxy?.controlHost ?? this.controlHost();
    let host = ctrl;
    let port: number;
    if (net.isIPv6(ctrl)) port = parseEpsv((await this.expect('EPSV', 'EFAILURE')).message);
    else {
      const t = parsePasv((await this.expect('PASV', 'EFAILURE')).message);
      host = pasvHost(t.host, ctrl, this.data.forcePasvIp);
      port = t.port;
    }
    const raw = proxy ? await proxy.connect(host, port, this.data.timeoutMs).catch((e: unknown) => Promise.reject(dataError(e))) : await connectTcp(host, port, this.data.timeoutMs);
    let secured: net.Socket | undefined;
    const ready = this.secure(raw).then((s) => (secured = s));
    ready.catch(() => {});
    return {
      ready,
      close: () => {
        secured?.destroy();
        raw.destroy();
      },
    };
  }

  private async openActive(): Promise<DataChannel> {
    const local = (this.ftp.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/i, '');
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(dataError(e)));
      server.listen(0, local, () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    let accepted: net.Socket | undefined;
    let secured: net.Socket | undefined;
    const close = () => {
      server.close();
      secured?.destroy();
      accepted?.destroy();
    };
    const ready = new Promise<net.Socket>((resolve, reject) => {
      server.once('connection', (s) => {
        server.close();
        accepted = s;
        this.secure(s).then((x) => resolve((secured = x)), reject);
      });
      server.on('error', (e) => reject(dataError(e)));
    });
    ready.catch(() => {});
    const command = net.isIPv6(local) ? `EPRT |2|${local}|${port}|` : `PORT ${local.split('.').join(',')},${port >> 8},${port & 255}`;
    try {
      await this.expect(command, 'EFAILURE');
    } catch (e) {
      close();
      throw e;
    }
    return { ready, close };
  }

  /**
   * Starts a transfer command (`RETR x`, `STOR x`, `APPE x`, `LIST -a`…): opens the data
   * connection, sends `REST <start>` when resuming, then the command, and resolves once the data
   * connection is usable and the server's preliminary reply (150/125) has arrived.
   */
  async transfer(command: string, opts: { start?: number; fallback550?: TransportErrorCode } = {}): Promise<Transfer> {
    if (!this.data.passive && this.data.proxy) throw new TransportError('EFAILURE', ['Active mode cannot be used through a proxy: the server cannot connect back. Use passive mode (-passive=on).']);
    const ch = this.data.passive ? await this.openPassive() : await this.openActive();
    if (opts.start) {
      try {
        await this.expect(`REST ${opts.start}`, 'EFAILURE', (c) => c === 350);
      } catch (e) {
        ch.close();
        throw e;
      }
    }
    let gotPrelim = false;
    let settled = false;
    let prelimOk!: () => void;
    let prelimFail!: (e: unknown) => void;
    const prelim = new Promise<void>((a, b) => ([prelimOk, prelimFail] = [a, b]));
    prelim.catch(() => {});
    let finalOk!: (r: Reply) => void;
    let finalFail!: (e: unknown) => void;
    const final = new Promise<Reply>((a, b) => ([finalOk, finalFail] = [a, b]));
    final.catch(() => {});
    const fail = (e: TransportError) => {
      settled = true;
      if (!gotPrelim) prelimFail(e);
      finalFail(e);
    };
    if (/[\r\n\0]/.test(command)) {
      ch.close();
      throw new TransportError('EFAILURE', ['Invalid character in command or file name.']);
    }
    const task = withoutStacks(() => this.ftp.handle(command, (res, t) => {
      if (res instanceof FTPError) {
        const e = replyError({ code: res.code, message: res.message }, opts.fallback550 ?? 'ENOENT', res.code === 425 && !this.data.passive ? ['The server cannot open connection in active mode. If you are behind a NAT router, you may need to specify an external IP address. Alternatively, consider switching to passive mode.'] : []);
        fail(e);
        t.reject(e);
      } else if (res instanceof Error) {
        const e = connectionLost(res);
        fail(e);
        t.reject(e);
      } else if (res.code === 150 || res.code === 125) {
        if (!gotPrelim) {
          gotPrelim = true;
          prelimOk();
        }
      } else if (res.code >= 200 && res.code < 300) {
        settled = true;
        if (!gotPrelim) {
          gotPrelim = true;
          prelimOk();
        }
        finalOk({ code: res.code, message: res.message });
        t.resolve(res);
      } else if (res.code >= 300) {
        const e = new TransportError('EFAILURE', replyLines(res.message));
        fail(e);
        t.resolve(res);
      }
    }));
    task.catch(() => {});
    let socket: net.Socket;
    try {
      [socket] = await Promise.all([ch.ready, prelim]);
    } catch (e) {
      ch.close();
      // Keep the control connection in step: the server answers the command before anything else.
      await final.catch(() => {});
      throw e;
    }
    // The data connection carries the transfer now: no reply timeout on the idle control connection.
    if (!settled) this.ftp.socket.setTimeout(0);
    const dataDone = () => {
      if (!settled && !this.closed) this.ftp.socket.setTimeout(this.ftp.timeout);
    };
    return {
      socket,
      final,
      settled: () => settled,
      dataDone,
      abort: (graceful = false) => {
        dataDone();
        if (graceful && !socket.destroyed) {
          socket.end();
          setTimeout(() => ch.close(), 2000).unref();
        } else ch.close();
      },
    };
  }

  /** Runs a listing command and returns its data as text. */
  async retrieveText(command: string, encoding: BufferEncoding): Promise<string> {
    const x = await this.transfer(command, { fallback550: 'ENOENT' });
    const chunks: Buffer[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const dog = new Watchdog(this.data.timeoutMs, () => !x.socket.isPaused(), () => {
          x.abort();
          reject(new TransportError('ETIMEDOUT', ['Timeout detected. (data connection)']));
        });
        x.socket.on('data', (c: Buffer) => {
          dog.progress();
          chunks.push(c);
        });
        x.socket.once('end', () => {
          dog.stop();
          resolve();
        });
        x.socket.once('error', (e) => {
          dog.stop();
          reject(dataError(e));
        });
        x.final.catch((e) => {
          dog.stop();
          reject(e);
        });
      });
      x.dataDone();
      await x.final;
    } catch (e) {
      x.abort();
      await x.final.catch(() => {});
      throw e;
    } finally {
      x.socket.destroy();
    }
    return Buffer.concat(chunks).toString(encoding);
  }
}

/**
 * Fails a transfer whose data connection makes no progress for `ms` while it is the network
 * that is awaited (not a slow local source or destination).
 */
export class Watchdog {
  private last = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number, waiting: () => boolean, onTimeout: () => void) {
    this.timer = setInterval(
      () => {
        if (!waiting()) this.last = Date.now();
        else if (Date.now() - this.last >= ms) {
          this.stop();
          onTimeout();
        }
      },
      Math.min(1000, Math.max(50, ms / 4)),
    );
    this.timer.unref();
  }

  progress(): void {
    this.last = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
