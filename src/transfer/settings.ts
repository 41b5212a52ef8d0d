/**
 * Transfer settings (sync spec §5.12, script spec §9): factory defaults, then `/rawtransfersettings`
 * from the command line, then the command's switches, then its `-rawtransfersettings`.
 */
import { getSwitch, type CommandNode } from '../../grammar/ast.js';
import { isInteger, isOctalPermissions, matchPrefix, TRANSFER_MODES } from '../../grammar/command-table.js';
import type { Context, TransferMode } from '../interpreter/context.js';
import { ScriptError } from '../interpreter/errors.js';
import { type FileMask, isEmptyMask, parseFileMask } from '../masks/file-mask.js';
import { MaskError } from '../masks/wildcard.js';

export const DEFAULT_ASCII_MASK = '*.*html; *.htm; *.txt; *.php; *.php3; *.cgi; *.c; *.cpp; *.h; *.pas; *.bas; *.tex; *.pl; *.js; .htaccess; *.xtml; *.css; *.cfg; *.ini; *.sh; *.xml';

export interface TransferSettings {
  mode: TransferMode;
  asciiMask: FileMask;
  preserveTime: boolean;
  preserveTimeDirs: boolean;
  /** `-permissions`: mode to set on targets. */
  permissions?: number;
  addXToDirectories: boolean;
  /** Bytes per second; 0 = unlimited. */
  speedLimit: number;
  fileMask?: FileMask;
  resumeSupport: 'on' | 'off' | 'smart';
  /** Bytes (smart mode). */
  resumeThreshold: number;
  newerOnly: boolean;
  excludeHidden: boolean;
  excludeEmptyDirectories: boolean;
  /** 0 none, 1 upper, 2 lower, 3 first upper, 4 lower 8.3. */
  fileNameCase: number;
  removeBOM: boolean;
  removeCtrlZ: boolean;
  ignorePermErrors: boolean;
  /** get/put: `-delete` (move). */
  deleteSource: boolean;
  resume: boolean;
  append: boolean;
  latest: boolean;
  onlyFile: boolean;
}

export function factorySettings(): TransferSettings {
  return {
    mode: 'binary',
    asciiMask: parseFileMask(DEFAULT_ASCII_MASK),
    preserveTime: true,
    preserveTimeDirs: false,
    addXToDirectories: true,
    speedLimit: 0,
    resumeSupport: 'smart',
    resumeThreshold: 100 * 1024,
    newerOnly: false,
    excludeHidden: false,
    excludeEmptyDirectories: false,
    fileNameCase: 0,
    removeBOM: false,
    removeCtrlZ: false,
    ignorePermErrors: false,
    deleteSource: false,
    resume: false,
    append: false,
    latest: false,
    onlyFile: false,
  };
}

function mask(text: string): FileMask {
  try {
    return parseFileMask(text);
  } catch (e) {
    if (e instanceof MaskError) throw new ScriptError(e.message);
    throw e;
  }
}

const bool = (v: string) => v.toLowerCase() === 'on' || (isInteger(v) && Number(v) !== 0);

/** Applies `Name=Value` raw transfer settings. Unknown names get a warning. */
export function applyRawTransferSettings(ctx: Context, s: TransferSettings, entries: string[]): void {
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      ctx.out.warning(`raw transfer setting '${entry}' is not Name=Value and was ignored.`);
      continue;
    }
    const name = entry.slice(0, eq).toLowerCase();
    const v = entry.slice(eq + 1);
    switch (name) {
      case 'addxtodirectories':
        s.addXToDirectories = bool(v);
        break;
      case 'masks':
        s.asciiMask = mask(v);
        break;
      case 'filenamecase':
        s.fileNameCase = Number(v) || 0;
        break;
      case 'preservetime':
        s.preserveTime = bool(v);
        break;
      case 'preservetimedirs':
        s.preserveTimeDirs = bool(v);
        break;
      case 'preserverights':
        if (!bool(v)) s.permissions = undefined;
        break;
      case 'text':
        s.permissions = permissionsFromText(v) ?? s.permissions;
        break;
      case 'ignorepermerrors':
        s.ignorePermErrors = bool(v);
        break;
      case 'transfermode':
        s.mode = (['binary', 'ascii', 'automatic'] as const)[Number(v)] ?? s.mode;
        break;
      case 'resumesupport':
        s.resumeSupport = (['on', 'smart', 'off'] as const)[Number(v)] ?? s.resumeSupport;
        break;
      case 'resumethreshold':
        if (isInteger(v)) s.resumeThreshold = Number(v);
        break;
      case 'includefilemask':
        s.fileMask = mask(v);
        break;
      case 'removectrlz':
        s.removeCtrlZ = bool(v);
        break;
      case 'removebom':
        s.removeBOM = bool(v);
        break;
      case 'cpslimit':
        if (isInteger(v)) s.speedLimit = Math.max(0, Number(v));
        break;
      case 'neweronly':
        s.newerOnly = bool(v);
        break;
      case 'excludehiddenfiles':
        s.excludeHidden = bool(v);
        break;
      case 'excludeemptydirectories':
        s.excludeEmptyDirectories = bool(v);
        break;
      case 'preservereadonly':
      case 'clearachive':
      case 'cleararchive':
      case 'calculatesize':
      case 'encryptnewfiles':
      case 'replaceinvalidchars':
      case 'localinvalidchars':
        // Windows-only or no effect here; accepted silently as their defaults are what Linux does.
        break;
      default:
        ctx.out.warning(`raw transfer setting '${entry.slice(0, eq)}' is not used by winscript and was ignored.`);
    }
  }
}

