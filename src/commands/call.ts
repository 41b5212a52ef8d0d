import { ScriptError } from '../interpreter/errors.js';
import { isTransportError } from '../transports/transport.js';
import { remoteFail } from './remote-util.js';
import type { CommandHandler } from './types.js';

const lines = (t: string) => t.split(/\r?\n/).filter((l, i, a) => !(l === '' && i === a.length - 1));

/**
 * `call <command>` / `! <command>` (§8.2): runs the raw remainder on the server. Exit status
 * above 1 fails (1 too with raw setting ExitCode1IsError), as does output only on stderr.
 */
export const call: CommandHandler = async (ctx, node) => {
  const s = ctx.requireSession();
  if (!s.transport.capabilities.canExec) throw new ScriptError('Operation not supported.');
  const command = node.raw;
  let r;
  try {
    const wrapped = s.protocol === 'sftp' || s.protocol === 'scp' ? `cd ${quote(s.cwd)} && ${command}` : command;
    r = await s.transport.exec(wrapped);
  } catch (e) {
    if (isTransportError(e, 'EUNSUPPORTED')) throw new ScriptError(e.details);
    throw remoteFail(`Command '${command}'`, e);
  }
  for (const l of lines(r.stdout)) ctx.out.line(l);
  for (const l of lines(r.stderr)) ctx.out.line(l);
  const values: [string, string][] = [['command', command], ['destination', s.cwd], ['output', lines(r.stdout).join('\r\n')], ['erroroutput', lines(r.stderr).join('\r\n')], ['exitcode', String(r.code)]];
  const failed = r.code > 1 || (r.code === 1 && s.exitCode1IsError) || (r.stdout === '' && r.stderr.trim() !== '');
  if (failed) {
    const msg = r.stderr.trim() !== ''
      ? [`Command '${command}'`, `failed with return code ${r.code} and the following error message.`, ...lines(r.stderr)]
      : [`Command failed with return code ${r.code}.`];
    ctx.out.operation({ kind: 'call', values, success: false, messages: msg });
    throw new ScriptError(msg);
  }
  ctx.out.operation({ kind: 'call', values, success: true });
};

function quote(p: string): string {
  return `'${p.replace(/'/g, `'\\''`)}'`;
}
