/**
 * The transport interface: the only way commands touch a file system, remote or local.
 * A new protocol is one new file implementing `Transport`.
 *
 * Paths are absolute POSIX paths (`/home/u/x`); callers resolve relative paths first.
 */
import type { Readable, Writable } from 'node:stream';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

/**
 * How exact a modification time is (sync spec §2.1). Listings from LIST-only FTP servers are
 * minute or day precise; a transport never claims more than it has.
 */
export type TimePrecision = 'full' | 'ymdhm' | 'mdhm' | 'mdy' | 'none';

export interface Entry {
  /** Bare name (no `/`); transports drop `.` and `..`. */
  name: string;
  type: EntryType;
  size: number;
  /** Modification time in ms since the epoch (an instant, UTC), when known. */
  mtime?: number;
  precision: TimePrecision;
  /** The server's own time text (FTP LIST), kept next to the parsed time. */
  rawTime?: string;
  /** Permission bits (`0o644`), with special bits, when known. */
  mode?: number;
  owner?: string;
  group?: string;
  links?: number;
  /** For symlinks: where they point. */
  linkTarget?: string;
  /** For symlinks: what they point to, when the transport resolved it. */
  targetType?: 'file' | 'dir' | 'other';
}

export interface Capabilities {
  protocol: 'local' | 'sftp' | 'scp' | 'ftp';
  /** Best precision of listed modification times. */
  mtimePrecision: TimePrecision;
  /** Modification times can be set (SETSTAT, MFMT, utimes...). */
  canSetMtime: boolean;
  caseSensitive: boolean;
  /** `rename` onto an existing file replaces it atomically. */
  atomicRename: boolean;
  /** Parallel connections worth opening for transfers (1 = none). */
  maxConnections: number;
  canChmod: boolean;
  canSymlink: boolean;
  /** Server-side copy (`cp`). */
  canCopy: boolean;
  /** Arbitrary commands (`call`). */
  canExec: boolean;
  /** Writing at an offset / appending. */
  canAppend: boolean;
  /** Uploads go through `<name>.filepart` + rename (WinSCP does this for SFTP only). */
  tempUploads: boolean;
  /** Checksum algorithms the server computes (`sha256`, `md5`...), lower case. */
  checksums: string[];
}

export type TransportErrorCode =
  | 'ENOENT'
  | 'EACCES'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'EUNSUPPORTED'
  | 'ECONNLOST'
  | 'ETIMEDOUT'
  | 'EFAILURE';

/**
 * A failure from a transport. `details` are the lines WinSCP prints under the command's own
 * message (e.g. `No such file or directory.` / `Error code: 2` / `Error message from server: ...`).
 */
export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    readonly details: string[],
    opts: { cause?: unknown } = {},
  ) {
    super(details[0] ?? code, opts);
    this.name = 'TransportError';
  }
}

export function isTransportError(e: unknown, code?: TransportErrorCode): e is TransportError {
  return e instanceof TransportError && (code === undefined || e.code === code);
}

export interface ReadOptions {
  /** Byte offset to start at (resume). */
  start?: number;
}

export interface WriteOptions {
  /** Append to an existing file. */
  append?: boolean;
  /** Write from this offset of an existing file (resume). */
  start?: number;
  /** Permissions for a newly created file. */
  mode?: number;
  /**
   * Modification time to set once all data is written, before the file is closed, where the
   * protocol can do that in one step (SFTP fsetstat). Other transports ignore it; the transfer
   * code then calls setTimes.
   */
  mtime?: number;
  /**
   * Number of bytes that will be written, when the caller knows it (transports that must announce
   * the size before the data, like SCP, stream directly then; without it they buffer first).
   */
  size?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface Transport {
  readonly capabilities: Capabilities;
  /** The directory a session starts in. */
  home(): Promise<string>;
  realpath(path: string): Promise<string>;
  /** Entries of a directory, without `.` and `..`. A missing or unreadable directory throws. */
  list(path: string): Promise<Entry[]>;
  /** Attributes of one path, following symlinks. */
  stat(path: string): Promise<Entry>;
  /** Attributes of one path, not following a final symlink. */
  lstat(path: string): Promise<Entry>;
  read(path: string, opts?: ReadOptions): Promise<Readable>;
  /**
   * Optional fast path: the whole file (from `start`) in memory when it is small, else
   * undefined. Saves the stream machinery for the thousands of small files of a tree upload.
   */
  readSmall?(path: string, start?: number): Promise<Buffer | undefined>;
  /**
   * The `..` entry the server returned with the last listing of `dir` (SFTP: with owner names,
   * which a stat of the parent lacks), for `ls`. Undefined when there is none.
   */
  listedParent?(dir: string): Entry | undefined;
  /**
   * Opens a file for writing. The returned stream's `finish` (or a rejected `close`) tells
   * whether all data arrived; callers use `stream/promises.pipeline`.
   */
  write(path: string, opts?: WriteOptions): Promise<Writable>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Renames; replaces an existing target where the protocol allows it. */
  rename(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Sets times (ms since the epoch). */
  setTimes(path: string, mtime: number, atime?: number): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  copy(from: string, to: string): Promise<void>;
  exec(command: string): Promise<ExecResult>;
  /** Hex digest computed by the server. */
  checksum(algorithm: string, path: string): Promise<string>;
  close(): Promise<void>;
}

/** The directory part of a POSIX path (`/a/b` -> `/a`, `/a` -> `/`). */
export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  if (i <= 0) return '/';
  return p.slice(0, i);
}

/** The last component of a POSIX path. */
export function baseName(p: string): string {
  const t = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  return t.slice(t.lastIndexOf('/') + 1);
}

/** Joins a directory and a name with exactly one `/`. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** Resolves a remote path against a remote working directory, normalising `.` and `..`. */
export function resolveRemote(cwd: string, p: string): string {
  const abs = p.startsWith('/') ? p : joinPath(cwd, p);
  const out: string[] = [];
  for (const part of abs.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/**
 * A name a server returned is safe to use locally or remotely only if it is one plain path
 * component. Names with `/`, `\`, NUL, `.`/`..` or empty names are refused (data safety: nothing
 * is ever written outside the target folder, whatever a server says).
 */
export function isSafeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}