/** `rw-r--r--` -> 0o644. */
function permissionsFromText(t: string): number | undefined {
  if (!/^[r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-]$/.test(t)) return undefined;
  let m = 0;
  for (let i = 0; i < 9; i++) if (t[i] !== '-' && t[i] !== 'S' && t[i] !== 'T') m |= 1 << (8 - i);
  return m;
}

/**
 * Settings for a transfer command from its switches. `option transfer` gives the default mode,
 * `option include/exclude` the default mask (a `-filemask` overrides it, with WinSCP's warning).
 */
export function settingsFromNode(ctx: Context, node: CommandNode): TransferSettings {
  const s = factorySettings();
  s.mode = ctx.options.transfer;
  applyRawTransferSettings(ctx, s, ctx.config.rawTransferSettings);
  const sw = (n: string) => getSwitch(node, n);
  if (sw('nopreservetime')) {
    s.preserveTime = false;
    s.preserveTimeDirs = false;
  }
  const pt = sw('preservetime');
  if (pt) {
    s.preserveTime = true;
    if (pt.value !== undefined && pt.value.toLowerCase() === 'all') s.preserveTimeDirs = true;
  }
  if (sw('nopermissions')) s.permissions = undefined;
  const perm = sw('permissions');
  if (perm) {
    if (!isOctalPermissions(perm.value ?? '')) throw new ScriptError(`'${perm.value ?? ''}' is not valid permission in octal format.`);
    s.permissions = parseInt(perm.value!, 8);
  }
  const speed = sw('speed');
  if (speed) {
    const v = speed.value ?? '';
    if (v !== '' && !isInteger(v)) throw new ScriptError(`'${v}' is not a valid integer value`);
    s.speedLimit = v === '' ? 0 : Math.max(0, Number(v)) * 1024;
  }
  const mode = sw('transfer');
  if (mode) {
    const m = matchPrefix(mode.value ?? '', TRANSFER_MODES).match;
    if (!m) throw new ScriptError(`Unknown value 'transfer' of option '${mode.value ?? ''}'.`);
    s.mode = m as TransferMode;
  }
  const fm = sw('filemask');
  if (fm) {
    if (ctx.options.include !== '') ctx.out.line('Switch -filemask overrides obsolete options include/exclude.');
    s.fileMask = mask(fm.value ?? '');
  } else if (ctx.options.include !== '') s.fileMask = mask(ctx.options.include);
  if (isEmptyMask(s.fileMask)) s.fileMask = undefined;
  const rs = sw('resumesupport');
  if (rs) {
    const v = rs.value ?? '';
    const m = matchPrefix(v, ['on', 'off']).match;
    if (m) s.resumeSupport = m as 'on' | 'off';
    else if (isInteger(v)) {
      s.resumeSupport = 'smart';
      s.resumeThreshold = Number(v) * 1024;
    } else throw new ScriptError(`Unknown value 'resumesupport' of option '${v}'.`);
  }
  if (sw('noneweronly')) s.newerOnly = false;
  if (sw('neweronly')) s.newerOnly = true;
  s.deleteSource = Boolean(sw('delete'));
  s.resume = Boolean(sw('resume'));
  s.append = Boolean(sw('append'));
  s.latest = Boolean(sw('latest'));
  s.onlyFile = Boolean(sw('onlyfile'));
  applyRawTransferSettings(ctx, s, (sw('rawtransfersettings')?.list ?? []).map((p) => p.value));
  return s;
}
