/**
 * Detail lines for local file-system errors, in the shape WinSCP prints them
 * (`System Error.  Code: <n>.` then the system's text), with Linux texts.
 */

const TEXTS: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOTEMPTY: 'Directory not empty',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  EBUSY: 'Device or resource busy',
  EXDEV: 'Invalid cross-device link',
  EIO: 'Input/output error',
};

interface NodeErr {
  code?: string;
  errno?: number;
  message?: string;
}

export function osErrorLines(e: unknown): string[] {
  const err = (e ?? {}) as NodeErr;
  const text = (err.code && TEXTS[err.code]) || err.message || String(e);
  const lines: string[] = [];
  if (typeof err.errno === 'number') lines.push(`System Error.  Code: ${Math.abs(err.errno)}.`);
  lines.push(text);
  return lines;
}

export function osErrorCode(e: unknown): string | undefined {
  return (e as NodeErr | undefined)?.code;
}
