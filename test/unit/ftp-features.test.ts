/**
 * The FTP transport's code paths for features vsftpd does not have — MLSD/MLST listings with
 * exact UTC times, MFMT, HASH, SITE SYMLINK — against a small scripted FTP server on loopback
 * that records every command it receives.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { defaultConfig } from '../../src/interpreter/config.js';
import { Context } from '../../src/interpreter/context.js';
import { emptyDriveMap } from '../../src/local-path.js';
import type { SessionSpec } from '../../src/session/open-session.js';
import { connectFtp } from '../../src/transports/ftp.js';
import type { Transport } from '../../src/transports/transport.js';
import { LineReader } from '../../src/util/line-reader.js';

const MLSD = [
  'type=cdir;modify=20261201185100;UNIX.mode=0755; .',
  'type=file;size=5;modify=20261201165125;UNIX.mode=0644;UNIX.ownername=alice;UNIX.groupname=staff; a.txt',
  'type=dir;modify=20200102030405;UNIX.mode=0755; sub',
  'type=OS.unix=slink:/srv/a.txt;modify=20261201185100; link',
].join('\r\n') + '\r\n';

/** A scripted FTP server: MLST/MLSD, MFMT, HASH, SITE SYMLINK; PASV data connections. */
class FakeServer {
  readonly commands: string[] = [];
  private readonly server = net.createServer((c) => this.session(c));
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private session(c: net.Socket): void {
    let data: net.Server | undefined;
    let dataSocket: Promise<net.Socket> | undefined;
    const reply = (text: string) => c.write(text.replace(/\n/g, '\r\n') + '\r\n');
    const withData = async (f: (s: net.Socket) => void) => {
      const s = await dataSocket!;
      reply('150 Here it comes.');
      f(s);
      s.end(() => reply('226 Done.'));
      data?.close();
    };
    reply('220 fake');
    let buf = '';
    c.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        this.commands.push(line);
        const [verb, ...rest] = line.split(' ');
        const arg = rest.join(' ');
        switch (verb!.toUpperCase()) {
          case 'USER':
            reply('331 Password.');
            break;
          case 'PASS':
            reply('230 Logged in.');
            break;
          case 'FEAT':
            reply('211-Features:\n MLST type*;size*;modify*;UNIX.mode*;\n MFMT\n MDTM\n SIZE\n UTF8\n HASH SHA-1;SHA-256*;MD5\n SITE SYMLINK\n211 End');
            break;
          case 'PWD':
            reply('257 "/" is the current directory');
            break;
          case 'CWD':
            reply(arg === '/' || arg === '/sub' ? '250 OK.' : '550 No such directory.');
            break;
          case 'PASV':
            data = net.createServer();
            dataSocket = new Promise((r) => data!.once('connection', r));
            data.listen(0, '127.0.0.1', () => {
              const p = (data!.address() as net.AddressInfo).port;
              reply(`227 Entering Passive Mode (127,0,0,1,${p >> 8},${p & 255}).`);
            });
            break;
          case 'MLSD':
            void withData((s) => s.write(MLSD));
            break;
          case 'MLST':
            if (arg === '/a.txt') reply('250-Listing /a.txt\n type=file;size=5;modify=20261201165125;UNIX.mode=0644; /a.txt\n250 End.');
            else reply('550 No such file.');
            break;
          case 'RETR':
            void withData((s) => s.write('hello'));
            break;
          case 'MFMT':
            reply(`213 Modify=${rest[0]}; ${rest.slice(1).join(' ')}`);
            break;
          case 'OPTS':
            reply('200 OK.');
            break;
          case 'HASH':
            reply(`213 SHA-256 0-4 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 ${arg}`);
            break;
          case 'SITE':
            reply(rest[0]?.toUpperCase() === 'SYMLINK' ? '200 Symlink created.' : '500 Unknown SITE command.');
            break;
          case 'QUIT':
            reply('221 Bye.');
            c.end();
            break;
          default:
            reply('200 OK.');
        }
      }
    });
    c.on('error', () => {});
  }
}

const server = new FakeServer();
let t: Transport;

before(async () => {
  await server.start();
  const config = defaultConfig(emptyDriveMap());
  config.iniNul = true;
  const ctx = new Context({ config, env: {}, cwd: process.cwd(), stdin: new LineReader(Readable.from([])) });
  const spec: SessionSpec = { protocol: 'ftp', tls: 'none', host: '127.0.0.1', port: server.port, user: 'u', password: 'p', passive: true, timeoutSec: 5, raw: new Map(), name: 'u@127.0.0.1' };
  t = await connectFtp(ctx, spec, true);
});
after(async () => {
  await t?.close();
  await server.stop();
});

describe('a server with MLSD, MFMT, HASH and SITE SYMLINK', () => {
  it('declares full-precision listings, MFMT times, symlinks and its HASH algorithms', () => {
    assert.equal(t.capabilities.mtimePrecision, 'full');
    assert.equal(t.capabilities.canSetMtime, true);
    assert.equal(t.capabilities.canSymlink, true);
    assert.deepEqual([...t.capabilities.checksums].sort(), ['md5', 'sha1', 'sha256']);
    assert.ok(server.commands.includes('OPTS UTF8 ON'));
    assert.ok(server.commands.some((c) => c.startsWith('OPTS MLST ')));
    assert.ok(!server.commands.some((c) => c.startsWith('MDTM 2000')), 'no MDTM probe when MFMT exists');
  });

  it('lists with MLSD: exact UTC times, no time-zone detection', async () => {
    const list = await t.list('/');
    assert.deepEqual(
      list.map((e) => [e.name, e.type, e.precision, e.mtime, e.mode]),
      [
        ['a.txt', 'file', 'full', Date.UTC(2026, 11, 1, 16, 51, 25), 0o644],
        ['sub', 'dir', 'full', Date.UTC(2020, 0, 2, 3, 4, 5), 0o755],
        ['link', 'symlink', 'full', Date.UTC(2026, 11, 1, 18, 51), undefined],
      ],
    );
    assert.equal(list[0]!.owner, 'alice');
    assert.equal(list[2]!.linkTarget, '/srv/a.txt');
    assert.ok(server.commands.includes('MLSD'));
    assert.ok(!server.commands.some((c) => /^MDTM \//.test(c)));
  });

  it('stats with MLST', async () => {
    const e = await t.stat('/a.txt');
    assert.deepEqual([e.name, e.type, e.size, e.mtime, e.precision], ['a.txt', 'file', 5, Date.UTC(2026, 11, 1, 16, 51, 25), 'full']);
    await assert.rejects(t.stat('/missing'), (err: { code?: string }) => err.code === 'ENOENT');
  });

  it('sets times with MFMT, checksums with OPTS HASH + HASH, links with SITE SYMLINK', async () => {
    await t.setTimes('/a.txt', Date.UTC(2021, 4, 6, 7, 8, 9, 500));
    assert.ok(server.commands.includes('MFMT 20210506070809 /a.txt'));
    assert.equal(await t.checksum('sha-256', '/a.txt'), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.ok(server.commands.includes('OPTS HASH SHA-256'));
    await assert.rejects(t.checksum('crc32', '/a.txt'), (err: { code?: string }) => err.code === 'EUNSUPPORTED');
    await t.symlink('a.txt', '/l2');
    assert.ok(server.commands.includes('SITE SYMLINK a.txt /l2'));
  });

  it('reads through a passive data connection', async () => {
    const chunks: Buffer[] = [];
    for await (const c of await t.read('/a.txt')) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'hello');
  });
});
