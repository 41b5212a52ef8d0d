/**
 * TLS certificate fingerprints of FTPS sessions (script spec §11.4): every accepted form, `;`
 * lists and `*`, the query text for an unknown certificate, and the certificate cache.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  cacheCertificate,
  certificateCacheFile,
  certificateListed,
  certificateSummary,
  describeCertificate,
  isCertificateCached,
  normaliseCertificateFingerprint,
  parseCertificateFingerprints,
  unknownCertificateQuery,
} from '../../src/transports/ftp/certificate.js';

/** A self-signed test certificate (public part only; its key was thrown away). */
const PEM = `-----BEGIN CERTIFICATE-----
MIID4jCCAsqgAwIBAgIUSeKeM1eiOdRV1GEoQfM+FrUw8+kwDQYJKoZIhvcNAQEL
BQAwcjELMAkGA1UEBhMCQ1oxDzANBgNVBAgMBlByYWd1ZTEPMA0GA1UEBwwGUHJh
Z3VlMRcwFQYDVQQKDA5XaW5zY3JpcHQgVGVzdDENMAsGA1UECwwEVW5pdDEZMBcG
A1UEAwwQZnRwLmV4YW1wbGUudGVzdDAeFw0yNjEyMDExODUxNDdaFw0zNjExMjgx
ODUxNDdaMHIxCzAJBgNVBAYTAkNaMQ8wDQYDVQQIDAZQcmFndWUxDzANBgNVBAcM
BlByYWd1ZTEXMBUGA1UECgwOV2luc2NyaXB0IFRlc3QxDTALBgNVBAsMBFVuaXQx
GTAXBgNVBAMMEGZ0cC5leGFtcGxlLnRlc3QwggEiMA0GCSqGSIb3DQEBAQUAA4IB
DwAwggEKAoIBAQC4bcyIJgp7LWU9O1WHCWtVmpdgYnospoV96INADh9fvxojsVSz
gX7pzy/ksg2+PfHdvoOm4cbe6Z7NZsSjO1ixl4apiM1zZepRoS5rKZChPXd3UfAb
/+hdj117CB+79qXwwKoiaDpCEiqF64AMyaWXdduJQXDzjBrGDX+hln6I7RuWkzdc
+6LM8ilJSrEVG4PJ5y5GOGjeaoq+262udCsyfH35dTrqvvD1MmPq5g4j18iTeoY1
qa/EI2CZJ92ImIluGsg96FzBj59WdcN3t4hizgfoYsmfMJEghHo3o6fC3A4rHAY4
vakUkGWyGHUC+BMLS4frKSg7+hrfhkQf993bAgMBAAGjcDBuMB0GA1UdDgQWBBQZ
KLfyHaga21wCmASzsjSJ95IJZjAfBgNVHSMEGDAWgBQZKLfyHaga21wCmASzsjSJ
95IJZjAPBgNVHRMBAf8EBTADAQH/MBsGA1UdEQQUMBKCEGZ0cC5leGFtcGxlLnRl
c3QwDQYJKoZIhvcNAQELBQADggEBABd8IafMUiWJaoQHehakYHJkrlz+1zKtQj5l
rf1+X0hT6l0Sz06FbzTjH4t7eFPoWjSQ5oL00v1JnI+sSZ3UXjucM2SGguFZ11tT
FQpC4L7DA+h6PPKKme4njcEXNdvg0AbpjMFS9Ivmcsy4+wweys2+ZiyW+gJD/VHF
QKpcbbI+zvShSqP8jCQDzuNFLf6IDoCuNYxjyGsdAFhFsWli43lCk55e12Z/e6az
87aqwrjVkPZvFFKV6qeDQIiqnx7AOk0ytsFIbyqHpWmE05m0up5taFfidCDrqaql
zdXrdrwDT1IXz2ZfkRyPdfer0sJ+vVagdgqHo5zARtDK07pxZg8=
-----END CERTIFICATE-----
`;
const SHA256 = '2b:da:c9:c8:de:24:2b:d4:98:4d:1c:78:97:8f:6c:23:29:29:50:50:06:a4:ca:c4:7d:f9:5b:e0:72:33:c0:6d';
const SHA1 = 'da:b9:79:d0:17:bc:77:6c:eb:d7:48:7f:7f:19:97:fe:88:35:f9:30';
const info = describeCertificate(new X509Certificate(PEM).raw);

