/** SCP transport (scp -t / scp -f over SSH exec). Not implemented yet. */
import type { SshOptions } from './ssh-connect.js';
import { ConnectError } from './ssh-connect.js';
import type { Transport } from './transport.js';

export async function connectScp(_opts: SshOptions): Promise<Transport> {
  throw new ConnectError(['The SCP protocol is not available yet.']);
}
