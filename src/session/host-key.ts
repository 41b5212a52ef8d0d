/**
 * SSH host-key fingerprints and verification (script spec §11.4).
 *
 * Accepted forms, several separated by `;`: `<type> <bits> <checksum>`, `<type>-<checksum>`,
 * `<checksum>`; checksums are SHA-256 base64 (padding optional, standard or URL-safe alphabet,
 * compared case-sensitively) or MD5 hex pairs separated by `:` or `-` (case-insensitive); `*`
 * accepts any key. The bit count is not compared.
 *
 * compat: an OpenSSH-style `SHA256:` prefix before the checksum is accepted (WinSCP rejects
 * it); it cannot make a working WinSCP script fail, and `ssh-keygen -l` prints it that way.
 */
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-ed448',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-256',
  'rsa-sha2-512',
];

export interface HostKeyInfo {
  /** Key type from the blob, e.g. `ssh-ed25519`. */
  type: string;
  bits: number;
  /** SHA-256 base64 without padding. */
  sha256: string;
  /** MD5 as lower-case `aa:bb:…`. */
  md5: string;
  blob: Buffer;
}

function readString(buf: Buffer, offset: number): [Buffer, number] {
  const len = buf.readUInt32BE(offset);
  return [buf.subarray(offset + 4, offset + 4 + len), offset + 4 + len];
}

function mpintBits(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/** Describes a host key from its SSH wire blob. */
export function describeHostKey(blob: Buffer): HostKeyInfo {
  let type = 'unknown';
  let bits = 0;
  try {
    const [t, o1] = readString(blob, 0);
    type = t.toString('latin1');
    if (type === 'ssh-ed25519') bits = 255;
    else if (type === 'ssh-ed448') bits = 448;
    else if (type.startsWith('ecdsa-sha2-nistp')) bits = Number(type.slice('ecdsa-sha2-nistp'.length));
    else if (type === 'ssh-rsa') {
      const [, o2] = readString(blob, o1); // e
      bits = mpintBits(readString(blob, o2)[0]);
    } else if (type === 'ssh-dss') bits = mpintBits(readString(blob, o1)[0]);
  } catch {
    /* malformed blob: keep defaults */
  }
  const sha256 = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  const md5 = createHash('md5').update(blob).digest('hex').replace(/(..)(?=.)/g, '$1:');
  return { type, bits, sha256, md5, blob };
}

/** `ssh-ed25519 255 <sha256>`, as in `Host key fingerprint is …`. */
export function fingerprintText(k: HostKeyInfo): string {
  return `${k.type} ${k.bits} ${k.sha256}`;
}

export interface ExpectedFingerprint {
  any: boolean;
  type?: string;
  /** Normalised checksum: SHA-256 standard base64 without padding, or MD5 lower-case `aa:bb`. */
  checksum?: string;
  kind?: 'sha256' | 'md5';
}

const MD5_RE = /^[0-9a-f]{2}([:-][0-9a-f]{2}){15}$/i;

function normaliseChecksum(c: string): { checksum: string; kind: 'sha256' | 'md5' } | undefined {
  let s = c.trim();
  if (MD5_RE.test(s)) return { checksum: s.toLowerCase().replace(/-/g, ':'), kind: 'md5' };
  if (s.startsWith('SHA256:')) s = s.slice(7);
  if (/^[A-Za-z0-9+/_-]+=*$/.test(s)) {
    const std = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    if (std.length === 43) return { checksum: std, kind: 'sha256' };
  }
  return undefined;
}

/** Parses one alternative; undefined when it is not a valid fingerprint. */
export function parseFingerprint(text: string): ExpectedFingerprint | undefined {
  const t = text.trim();
  if (t === '*') return { any: true };
  const parts = t.split(/\s+/);
  if (parts.length === 3) {
    if (!/^\d+$/.test(parts[1]!)) return undefined;
    const c = normaliseChecksum(parts[2]!);
    return c && { any: false, type: parts[0]!.toLowerCase(), ...c };
  }
  if (parts.length === 2) {
    const c = normaliseChecksum(parts[1]!);
    return c && { any: false, type: parts[0]!.toLowerCase(), ...c };
  }
  if (parts.length !== 1) return undefined;
  for (const type of KEY_TYPES) {
    if (t.toLowerCase().startsWith(type + '-')) {
      const c = normaliseChecksum(t.slice(type.length + 1));
      if (c) return { any: false, type, ...c };
    }
  }
  const c = normaliseChecksum(t);
  return c && { any: false, ...c };
}

/** Parses a `;` list; returns the parsed alternatives and the ones that could not be read. */
export function parseFingerprintList(text: string): { list: ExpectedFingerprint[]; invalid: string[] } {
  const list: ExpectedFingerprint[] = [];
  const invalid: string[] = [];
  for (const alt of text.split(';')) {
    if (alt.trim() === '') continue;
    const f = parseFingerprint(alt);
    if (f) list.push(f);
    else invalid.push(alt.trim());
  }
  return { list, invalid };
}

export function fingerprintMatches(f: ExpectedFingerprint, k: HostKeyInfo): boolean {
  if (f.any) return true;
  if (f.type && f.type !== k.type.toLowerCase()) return false;
  return f.kind === 'md5' ? f.checksum === k.md5 : f.checksum === k.sha256;
}

// ---------------------------------------------------------------- host-key cache

/**
 * winscript's host-key cache: `$XDG_CONFIG_HOME/winscript/known_hosts` (default
 * `~/.config/winscript/known_hosts`), in OpenSSH known_hosts format. `~/.ssh/known_hosts` is read
 * too, never written. `/ini=nul` uses neither.
 */
export function defaultCachePath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'winscript', 'known_hosts');
}

function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function lineMatchesHost(hosts: string, host: string, port: number): boolean {
  const want = hostPattern(host, port);
  for (const h of hosts.split(',')) {
    if (h.startsWith('|1|')) {
      // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, host pattern))
      const [, , salt, hash] = h.split('|');
      if (salt && hash && createHmac('sha1', Buffer.from(salt, 'base64')).update(want).digest('base64') === hash) return true;
    } else if (h === want) return true;
  }
  return false;
}

/** Keys known for a host and port: [type, blob] pairs from the given known_hosts files. */
export function knownKeys(files: string[], host: string, port: number): { type: string; blob: Buffer }[] {
  const out: { type: string; blob: Buffer }[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
      const [hosts, type, b64] = line.split(/\s+/);
      if (!hosts || !type || !b64) continue;
      if (lineMatchesHost(hosts, host, port)) out.push({ type, blob: Buffer.from(b64, 'base64') });
    }
  }
  return out;
}

/** Appends a key to winscript's cache (`acceptnew`, or accepted at a prompt). */
export function cacheKey(file: string, host: string, port: number, k: HostKeyInfo): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.appendFileSync(file, `${hostPattern(host, port)} ${k.type} ${k.blob.toString('base64')}\n`, { mode: 0o600 });
}
