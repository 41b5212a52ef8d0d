/**
 * Tests for src/session/keys.ts: loading OpenSSH, PEM and PuTTY .ppk (v2/v3) private keys
 * into something ssh2 accepts. Every loaded key is checked with ssh2's own parser and by
 * signing with it and verifying against the independently written public key.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { KeyError, loadPrivateKey, type LoadedKey } from '../../src/session/keys.js';

const { utils } = ssh2;

/**
 * The repository root: the first directory above this file with winscript's package.json
 * (works for dist/ inside the checkout); for an outDir elsewhere, the same search from
 * the working directory.
 */
function findRoot(): string {
  const isRoot = (dir: string): boolean => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'winscript';
    } catch {
      return false;
    }
  };
  for (const start of [path.dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (isRoot(dir)) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the winscript repository root (run the tests from inside the checkout)');
}

const KEYS = path.join(findRoot(), 'fixtures', 'keys');
const PASS = fs.readFileSync(path.join(KEYS, 'PASSPHRASE.txt'), 'utf8').replace(/\r?\n$/, '');
const PUTTYGEN = '/usr/bin/puttygen';
const noPuttygen = fs.existsSync(PUTTYGEN) ? false : 'puttygen not installed';

const read = (name: string): Buffer => fs.readFileSync(path.join(KEYS, name));
const pubLineOf = (name: string): string => read(`${name.replace(/\.ppk$/, '')}.pub`).toString('utf8').trim();

function parse(key: Buffer | string, passphrase?: string): ParsedKey {
  const k = utils.parseKey(key, passphrase);
  assert.ok(!(k instanceof Error), `ssh2 rejects the key: ${k instanceof Error ? k.message : ''}`);
  return k;
}

/** ssh2 accepts the loaded key, its public half is `pubLine`, and it signs verifiably. */
function assertWorks(k: LoadedKey, pubLine: string): void {
  const [type, b64, ...rest] = pubLine.split(' ');
  const parsed = parse(k.privateKey, k.passphrase);
  assert.equal(parsed.isPrivateKey(), true);
  assert.equal(parsed.getPublicSSH().toString('base64'), b64);
  assert.equal(k.type, type);
  assert.equal(k.publicOpenSsh.split(' ')[1], b64);
  if (rest.length > 0) assert.equal(k.comment, rest.join(' '));

  // "Login": sign with the private key, verify with the public key from the .pub line.
  const data = randomBytes(64);
  const algo = type === 'ssh-rsa' ? 'sha256' : undefined;
  const sig = parsed.sign(data, algo) as Buffer | Error;
  assert.ok(Buffer.isBuffer(sig), `signing failed: ${sig instanceof Error ? sig.message : ''}`);
  const pub = parse(pubLine);
  assert.equal(pub.isPrivateKey(), false);
  assert.equal(pub.verify(data, sig, algo), true);
  assert.equal(pub.verify(Buffer.concat([data, Buffer.from('x')]), sig, algo), false);
}

/** Asserts that `fn` throws a KeyError whose message matches `re`. */
function throwsKeyError(fn: () => unknown, re: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KeyError, `expected a KeyError, got ${String(e)}`);
    if (typeof re === 'string') assert.equal(e.message, re);
    else assert.match(e.message, re);
    return true;
  });
}

const FIXTURES: { file: string; encrypted: boolean; ssh2Decrypts?: boolean }[] = [
  { file: 'ed25519-v3.ppk', encrypted: false },
  { file: 'ed25519-v3-enc.ppk', encrypted: true },
  { file: 'rsa2048-v2.ppk', encrypted: false },
  { file: 'rsa2048-v2-enc.ppk', encrypted: true },
  { file: 'ecdsa-nistp256-v3-enc.ppk', encrypted: true },
  { file: 'ed25519-openssh-enc', encrypted: true, ssh2Decrypts: true },
];

