/**
 * Deterministic benchmark trees (a port of the layout and algorithm of the shared mktree.sh, so the
 * trees are byte-identical to the ones the baseline figures were measured on):
 *
 * - `small`: N files (default 2,000) of 1024-8192 bytes in 20 directories on 3 levels
 *   (a00..a01 / b00..b02 / c00..c01, depth-first); file i lives in directory i mod 20, is named
 *   f%05d.bin, has mtime 1700000000 + i; sizes come from a xorshift32 with a fixed seed, contents
 *   are slices of a 4 MiB AES-128-CTR keystream (fixed key, zero IV), i.e. incompressible.
 * - `mixed`: 5,000 such files + 20 files of 5 MiB in large/ (L00.bin.., consecutive 5 MiB pieces of
 *   the keystream, mtime 1700000000 + 100000 + j).
 * - `big`: one file big.bin (default 500 MiB of keystream), mtime 1700000000.
 * - `scale<N>`: the listing-scale tree of this benchmark (not in mktree.sh): N tiny files (0-100
 *   bytes) in 20 directories d00..d19 with 10 subdirectories e00..e09 each (220 directories; the
 *   files are spread over the 200 leaves), named f%06d.bin, mtime 1700000000 + i.
 *
 * All directory mtimes are 1700000000. A tree is rebuilt only when its `<dir>.spec` file does not
 * match (the spec also records file count and byte total, which are checked cheaply on reuse).
 * `touch1pct` is mktree.sh's: every 100th file in byte-sorted path order (indices 0, 100, ...)
 * gets the line "touch1pct round N\n" appended and mtime 1700000000 + 10^7 + N*3600.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const BASE_MTIME = 1_700_000_000; // 2023-11-14T22:13:20Z
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const IV = Buffer.alloc(16);
const MiB = 1024 * 1024;

export type TreeKind = 'small' | 'mixed' | 'big' | 'scale';

export interface TreeSpec {
  name: string; // directory name, e.g. "small", "big", "scale20000"
  kind: TreeKind;
  smallFiles?: number;
  largeFiles?: number;
  largeMiB?: number;
  bigMiB?: number;
  scaleFiles?: number;
}

export interface TreeInfo {
  dir: string;
  files: number;
  bytes: number;
  /** true when an existing tree was reused */
  cached: boolean;
  seconds: number;
}

/** Keystream generator: successive calls continue the same AES-128-CTR stream. */
function keystream(): (bytes: number) => Buffer {
  const c = crypto.createCipheriv('aes-128-ctr', KEY, IV);
  return (bytes: number) => c.update(Buffer.alloc(bytes));
}

function specString(s: TreeSpec): string {
  switch (s.kind) {
    case 'small':
      return `small files=${s.smallFiles ?? 2000} v1`;
    case 'mixed':
      return `mixed small=${s.smallFiles ?? 5000} large=${s.largeFiles ?? 20}x${s.largeMiB ?? 5}MiB v1`;
    case 'big':
      return `big ${s.bigMiB ?? 500}MiB v1`;
    case 'scale':
      return `scale files=${s.scaleFiles ?? 100000} v1`;
  }
}

function smallDirs(): string[] {
  const dirs: string[] = [];
  for (let a = 0; a < 2; a++) {
    const da = `a${String(a).padStart(2, '0')}`;
    dirs.push(da);
    for (let b = 0; b < 3; b++) {
      const db = `${da}/b${String(b).padStart(2, '0')}`;
      dirs.push(db);
      for (let c = 0; c < 2; c++) dirs.push(`${db}/c${String(c).padStart(2, '0')}`);
    }
  }
  return dirs;
}

function xorshift32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return x;
  };
}

async function writeFileAt(file: string, data: Buffer, mtime: number): Promise<void> {
  await fsp.writeFile(file, data);
  await fsp.utimes(file, mtime, mtime);
}

/** Runs `fn` over 0..n-1 with `limit` in flight (file creation is syscall-bound). */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

async function genSmall(dest: string, count: number): Promise<void> {
  const pool4 = keystream()(4 * MiB);
  const plen = pool4.length;
  const dirs = smallDirs();
  for (const d of dirs) await fsp.mkdir(path.join(dest, d));
  const next = xorshift32(2463534242);
  const jobs: Array<{ file: string; off: number; size: number; mtime: number }> = [];
  for (let i = 0; i < count; i++) {
    const size = 1024 + (next() % 7169); // 1024 .. 8192 bytes
    const off = (i * 104729) % (plen - 8192);
    jobs.push({ file: path.join(dest, dirs[i % 20]!, `f${String(i).padStart(5, '0')}.bin`), off, size, mtime: BASE_MTIME + i });
  }
  await pool(jobs.length, 32, (i) => {
    const j = jobs[i]!;
    return writeFileAt(j.file, pool4.subarray(j.off, j.off + j.size), j.mtime);
  });
}

