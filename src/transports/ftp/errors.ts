/**
 * FTP replies to TransportErrors. WinSCP shows the server's reply text (without the reply code)
 * under a command's own message, e.g. `Error deleting file 'x'.` / `Delete operation failed.`;
 * the error code is chosen from the reply code and, for the catch-all 550, from the text.
 */
import { TransportError, type TransportErrorCode } from '../transport.js';

/** A server reply: its code and whole text (all lines, codes included). */
export interface Reply {
  code: number;
  message: string;
}

/** The text lines of a reply with the `NNN ` / `NNN-` prefixes removed. */
export function replyLines(message: string): string[] {
  const lines = message.split(/\r?\n/).map((l) => l.replace(/^\d{3}[ -]?/, '').trimEnd());
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines : [message];
}

/**
 * The code for an error reply. `fallback550` is what a bare 550 means for the command at hand
 * (ENOENT for RETR/DELE/CWD/SIZE, EFAILURE where the reason cannot be told).
 */
export function replyCode(r: Reply, fallback550: TransportErrorCode = 'ENOENT'): TransportErrorCode {
  const text = r.message.toLowerCase();
  switch (r.code) {
    case 421:
      return 'ECONNLOST';
    case 500:
    case 502:
    case 504:
      return 'EUNSUPPORTED';
    case 530:
    case 532:
      return 'EACCES';
    case 450:
    case 550:
    case 553:
      if (/denied|permission|not allowed|forbidden/.test(text)) return 'EACCES';
      if (/not empty/.test(text)) return 'ENOTEMPTY';
      if (/not a (directory|folder)/.test(text)) return 'ENOTDIR';
      if (/is a (directory|folder)/.test(text)) return 'EISDIR';
      if (/already exists|file exists/.test(text)) return 'EEXIST';
      if (/no such|not found|does not exist|doesn't exist|cannot find|can't find/.test(text)) return 'ENOENT';
      return r.code === 550 ? fallback550 : 'EFAILURE';
    default:
      return 'EFAILURE';
  }
}

/** A TransportError for an error reply, with the server's text as detail lines. */
export function replyError(r: Reply, fallback550: TransportErrorCode = 'ENOENT', extra: string[] = []): TransportError {
  return new TransportError(replyCode(r, fallback550), [...replyLines(r.message), ...extra]);
}

/** The control connection is gone (closed, reset, timed out). */
export function connectionLost(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const timeout = /timeout/i.test(msg);
  return new TransportError('ECONNLOST', ['Lost connection.', timeout ? 'Timeout detected. (control connection)' : msg.replace(/^Client is closed because /, '')], { cause: err });
}
