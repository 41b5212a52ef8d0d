/**
 * The transport contract suite for SCP, against a real OpenSSH sshd WITHOUT an SFTP subsystem
 * (SCP and shell only), so nothing can silently go through SFTP.
 */
import { connectScp } from '../../src/transports/scp.js';
import { describeHostKey } from '../../src/session/host-key.js';
import { sshdOrSkip } from '../helpers/servers.js';
import { transportContract } from './contract.js';

transportContract('scp (OpenSSH sshd, no SFTP subsystem)', async () => {
  const server = await sshdOrSkip({ sftp: false });
  if (!server) return undefined;
  const transport = await connectScp({
    host: server.host,
    port: server.port,
    username: server.user,
    password: server.password,
    timeoutMs: 10_000,
    status: () => {},
    askPassword: async () => undefined,
    verifyHostKey: async (k) => describeHostKey(k.blob).sha256 === server.hostKeySha256,
  });
  return {
    transport,
    root: server.home,
    close: async () => {
      await transport.close();
      await server.stop();
    },
  };
});
