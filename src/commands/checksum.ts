import { ScriptError } from '../interpreter/errors.js';
import { baseName, isTransportError } from '../transports/transport.js';
import { remoteFail, remotePath } from './remote-util.js';
import type { CommandHandler } from './types.js';

/** `checksum <alg> <file>` (§8.4): `<hex> <bare name>`. */
export const checksum: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  const [alg, file] = node.params.map((p) => p.value) as [string, string];
  const path = remotePath(s, file);
  let entry;
  try {
    entry = await s.transport.stat(path);
  } catch (e) {
    throw remoteFail(`Can't get attributes of file '${file}'.`, e);
  }
  if (entry.type !== 'file') throw new ScriptError(`'${file}' is not file!`);
  try {
    const hex = await s.transport.checksum(alg, path);
    ctx.out.line(`${hex} ${baseName(path)}`);
    ctx.out.operation({ kind: 'checksum', values: [['filename', path], ['algorithm', alg], ['checksum', hex]], success: true });
  } catch (e) {
    if (isTransportError(e, 'EUNSUPPORTED')) throw new ScriptError(e.details);
    throw remoteFail(`Error calculating checksum of file '${file}'.`, e);
  }
};
