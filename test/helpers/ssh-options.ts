import { describeHostKey } from '../../src/session/host-key.js';
import type { SshOptions } from '../../src/transports/ssh-connect.js';
import type { SshServer } from './servers.js';

/** SSH options for a test sshd: its password, its host key, no status lines, no prompts. */
export function testSshOptions(server: SshServer): SshOptions {
  return {
    host: server.host,
    port: server.port,
    username: server.user,
    password: server.password,
    timeoutMs: 10_000,
    status: () => {},
    askPassword: async () => undefined,
    verifyHostKey: async (k) => describeHostKey(k.blob).sha256 === server.hostKeySha256,
  };
}
