/**
 * The virtual session commands talk to: one transport plus the remote working directory.
 * Sessions are opened by `open` and numbered from 1 in the interpreter context.
 */
import type { RecycleBin } from './recycle-bin.js';
import type { Transport } from '../transports/transport.js';

export interface Session {
  /** `user@host` (or the site/session name), `/` shown as `\` (script spec §8.25). */
  name: string;
  protocol: 'sftp' | 'scp' | 'ftp';
  /** Raw setting ExitCode1IsError: `call` fails on exit status 1 too. */
  exitCode1IsError: boolean;
  transport: Transport;
  /** Remote working directory (absolute). */
  cwd: string;
  /** Home directory, for `cd` without a parameter. */
  home: string;
  /**
   * Opens another connection with the same settings, for parallel transfers. Undefined when the
   * protocol gains nothing from it.
   */
  connectAnother?: () => Promise<Transport>;
  /** Extra connections opened by connectAnother, closed with the session. */
  pool: Transport[];
  /** Raw settings DeleteToRecycleBin / OverwrittenToRecycleBin: where removed remote files go. */
  recycleBin?: RecycleBin;
}

export async function closeSession(s: Session): Promise<void> {
  const all = [s.transport, ...s.pool];
  s.pool = [];
  await Promise.allSettled(all.map((t) => t.close()));
}
