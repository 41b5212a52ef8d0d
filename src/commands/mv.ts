import type { CommandNode } from '../../grammar/ast.js';
import type { Context } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { applyOperationMask, isMultiTarget, MULTI_FILES_TO_ONE } from '../masks/operation-mask.js';
import { joinPath, parentOf } from '../transports/transport.js';
import { remoteFail, selectRemote, splitTarget } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** Shared by mv and cp: sources (wildcards expanded), then the target dir + name mask. */
async function moveOrCopy(ctx: Context, node: CommandNode, kind: 'mv' | 'cp'): Promise<void> {
  const s = ctx.requireSession();
  if (kind === 'cp' && !s.transport.capabilities.canCopy) throw new ScriptError('Operation not supported.');
  const params = node.params.map((p) => p.value);
  const target = params.pop()!;
  const { dir, mask } = splitTarget(s, target);
  const selected = await selectRemote(ctx, s, params, { follow: false });
  if (selected.length > 1 && !isMultiTarget(mask)) ctx.out.line(MULTI_FILES_TO_ONE);
  for (const item of selected) {
    if (kind === 'cp' && item.entry.type === 'dir') {
      throw new ScriptError('Direct duplication of folders is not supported. Use a duplication via a local temporary copy.');
    }
    const to = joinPath(dir, applyOperationMask(mask, item.entry.name));
    try {
      if (kind === 'mv') await s.transport.rename(item.path, to);
      else await s.transport.copy(item.path, to);
      ctx.out.operation({ kind, values: [['filename', item.path], ['destination', to]], success: true });
      ctx.out.line(item.shown);
    } catch (e) {
      const err = remoteFail(kind === 'mv' ? `Error moving file '${item.shown}' to '${to}'.` : `Error copying file '${item.shown}' to '${to}'.`, e);
      if (err.fatal) throw err;
      if ((await ctx.failedOperation(err.lines, { kind, values: [['filename', item.path], ['destination', to]], success: false }, true)) === 'Skip') continue;
    }
    if (kind === 'mv' && (s.cwd === item.path || s.cwd.startsWith(item.path + '/'))) {
      // The working directory was moved away: go to the nearest existing parent.
      let p = s.cwd;
      while (p !== '/' && !(await s.transport.stat(p).then((e) => e.type === 'dir', () => false))) p = parentOf(p);
      s.cwd = p;
    }
  }
}

/** `mv <file> … <target>` (§8.18). */
export const mv: CommandHandler = (ctx, node) => moveOrCopy(ctx, node, 'mv');

/** `cp <file> … <target>` (§8.7): needs server-side copy (SFTP copy-data). */
export const cp: CommandHandler = (ctx, node) => moveOrCopy(ctx, node, 'cp');