async function genScale(dest: string, count: number): Promise<void> {
  const ks = keystream()(MiB);
  const leaves: string[] = [];
  for (let d = 0; d < 20; d++) {
    const dd = `d${String(d).padStart(2, '0')}`;
    await fsp.mkdir(path.join(dest, dd));
    for (let e = 0; e < 10; e++) {
      const de = `${dd}/e${String(e).padStart(2, '0')}`;
      await fsp.mkdir(path.join(dest, de));
      leaves.push(de);
    }
  }
  const next = xorshift32(2463534242);
  const sizes = Array.from({ length: count }, () => next() % 101); // 0 .. 100 bytes
  await pool(count, 64, (i) => {
    const off = (i * 104729) % (ks.length - 128);
    return writeFileAt(path.join(dest, leaves[i % leaves.length]!, `f${String(i).padStart(6, '0')}.bin`), ks.subarray(off, off + sizes[i]!), BASE_MTIME + i);
  });
}

async function genLarge(dir: string, n: number, mib: number, nameOf: (j: number) => string, mtimeOf: (j: number) => number): Promise<void> {
  const ks = keystream();
  for (let j = 0; j < n; j++) {
    const file = path.join(dir, nameOf(j));
    const fh = await fsp.open(file, 'w');
    try {
      for (let left = mib * MiB; left > 0; ) {
        const chunk = Math.min(left, 8 * MiB);
        await fh.write(ks(chunk));
        left -= chunk;
      }
    } finally {
      await fh.close();
    }
    await fsp.utimes(file, mtimeOf(j), mtimeOf(j));
  }
}

async function fixDirMtimes(dir: string): Promise<void> {
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await fixDirMtimes(path.join(dir, e.name));
  await fsp.utimes(dir, BASE_MTIME, BASE_MTIME);
}

/** Counts files and bytes below dir (regular files only). */
export async function countTree(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const walk = async (d: string) => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        files++;
        bytes += (await fsp.lstat(p)).size;
      }
    }
  };
  await walk(dir);
  return { files, bytes };
}

/** Builds the tree under root/spec.name unless an identical one is already there. */
export async function ensureTree(root: string, spec: TreeSpec): Promise<TreeInfo> {
  const dest = path.join(root, spec.name);
  const specFile = `${dest}.spec`;
  const want = specString(spec);
  const t0 = performance.now();
  try {
    const [line, counts] = fs.readFileSync(specFile, 'utf8').trim().split('\n');
    if (line === want && counts) {
      const [f, b] = counts.split(' ').map(Number);
      const now = await countTree(dest);
      if (now.files === f && now.bytes === b) return { dir: dest, files: f!, bytes: b!, cached: true, seconds: (performance.now() - t0) / 1000 };
    }
  } catch {
    /* no spec: build */
  }
  await fsp.rm(specFile, { force: true });
  await fsp.rm(dest, { recursive: true, force: true });
  await fsp.mkdir(dest, { recursive: true });
  switch (spec.kind) {
    case 'small':
      await genSmall(dest, spec.smallFiles ?? 2000);
      break;
    case 'mixed': {
      await genSmall(dest, spec.smallFiles ?? 5000);
      await fsp.mkdir(path.join(dest, 'large'));
      await genLarge(path.join(dest, 'large'), spec.largeFiles ?? 20, spec.largeMiB ?? 5, (j) => `L${String(j).padStart(2, '0')}.bin`, (j) => BASE_MTIME + 100000 + j);
      break;
    }
    case 'big':
      await genLarge(dest, 1, spec.bigMiB ?? 500, () => 'big.bin', () => BASE_MTIME);
      break;
    case 'scale':
      await genScale(dest, spec.scaleFiles ?? 100000);
      break;
  }
  await fixDirMtimes(dest);
  const c = await countTree(dest);
  await fsp.writeFile(specFile, `${want}\n${c.files} ${c.bytes}\n`);
  return { dir: dest, ...c, cached: false, seconds: (performance.now() - t0) / 1000 };
}

/** All regular files below dir as relative paths, sorted by bytes (LC_ALL=C sort order). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** mktree.sh touch1pct: returns the changed files (relative) and the bytes they now have. */
export async function touch1pct(dir: string, round: number): Promise<{ files: string[]; bytes: number }> {
  const mt = BASE_MTIME + 10_000_000 + round * 3600;
  const files = (await listFiles(dir)).filter((_, i) => i % 100 === 0);
  let bytes = 0;
  for (const f of files) {
    const p = path.join(dir, f);
    await fsp.appendFile(p, `touch1pct round ${round}\n`);
    await fsp.utimes(p, mt, mt);
    bytes += (await fsp.lstat(p)).size;
  }
  return { files, bytes };
}
