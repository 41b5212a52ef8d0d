/**
 * The host-key decision of `open` (script spec §11.4): cache, then `-hostkey` (or the URL's
 * `fingerprint=` when nothing is cached), then `acceptnew`, then a prompt (interactive) or a
 * fatal error (batch, `/ini=nul`). A mismatch never connects.
 */
import os from 'node:os';
import path from 'node:path';
import { ConnectError } from '../transports/ssh-connect.js';
import { cacheKey, fingerprintMatches, fingerprintText, type HostKeyInfo, knownKeys, parseFingerprintList } from './host-key.js';

export interface HostKeyPolicy {
  host: string;
  port: number;
  /** `-hostkey` value (may be `*`, `acceptnew` or a `;` list). */
  hostkey?: string;
  /** URL `;fingerprint=` value. */
  urlFingerprint?: string;
  /** No persistent configuration (`/ini=nul`): no cache at all. */
  iniNul: boolean;
  /** winscript's cache file. */
  cacheFile: string;
  /** Extra read-only known_hosts files (`~/.ssh/known_hosts`). */
  readOnlyFiles?: string[];
  /** Prints a normal output line. */
  print(line: string): void;
  /** Asks the user whether to accept (interactive only): 'cache', 'once' or 'cancel'. */
  ask?: (lines: string[]) => Promise<'cache' | 'once' | 'cancel'>;
}

function fatal(reason: string, k: HostKeyInfo): ConnectError {
  return new ConnectError([reason, `Host key fingerprint is ${fingerprintText(k)}.`, 'Authentication failed.']);
}

export function defaultReadOnlyKnownHosts(env: Record<string, string | undefined>): string[] {
  return [path.join(env.HOME || os.homedir(), '.ssh', 'known_hosts')];
}

/** Resolves true to accept the key; throws ConnectError (WinSCP's three lines) to refuse. */
export async function verifyHostKey(k: HostKeyInfo, p: HostKeyPolicy): Promise<boolean> {
  const files = p.iniNul ? [] : [p.cacheFile, ...(p.readOnlyFiles ?? [])];
  const known = knownKeys(files, p.host, p.port);
  const sameType = known.filter((x) => x.type.toLowerCase() === k.type.toLowerCase());
  if (sameType.some((x) => x.blob.equals(k.blob))) return true;

  const acceptNew = p.hostkey?.trim().toLowerCase() === 'acceptnew';
  const expected = acceptNew ? undefined : (p.hostkey ?? (known.length === 0 ? p.urlFingerprint : undefined));
  if (expected !== undefined) {
    const { list } = parseFingerprintList(expected);
    if (list.some((f) => f.any)) {
      p.print('WARNING! Giving up security and accepting any host key as configured!');
      return true;
    }
    if (list.some((f) => fingerprintMatches(f, k))) return true;
    throw fatal(`Host key does not match configured key fingerprint "${expected}"!`, k);
  }
  if (acceptNew && known.length === 0 && !p.iniNul) {
    cacheKey(p.cacheFile, p.host, p.port, k);
    return true;
  }
  if (p.iniNul) throw fatal('Expected host key was not configured, use -hostkey switch.', k);

  const changed = sameType.length > 0;
  const lines = changed
    ? [
        'WARNING - POTENTIAL SECURITY BREACH!',
        `The host key of ${p.host} differs from the one in the cache (${p.cacheFile}). Someone may be intercepting the connection, or the server's key was changed.`,
        `The server's key fingerprint is: ${fingerprintText(k)}`,
      ]
    : [
        `The host key of ${p.host} is not in the cache, so there is no guarantee that the server is the one you think it is.`,
        `The server's key fingerprint is: ${fingerprintText(k)}`,
      ];
  if (p.ask) {
    const answer = await p.ask([...lines, 'Accept it and add it to the cache (Yes), accept it once (No), or cancel (Cancel)?']);
    if (answer === 'cache') cacheKey(p.cacheFile, p.host, p.port, k);
    if (answer !== 'cancel') return true;
  } else {
    for (const l of lines) p.print(l);
    p.print('In scripting, you should use a -hostkey switch to configure the expected host key.');
  }
  throw fatal("Host key wasn't verified!", k);
}
