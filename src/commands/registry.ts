/**
 * Command name -> implementation. The command specs (aliases, arity, switches) are the table in
 * grammar/command-table.ts; this maps each canonical name to its module.
 */
import { ScriptError } from '../interpreter/errors.js';
import { echo } from './echo.js';
import { exit } from './exit.js';
import { help } from './help.js';
import { lcd } from './lcd.js';
import { lls } from './lls.js';
import { lpwd } from './lpwd.js';
import { ascii, binary, option } from './option.js';
import type { CommandHandler } from './types.js';

const HANDLERS: Record<string, CommandHandler> = {
  ascii,
  binary,
  echo,
  exit,
  help,
  lcd,
  lls,
  lpwd,
  option,
};

export function handlerFor(name: string): CommandHandler {
  return HANDLERS[name] ?? (async () => {
    throw new ScriptError('Operation not supported.');
  });
}