describe('loadPrivateKey: fixtures', () => {
  for (const f of FIXTURES) {
    it(`loads ${f.file}`, () => {
      const k = loadPrivateKey(read(f.file), { fileName: f.file, passphrase: f.encrypted ? PASS : undefined });
      assertWorks(k, pubLineOf(f.file));
      assert.equal(k.publicOpenSsh, pubLineOf(f.file));
      if (f.ssh2Decrypts) {
        assert.equal(k.passphrase, PASS);
      } else {
        // .ppk files are converted to an unencrypted OpenSSH key: no passphrase for ssh2.
        assert.equal(k.passphrase, undefined);
        assert.match(String(k.privateKey), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      }
    });

    if (f.encrypted) {
      it(`${f.file}: wrong passphrase is a KeyError`, () => {
        throwsKeyError(() => loadPrivateKey(read(f.file), { fileName: f.file, passphrase: 'wrong horse' }), `Passphrase for key '${f.file}' is wrong.`);
      });
      it(`${f.file}: missing passphrase is a KeyError`, () => {
        const msg = `Key '${f.file}' is encrypted; give its passphrase with -passphrase.`;
        throwsKeyError(() => loadPrivateKey(read(f.file), { fileName: f.file }), msg);
        throwsKeyError(() => loadPrivateKey(read(f.file), { fileName: f.file, passphrase: '' }), msg);
      });
    } else {
      it(`${f.file}: a passphrase given for an unencrypted key is ignored`, () => {
        assertWorks(loadPrivateKey(read(f.file), { fileName: f.file, passphrase: 'anything' }), pubLineOf(f.file));
      });
    }
  }

  it('the converted key loads again as an OpenSSH key (round trip)', () => {
    const k = loadPrivateKey(read('ed25519-v3.ppk'), { fileName: 'a.ppk' });
    const again = loadPrivateKey(Buffer.from(k.privateKey), { fileName: 'a' });
    assert.equal(again.publicOpenSsh, k.publicOpenSsh);
    assert.equal(again.passphrase, undefined);
  });

  it('accepts CRLF line endings and a UTF-8 BOM', () => {
    const crlf = Buffer.from(`\uFEFF${read('ed25519-v3.ppk').toString('utf8').replace(/\n/g, '\r\n')}`, 'utf8');
    assertWorks(loadPrivateKey(crlf, { fileName: 'crlf.ppk' }), pubLineOf('ed25519-v3.ppk'));
  });
});

// ---------------------------------------------------------------------------

/** Replaces a header line's value in a .ppk text. */
function withHeader(ppk: Buffer, name: string, value: string): Buffer {
  const out = ppk.toString('latin1').replace(new RegExp(`^${name}: .*$`, 'm'), `${name}: ${value}`);
  assert.notEqual(out, ppk.toString('latin1'));
  return Buffer.from(out, 'latin1');
}

function flipLastHex(s: string): string {
  return s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
}

function sshStr(b: Buffer | string): Buffer {
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

/** Builds an unencrypted v3 .ppk with a correct MAC from arbitrary blobs. */
function makeV3(alg: string, comment: string, pub: Buffer, priv: Buffer): Buffer {
  const mac = createHmac('sha256', Buffer.alloc(0))
    .update(Buffer.concat([sshStr(alg), sshStr('none'), sshStr(comment), sshStr(pub), sshStr(priv)]))
    .digest('hex');
  const lines = (b: Buffer): string[] => b.toString('base64').match(/.{1,64}/g) ?? [];
  const pl = lines(pub);
  const vl = lines(priv);
  return Buffer.from(
    [`PuTTY-User-Key-File-3: ${alg}`, 'Encryption: none', `Comment: ${comment}`, `Public-Lines: ${pl.length}`, ...pl, `Private-Lines: ${vl.length}`, ...vl, `Private-MAC: ${mac}`, ''].join('\n'),
  );
}

function blobsOf(ppk: Buffer): { pub: Buffer; priv: Buffer } {
  const t = ppk.toString('latin1');
  const grab = (name: string): Buffer => {
    const m = new RegExp(`^${name}: (\\d+)\\r?\\n`, 'm').exec(t)!;
    const rest = t.slice(m.index + m[0].length).split(/\r?\n/);
    return Buffer.from(rest.slice(0, Number(m[1])).join(''), 'base64');
  };
  return { pub: grab('Public-Lines'), priv: grab('Private-Lines') };
}

describe('loadPrivateKey: damaged and unsupported files', () => {
  it('our MAC computation matches what puttygen wrote (sanity check of makeV3)', () => {
    const orig = read('ed25519-v3.ppk');
    const { pub, priv } = blobsOf(orig);
    assert.equal(makeV3('ssh-ed25519', 'winscript test ed25519 v3', pub, priv).toString().trim(), orig.toString().trim());
  });

  it('a tampered Private-MAC is a KeyError (v3 and v2, unencrypted)', () => {
    for (const file of ['ed25519-v3.ppk', 'rsa2048-v2.ppk']) {
      const ppk = read(file);
      const mac = /^Private-MAC: (.*)$/m.exec(ppk.toString())![1]!;
      throwsKeyError(() => loadPrivateKey(withHeader(ppk, 'Private-MAC', flipLastHex(mac)), { fileName: file }), `Key '${file}' is damaged: its integrity check (Private-MAC) failed.`);
    }
  });

  it('a tampered Private-MAC on an encrypted key is a KeyError (reported like a wrong passphrase, as PuTTY does)', () => {
    const ppk = read('rsa2048-v2-enc.ppk');
    const mac = /^Private-MAC: (.*)$/m.exec(ppk.toString())![1]!;
    throwsKeyError(() => loadPrivateKey(withHeader(ppk, 'Private-MAC', flipLastHex(mac)), { fileName: 'k.ppk', passphrase: PASS }), "Passphrase for key 'k.ppk' is wrong.");
  });

  it('the MAC covers the comment and the public key', () => {
    throwsKeyError(() => loadPrivateKey(withHeader(read('ed25519-v3.ppk'), 'Comment', 'edited'), { fileName: 'k.ppk' }), /integrity check/);
    // Public key of another ed25519 key, same length, so only the MAC can catch it.
    const other = blobsOf(read('ed25519-v3-enc.ppk')).pub.toString('base64');
    const t = read('ed25519-v3.ppk').toString().replace(/Public-Lines: 2\n.*\n.*\n/, `Public-Lines: 1\n${other}\n`);
    throwsKeyError(() => loadPrivateKey(Buffer.from(t), { fileName: 'k.ppk' }), /integrity check/);
  });

  it('a private key that does not match its public key is rejected even with a valid MAC', () => {
    const { pub } = blobsOf(read('ed25519-v3.ppk'));
    const bogus = makeV3('ssh-ed25519', 'x', pub, sshStr(randomBytes(32)));
    throwsKeyError(() => loadPrivateKey(bogus, { fileName: 'k.ppk' }), /damaged: a test signature made with it does not verify/);
  });

  it('truncated or malformed key data is a KeyError even with a valid MAC', () => {
    const { pub, priv } = blobsOf(read('rsa2048-v2.ppk'));
    throwsKeyError(() => loadPrivateKey(makeV3('ssh-rsa', 'x', pub, priv.subarray(0, 100)), { fileName: 'k.ppk' }), /damaged: the key data is truncated or malformed/);
    throwsKeyError(() => loadPrivateKey(makeV3('ssh-ed25519', 'x', pub, priv), { fileName: 'k.ppk' }), /damaged: the public key is 'ssh-rsa', the header says 'ssh-ed25519'/);
  });

  it('corrupt files are KeyErrors', () => {
    const ppk = read('ed25519-v3.ppk').toString();
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', Buffer.from(ppk.slice(0, ppk.length / 2)), /damaged/],
      ['too many Private-Lines', Buffer.from(ppk.replace('Private-Lines: 1', 'Private-Lines: 5')), /damaged/],
      ['bad base64', Buffer.from(ppk.replace(/^(Private-Lines: 1\n)(.)/m, '$1!')), /damaged: invalid base64/],
      ['no MAC line', Buffer.from(ppk.replace(/^Private-MAC: .*$/m, '')), /damaged: no 'Private-MAC' line/],
      ['short MAC', Buffer.from(ppk.replace(/^(Private-MAC: ).*$/m, '$1abcd')), /damaged: bad Private-MAC/],
      ['garbage line', Buffer.from(ppk.replace('Encryption: none', 'Encryption: none\nthis is not a header')), /damaged/],
      ['random bytes', randomBytes(300), /^Unsupported key format in 'k'\.$/],
      ['empty', Buffer.alloc(0), /^Unsupported key format in 'k'\.$/],
      ['truncated OpenSSH', Buffer.from(read('ed25519-openssh-enc').toString().replace(/\n[^-]*\n-----END/, '\n-----END')), /Key 'k'/],
    ];
    for (const [what, data, re] of cases) {
      assert.throws(() => loadPrivateKey(data, { fileName: 'k', passphrase: PASS }), (e: unknown) => e instanceof KeyError && re.test(e.message), what);
    }
  });

  it('unsupported variants say so', () => {
    const ppk = read('ed25519-v3.ppk').toString();
    throwsKeyError(() => loadPrivateKey(Buffer.from(ppk.replace('File-3', 'File-1')), { fileName: 'k' }), /^Unsupported key format in 'k': PuTTY key file version 1/);
    throwsKeyError(() => loadPrivateKey(Buffer.from(ppk.replace('File-3', 'File-4')), { fileName: 'k' }), /^Unsupported key format in 'k': PuTTY key file version 4/);
    throwsKeyError(() => loadPrivateKey(Buffer.from(ppk.replace('Encryption: none', 'Encryption: aes128-cbc')), { fileName: 'k' }), /^Unsupported key format in 'k': encryption 'aes128-cbc'/);
    const enc = read('ed25519-v3-enc.ppk');
    throwsKeyError(() => loadPrivateKey(withHeader(enc, 'Key-Derivation', 'scrypt'), { fileName: 'k', passphrase: PASS }), /key derivation 'scrypt'/);
    throwsKeyError(() => loadPrivateKey(withHeader(enc, 'Argon2-Memory', '99999999'), { fileName: 'k', passphrase: PASS }), /Argon2-Memory: 99999999' is out of the supported range/);
    throwsKeyError(() => loadPrivateKey(Buffer.from('SSH PRIVATE KEY FILE FORMAT 1.1\n\0\0'), { fileName: 'k' }), /SSH-1/);
  });

  it('a public key file is not a private key', () => {
    throwsKeyError(() => loadPrivateKey(read('ed25519-v3.pub'), { fileName: 'k.pub' }), "'k.pub' is a public key; a private key file is needed.");
  });
});

// ---------------------------------------------------------------------------

/** Checks a signature made by the loaded key with Node's crypto and the original public key. */
function assertSignsFor(k: LoadedKey, publicKey: KeyObject): void {
  const parsed = parse(k.privateKey, k.passphrase);
  const data = randomBytes(50);
  const algo = k.type === 'ssh-rsa' ? 'sha256' : k.type === 'ssh-ed25519' ? undefined : `sha${{ 'ecdsa-sha2-nistp256': 256, 'ecdsa-sha2-nistp384': 384, 'ecdsa-sha2-nistp521': 512 }[k.type]}`;
  const sig = parsed.sign(data, algo);
  assert.equal(cryptoVerify(algo ?? null, data, publicKey, sig), true);
}

describe('loadPrivateKey: PEM keys', () => {
  it('PKCS#1 RSA, SEC1 EC, PKCS#8 Ed25519 (unencrypted)', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const k1 = loadPrivateKey(Buffer.from(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' })), { fileName: 'id_rsa' });
    assert.equal(k1.type, 'ssh-rsa');
    assert.equal(k1.comment, 'imported-openssh-key');
    assert.equal(k1.passphrase, undefined);
    assertSignsFor(k1, rsa.publicKey);

    const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const k2 = loadPrivateKey(Buffer.from(ec.privateKey.export({ type: 'sec1', format: 'pem' })), { fileName: 'id_ecdsa' });
    assert.equal(k2.type, 'ecdsa-sha2-nistp384');
    assertSignsFor(k2, ec.publicKey);

    const ed = generateKeyPairSync('ed25519');
    const k3 = loadPrivateKey(Buffer.from(ed.privateKey.export({ type: 'pkcs8', format: 'pem' })), { fileName: 'id_ed25519' });
    assert.equal(k3.type, 'ssh-ed25519');
    assertSignsFor(k3, ed.publicKey);
    const rawPub = ed.publicKey.export({ format: 'jwk' }).x!;
    assert.equal(parse(k3.publicOpenSsh).getPublicSSH().subarray(-32).toString('base64url'), rawPub);
  });

  it('legacy encrypted PEM: ssh2 decrypts it with the passphrase; wrong/missing passphrase are KeyErrors', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = Buffer.from(rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS }));
    assert.match(pem.toString(), /Proc-Type: 4,ENCRYPTED/);
    const k = loadPrivateKey(pem, { fileName: 'id_rsa', passphrase: PASS });
    assert.equal(k.passphrase, PASS);
    assertSignsFor(k, rsa.publicKey);
    throwsKeyError(() => loadPrivateKey(pem, { fileName: 'id_rsa', passphrase: 'nope' }), "Passphrase for key 'id_rsa' is wrong.");
    throwsKeyError(() => loadPrivateKey(pem, { fileName: 'id_rsa' }), "Key 'id_rsa' is encrypted; give its passphrase with -passphrase.");
  });

  it('encrypted PKCS#8 (EC) is decrypted here', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = Buffer.from(ec.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS }));
    const k = loadPrivateKey(pem, { fileName: 'k.pem', passphrase: PASS });
    assert.equal(k.type, 'ecdsa-sha2-nistp256');
    assert.equal(k.passphrase, undefined);
    assertSignsFor(k, ec.publicKey);
    throwsKeyError(() => loadPrivateKey(pem, { fileName: 'k.pem', passphrase: 'nope' }), "Passphrase for key 'k.pem' is wrong.");
    throwsKeyError(() => loadPrivateKey(pem, { fileName: 'k.pem' }), /is encrypted/);
  });
});

