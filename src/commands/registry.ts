/**
 * Command name -> implementation. The command specs (aliases, arity, switches) are the table in
 * grammar/command-table.ts; this maps each canonical name to its module.
 */
import { ScriptError } from '../interpreter/errors.js';
import { call } from './call.js';
import { cd } from './cd.js';
import { checksum } from './checksum.js';
import { chmod } from './chmod.js';
import { echo } from './echo.js';
import { exit } from './exit.js';
import { get } from './get.js';
import { help } from './help.js';
import { keepuptodate } from './keepuptodate.js';
import { lcd } from './lcd.js';
import { lls } from './lls.js';
import { lpwd } from './lpwd.js';
import { ln } from './ln.js';
import { ls } from './ls.js';
import { mkdir } from './mkdir.js';
import { cp, mv } from './mv.js';
import { open } from './open.js';
import { ascii, binary, option } from './option.js';
import { put } from './put.js';
import { pwd } from './pwd.js';
import { rm } from './rm.js';
import { rmdir } from './rmdir.js';
import { close, session } from './session.js';
import { stat } from './stat.js';
import { synchronize } from './synchronize.js';
import type { CommandHandler } from './types.js';

const HANDLERS: Record<string, CommandHandler> = {
  ascii,
  binary,
  call,
  cd,
  checksum,
  chmod,
  close,
  cp,
  echo,
  exit,
  get,
  help,
  keepuptodate,
  lcd,
  lls,
  ln,
  lpwd,
  ls,
  mkdir,
  mv,
  open,
  option,
  put,
  pwd,
  rm,
  rmdir,
  session,
  stat,
  synchronize,
};

export function handlerFor(name: string): CommandHandler {
  return HANDLERS[name] ?? (async () => {
    throw new ScriptError('Operation not supported.');
  });
}
