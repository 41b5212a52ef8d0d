/**
 * Copies one file between two transports (upload: local -> remote, download: remote -> local).
 * Data goes to `<name>.filepart` and is renamed over the target when complete, so a failed or
 * killed transfer never leaves a truncated file under the final name; a leftover `.filepart`
 * not larger than the source is resumed (sync spec §5.5). Times and permissions are applied
 * before the rename where the protocol allows.
 *
 * compat: WinSCP uses the temporary name only for SFTP files of 100 KB and more, and writes
 * smaller files in place (deleting the old version when the transfer fails). winscript always
 * uses it; the resume threshold still decides whether a leftover `.filepart` is resumed.
 */
import { moveToBin, type RecycleBin } from '../session/recycle-bin.js';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Entry, isTransportError, type Transport } from '../transports/transport.js';
import type { ItemProgress } from './progress.js';

export const PART_SUFFIX = '.filepart';

export interface Side {
  t: Transport;
  path: string;
}

export interface CopyJob {
  from: Side;
  to: Side;
  /** Source size and time (ms), from the listing. */
  size: number;
  mtime?: number;
  preserveTime: boolean;
  /** Permissions to set on the target afterwards (`-permissions`, or the replaced file's). */
  setMode?: number;
  /** Use `<target>.filepart` + rename. */
  temp: boolean;
  /** A leftover `.filepart` not larger than the source may be resumed. */
  resumeTemp: boolean;
  /** `-resume` without `.filepart`: append the missing tail to a smaller target. */
  resumeTarget: boolean;
  /** `-append`: append the whole source to the target. */
  append: boolean;
  ascii?: { removeBOM: boolean; removeCtrlZ: boolean };
  /** Bytes per second, 0 = unlimited. */
  speedLimit: number;
  progress?: ItemProgress;
  signal?: AbortSignal;
  /** What is known of the `.filepart` and the target (undefined = unknown, null = absent). */
  tempEntry?: Entry | null;
  targetEntry?: Entry | null;
  /**
   * OverwrittenToRecycleBin: an existing target is moved here just before the `.filepart` replaces
   * it (writes without a temp file only append to or resume the target, so nothing is lost).
   */
  recycleBin?: RecycleBin;
}

export interface CopyResult {
  bytes: number;
  /** The time was set on the target. */
  touched: boolean;
  chmodded: boolean;
}

async function statOrNull(t: Transport, p: string): Promise<Entry | null> {
  try {
    return await t.lstat(p);
  } catch (e) {
    if (isTransportError(e, 'ENOENT')) return null;
    throw e;
  }
}

/** Counts bytes for progress and applies the speed limit. */
class Meter extends Transform {
  private started = Date.now();
  private sent = 0;

  constructor(
    private readonly limit: number,
    private readonly onBytes: (n: number) => void,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.sent += chunk.length;
    this.onBytes(chunk.length);
    if (this.limit > 0) {
      const due = this.started + (this.sent * 1000) / this.limit;
      const wait = due - Date.now();
      if (wait > 0) {
        setTimeout(() => done(null, chunk), wait);
        return;
      }
    }
    done(null, chunk);
  }
}

/**
 * Ascii mode: line ends become LF (the local and the usual server convention); optionally a
 * leading UTF-8 BOM and a trailing Ctrl-Z are dropped.
 *
 * compat: WinSCP converts between the Windows local EOL (CRLF) and the server's. On Linux the
 * local EOL is LF, so ascii transfers normalise CRLF to LF in both directions.
 */
class AsciiConverter extends Transform {
  private first = true;
  private pendingCR = false;
  private pendingZ = false;

  constructor(private readonly opts: { removeBOM: boolean; removeCtrlZ: boolean }) {
    super();
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    let b = chunk;
    if (this.first) {
      this.first = false;
      if (this.opts.removeBOM && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
    }
    const out: number[] = [];
    if (this.pendingZ) {
      out.push(0x1a);
      this.pendingZ = false;
    }
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c !== 0x0a) out.push(0x0d);
      }
      if (c === 0x0d) {
        this.pendingCR = true;
        continue;
      }
      if (c === 0x1a && i === b.length - 1 && this.opts.removeCtrlZ) {
        this.pendingZ = true;
        continue;
      }
      out.push(c);
    }
    done(null, Buffer.from(out));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pendingCR ? Buffer.from([0x0d]) : undefined);
  }
}

/** Marks which side of a copy failed, for the error message. */
function tagSide(e: unknown, side: 'from' | 'to'): unknown {
  if (e && typeof e === 'object') (e as { side?: string }).side = side;
  return e;
}

