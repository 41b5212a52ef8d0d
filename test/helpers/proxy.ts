/**
 * A small forwarding proxy for tests (SOCKS4/4A, SOCKS5 with optional username/password, HTTP
 * CONNECT with optional Basic authentication) on a free loopback port. It supplements the real
 * servers behind it: the sshd and vsftpd the tests reach through it are the real ones. Every
 * tunnel it opens is recorded, so that a test can tell a proxied connection from a direct one.
 */
import net from 'node:net';

export type ProxyKind = 'socks4' | 'socks5' | 'http';

export interface TestProxy {
  kind: ProxyKind;
  port: number;
  /** `host:port` of every tunnel opened, in order. */
  tunnels: string[];
  /** Requests refused (bad credentials, unreachable target). */
  refused: string[];
  stop(): Promise<void>;
}

/** Reads until `enough` returns the length of a complete message; resolves with it, keeps the rest. */
function readMessage(sock: net.Socket, state: { buf: Buffer }, enough: (b: Buffer) => number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tryNow = () => {
      const n = enough(state.buf);
      if (n === undefined) return false;
      const msg = state.buf.subarray(0, n);
      state.buf = state.buf.subarray(n);
      resolve(msg);
      return true;
    };
    if (tryNow()) return;
    const onData = (d: Buffer) => {
      state.buf = Buffer.concat([state.buf, d]);
      if (tryNow()) {
        sock.off('data', onData);
        sock.off('close', onClose);
        sock.pause();
      }
    };
    const onClose = () => reject(new Error('client closed'));
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.resume();
  });
}

export async function startProxy(kind: ProxyKind, auth?: { user: string; password: string }): Promise<TestProxy> {
  const tunnels: string[] = [];
  const refused: string[] = [];
  const open = new Set<net.Socket>();

  const tunnel = (client: net.Socket, host: string, port: number, state: { buf: Buffer }, reply: (ok: boolean) => Buffer | string) => {
    const upstream = net.connect({ host, port });
    open.add(upstream);
    upstream.once('connect', () => {
      tunnels.push(`${host}:${port}`);
      client.write(reply(true));
      if (state.buf.length > 0) upstream.write(state.buf);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.once('error', () => {
      if (!upstream.remoteAddress) {
        refused.push(`${host}:${port} unreachable`);
        client.end(reply(false));
      } else client.destroy();
    });
    client.once('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => {
      open.delete(upstream);
      client.destroy();
    });
  };

  const server = net.createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => {});
    const state = { buf: Buffer.alloc(0) };
    void (async () => {
      try {
        if (kind === 'http') {
          const head = (await readMessage(client, state, (b) => {
            const i = b.indexOf('\r\n\r\n');
            return i < 0 ? undefined : i + 4;
          })).toString('latin1');
          const m = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]\r\n/.exec(head);
          if (!m) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
          const target = m[1]!.replace(/^\[|\]$/g, '');
          if (auth) {
            const want = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
            const got = /\r\nProxy-Authorization: ([^\r]*)\r\n/i.exec(head)?.[1];
            if (got !== want) {
              refused.push(`${target}:${m[2]} bad credentials`);
              return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
            }
          }
          tunnel(client, target, Number(m[2]), state, (ok) => (ok ? 'HTTP/1.1 200 Connection established\r\n\r\n' : 'HTTP/1.1 502 Bad Gateway\r\n\r\n'));
        } else if (kind === 'socks4') {
          const req = await readMessage(client, state, (b) => {
            if (b.length < 9) return undefined;
            const userEnd = b.indexOf(0, 8);
            if (userEnd < 0) return undefined;
            const v4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
            if (!v4a) return userEnd + 1;
            const nameEnd = b.indexOf(0, userEnd + 1);
            return nameEnd < 0 ? undefined : nameEnd + 1;
          });
          const port = req.readUInt16BE(2);
          const userEnd = req.indexOf(0, 8);
          const v4a = req[4] === 0 && req[5] === 0 && req[6] === 0 && req[7] !== 0;
          const host = v4a ? req.subarray(userEnd + 1, req.length - 1).toString() : [...req.subarray(4, 8)].join('.');
          tunnel(client, host, port, state, (ok) => Buffer.from([0, ok ? 0x5a : 0x5b, 0, 0, 0, 0, 0, 0]));
        } else {
          const hello = await readMessage(client, state, (b) => (b.length >= 2 && b.length >= 2 + b[1]! ? 2 + b[1]! : undefined));
          const methods = [...hello.subarray(2)];
          if (auth) {
            if (!methods.includes(2)) return void client.end(Buffer.from([5, 0xff]));
            client.write(Buffer.from([5, 2]));
            const a = await readMessage(client, state, (b) => {
              if (b.length < 2) return undefined;
              const ul = b[1]!;
              if (b.length < 3 + ul) return undefined;
              const pl = b[2 + ul]!;
              return b.length >= 3 + ul + pl ? 3 + ul + pl : undefined;
            });
            const ul = a[1]!;
            const user = a.subarray(2, 2 + ul).toString();
            const password = a.subarray(3 + ul).toString();
            if (user !== auth.user || password !== auth.password) {
              refused.push('bad credentials');
              return void client.end(Buffer.from([1, 1]));
            }
            client.write(Buffer.from([1, 0]));
          } else {
            if (!methods.includes(0)) return void client.end(Buffer.from([5, 0xff]));
            client.write(Buffer.from([5, 0]));
          }
          const req = await readMessage(client, state, (b) => {
            if (b.length < 5) return undefined;
            const len = b[3] === 1 ? 4 : b[3] === 4 ? 16 : 1 + b[4]!;
            return b.length >= 4 + len + 2 ? 4 + len + 2 : undefined;
          });
          let host: string;
          if (req[3] === 1) host = [...req.subarray(4, 8)].join('.');
          else if (req[3] === 3) host = req.subarray(5, 5 + req[4]!).toString();
          else host = (req.subarray(4, 20).toString('hex').match(/.{4}/g) ?? []).join(':');
          const port = req.readUInt16BE(req.length - 2);
          tunnel(client, host, port, state, (ok) => Buffer.from([5, ok ? 0 : 5, 0, 1, 127, 0, 0, 1, 0, 0]));
        }
      } catch {
        client.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    kind,
    port: (server.address() as net.AddressInfo).port,
    tunnels,
    refused,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
