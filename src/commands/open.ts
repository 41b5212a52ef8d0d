import { ScriptError } from '../interpreter/errors.js';
import { openSession, secretsOf, sessionSpec } from '../session/open-session.js';
import type { CommandHandler } from './types.js';

/**
 * `open <url> [switches]` (script spec §11): connects, prints the connection messages and
 * `Active session: [N] name`. Several sessions may be open; the new one becomes active.
 */
export const open: CommandHandler = async (ctx, node) => {
  const spec = await sessionSpec(ctx, node);
  ctx.addSecrets(secretsOf(spec));
  const session = await openSession(ctx, spec);
  ctx.sessions.push(session);
  ctx.activeIndex = ctx.sessions.length - 1;
  ctx.bus.emit({ type: 'session-open', name: session.name, protocol: spec.protocol, host: spec.host, port: spec.port, user: spec.user });
  if (spec.localDir) {
    try {
      const dir = ctx.localPath(spec.localDir);
      ctx.localCwd = dir;
    } catch (e) {
      ctx.out.error(e instanceof ScriptError ? e.lines : [String(e)]);
      ctx.failed = true;
    }
  }
  ctx.out.line(`Active session: [${ctx.activeIndex + 1}] ${session.name}`);
};
