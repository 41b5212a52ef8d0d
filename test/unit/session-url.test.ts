import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintMatches, parseFingerprint, parseFingerprintList, describeHostKey } from '../../src/session/host-key.js';
import { parseSessionUrl, sessionDisplayName, urlDecode } from '../../src/session/session-url.js';

const url = (s: string) => {
  const r = parseSessionUrl(s);
  assert.ok(r.ok, s);
  return r.url;
};

describe('session URLs (script spec §11.2)', () => {
  it('splits credentials at the last @ and decodes them, + as space', () => {
    const u = url('sftp://us%3Aer:p%40ss:w@rd+x@host.example:2222/dir/sub');
    assert.equal(u.user, 'us:er');
    assert.equal(u.password, 'p@ss:w@rd x');
    assert.equal(u.host, 'host.example');
    assert.equal(u.port, 2222);
    assert.equal(u.path, '/dir/sub');
  });
  it('distinguishes an empty password from none', () => {
    assert.equal(url('sftp://user:@h/').password, '');
    assert.equal(url('sftp://user@h/').password, undefined);
  });
  it('reads ;fingerprint= and ;x-name=value parameters', () => {
    const u = url('sftp://user;fingerprint=ssh-rsa-xx;x-proxymethod=3;x-ProxyHost=proxy@h');
    assert.equal(u.fingerprint, 'ssh-rsa-xx');
    assert.deepEqual(u.rawSettings, [['proxymethod', '3'], ['ProxyHost', 'proxy']]);
  });
  it('knows the protocols, their TLS and default ports; // optional; winscp- prefix', () => {
    assert.deepEqual([url('ftps://h').protocol, url('ftps://h').tls], ['ftp', 'implicit']);
    assert.deepEqual([url('ftpes://h').protocol, url('ftpes://h').tls], ['ftp', 'explicit']);
    assert.equal(url('scp://h').protocol, 'scp');
    assert.equal(url('ssh://h').protocol, 'sftp');
    assert.equal(url('winscp-sftp://h').protocol, 'sftp');
    assert.equal(url('SFTP:h').protocol, 'sftp');
    assert.equal(url('h').explicitProtocol, false);
  });
  it('ignores an invalid port silently, parses IPv6', () => {
    const u = url('sftp://h:99999/');
    assert.equal(u.port, undefined);
    assert.equal(u.badPort, '99999');
    const v6 = url('sftp://u@[::1]:2222/');
    assert.equal(v6.host, '::1');
    assert.equal(v6.port, 2222);
  });
  it('cuts ;params after the path and keeps / as no directory', () => {
    assert.equal(url('sftp://h/;save').path, undefined);
    assert.equal(url('sftp://h/a%20b;save').path, '/a b');
  });
  it('rejects unknown protocols', () => {
    assert.equal(parseSessionUrl('foo://h').ok, false);
  });
  it('names the session user@host with / shown as \\', () => {
    assert.equal(sessionDisplayName({ user: 'u', host: 'h' }), 'u@h');
    assert.equal(sessionDisplayName({ host: 'h' }), 'h');
    assert.equal(sessionDisplayName({ host: 'h' }, 'a/b'), 'a\\b');
  });
  it('decodes UTF-8 runs and keeps a stray %', () => {
    assert.equal(urlDecode('%C3%BC%zz+'), 'ü%zz ');
  });
});

describe('host-key fingerprints (§11.4)', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const k = describeHostKey(blob);
  it('describes a key', () => {
    assert.equal(k.type, 'ssh-ed25519');
    assert.equal(k.bits, 255);
    assert.equal(k.sha256.length, 43);
    assert.match(k.md5, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });
  it('matches every accepted form and rejects others', () => {
    const urlsafe = k.sha256.replace(/\+/g, '-').replace(/\//g, '_');
    for (const f of [`ssh-ed25519 255 ${k.sha256}`, `ssh-ed25519 1 ${k.sha256}=`, k.sha256, `ssh-ed25519-${urlsafe}`, k.md5, k.md5.toUpperCase().replace(/:/g, '-'), '*', `SHA256:${k.sha256}`]) {
      const p = parseFingerprint(f);
      assert.ok(p && fingerprintMatches(p, k), f);
    }
    assert.ok(!fingerprintMatches(parseFingerprint(`ssh-rsa 2048 ${k.sha256}`)!, k), 'type must match');
    assert.ok(!fingerprintMatches(parseFingerprint(k.sha256.toLowerCase())!, k), 'SHA-256 is case-sensitive');
    assert.equal(parseFingerprint('ssh-ed25519 x abc'), undefined);
    const list = parseFingerprintList(`nonsense;${k.sha256}`);
    assert.equal(list.list.length, 1);
    assert.deepEqual(list.invalid, ['nonsense']);
  });
});
