/** FTP/FTPS transport on basic-ftp. Not implemented yet. */
import type { Context } from '../interpreter/context.js';
import type { SessionSpec } from '../session/open-session.js';
import { ConnectError } from './ssh-connect.js';
import type { Transport } from './transport.js';

export async function connectFtp(_ctx: Context, _spec: SessionSpec, _quiet: boolean): Promise<Transport> {
  throw new ConnectError(['The FTP protocol is not available yet.']);
}