export async function copyFile(job: CopyJob): Promise<CopyResult> {
  const { from, to } = job;
  const tempPath = job.temp ? to.path + PART_SUFFIX : to.path;
  let start = 0;
  let writeStart: number | undefined;
  let append = false;

  if (job.temp && job.resumeTemp && !job.ascii) {
    const part = job.tempEntry !== undefined ? job.tempEntry : await statOrNull(to.t, tempPath);
    if (part && part.type === 'file') {
      if (part.size <= job.size) {
        start = part.size;
        writeStart = part.size;
      } else await to.t.remove(tempPath);
    }
  } else if (!job.temp && (job.resumeTarget || job.append) && !job.ascii) {
    const target = job.targetEntry !== undefined ? job.targetEntry : await statOrNull(to.t, to.path);
    if (target && target.type === 'file') {
      if (job.append) append = true;
      else if (target.size < job.size) {
        start = target.size;
        writeStart = target.size;
      }
    }
  }

  job.progress?.setStart(start);
  const inProtocolTime = to.t.capabilities.protocol === 'sftp' || to.t.capabilities.protocol === 'scp';
  const mtimeOnWrite = job.preserveTime && job.mtime !== undefined && inProtocolTime ? job.mtime : undefined;
  let written = 0;
  try {
    // Small files without conversion or speed limit: one buffer, no stream pipeline.
    const fromErr = (e: unknown) => Promise.reject(tagSide(e, 'from'));
    const small = !job.ascii && job.speedLimit === 0 && from.t.readSmall ? await from.t.readSmall(from.path, start || undefined).catch(fromErr) : undefined;
    const src = small ? undefined : await from.t.read(from.path, { start: start || undefined }).catch(fromErr);
    const dst = await to.t.write(tempPath, { start: writeStart, append, mtime: mtimeOnWrite, size: job.ascii ? undefined : job.size - start }).catch((e) => {
      src?.destroy();
      return Promise.reject(tagSide(e, 'to'));
    });
    if (small) {
      await new Promise<void>((resolve, reject) => {
        dst.once('error', reject);
        dst.once('finish', () => resolve());
        dst.end(small);
      });
      written = small.length;
      job.progress?.add(small.length);
    } else {
      const meter = new Meter(job.speedLimit, (n) => {
        written += n;
        job.progress?.add(n);
      });
      // A source that fails (connection lost, file truncated) ends the copy instead of destroying
      // it, so that everything received reaches the .filepart and a rerun resumes from there.
      let srcError: unknown;
      const feed = new PassThrough({ highWaterMark: 256 * 1024 });
      src!.on('error', (e) => {
        srcError ??= e;
        src!.unpipe(feed);
        feed.end();
      });
      src!.pipe(feed);
      const stages = job.ascii ? [feed, new AsciiConverter(job.ascii), meter, dst] : [feed, meter, dst];
      try {
        await pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], { signal: job.signal });
      } finally {
        src!.destroy();
      }
      if (srcError !== undefined) throw tagSide(srcError, 'from');
    }
  } catch (e) {
    // Keep a resumable .filepart that holds data; remove an empty or non-resumable one.
    if (job.temp && (written + start === 0 || !job.resumeTemp || job.ascii)) await to.t.remove(tempPath).catch(() => {});
    throw e;
  }
  let touched = false;
  let chmodded = false;
  try {
    if (job.preserveTime && job.mtime !== undefined && to.t.capabilities.canSetMtime) {
      if (mtimeOnWrite === undefined) await to.t.setTimes(tempPath, job.mtime);
      touched = true;
    }
    if (job.temp) {
      if (job.recycleBin) {
        const target = job.targetEntry !== undefined ? job.targetEntry : await statOrNull(to.t, to.path);
        if (target?.type === 'file') await moveToBin(to.t, job.recycleBin, to.path);
      }
      await to.t.rename(tempPath, to.path);
    }
    if (job.setMode !== undefined && to.t.capabilities.canChmod) {
      await to.t.chmod(to.path, job.setMode);
      chmodded = true;
    }
  } catch (e) {
    throw tagSide(e, 'to');
  }
  job.progress?.done();
  return { bytes: written + start, touched, chmodded };
}

/** Temporary names of interrupted transfers (`x.filepart`, `x.filepart.3`), never synchronized. */
export function isTempName(name: string): boolean {
  return /\.filepart(\.\d+)?$/i.test(name);
}
