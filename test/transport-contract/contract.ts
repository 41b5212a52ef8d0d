/**
 * The transport contract suite: the same tests for every transport (local, SFTP, FTP, FTPES,
 * FTPS, SCP). Each test file calls `transportContract` with a factory that connects and gives
 * an empty writable directory on the transport.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { copyFile } from '../../src/transfer/copy.js';
import { LocalTransport } from '../../src/transports/local.js';
import { type Entry, isTransportError, type Transport, TransportError } from '../../src/transports/transport.js';
import { reduceTime } from '../../src/sync/compare.js';

export interface ContractTarget {
  transport: Transport;
  /** An empty directory on the transport the tests may fill. */
  root: string;
  close(): Promise<void>;
}

/** A target on a real server: the transport on the server's home, closed with the server. */
export function serverTarget(transport: Transport, server: { home: string; stop(): Promise<void> }): ContractTarget {
  return {
    transport,
    root: server.home,
    close: async () => {
      await transport.close();
      await server.stop();
    },
  };
}

async function readAll(t: Transport, p: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await t.read(p)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function writeAll(t: Transport, p: string, data: Buffer): Promise<void> {
  const w = await t.write(p);
  await new Promise<void>((resolve, reject) => {
    w.on('error', reject);
    w.on('finish', resolve);
    w.end(data);
  });
  // Some streams report completion on 'close'.
  await new Promise((r) => setImmediate(r));
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isTransportError(e), `expected a TransportError, got ${String(e)}`);
    assert.equal((e as TransportError).code, code);
    assert.ok((e as TransportError).details.length > 0, 'error has detail lines');
    return true;
  });
}

/** A local transport whose reads fail after `limit` bytes: a transfer killed halfway. */
class FailingSource extends LocalTransport {
  constructor(private readonly limit: number) {
    super();
  }
  /** No in-memory fast path: the data must come through the failing stream. */
  override async readSmall(): Promise<Buffer | undefined> {
    return undefined;
  }
  override async read(p: string, opts: { start?: number } = {}): Promise<Readable> {
    const data = fs.readFileSync(p).subarray(opts.start ?? 0);
    const limit = this.limit;
    let sent = 0;
    return new Readable({
      read() {
        if (sent >= limit) return void this.destroy(new TransportError('ECONNLOST', ['Connection lost.']));
        const n = Math.min(64 * 1024, limit - sent, data.length - sent);
        if (n <= 0) return void this.push(null);
        this.push(data.subarray(sent, sent + n));
        sent += n;
      },
    });
  }
}

