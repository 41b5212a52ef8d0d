/**
 * One real server per test file: started before the tests, stopped after them. Tests written
 * with the returned `test` are skipped (the harness has already warned loudly) when the server
 * could not start, and fail on CI (WINSCRIPT_REQUIRE_SERVERS=1).
 */
import { after, before, it } from 'node:test';
import { type SshdOptions, type SshServer, sshdOrSkip } from './servers.js';

export function withSshd(opts?: SshdOptions, onStart?: (s: SshServer) => void | Promise<void>): (title: string, fn: (s: SshServer) => Promise<void>) => void {
  let server: SshServer | undefined;
  before(async () => {
    server = await sshdOrSkip(opts);
    if (server) await onStart?.(server);
  });
  after(async () => {
    await server?.stop();
  });
  return (title, fn) =>
    it(title, async (t) => {
      if (!server) return void t.skip('sshd not available');
      await fn(server);
    });
}
