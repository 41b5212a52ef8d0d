/**
 * `option [<name> [<value>]]`, `ascii`, `binary` (script spec §10). Names and values resolve by
 * unique prefix; every change prints the affected lines as `%-15s %-10s` (trailing spaces kept).
 */
import { isInteger, matchPrefix, TRANSFER_MODES } from '../../grammar/command-table.js';
import type { BatchMode, Context, OptionName, TransferMode } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { parseFileMask } from '../masks/file-mask.js';
import { MaskError } from '../masks/wildcard.js';
import type { CommandHandler } from './types.js';

const NAMES = ['echo', 'batch', 'confirm', 'transfer', 'synchdelete', 'exclude', 'include', 'reconnecttime', 'failonnomatch'];
const SHOWN = ['echo', 'batch', 'confirm', 'reconnecttime', 'failonnomatch'];

function valueText(ctx: Context, name: string): string {
  const o = ctx.options;
  switch (name) {
    case 'echo':
      return o.echo ? 'on' : 'off';
    case 'batch':
      return o.batch;
    case 'confirm':
      return o.confirm ? 'on' : 'off';
    case 'reconnecttime':
      return o.reconnecttime === 0 ? 'off' : String(o.reconnecttime);
    case 'failonnomatch':
      return o.failonnomatch ? 'on' : 'off';
    case 'transfer':
      return o.transfer;
    case 'synchdelete':
      return o.synchdelete ? 'on' : 'off';
    default:
      return o.include;
  }
}

function printOption(ctx: Context, name: string): void {
  const label = name === 'exclude' ? 'include' : name;
  ctx.out.line(`${label.padEnd(15)} ${valueText(ctx, name).padEnd(10)}`);
}

function onOff(name: string, value: string): boolean {
  const m = matchPrefix(value, ['on', 'off']).match;
  if (!m) throw new ScriptError(`Unknown value '${value}' of option '${name}'.`);
  return m === 'on';
}

/** Resolves an option name by prefix; `Unknown option` otherwise. */
export function resolveOption(word: string): string {
  const m = matchPrefix(word, NAMES).match;
  if (!m) throw new ScriptError(`Unknown option '${word}'.`);
  return m;
}

/** Validates an option value without applying it (for `/check`); returns the error or undefined. */
export function checkOptionValue(name: string, value: string): string | undefined {
  try {
    parseValue(name, value);
    return undefined;
  } catch (e) {
    return e instanceof ScriptError ? e.lines[0] : String(e);
  }
}

function parseValue(name: string, value: string): unknown {
  switch (name) {
    case 'echo':
    case 'confirm':
    case 'failonnomatch':
    case 'synchdelete':
      return onOff(name, value);
    case 'batch': {
      const m = matchPrefix(value, ['off', 'on', 'abort', 'continue']).match;
      if (!m) throw new ScriptError(`Unknown value '${value}' of option 'batch'.`);
      return m;
    }
    case 'transfer': {
      const m = matchPrefix(value, TRANSFER_MODES).match;
      // compat: WinSCP swaps the arguments of this message; reproduced.
      if (!m) throw new ScriptError(`Unknown value 'transfer' of option '${value}'.`);
      return m;
    }
    case 'reconnecttime':
      if (value.toLowerCase() === 'off') return 0;
      if (!isInteger(value)) throw new ScriptError(`Unknown value '${value}' of option 'reconnecttime'.`);
      return Math.max(0, Number(value));
    case 'include':
    case 'exclude': {
      if (value === 'clear') return '';
      if (name === 'exclude' && value.includes('|')) throw new ScriptError(`Mask is invalid near '${value}'.`);
      const mask = name === 'exclude' ? `|${value}` : value;
      try {
        parseFileMask(mask);
      } catch (e) {
        if (e instanceof MaskError) throw new ScriptError(e.message);
        throw e;
      }
      return mask;
    }
  }
  throw new ScriptError(`Unknown option '${name}'.`);
}

function setOption(ctx: Context, name: string, value: string): string[] {
  const v = parseValue(name, value);
  const o = ctx.options;
  const printed = [name];
  switch (name) {
    case 'echo':
      o.echo = v as boolean;
      break;
    case 'confirm':
      o.confirm = v as boolean;
      break;
    case 'failonnomatch':
      o.failonnomatch = v as boolean;
      break;
    case 'synchdelete':
      o.synchdelete = v as boolean;
      break;
    case 'batch':
      o.batch = v as BatchMode;
      if (o.batch !== 'off' && o.reconnecttime === 0) {
        o.reconnecttime = 120;
        ctx.explicitOptions.add('reconnecttime');
        printed.push('reconnecttime');
      }
      break;
    case 'transfer':
      o.transfer = v as TransferMode;
      break;
    case 'reconnecttime':
      o.reconnecttime = v as number;
      break;
    case 'include':
    case 'exclude':
      o.include = v as string;
      break;
  }
  ctx.explicitOptions.add((name === 'exclude' ? 'include' : name) as OptionName);
  return printed;
}

export const option: CommandHandler = async (ctx, node) => {
  const [nameParam, valueParam] = node.params;
  if (!nameParam) {
    for (const n of SHOWN) printOption(ctx, n);
    return;
  }
  const name = resolveOption(nameParam.value);
  if (!valueParam) {
    printOption(ctx, name);
    return;
  }
  for (const n of setOption(ctx, name, valueParam.value)) printOption(ctx, n);
};

export const ascii: CommandHandler = async (ctx) => {
  for (const n of setOption(ctx, 'transfer', 'ascii')) printOption(ctx, n);
};

export const binary: CommandHandler = async (ctx) => {
  for (const n of setOption(ctx, 'transfer', 'binary')) printOption(ctx, n);
};
