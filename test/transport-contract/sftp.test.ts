import { connectSftp } from '../../src/transports/sftp.js';
import { describeHostKey } from '../../src/session/host-key.js';
import { sshdOrSkip } from '../helpers/servers.js';
import { transportContract } from './contract.js';

transportContract('sftp (OpenSSH sshd)', async () => {
  const server = await sshdOrSkip();
  if (!server) return undefined;
  const transport = await connectSftp({
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
