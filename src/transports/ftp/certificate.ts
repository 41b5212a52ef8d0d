/**
 * TLS server certificates of FTPS sessions (script spec §11.4, last part): fingerprints,
 * matching against `-certificate` / `-hostkey`, and the text of WinSCP's "certificate is not
 * known" query.
 *
 * Accepted fingerprint forms, several separated by `;`: SHA-256 (32 bytes) or SHA-1 (20 bytes) as
 * hex byte pairs separated by `:` or `-`, case-insensitive; `*` accepts any certificate.
 *
 * compat: hex without separators is accepted too (WinSCP compares the separated form only); it
 * cannot make a working WinSCP script fail.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What the query and the checks need of a server certificate. */
export interface CertificateInfo {
  /** `aa:bb:…` lower case. */
  sha256: string;
  sha1: string;
  subject: Map<string, string>;
  issuer: Map<string, string>;
  validFrom: Date;
  validTo: Date;
  /** Signed by itself (issuer = subject). */
  selfSigned: boolean;
}

/** `CN=x\nO=y` (X509Certificate.subject) to a map. */
function dn(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) m.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return m;
}

/** Fingerprints, names and validity of a DER certificate. */
export function describeCertificate(der: Buffer): CertificateInfo {
  const x = new X509Certificate(der);
  return {
    sha256: x.fingerprint256.toLowerCase(),
    sha1: x.fingerprint.toLowerCase(),
    subject: dn(x.subject),
    issuer: dn(x.issuer),
    validFrom: new Date(x.validFrom),
    validTo: new Date(x.validTo),
    selfSigned: x.subject === x.issuer,
  };
}

/** A parsed `-certificate` / `-hostkey` value. */
export interface CertificateFingerprints {
  /** `*` was among them. */
  any: boolean;
  /** Normalised (`aa:bb:…`, lower case) SHA-256 / SHA-1 fingerprints. */
  hex: string[];
  /** Alternatives that are not a fingerprint of either kind. */
  invalid: string[];
}

/** Normalises one fingerprint to `aa:bb:…` lower case, or undefined. */
export function normaliseCertificateFingerprint(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  let bytes: string[] | undefined;
  if (/^[0-9a-f]{2}([:-][0-9a-f]{2})+$/.test(t)) bytes = t.split(/[:-]/);
  else if (/^([0-9a-f]{2})+$/.test(t)) bytes = t.match(/../g) ?? undefined;
  if (!bytes || (bytes.length !== 32 && bytes.length !== 20)) return undefined;
  return bytes.join(':');
}

/** Splits a `;` list into `*`, fingerprints and anything else. */
export function parseCertificateFingerprints(text: string): CertificateFingerprints {
  const out: CertificateFingerprints = { any: false, hex: [], invalid: [] };
  for (const part of text.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    if (p === '*') {
      out.any = true;
      continue;
    }
    const n = normaliseCertificateFingerprint(p);
    if (n) out.hex.push(n);
    else out.invalid.push(p);
  }
  return out;
}

/** The configured list names this certificate (by SHA-256 or SHA-1). `*` is not a match here. */
export function certificateListed(list: CertificateFingerprints, info: Pick<CertificateInfo, 'sha256' | 'sha1'>): boolean {
  return list.hex.includes(info.sha256) || list.hex.includes(info.sha1);
}

function joinNonEmpty(parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => Boolean(p)).join(', ');
}

function contactLines(m: Map<string, string>): string[] {
  const lines = [`- Organization: ${joinNonEmpty([m.get('O'), m.get('OU'), m.get('CN'), m.get('emailAddress')])}`];
  const loc = joinNonEmpty([m.get('C'), m.get('ST'), m.get('L')]);
  if (loc) lines.push(`- Location: ${loc}`);
  return lines;
}

/**
 * compat: WinSCP shows the validity in the Windows locale's date format; winscript uses
 * `YYYY-MM-DD hh:mm:ss` local time.
 */
