/**
 * Command name -> implementation. The command specs (aliases, arity, switches) are the table in
 * grammar/command-table.ts; this maps each canonical name to its module. Modules load on first
 * use, so that a script only pays for the commands it runs.
 */
import { ScriptError } from '../interpreter/errors.js';
import type { CommandHandler } from './types.js';

const LOADERS: Record<string, () => Promise<CommandHandler>> = {
  ascii: async () => (await import('./option.js')).ascii,
  binary: async () => (await import('./option.js')).binary,
  call: async () => (await import('./call.js')).call,
  cd: async () => (await import('./cd.js')).cd,
  checksum: async () => (await import('./checksum.js')).checksum,
  chmod: async () => (await import('./chmod.js')).chmod,
  close: async () => (await import('./session.js')).close,
  cp: async () => (await import('./mv.js')).cp,
  echo: async () => (await import('./echo.js')).echo,
  exit: async () => (await import('./exit.js')).exit,
  get: async () => (await import('./get.js')).get,
  help: async () => (await import('./help.js')).help,
  keepuptodate: async () => (await import('./keepuptodate.js')).keepuptodate,
  lcd: async () => (await import('./lcd.js')).lcd,
  lls: async () => (await import('./lls.js')).lls,
  ln: async () => (await import('./ln.js')).ln,
  lpwd: async () => (await import('./lpwd.js')).lpwd,
  ls: async () => (await import('./ls.js')).ls,
  mkdir: async () => (await import('./mkdir.js')).mkdir,
  mv: async () => (await import('./mv.js')).mv,
  open: async () => (await import('./open.js')).open,
  option: async () => (await import('./option.js')).option,
  put: async () => (await import('./put.js')).put,
  pwd: async () => (await import('./pwd.js')).pwd,
  rm: async () => (await import('./rm.js')).rm,
  rmdir: async () => (await import('./rmdir.js')).rmdir,
  session: async () => (await import('./session.js')).session,
  stat: async () => (await import('./stat.js')).stat,
  synchronize: async () => (await import('./synchronize.js')).synchronize,
};

const unsupported: CommandHandler = async () => {
  throw new ScriptError('Operation not supported.');
};

export async function handlerFor(name: string): Promise<CommandHandler> {
  const load = LOADERS[name];
  return load ? load() : unsupported;
}
