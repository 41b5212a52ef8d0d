/** Proxy raw settings (ProxyMethod, ProxyHost, ProxyPort, …) and which connections use the proxy. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pasvHost } from '../../src/transports/ftp/connection.js';
import { ConnectError } from '../../src/transports/connect-error.js';
import { proxyFromRaw, useProxy } from '../../src/transports/proxy.js';

const raw = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));

describe('proxy settings', () => {
  it('maps ProxyMethod 1-3 and defaults the port per method (HTTP 80, SOCKS 1080)', () => {
    assert.equal(proxyFromRaw(raw({})), undefined);
    assert.equal(proxyFromRaw(raw({ ProxyMethod: '0', ProxyHost: 'p' })), undefined);
    assert.deepEqual(proxyFromRaw(raw({ ProxyMethod: '3', ProxyHost: 'proxy.example.com' })), {
      method: 'http', host: 'proxy.example.com', port: 80, username: undefined, password: undefined, localhost: false,
    });
    assert.equal(proxyFromRaw(raw({ ProxyMethod: '2', ProxyHost: 'p' }))?.port, 1080);
    assert.equal(proxyFromRaw(raw({ ProxyMethod: '1', ProxyHost: 'p', ProxyPort: '3128' }))?.port, 3128);
    const auth = proxyFromRaw(raw({ ProxyMethod: '2', ProxyHost: 'p', ProxyUsername: 'u', ProxyPassword: 'pw', ProxyLocalhost: '1' }));
    assert.equal(auth?.method, 'socks5');
    assert.equal(auth?.username, 'u');
    assert.equal(auth?.password, 'pw');
    assert.equal(auth?.localhost, true);
  });

  it('refuses what it cannot use instead of connecting direct', () => {
    for (const [settings, text] of [
      [{ ProxyMethod: '4', ProxyHost: 'p' }, /Telnet proxy method is not supported/],
      [{ ProxyMethod: '5' }, /local command proxy method is not supported/],
      [{ ProxyMethod: '9', ProxyHost: 'p' }, /Unknown proxy method '9'/],
      [{ ProxyMethod: '3' }, /no proxy host/],
    ] as const) {
      assert.throws(() => proxyFromRaw(raw(settings)), (e: unknown) => e instanceof ConnectError && text.test(e.lines[0]!));
    }
  });

  it('sends connections to the local host direct unless ProxyLocalhost is on', () => {
    const p = proxyFromRaw(raw({ ProxyMethod: '2', ProxyHost: 'p' }))!;
    assert.equal(useProxy(p, 'files.example.com'), true);
    assert.equal(useProxy(p, '203.0.113.7'), true);
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) assert.equal(useProxy(p, h), false, h);
    assert.equal(useProxy({ ...p, localhost: true }, '127.0.0.1'), true);
    assert.equal(useProxy(undefined, 'files.example.com'), false);
  });

  it('passive data connections through a proxy: a private PASV address from a server reached by name is replaced (auto)', () => {
    assert.equal(pasvHost('10.0.0.5', 'ftp.example.com', 'auto'), 'ftp.example.com');
    assert.equal(pasvHost('198.51.100.1', 'ftp.example.com', 'auto'), '198.51.100.1');
    assert.equal(pasvHost('10.0.0.5', 'ftp.example.com', 'off'), '10.0.0.5');
    assert.equal(pasvHost('10.0.0.5', '10.0.0.1', 'auto'), '10.0.0.5');
  });
});