// ---------------------------------------------------------------------------

/** Runs puttygen in a scratch directory. */
class Puttygen {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-keys-'));
  readonly passFile = path.join(this.dir, 'pass.txt');
  constructor() {
    fs.writeFileSync(this.passFile, `${PASS}\n`);
  }
  run(args: string[]): string {
    return execFileSync(PUTTYGEN, args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  /** Generates a key; returns its file name. */
  generate(name: string, args: string[], encrypted: boolean): string {
    const file = path.join(this.dir, name);
    this.run([...args, '-q', '-C', `fresh ${name}`, '-o', file, '--new-passphrase', encrypted ? this.passFile : '/dev/null']);
    return file;
  }
  publicLine(file: string): string {
    return this.run([file, '-L', '--old-passphrase', this.passFile]).trim();
  }
  /** puttygen's own conversion to OpenSSH, as a canonical PKCS#8 DER (via ssh2 and Node). */
  privateDer(file: string): Buffer {
    const out = path.join(this.dir, `${path.basename(file)}.openssh`);
    this.run([file, '-O', 'private-openssh', '-o', out, '--old-passphrase', this.passFile, '--new-passphrase', '/dev/null']);
    return derOf(parse(fs.readFileSync(out)));
  }
  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function derOf(k: ParsedKey): Buffer {
  return createPrivateKey(k.getPrivatePEM()).export({ type: 'pkcs8', format: 'der' });
}

/** Generates with puttygen, loads, and checks against puttygen's public key and its own OpenSSH export. */
function checkPuttygenKey(pg: Puttygen, name: string, args: string[], encrypted: boolean): LoadedKey {
  const file = pg.generate(name, args, encrypted);
  const k = loadPrivateKey(fs.readFileSync(file), { fileName: name, passphrase: encrypted ? PASS : undefined });
  const pubLine = pg.publicLine(file);
  assert.equal(k.publicOpenSsh, pubLine);
  assertWorks(k, pubLine);
  assert.ok(derOf(parse(k.privateKey)).equals(pg.privateDer(file)), `${name}: private key differs from puttygen's OpenSSH export`);
  if (encrypted) throwsKeyError(() => loadPrivateKey(fs.readFileSync(file), { fileName: name, passphrase: `${PASS}!` }), /is wrong/);
  return k;
}

describe('loadPrivateKey: keys puttygen writes today', () => {
  it('a fresh v3 ed25519 key (default format and Argon2 parameters), unencrypted and encrypted', { skip: noPuttygen }, () => {
    const pg = new Puttygen();
    try {
      const head = (f: string): string => fs.readFileSync(path.join(pg.dir, f), 'utf8').split('\n')[0]!;
      checkPuttygenKey(pg, 'plain.ppk', ['-t', 'ed25519'], false);
      assert.equal(head('plain.ppk'), 'PuTTY-User-Key-File-3: ssh-ed25519');
      checkPuttygenKey(pg, 'enc.ppk', ['-t', 'ed25519'], true);
      assert.match(fs.readFileSync(path.join(pg.dir, 'enc.ppk'), 'utf8'), /^Key-Derivation: Argon2id$/m);
    } finally {
      pg.cleanup();
    }
  });

  // Cheap Argon2 settings keep these quick; the default parameters are covered above.
  const fast = 'memory=64,passes=1';
  const matrix: [string, string[], boolean][] = [
    ['rsa-v3.ppk', ['-t', 'rsa', '-b', '2048', '--ppk-param', fast], true],
    ['dsa-v3.ppk', ['-t', 'dsa', '-b', '1024'], false],
    ['dsa-v2-enc.ppk', ['-t', 'dsa', '-b', '1024', '--ppk-param', 'version=2'], true],
    ['ecdsa384-v3-argon2i.ppk', ['-t', 'ecdsa', '-b', '384', '--ppk-param', `${fast},kdf=argon2i`], true],
    ['ecdsa521-v3-argon2d-p2.ppk', ['-t', 'ecdsa', '-b', '521', '--ppk-param', `${fast},kdf=argon2d,parallelism=2`], true],
    ['ed25519-v2.ppk', ['-t', 'ed25519', '--ppk-param', 'version=2'], false],
    ['ed25519-v2-enc.ppk', ['-t', 'ed25519', '--ppk-param', 'version=2'], true],
    ['ecdsa256-v2.ppk', ['-t', 'ecdsa', '-b', '256', '--ppk-param', 'version=2'], false],
  ];
  for (const [name, args, encrypted] of matrix) {
    it(`puttygen ${args.join(' ')}${encrypted ? ' (encrypted)' : ''}`, { skip: noPuttygen }, () => {
      const pg = new Puttygen();
      try {
        checkPuttygenKey(pg, name, args, encrypted);
      } finally {
        pg.cleanup();
      }
    });
  }

  it('ECDSA private scalars with and without a leading zero byte', { skip: noPuttygen }, () => {
    const pg = new Puttygen();
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 30 && seen.size < 2; i++) {
        const file = pg.generate(`e${i}.ppk`, ['-t', 'ecdsa', '-b', '256'], false);
        const dLen = blobsOf(fs.readFileSync(file)).priv.readUInt32BE(0);
        const kind = dLen === 33 ? 33 : 32; // 33: mpint with a 0x00 before a high-bit byte
        if (seen.has(kind)) continue;
        seen.add(kind);
        const k = loadPrivateKey(fs.readFileSync(file), { fileName: file });
        assertWorks(k, pg.publicLine(file));
        assert.ok(derOf(parse(k.privateKey)).equals(pg.privateDer(file)));
      }
      assert.equal(seen.size, 2);
    } finally {
      pg.cleanup();
    }
  });
});