export function transportContract(name: string, connect: () => Promise<ContractTarget | undefined>): void {
  describe(`transport contract: ${name}`, () => {
    let target: ContractTarget | undefined;
    let t: Transport;
    let root: string;
    const local = new LocalTransport();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-contract-'));
    /** A contract test; skipped (loudly, by the harness) when the server could not start. */
    const test = (title: string, fn: () => Promise<void>) =>
      it(title, async (tc) => {
        if (!target) return void tc.skip('server not available');
        await fn();
      });

    before(async () => {
      target = await connect();
      if (target) {
        t = target.transport;
        root = target.root;
      }
    });
    after(async () => {
      await target?.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });
    const at = (n: string) => (root.endsWith('/') ? root + n : `${root}/${n}`);
    const names = async (dir: string) => (await t.list(dir)).map((e) => e.name).sort();

    test('creates, lists, stats and removes directories', async () => {
      await t.mkdir(at('d'));
      const entries = await t.list(root);
      const d = entries.find((e) => e.name === 'd');
      assert.equal(d?.type, 'dir');
      assert.ok(!entries.some((e) => e.name === '.' || e.name === '..'), 'no . or .. entries');
      assert.equal((await t.stat(at('d'))).type, 'dir');
      await t.rmdir(at('d'));
      await expectCode(t.stat(at('d')), 'ENOENT');
    });

    test('writes and reads back exact bytes, small and large', async () => {
      const small = Buffer.from('hello, wörld\n');
      const big = crypto.randomBytes(3 * 1024 * 1024 + 17);
      await writeAll(t, at('small.txt'), small);
      await writeAll(t, at('big.bin'), big);
      assert.deepEqual(await readAll(t, at('small.txt')), small);
      assert.ok((await readAll(t, at('big.bin'))).equals(big), 'big file round trip');
      const listed = new Map((await t.list(root)).map((e) => [e.name, e]));
      assert.equal(listed.get('small.txt')?.size, small.length);
      assert.equal(listed.get('big.bin')?.size, big.length);
      assert.equal((await t.stat(at('big.bin'))).size, big.length);
    });

    test('carries several large transfers at once on one connection, bytes intact', async () => {
      const files = Array.from({ length: 4 }, (_, i) => [at(`par${i}.bin`), crypto.randomBytes(6 * 1024 * 1024 + i * 4099)] as const);
      await Promise.all(files.map(([p, d]) => writeAll(t, p, d)));
      const back = await Promise.all(files.map(([p]) => readAll(t, p)));
      files.forEach(([p, d], i) => assert.ok(back[i]!.equals(d), p));
      for (const [p] of files) await t.remove(p);
    });

    test('handles names with spaces and non-ASCII characters', async () => {
      const n = 'name with spaces ü€.txt';
      await writeAll(t, at(n), Buffer.from('x'));
      assert.ok((await names(root)).includes(n));
      assert.equal((await t.stat(at(n))).size, 1);
    });

    test('reports missing paths as ENOENT with detail lines', async () => {
      await expectCode(t.stat(at('missing')), 'ENOENT');
      await expectCode(t.list(at('missing-dir')), 'ENOENT');
      await expectCode(t.read(at('missing')).then(async (s) => {
        for await (const _ of s) void _;
      }), 'ENOENT');
    });

    test('renames, also over an existing file', async () => {
      await writeAll(t, at('r1'), Buffer.from('one'));
      await writeAll(t, at('r2'), Buffer.from('two'));
      await t.rename(at('r1'), at('r3'));
      await expectCode(t.stat(at('r1')), 'ENOENT');
      await t.rename(at('r3'), at('r2'));
      assert.equal((await readAll(t, at('r2'))).toString(), 'one');
    });

    test('removes files', async () => {
      await writeAll(t, at('gone'), Buffer.from('x'));
      await t.remove(at('gone'));
      await expectCode(t.stat(at('gone')), 'ENOENT');
    });

    test('sets modification times when it says it can', async () => {
      if (!t.capabilities.canSetMtime) return;
      await writeAll(t, at('timed'), Buffer.from('x'));
      const when = Date.UTC(2021, 4, 6, 7, 8, 9);
      await t.setTimes(at('timed'), when);
      const e = (await t.list(root)).find((x) => x.name === 'timed')!;
      assert.equal(reduceTime(e.mtime!, e.precision), reduceTime(when, e.precision));
    });

    test('changes permissions when it says it can', async () => {
      if (!t.capabilities.canChmod) return;
      await writeAll(t, at('perm'), Buffer.from('x'));
      await t.chmod(at('perm'), 0o640);
      const e = (await t.list(root)).find((x) => x.name === 'perm')!;
      if (e.mode !== undefined) assert.equal(e.mode & 0o777, 0o640);
    });

    test('uploads and downloads through copyFile with times preserved', async () => {
      const src = path.join(tmp, 'up.bin');
      const data = crypto.randomBytes(200_000);
      fs.writeFileSync(src, data);
      const mtime = Date.UTC(2022, 0, 2, 3, 4, 5);
      fs.utimesSync(src, mtime / 1000, mtime / 1000);
      const r = await copyFile({ from: { t: local, path: src }, to: { t, path: at('up.bin') }, size: data.length, mtime, preserveTime: true, temp: true, resumeTemp: true, resumeTarget: false, append: false, speedLimit: 0 });
      assert.equal(r.bytes, data.length);
      const e = (await t.list(root)).find((x) => x.name === 'up.bin')!;
      assert.equal(e.size, data.length);
      if (t.capabilities.canSetMtime) assert.equal(reduceTime(e.mtime!, e.precision), reduceTime(mtime, e.precision));
      assert.ok(!(await names(root)).includes('up.bin.filepart'), 'no .filepart left');
      const back = path.join(tmp, 'down.bin');
      await copyFile({ from: { t, path: at('up.bin') }, to: { t: local, path: back }, size: e.size, mtime: e.mtime, preserveTime: true, temp: true, resumeTemp: true, resumeTarget: false, append: false, speedLimit: 0 });
      assert.ok(fs.readFileSync(back).equals(data));
      if (t.capabilities.canSetMtime) assert.equal(reduceTime(fs.statSync(back).mtimeMs, e.precision), reduceTime(mtime, e.precision));
    });

    test('a transfer killed halfway leaves no file under the final name, and a rerun resumes', async () => {
      const src = path.join(tmp, 'kill.bin');
      const data = crypto.randomBytes(600_000);
      fs.writeFileSync(src, data);
      const job = (from: Transport) => ({ from: { t: from, path: src }, to: { t, path: at('kill.bin') }, size: data.length, preserveTime: false, temp: true, resumeTemp: true, resumeTarget: false, append: false, speedLimit: 0 });
      await assert.rejects(copyFile(job(new FailingSource(256 * 1024))));
      const after1 = new Map<string, Entry>((await t.list(root)).map((e) => [e.name, e]));
      assert.ok(!after1.has('kill.bin'), 'no file under the final name');
      const part = after1.get('kill.bin.filepart');
      // Everything received before the source failed is kept, so a rerun resumes from there.
      assert.equal(part?.size, 256 * 1024, 'the .filepart holds all that was received');
      const r = await copyFile(job(local));
      assert.equal(r.bytes, data.length);
      assert.ok((await readAll(t, at('kill.bin'))).equals(data), 'resumed file is complete and correct');
      assert.ok(!(await names(root)).includes('kill.bin.filepart'));
    });

    test('a failed replacement keeps the previous version of the target', async () => {
      const old = Buffer.from('previous version');
      await writeAll(t, at('keep.txt'), old);
      const src = path.join(tmp, 'keep.txt');
      fs.writeFileSync(src, crypto.randomBytes(300_000));
      await assert.rejects(copyFile({ from: { t: new FailingSource(100_000), path: src }, to: { t, path: at('keep.txt') }, size: 300_000, preserveTime: false, temp: true, resumeTemp: false, resumeTarget: false, append: false, speedLimit: 0 }));
      assert.deepEqual(await readAll(t, at('keep.txt')), old);
      assert.ok(!(await names(root)).includes('keep.txt.filepart'), 'a non-resumable .filepart is removed');
    });

    test('declares its capabilities as data', async () => {
      const c = t.capabilities;
      assert.ok(['local', 'sftp', 'scp', 'ftp'].includes(c.protocol));
      assert.ok(['full', 'ymdhm', 'mdhm', 'mdy', 'none'].includes(c.mtimePrecision));
      assert.equal(typeof c.canSetMtime, 'boolean');
      assert.ok(c.maxConnections >= 1);
    });
  });
}
