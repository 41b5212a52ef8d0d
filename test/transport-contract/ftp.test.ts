/**
 * The transport contract suite against REAL vsftpd servers: plain FTP, FTPES (explicit TLS) and
 * FTPS (implicit TLS). vsftpd has no MLSD, so listings are LIST-only (minute or day precision);
 * the suite's time checks reduce to the precision the entries declare.
 */
import { Readable } from 'node:stream';
import { defaultConfig } from '../../src/interpreter/config.js';
import { Context } from '../../src/interpreter/context.js';
import { emptyDriveMap } from '../../src/local-path.js';
import type { SessionSpec } from '../../src/session/open-session.js';
import { connectFtp } from '../../src/transports/ftp.js';
import { LineReader } from '../../src/util/line-reader.js';
import { vsftpdOrSkip } from '../helpers/servers.js';
import { serverTarget, transportContract } from './contract.js';

/** A script context with no persistent configuration (`/ini=nul`) and no input. */
function quietContext(): Context {
  const config = defaultConfig(emptyDriveMap());
  config.iniNul = true;
  return new Context({ config, env: {}, cwd: process.cwd(), stdin: new LineReader(Readable.from([])) });
}

for (const tls of ['none', 'explicit', 'implicit'] as const) {
  transportContract(`ftp (vsftpd, tls ${tls})`, async () => {
    const server = await vsftpdOrSkip({ tls });
    if (!server) return undefined;
    const spec: SessionSpec = {
      protocol: 'ftp',
      tls,
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      certificate: server.certSha256,
      passive: true,
      timeoutSec: 15,
      raw: new Map(),
      name: `${server.user}@${server.host}`,
    };
    return serverTarget(await connectFtp(quietContext(), spec, true), server);
  });
}