describe('certificate description', () => {
  it('fingerprints in lower-case hex pairs, subject and issuer, validity', () => {
    assert.equal(info.sha256, SHA256);
    assert.equal(info.sha1, SHA1);
    assert.equal(info.subject.get('CN'), 'ftp.example.test');
    assert.equal(info.issuer.get('O'), 'Winscript Test');
    assert.ok(info.selfSigned);
    assert.ok(info.validTo.getTime() > info.validFrom.getTime());
  });
});

describe('fingerprint forms (-certificate / -hostkey)', () => {
  it('SHA-256 and SHA-1, `:` or `-` separated, any case (and bare hex)', () => {
    for (const form of [SHA256, SHA256.toUpperCase(), SHA256.replace(/:/g, '-'), SHA1, SHA1.toUpperCase().replace(/:/g, '-'), SHA256.replace(/:/g, ''), `  ${SHA1}  `]) {
      const n = normaliseCertificateFingerprint(form);
      assert.ok(n === SHA256 || n === SHA1, form);
      assert.ok(certificateListed(parseCertificateFingerprints(form), info), form);
    }
  });

  it('wrong lengths and other text are not fingerprints', () => {
    for (const bad of ['', 'ab:cd', SHA256.slice(3), 'ssh-ed25519 255 AAAA', 'zz:'.repeat(19) + 'zz', `${SHA256}:00`]) {
      assert.equal(normaliseCertificateFingerprint(bad), undefined, bad);
    }
  });

  it('`;` alternatives, `*`, and a list without a match', () => {
    const wrong = SHA256.replace(/[0-9a-f]/g, '0');
    const list = parseCertificateFingerprints(`${wrong}; ${SHA1.toUpperCase()} ;junk`);
    assert.deepEqual(list.hex, [wrong, SHA1]);
    assert.deepEqual(list.invalid, ['junk']);
    assert.ok(certificateListed(list, info));
    assert.ok(!certificateListed(parseCertificateFingerprints(wrong), info));
    const any = parseCertificateFingerprints('*');
    assert.ok(any.any);
    assert.ok(!certificateListed(any, info), '`*` is handled by the caller (with its warning)');
  });
});

describe('the unknown-certificate query', () => {
  it('shows both fingerprints, the summary and WinSCP\'s question', () => {
    const summary = certificateSummary({ authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', host: '127.0.0.1', hostIsIp: true });
    assert.deepEqual(summary, [
      'Self-signed certificate. The error occurred at a depth of 1 in the certificate chain.',
      'When connecting using an IP address, it is not possible to verify if the certificate was issued for the server. Use a hostname instead of the IP address.',
    ]);
    const lines = unknownCertificateQuery(info, summary);
    assert.equal(lines[0], "The server's certificate is not known. You have no guarantee that the server is the computer you think it is.");
    assert.ok(lines.includes(`- SHA-256: ${SHA256}`));
    assert.ok(lines.includes(`- SHA-1: ${SHA1}`));
    assert.ok(lines.includes('- Organization: Winscript Test, Unit, ftp.example.test'));
    assert.ok(lines.includes('- Location: CZ, Prague, Prague'));
    assert.equal(lines.at(-1), 'Continue connecting and store the certificate?');
  });

  it('a name mismatch and a valid chain are summarised too', () => {
    assert.deepEqual(certificateSummary({ authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID', host: 'other.test', hostIsIp: false }), [
      'Certificate was not issued for this server. You might be connecting to a server that is pretending to be "other.test".',
    ]);
    assert.deepEqual(certificateSummary({ host: 'ftp.example.test', hostIsIp: false }), ['Certificate is valid.']);
  });
});

describe('certificate cache', () => {
  it('remembers an accepted certificate per host and port', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-cert-'));
    try {
      const file = certificateCacheFile(path.join(dir, 'winscript', 'known_hosts'));
      assert.equal(file, path.join(dir, 'winscript', 'ftps_certificates'));
      assert.ok(!isCertificateCached(file, 'h', 21, SHA256));
      cacheCertificate(file, 'h', 21, SHA256);
      assert.ok(isCertificateCached(file, 'h', 21, SHA256));
      assert.ok(!isCertificateCached(file, 'h', 990, SHA256));
      assert.ok(!isCertificateCached(file, 'h', 21, SHA1));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
