import { connectSftp } from '../../src/transports/sftp.js';
import { sshdOrSkip } from '../helpers/servers.js';
import { testSshOptions } from '../helpers/ssh-options.js';
import { serverTarget, transportContract } from './contract.js';

transportContract('sftp (OpenSSH sshd)', async () => {
  const server = await sshdOrSkip();
  if (!server) return undefined;
  return serverTarget(await connectSftp(testSshOptions(server)), server);
});
