/**
 * The transport contract suite for SCP, against a real OpenSSH sshd WITHOUT an SFTP subsystem
 * (SCP and shell only), so nothing can silently go through SFTP.
 */
import { connectScp } from '../../src/transports/scp.js';
import { sshdOrSkip } from '../helpers/servers.js';
import { testSshOptions } from '../helpers/ssh-options.js';
import { serverTarget, transportContract } from './contract.js';

transportContract('scp (OpenSSH sshd, no SFTP subsystem)', async () => {
  const server = await sshdOrSkip({ sftp: false });
  if (!server) return undefined;
  return serverTarget(await connectScp(testSshOptions(server)), server);
});
