/**
 * Loading SSH private keys for the SFTP/SCP client (library `ssh2`).
 *
 * Accepts OpenSSH keys (`openssh-key-v1`, encrypted or not), PEM keys (PKCS#1 RSA,
 * SEC1 EC, DSA, legacy-encrypted or not; PKCS#8, encrypted or not) and PuTTY `.ppk`
 * files of format version 2 and 3 (unencrypted or `aes256-cbc`, v3 with Argon2id/i/d).
 *
 * ssh2 itself only reads `.ppk` v2 RSA/DSA keys, so every `.ppk` file is parsed here:
 * its MAC is verified (so a wrong passphrase is reported as such, never turned into a
 * garbage key), the private blob is decrypted and re-encoded as an unencrypted
 * `openssh-key-v1` key, which ssh2 accepts for all key types.
 *
 * Whatever the input, the result is handed to ssh2's own `utils.parseKey` and used to
 * sign and verify a random message before it is returned, so a key that comes back from
 * here really works with ssh2.
 */
import { createDecipheriv, createHash, createHmac, createPrivateKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { argon2d, argon2i, argon2id } from '@noble/hashes/argon2.js';

const { utils } = ssh2;

/** A key file that cannot be used; the message is meant to be shown to the user as is. */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** A private key ready to be given to ssh2's `Client.connect()`. */
export interface LoadedKey {
  /** What to pass to ssh2 as `privateKey` (Buffer or string) */
  privateKey: Buffer | string;
  /** Passphrase to pass to ssh2 along with it (only for formats ssh2 decrypts itself, e.g. encrypted OpenSSH keys), else undefined */
  passphrase?: string;
  /** Key comment for "Authenticating with public key "<comment>"." */
  comment: string;
  /** e.g. 'ssh-ed25519' */
  type: string;
  /** OpenSSH public key line "ssh-ed25519 AAAA... comment" */
  publicOpenSsh: string;
}

/**
 * Comment used for key formats that cannot store one (PEM/PKCS#8), the same one PuTTY
 * and WinSCP show for such keys.
 */
const IMPORTED_KEY_COMMENT = 'imported-openssh-key';

/**
 * Reads a private key file and turns it into something ssh2 accepts.
 *
 * @param contents the raw bytes of the key file
 * @param opts.fileName the file name as the user gave it, used in error messages
 * @param opts.passphrase the passphrase (`-passphrase`); ignored for unencrypted keys
 * @throws KeyError when the file is not a private key, is damaged, uses an unsupported
 *   format, is encrypted and no passphrase was given, or the passphrase is wrong
 */
export function loadPrivateKey(contents: Buffer, opts: { fileName: string; passphrase?: string }): LoadedKey {
  const ctx: Ctx = {
    fileName: opts.fileName,
    passphrase: opts.passphrase === undefined || opts.passphrase === '' ? undefined : opts.passphrase,
  };
  try {
    return load(contents, ctx);
  } catch (e) {
    if (e instanceof KeyError) throw e;
    // Anything unexpected (a library throwing on odd input) is still the key file's fault.
    throw damaged(ctx, e instanceof Error ? e.message : String(e));
  }
}

function load(contents: Buffer, ctx: Ctx): LoadedKey {
  // latin1 keeps every byte as one character, so byte offsets and raw comments survive.
  const text = contents.toString('latin1').replace(/^\xEF\xBB\xBF/, '').trim();

  if (/^PuTTY-User-Key-File-/.test(text)) return loadPpk(text, ctx);
  if (text.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')) return loadOpenSsh(contents, text, ctx);
  if (/^-----BEGIN (RSA|DSA|EC) PRIVATE KEY-----/.test(text)) return loadLegacyPem(contents, text, ctx);
  if (/^-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) return loadPkcs8(contents, text, ctx);
  if (text.startsWith('SSH PRIVATE KEY FILE FORMAT 1.1')) {
    throw new KeyError(`Key '${ctx.fileName}' is an SSH-1 key; SSH-1 is not supported.`);
  }
  if (/^---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----/.test(text)) {
    throw new KeyError(`Unsupported key format in '${ctx.fileName}' (ssh.com format); convert it with PuTTYgen to a .ppk or OpenSSH key.`);
  }
  if (/^---- BEGIN SSH2 PUBLIC KEY ----/.test(text) || /^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]{20,}/.test(text)) {
    throw new KeyError(`'${ctx.fileName}' is a public key; a private key file is needed.`);
  }
  throw new KeyError(`Unsupported key format in '${ctx.fileName}'.`);
}

interface Ctx {
  fileName: string;
  /** undefined when no (or an empty) passphrase was given */
  passphrase: string | undefined;
}

function missingPassphrase(ctx: Ctx): KeyError {
  return new KeyError(`Key '${ctx.fileName}' is encrypted; give its passphrase with -passphrase.`);
}

function wrongPassphrase(ctx: Ctx): KeyError {
  return new KeyError(`Passphrase for key '${ctx.fileName}' is wrong.`);
}

function damaged(ctx: Ctx, why: string): KeyError {
  return new KeyError(`Key '${ctx.fileName}' is damaged: ${why.replace(/[.\s]+$/, '')}.`);
}

function unsupported(ctx: Ctx, what: string): KeyError {
  return new KeyError(`Unsupported key format in '${ctx.fileName}': ${what}.`);
}

// ---------------------------------------------------------------------------
// Final check: ssh2 must accept the key, and it must be able to sign with it

/**
 * Parses `privateKey` with ssh2, checks it is a private key and that a signature made
 * with it verifies against its public half, and builds the LoadedKey.
 */
function finish(ctx: Ctx, privateKey: Buffer | string, passphrase: string | undefined, comment: string, expectPublic?: Buffer): LoadedKey {
  return finishParsed(ctx, parseWithSsh2(privateKey, passphrase), privateKey, passphrase, comment, expectPublic);
}

/** ssh2's own parser; it returns (rather than throws) an Error. */
function parseWithSsh2(privateKey: Buffer | string, passphrase: string | undefined): ParsedKey | Error {
  const parsed = utils.parseKey(privateKey, passphrase) as ParsedKey | ParsedKey[] | Error;
  if (Array.isArray(parsed)) return parsed[0] ?? new Error('no key found');
  return parsed;
}

/** Like finish() for a key ssh2 has already parsed. */
function finishParsed(ctx: Ctx, key: ParsedKey | Error, privateKey: Buffer | string, passphrase: string | undefined, comment: string, expectPublic?: Buffer): LoadedKey {
  if (key instanceof Error) throw new KeyError(`Key '${ctx.fileName}' cannot be used: ${key.message.replace(/[.\s]+$/, '')}.`);
  if (!key.isPrivateKey()) throw new KeyError(`'${ctx.fileName}' does not hold a private key.`);
  const publicBlob = key.getPublicSSH();
  if (expectPublic !== undefined && !publicBlob.equals(expectPublic)) {
    throw damaged(ctx, 'its public and private parts do not belong together');
  }
  selfTest(ctx, key);
  const type = String(key.type);
  const b64 = publicBlob.toString('base64');
  return {
    privateKey,
    ...(passphrase !== undefined ? { passphrase } : {}),
    comment,
    type,
    publicOpenSsh: comment === '' ? `${type} ${b64}` : `${type} ${b64} ${comment}`,
  };
}

/** Signs a random message with the private key and verifies it with the public key. */
function selfTest(ctx: Ctx, key: ParsedKey): void {
  const data = randomBytes(32);
  // RSA: sign with SHA-256 (what rsa-sha2-256 uses), as some OpenSSL policies refuse SHA-1.
  const algo = key.type === 'ssh-rsa' ? 'sha256' : undefined;
  let ok = false;
  try {
    const sig = key.sign(data, algo) as Buffer | Error;
    if (!(sig instanceof Error)) ok = (key.verify(data, sig, algo) as boolean | Error) === true;
  } catch {
    ok = false;
  }
  if (!ok) throw damaged(ctx, 'a test signature made with it does not verify against its public key');
}

// ---------------------------------------------------------------------------
// OpenSSH and PEM keys (ssh2 reads these itself)

function loadOpenSsh(contents: Buffer, text: string, ctx: Ctx): LoadedKey {
  const m = /^-----BEGIN OPENSSH PRIVATE KEY-----\r?\n([\s\S]*?)\r?\n?-----END OPENSSH PRIVATE KEY-----$/.exec(text);
  if (m === null) throw damaged(ctx, 'the OpenSSH key is incomplete');
  const body = decodeBase64(m[1]!.replace(/\s+/g, ''));
  if (body === undefined) throw damaged(ctx, 'invalid base64 data');
  let cipher: string;
  try {
    const r = new Reader(body);
    const magic = r.raw(15).toString('latin1');
    if (magic !== 'openssh-key-v1\0') throw unsupported(ctx, 'unknown OpenSSH key version');
    cipher = r.string().toString('latin1');
  } catch (e) {
    if (e instanceof KeyError) throw e;
    throw damaged(ctx, 'the OpenSSH key is truncated');
  }
  const encrypted = cipher !== 'none';
  if (encrypted && ctx.passphrase === undefined) throw missingPassphrase(ctx);
  const passphrase = encrypted ? ctx.passphrase : undefined;
  const key = parseWithSsh2(contents, passphrase);
  if (key instanceof Error) {
    if (/unsupported/i.test(key.message)) throw unsupported(ctx, key.message);
    if (encrypted) throw wrongPassphrase(ctx);
    throw damaged(ctx, key.message);
  }
  return finishParsed(ctx, key, contents, passphrase, key.comment ?? '');
}

function loadLegacyPem(contents: Buffer, text: string, ctx: Ctx): LoadedKey {
  const encrypted = /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(text);
  if (encrypted && ctx.passphrase === undefined) throw missingPassphrase(ctx);
  const passphrase = encrypted ? ctx.passphrase : undefined;
  const key = parseWithSsh2(contents, passphrase);
  if (key instanceof Error) {
    if (/not supported|unsupported/i.test(key.message)) throw unsupported(ctx, key.message);
    if (encrypted) throw wrongPassphrase(ctx);
    throw damaged(ctx, key.message);
  }
  return finishParsed(ctx, key, contents, passphrase, IMPORTED_KEY_COMMENT);
}

/** PKCS#8 keys: ssh2 does not read them; Node's crypto decodes them, then we re-encode. */
function loadPkcs8(contents: Buffer, text: string, ctx: Ctx): LoadedKey {
  const encrypted = text.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  if (encrypted && ctx.passphrase === undefined) throw missingPassphrase(ctx);
  let ko: KeyObject;
  try {
    ko = createPrivateKey({ key: contents, format: 'pem', ...(encrypted ? { passphrase: ctx.passphrase } : {}) });
  } catch (e) {
    if (encrypted) throw wrongPassphrase(ctx);
    throw damaged(ctx, e instanceof Error ? e.message : String(e));
  }
  const comment = IMPORTED_KEY_COMMENT;
  switch (ko.asymmetricKeyType) {
    case 'rsa':
      return finish(ctx, ko.export({ type: 'pkcs1', format: 'pem' }).toString(), undefined, comment);
    case 'ec':
      return finish(ctx, ko.export({ type: 'sec1', format: 'pem' }).toString(), undefined, comment);
    case 'ed25519': {
      const jwk = ko.export({ format: 'jwk' });
      const seed = Buffer.from(jwk.d ?? '', 'base64url');
      const pub = Buffer.from(jwk.x ?? '', 'base64url');
      if (seed.length !== 32 || pub.length !== 32) throw damaged(ctx, 'bad Ed25519 key');
      const key: KeyParts = { type: 'ssh-ed25519', publicBlob: concat(sshString('ssh-ed25519'), sshString(pub)), privateFields: concat(sshString(pub), sshString(Buffer.concat([seed, pub]))) };
      return finish(ctx, encodeOpenSsh(key, Buffer.alloc(0)), undefined, comment);
    }
    default:
      throw unsupported(ctx, `${ko.asymmetricKeyType ?? 'unknown'} keys in PKCS#8 files`);
  }
}

// ---------------------------------------------------------------------------
// PuTTY .ppk

interface PpkFile {
  version: 2 | 3;
  algorithm: string;
  encryption: 'none' | 'aes256-cbc';
  /** the comment exactly as stored (bytes) */
  commentRaw: Buffer;
  headers: Map<string, string>;
  publicBlob: Buffer;
  privateBlob: Buffer;
  mac: Buffer;
}

function loadPpk(text: string, ctx: Ctx): LoadedKey {
  const ppk = parsePpkText(text, ctx);
  const encrypted = ppk.encryption !== 'none';
  if (encrypted && ctx.passphrase === undefined) throw missingPassphrase(ctx);
  const pass = encrypted ? Buffer.from(ctx.passphrase!, 'utf8') : Buffer.alloc(0);

  let cipherKey: Buffer | undefined;
  let iv: Buffer | undefined;
  let macKey: Buffer;
  let macAlgo: 'sha1' | 'sha256';
  if (ppk.version === 2) {
    macAlgo = 'sha1';
    macKey = createHash('sha1').update('putty-private-key-file-mac-key').update(pass).digest();
    if (encrypted) {
      cipherKey = Buffer.concat([
        createHash('sha1').update(Buffer.from([0, 0, 0, 0])).update(pass).digest(),
        createHash('sha1').update(Buffer.from([0, 0, 0, 1])).update(pass).digest(),
      ]).subarray(0, 32);
      iv = Buffer.alloc(16);
    }
  } else {
    macAlgo = 'sha256';
    if (encrypted) {
      const derived = deriveArgon2(ppk, pass, ctx);
      cipherKey = derived.subarray(0, 32);
      iv = derived.subarray(32, 48);
      macKey = derived.subarray(48, 80);
    } else {
      macKey = Buffer.alloc(0);
    }
  }

  let priv = ppk.privateBlob;
  if (cipherKey !== undefined && iv !== undefined) {
    if (priv.length === 0 || priv.length % 16 !== 0) throw damaged(ctx, 'the encrypted private key has a bad length');
    const d = createDecipheriv('aes-256-cbc', cipherKey, iv);
    d.setAutoPadding(false);
    priv = Buffer.concat([d.update(priv), d.final()]);
  }

  const macData = concat(
    sshString(ppk.algorithm),
    sshString(ppk.encryption),
    sshString(ppk.commentRaw),
    sshString(ppk.publicBlob),
    sshString(priv),
  );
  const mac = createHmac(macAlgo, macKey).update(macData).digest();
  if (mac.length !== ppk.mac.length || !timingSafeEqual(mac, ppk.mac)) {
    // With encryption, a wrong passphrase and a tampered file look the same (PuTTY says the same).
    if (encrypted) throw wrongPassphrase(ctx);
    throw damaged(ctx, 'its integrity check (Private-MAC) failed');
  }

  const parts = ppkToParts(ppk.algorithm, ppk.publicBlob, priv, ctx);
  const comment = ppk.commentRaw.toString('utf8');
  return finish(ctx, encodeOpenSsh(parts, ppk.commentRaw), undefined, comment, ppk.publicBlob);
}

/** Splits the text of a .ppk file into its fields (no cryptography yet). */
function parsePpkText(text: string, ctx: Ctx): PpkFile {
  const lines = text.split(/\r\n|\r|\n/);
  const first = /^PuTTY-User-Key-File-(\d+): (.*)$/.exec(lines[0] ?? '');
  if (first === null) throw damaged(ctx, 'bad first line');
  const version = Number(first[1]);
  if (version !== 2 && version !== 3) {
    throw unsupported(ctx, `PuTTY key file version ${first[1]} (only versions 2 and 3 are supported${version === 1 ? '; load and save the key with a current PuTTYgen' : ''})`);
  }
  const algorithm = first[2]!;

  const headers = new Map<string, string>();
  const blobs = new Map<string, string>();
  let i = 1;
  while (i < lines.length) {
    const line = lines[i++]!;
    const m = /^([A-Za-z0-9-]+): ?(.*)$/.exec(line);
    if (m === null) throw damaged(ctx, `unexpected line ${i}`);
    const name = m[1]!;
    const value = m[2]!;
    if (headers.has(name)) throw damaged(ctx, `duplicate '${name}' line`);
    headers.set(name, value);
    if (name === 'Public-Lines' || name === 'Private-Lines') {
      if (!/^\d{1,6}$/.test(value)) throw damaged(ctx, `bad '${name}' value`);
      const n = Number(value);
      if (i + n > lines.length) throw damaged(ctx, 'the file is truncated');
      blobs.set(name, lines.slice(i, i + n).join(''));
      i += n;
    }
    if (name === 'Private-MAC') break;
  }
  if (lines.slice(i).some((l) => l.trim() !== '')) throw damaged(ctx, 'unexpected data after Private-MAC');

  const need = (name: string): string => {
    const v = headers.get(name);
    if (v === undefined) throw damaged(ctx, `no '${name}' line`);
    return v;
  };
  const encryption = need('Encryption');
  if (encryption !== 'none' && encryption !== 'aes256-cbc') throw unsupported(ctx, `encryption '${encryption}'`);
  const commentRaw = Buffer.from(need('Comment'), 'latin1');
  need('Public-Lines');
  need('Private-Lines');
  const macHex = need('Private-MAC');
  const macLen = version === 2 ? 20 : 32;
  if (!new RegExp(`^[0-9a-fA-F]{${macLen * 2}}$`).test(macHex)) throw damaged(ctx, 'bad Private-MAC line');

  const publicBlob = decodeBase64(blobs.get('Public-Lines')!);
  const privateBlob = decodeBase64(blobs.get('Private-Lines')!);
  if (publicBlob === undefined) throw damaged(ctx, 'invalid base64 data in the public key');
  if (privateBlob === undefined) throw damaged(ctx, 'invalid base64 data in the private key');
  return {
    version,
    algorithm,
    encryption,
    commentRaw,
    headers,
    publicBlob,
    privateBlob,
    mac: Buffer.from(macHex, 'hex'),
  };
}

/** Largest Argon2 memory (KiB) we agree to use: the cap of @noble/hashes' default budget, 1 GiB. */
const ARGON2_MAX_MEMORY_KIB = 1024 * 1024;
const ARGON2_MAX_PASSES = 10_000;

/** Runs Argon2 with the parameters stored in a v3 file: 32 bytes key, 16 IV, 32 MAC key. */
function deriveArgon2(ppk: PpkFile, pass: Buffer, ctx: Ctx): Buffer {
  const h = (name: string): string => {
    const v = ppk.headers.get(name);
    if (v === undefined) throw damaged(ctx, `no '${name}' line`);
    return v;
  };
  const kdfName = h('Key-Derivation');
  const kdf = { Argon2id: argon2id, Argon2i: argon2i, Argon2d: argon2d }[kdfName];
  if (kdf === undefined) throw unsupported(ctx, `key derivation '${kdfName}'`);
  const int = (name: string, max: number): number => {
    const v = h(name);
    if (!/^\d{1,10}$/.test(v)) throw damaged(ctx, `bad '${name}' value`);
    const n = Number(v);
    if (n < 1 || n > max) throw unsupported(ctx, `'${name}: ${v}' is out of the supported range`);
    return n;
  };
  const m = int('Argon2-Memory', ARGON2_MAX_MEMORY_KIB);
  const t = int('Argon2-Passes', ARGON2_MAX_PASSES);
  const p = int('Argon2-Parallelism', 255);
  const saltHex = h('Argon2-Salt');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(saltHex)) throw damaged(ctx, "bad 'Argon2-Salt' value");
  const salt = Buffer.from(saltHex, 'hex');
  try {
    return Buffer.from(kdf(pass, salt, { m, t, p, dkLen: 80 }));
  } catch (e) {
    throw unsupported(ctx, `Argon2 parameters rejected (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The pieces of an `openssh-key-v1` private key entry. */
interface KeyParts {
  type: string;
  /** SSH wire-format public key */
  publicBlob: Buffer;
  /** the fields after the key type in the private section */
  privateFields: Buffer;
}

const ECDSA_CURVES: Record<string, { curve: string; scalarBytes: number }> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', scalarBytes: 32 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', scalarBytes: 48 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', scalarBytes: 66 },
};

/** Converts a .ppk public + decrypted private blob to OpenSSH private-key fields. */
function ppkToParts(algorithm: string, publicBlob: Buffer, priv: Buffer, ctx: Ctx): KeyParts {
  const pub = new Reader(publicBlob);
  const prv = new Reader(priv);
  try {
    const blobType = pub.string().toString('latin1');
    if (blobType !== algorithm) throw damaged(ctx, `the public key is '${blobType}', the header says '${algorithm}'`);
    switch (algorithm) {
      case 'ssh-rsa': {
        // public: e, n; private: d, p, q, iqmp. OpenSSH order: n, e, d, iqmp, p, q.
        const e = pub.mpint();
        const n = pub.mpint();
        pub.end();
        const d = prv.mpint();
        const p = prv.mpint();
        const q = prv.mpint();
        const iqmp = prv.mpint();
        return { type: algorithm, publicBlob, privateFields: concat(...[n, e, d, iqmp, p, q].map(sshString)) };
      }
      case 'ssh-dss': {
        const p = pub.mpint();
        const q = pub.mpint();
        const g = pub.mpint();
        const y = pub.mpint();
        pub.end();
        const x = prv.mpint();
        return { type: algorithm, publicBlob, privateFields: concat(...[p, q, g, y, x].map(sshString)) };
      }
      case 'ssh-ed25519': {
        const a = pub.string();
        pub.end();
        if (a.length !== 32) throw damaged(ctx, 'bad Ed25519 public key length');
        let seed = prv.string();
        // PuTTY writes exactly 32 bytes; tolerate an mpint-style leading zero.
        if (seed.length === 33 && seed[0] === 0) seed = seed.subarray(1);
        if (seed.length !== 32) throw damaged(ctx, 'bad Ed25519 private key length');
        return { type: algorithm, publicBlob, privateFields: concat(sshString(a), sshString(Buffer.concat([seed, a]))) };
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521': {
        const info = ECDSA_CURVES[algorithm]!;
        const curve = pub.string().toString('latin1');
        if (curve !== info.curve) throw damaged(ctx, `curve '${curve}' does not match key type '${algorithm}'`);
        const point = pub.string();
        pub.end();
        if (point.length !== 1 + 2 * info.scalarBytes || point[0] !== 4) throw damaged(ctx, 'bad ECDSA public point');
        const d = prv.mpint();
        return { type: algorithm, publicBlob, privateFields: concat(sshString(curve), sshString(point), sshString(d)) };
      }
      default:
        throw unsupported(ctx, `key type '${algorithm}'`);
    }
  } catch (e) {
    if (e instanceof KeyError) throw e;
    throw damaged(ctx, 'the key data is truncated or malformed');
  }
}

/** Encodes one key as an unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` block. */
function encodeOpenSsh(parts: KeyParts, comment: Buffer): string {
  const check = randomBytes(4);
  let section = concat(check, check, sshString(parts.type), parts.privateFields, sshString(comment));
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, k) => k + 1))]);
  const body = concat(
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(Buffer.alloc(0)),
    u32(1),
    sshString(parts.publicBlob),
    sshString(section),
  );
  const b64 = body.toString('base64').replace(/.{70}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

// ---------------------------------------------------------------------------
// Small binary helpers (SSH wire format, RFC 4251 section 5)

/** Thrown by Reader when data runs out; turned into a KeyError by callers. */
class ShortData extends Error {}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  raw(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new ShortData();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): Buffer {
    return this.raw(this.raw(4).readUInt32BE(0));
  }

  /** An mpint, returned in canonical form (no extra leading zeros); must be positive. */
  mpint(): Buffer {
    const b = this.string();
    if (b.length > 0 && (b[0]! & 0x80) !== 0) throw new ShortData();
    return canonicalMpint(b);
  }

  /** Requires that everything was read. */
  end(): void {
    if (this.pos !== this.buf.length) throw new ShortData();
  }
}

function canonicalMpint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  const stripped = b.subarray(i);
  return stripped.length > 0 && (stripped[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.alloc(1), stripped]) : stripped;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return Buffer.concat([u32(b.length), b]);
}

function concat(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts);
}

/** Strict base64 decoding (Buffer.from silently skips bad characters). */
function decodeBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}