function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Why the certificate is not trusted, as WinSCP summarises it: the chain error (Node's
 * verification code), and for an IP address that the name cannot be verified.
 */
export function certificateSummary(opts: { authorizationError?: string; host: string; hostIsIp: boolean; depth?: number }): string[] {
  const lines: string[] = [];
  const texts: Record<string, string> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: 'Self-signed certificate.',
    SELF_SIGNED_CERT_IN_CHAIN: 'Self-signed certificate in certificate chain.',
    UNABLE_TO_GET_ISSUER_CERT: 'Unable to get issuer certificate.',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'Unable to get local issuer certificate.',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'Unable to verify the first certificate.',
    CERT_HAS_EXPIRED: 'Certificate has expired.',
    CERT_NOT_YET_VALID: 'Certificate is not yet valid.',
    CERT_SIGNATURE_FAILURE: 'Certificate signature failure.',
    CERT_UNTRUSTED: 'Certificate not trusted.',
    CERT_REJECTED: 'Certificate rejected.',
    INVALID_CA: 'Invalid CA certificate.',
    CERT_CHAIN_TOO_LONG: 'Certificate chain too long.',
  };
  const err = opts.authorizationError;
  if (err && err !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const t = texts[err] ?? `Unknown certificate verification error. (${err})`;
    lines.push(`${t} The error occurred at a depth of ${opts.depth ?? 1} in the certificate chain.`);
  }
  if (opts.hostIsIp) {
    lines.push('When connecting using an IP address, it is not possible to verify if the certificate was issued for the server. Use a hostname instead of the IP address.');
  } else if (err === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    lines.push(`Certificate was not issued for this server. You might be connecting to a server that is pretending to be "${opts.host}".`);
  }
  if (lines.length === 0) lines.push('Certificate is valid.');
  return lines;
}

/**
 * The lines of WinSCP's query for a certificate that is neither trusted, cached nor configured
 * (the answers follow it: Yes = accept and cache, No = accept once, Cancel = abandon).
 */
export function unknownCertificateQuery(info: CertificateInfo, summary: string[]): string[] {
  return [
    "The server's certificate is not known. You have no guarantee that the server is the computer you think it is.",
    '',
    "Server's certificate details follow:",
    '',
    'Issuer:',
    ...contactLines(info.issuer),
    'Subject:',
    ...contactLines(info.subject),
    `Valid: ${stamp(info.validFrom)} – ${stamp(info.validTo)}`,
    '',
    'Fingerprints:',
    `- SHA-256: ${info.sha256}`,
    `- SHA-1: ${info.sha1}`,
    '',
    `Summary: ${summary.join('\n\n')}`,
    '',
    'If you trust this certificate, press Yes. To connect without storing certificate, press No. To abandon the connection press Cancel.',
    '',
    'Continue connecting and store the certificate?',
  ];
}

/**
 * winscript's certificate cache: `ftps_certificates` next to the host-key cache, one
 * `<host>:<port> <sha256>` line per accepted certificate. `/ini=nul` uses none.
 *
 * compat: WinSCP keeps accepted certificates in its registry/INI configuration.
 */
export function certificateCacheFile(hostKeyCache: string): string {
  return path.join(path.dirname(hostKeyCache), 'ftps_certificates');
}

/** The certificate was accepted (answer Yes) for this host and port before. */
export function isCertificateCached(file: string, host: string, port: number, sha256: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const key = `${host}:${port}`;
  return text.split('\n').some((l) => {
    const [k, fp] = l.trim().split(/\s+/);
    return k === key && fp?.toLowerCase() === sha256;
  });
}

/** Adds an accepted certificate to the cache. */
export function cacheCertificate(file: string, host: string, port: number, sha256: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.appendFileSync(file, `${host}:${port} ${sha256}\n`, { mode: 0o600 });
}
