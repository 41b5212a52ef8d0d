/**
 * FTP protocol helpers: reply texts and error codes, PASV/EPSV replies and the passive address
 * rule (raw FtpForcePasvIp2), FEAT and PWD replies, raw setting values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoSwitch, parseFeat, parsePwd, tlsVersion, utfSetting } from '../../src/transports/ftp.js';
import { parseEpsv, parsePasv, pasvHost } from '../../src/transports/ftp/connection.js';
import { connectionLost, replyCode, replyError, replyLines } from '../../src/transports/ftp/errors.js';
import { normaliseAlgorithm } from '../../src/transports/ftp/transport.js';

describe('replies', () => {
  it('text lines without reply codes', () => {
    assert.deepEqual(replyLines('550 Failed to open file.'), ['Failed to open file.']);
    assert.deepEqual(replyLines('211-Features:\r\n UTF8\r\n211 End'), ['Features:', ' UTF8', 'End']);
  });

  it('codes: 550 by its text, else by the command; 421 lost; 500 unsupported; 530 access', () => {
    const c = (code: number, message: string, fb?: Parameters<typeof replyCode>[1]) => replyCode({ code, message: `${code} ${message}` }, fb);
    assert.equal(c(550, 'Failed to open file.'), 'ENOENT');
    assert.equal(c(550, 'Delete operation failed.', 'EFAILURE'), 'EFAILURE');
    assert.equal(c(550, 'Permission denied.'), 'EACCES');
    assert.equal(c(550, 'Directory not empty'), 'ENOTEMPTY');
    assert.equal(c(550, 'x: No such file or directory'), 'ENOENT');
    assert.equal(c(550, 'File exists'), 'EEXIST');
    assert.equal(c(553, 'Could not create file.'), 'EFAILURE');
    assert.equal(c(421, 'Timeout.'), 'ECONNLOST');
    assert.equal(c(500, 'Unknown command.'), 'EUNSUPPORTED');
    assert.equal(c(530, 'Please login with USER and PASS.'), 'EACCES');
    assert.equal(c(451, 'Local error'), 'EFAILURE');
    const e = replyError({ code: 550, message: '550 Failed to change directory.' });
    assert.deepEqual([e.code, e.details], ['ENOENT', ['Failed to change directory.']]);
    const lost = connectionLost(new Error('Client is closed because Server sent FIN packet unexpectedly, closing connection.'));
    assert.deepEqual([lost.code, lost.details[0]], ['ECONNLOST', 'Lost connection.']);
  });
});

describe('passive mode', () => {
  it('PASV and EPSV replies', () => {
    assert.deepEqual(parsePasv('227 Entering Passive Mode (127,0,0,1,239,94).'), { host: '127.0.0.1', port: 239 * 256 + 94 });
    assert.deepEqual(parsePasv('227 =10,1,2,3,4,1'), { host: '10.1.2.3', port: 1025 });
    assert.equal(parseEpsv('229 Entering Extended Passive Mode (|||6446|)'), 6446);
    assert.equal(parseEpsv('229 ok (!!!21!)'), 21);
    assert.throws(() => parsePasv('227 nothing'), /Invalid response to PASV/);
  });

  it('FtpForcePasvIp2: on uses the control address, off the reply, auto only for NAT artefacts', () => {
    assert.equal(pasvHost('10.0.0.5', '203.0.113.7', 'on'), '203.0.113.7');
    assert.equal(pasvHost('198.51.100.1', '203.0.113.7', 'on'), '203.0.113.7');
    assert.equal(pasvHost('10.0.0.5', '203.0.113.7', 'off'), '10.0.0.5');
    assert.equal(pasvHost('10.0.0.5', '203.0.113.7', 'auto'), '203.0.113.7');
    assert.equal(pasvHost('198.51.100.1', '203.0.113.7', 'auto'), '198.51.100.1');
    assert.equal(pasvHost('10.0.0.5', '192.168.1.2', 'auto'), '10.0.0.5');
    assert.equal(pasvHost('0.0.0.0', '192.168.1.2', 'off'), '192.168.1.2');
  });
});

describe('session replies and raw settings', () => {
  it('FEAT: commands upper case with their arguments; repeated SITE lines joined', () => {
    const f = parseFeat({ code: 211, message: '211-Features:\r\n UTF8\r\n mdtm\r\n HASH SHA-1;SHA-256*;MD5\r\n SITE CHMOD\r\n SITE SYMLINK\r\n REST STREAM\r\n211 End' });
    assert.deepEqual([...f.keys()], ['UTF8', 'MDTM', 'HASH', 'SITE', 'REST']);
    assert.equal(f.get('HASH'), 'SHA-1;SHA-256*;MD5');
    assert.equal(f.get('SITE'), 'CHMOD;SYMLINK');
    assert.equal(parseFeat({ code: 500, message: '500 Unknown command.' }).size, 0);
  });

  it('PWD: quoted (with doubled quotes), single-quoted, bare; trailing slashes dropped', () => {
    assert.equal(parsePwd('257 "/home/u" is the current directory'), '/home/u');
    assert.equal(parsePwd('257 "/a ""b""/" is current'), '/a "b"');
    assert.equal(parsePwd("257 '/x'"), '/x');
    assert.equal(parsePwd('257 "/"'), '/');
    assert.equal(parsePwd('257 "C:/data"'), '/C:/data');
  });

  it('raw setting values', () => {
    assert.deepEqual(['0', '1', '2', undefined, 'on', 'OFF'].map(autoSwitch), ['on', 'off', 'auto', 'auto', 'on', 'off']);
    assert.deepEqual(['0', '1', '2', undefined].map(utfSetting), ['off', 'on', 'auto', 'auto']);
    assert.deepEqual(['10', '11', '12', '13', 'x'].map(tlsVersion), ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', undefined]);
    assert.deepEqual(['SHA-256', 'sha1', 'Sha-512', 'MD5', 'crc'].map(normaliseAlgorithm), ['sha256', 'sha1', 'sha512', 'md5', 'crc32']);
  });
});

describe('raw TimeDifference', () => {
  it('reads the hex form of a little-endian double of days, and plain days', async () => {
    const { parseTimeDifference } = await import('../../src/transports/ftp/times.js');
    assert.equal(parseTimeDifference('555555555555A5BF'), -3_600_000);
    assert.equal(parseTimeDifference('0000000000000000'), 0);
    assert.equal(parseTimeDifference('0.125'), 3 * 3_600_000);
    assert.equal(parseTimeDifference('-1.5'), -36 * 3_600_000);
    assert.equal(parseTimeDifference('2'), undefined);
    assert.equal(parseTimeDifference('1h'), undefined);
  });
});
