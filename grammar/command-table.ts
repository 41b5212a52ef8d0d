/**
 * The command registry: every WinSCP script command with its aliases, parameter counts and
 * switch schema (script spec §5, §8.0, §9, §11.3). Parser validation, `/check`, `help` and the
 * interpreter all read this one table. Handlers live in src/commands/, keyed by `name`.
 */

export type SwitchValue =
  /** Takes no value; a value given anyway is ignored (`-delete=yes` = `-delete`). */
  | 'none'
  /** Value optional (`-preservetime`, `-preservetime=all`). */
  | 'optional'
  /** Value expected (`-speed=100`); an absent value is an empty string. */
  | 'required';

export interface SwitchSpec {
  value: SwitchValue;
  /** Consumes the parameters that follow it (`-rawsettings a=1 b=2`), §6.2. */
  list?: boolean;
  /**
   * Static check of the value, for `/check` and before execution. Returns WinSCP's message
   * for a bad value, or undefined.
   */
  check?: (value: string) => string | undefined;
  /** One line for `help <command>`. */
  help: string;
}

export interface CommandSpec {
  /** Canonical name (the one handlers are registered under). */
  name: string;
  aliases: string[];
  /** Parameter count checked before list switches consume parameters (§6.2). */
  min: number;
  max: number;
  /** Count checked after list switches took theirs (e.g. `get` needs at least one source). */
  minAfter?: number;
  maxAfter?: number;
  /**
   * `none`: any switch is rejected up front; `raw`: the rest of the line is raw text (echo,
   * call); otherwise the accepted switches.
   */
  switches: 'none' | 'raw' | Record<string, SwitchSpec>;
  /** Fails with `No session.` when no session is open. */
  needsSession: boolean;
  /** Shown by bare `help` (aliases, ascii/binary and copyid are not). */
  listed: boolean;
  /** Short description for `help`. */
  description: string;
  /** Usage lines for `help <command>`. */
  usage: string[];
}

// ---------------------------------------------------------------- value checks

const notInteger = (v: string) => `'${v}' is not a valid integer value`;

export function isInteger(v: string): boolean {
  return /^[+-]?\d+$/.test(v.trim());
}

const checkInteger = (v: string) => (v === '' || isInteger(v) ? undefined : notInteger(v));
const checkStrictInteger = (v: string) => (isInteger(v) ? undefined : notInteger(v));

export function isOctalPermissions(v: string): boolean {
  return /^[0-7]{3,4}$/.test(v);
}
const checkPermissions = (v: string) =>
  isOctalPermissions(v) ? undefined : `'${v}' is not valid permission in octal format.`;

/**
 * Unique case-insensitive prefix match of `word` among `names`; exact matches win.
 * Returns the matched name, or the list of candidates when ambiguous, or undefined.
 */
export function matchPrefix(word: string, names: readonly string[]): { match?: string; candidates: string[] } {
  const w = word.toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === w);
  if (exact !== undefined) return { match: exact, candidates: [exact] };
  if (w === '') return { candidates: [] };
  const candidates = names.filter((n) => n.toLowerCase().startsWith(w));
  return candidates.length === 1 ? { match: candidates[0], candidates } : { candidates };
}

export const TRANSFER_MODES = ['binary', 'ascii', 'automatic'] as const;
const checkTransfer = (v: string) =>
  matchPrefix(v, TRANSFER_MODES).match ? undefined : `Unknown value 'transfer' of option '${v}'.`;

const checkResumeSupport = (v: string) =>
  matchPrefix(v, ['on', 'off']).match || isInteger(v) ? undefined : `Unknown value 'resumesupport' of option '${v}'.`;

/** Boolean switch values of `open` (§11.3): on, off, an integer, or empty. */
export function parseOnOff(v: string): boolean | undefined | 'invalid' {
  if (v === '') return undefined;
  const m = matchPrefix(v, ['on', 'off']).match;
  if (m) return m === 'on';
  if (isInteger(v)) return Number(v) !== 0;
  return 'invalid';
}
const checkOnOff = (v: string) =>
  parseOnOff(v) === 'invalid' ? `Invalid switch value '${v}'. Valid values are 'on' and 'off'.` : undefined;

// ---------------------------------------------------------------- switch sets

const transferSwitches: Record<string, SwitchSpec> = {
  preservetime: { value: 'optional', help: 'Preserve modification time (=all: also of folders)' },
  nopreservetime: { value: 'none', help: 'Do not preserve modification time' },
  permissions: { value: 'required', check: checkPermissions, help: 'Set permissions (octal, e.g. 644)' },
  nopermissions: { value: 'none', help: 'Do not set permissions' },
  speed: { value: 'required', check: checkInteger, help: 'Limit transfer speed (in KB/s)' },
  transfer: { value: 'required', check: checkTransfer, help: 'Transfer mode: binary, ascii, automatic' },
  filemask: { value: 'required', help: 'Sets file mask' },
  resumesupport: { value: 'required', check: checkResumeSupport, help: 'Resume support: on, off, or threshold in KB' },
  neweronly: { value: 'none', help: 'Transfer new and updated files only' },
  noneweronly: { value: 'none', help: 'Transfer all files (cancels -neweronly)' },
  rawtransfersettings: { value: 'optional', list: true, help: 'Raw transfer settings: name=value ... (put it last)' },
};

const getPutSwitches: Record<string, SwitchSpec> = {
  delete: { value: 'none', help: 'Delete source file(s) after a successful transfer (move)' },
  resume: { value: 'none', help: 'Resume an interrupted transfer' },
  append: { value: 'none', help: 'Append source to the target file' },
  latest: { value: 'none', help: 'Transfer the latest file only' },
  ...transferSwitches,
};

const openSwitches: Record<string, SwitchSpec> = {
  privatekey: { value: 'required', help: 'Private key file (.ppk or OpenSSH)' },
  hostkey: { value: 'required', help: 'Expected host key fingerprint(s), ";"-separated; * accepts any' },
  certificate: { value: 'required', help: 'Expected TLS certificate fingerprint(s); * accepts any' },
  clientcert: { value: 'required', help: 'TLS client certificate file' },
  passphrase: { value: 'required', help: 'Passphrase of the private key' },
  username: { value: 'required', help: 'User name' },
  password: { value: 'required', help: 'Password' },
  newpassword: { value: 'required', help: 'Change the password to this value' },
  passwordsfromfiles: { value: 'none', help: 'Read passwords from the files named by their values' },
  passive: { value: 'optional', check: checkOnOff, help: 'FTP passive mode: on, off' },
  implicit: { value: 'optional', check: checkOnOff, help: 'Implicit TLS (FTPS)' },
  explicit: { value: 'optional', check: checkOnOff, help: 'Explicit TLS (FTPES)' },
  explicittls: { value: 'optional', check: checkOnOff, help: 'Legacy synonym of -explicit' },
  explicitssl: { value: 'optional', check: checkOnOff, help: 'Legacy synonym of -explicit' },
  timeout: { value: 'required', check: checkStrictInteger, help: 'Server response timeout in seconds' },
  rawsettings: { value: 'optional', list: true, help: 'Raw session settings: name=value ... (put it last)' },
  filezilla: { value: 'none', help: 'Take the site from FileZilla (not supported on this platform)' },
  sessionname: { value: 'required', help: 'Session name' },
};

// ---------------------------------------------------------------- the table

const INF = Number.POSITIVE_INFINITY;

function cmd(
  name: string,
  aliases: string[],
  min: number,
  max: number,
  switches: CommandSpec['switches'],
  needsSession: boolean,
  description: string,
  usage: string[],
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  return { name, aliases, min, max, switches, needsSession, listed: true, description, usage, ...extra };
}

export const COMMANDS: readonly CommandSpec[] = [
  cmd('help', ['man'], 0, INF, 'none', false, 'Shows help', ['help [ <command> [ <command2> ... ] ]', 'Lists all commands, or shows the usage of the given ones.']),
  cmd('call', ['!'], 1, INF, 'raw', true, 'Executes an arbitrary remote command', ['call <command>', 'Runs the command on the server (SFTP, SCP: over SSH; FTP: as a raw FTP command).']),
  cmd('pwd', [], 0, 0, 'none', true, 'Prints remote working directory', ['pwd']),
  cmd('cd', [], 0, 1, 'none', true, 'Changes remote working directory', ['cd [ <directory> ]', 'Without a parameter changes to the home directory.']),
  cmd('ls', ['dir'], 0, 1, 'none', true, 'Lists the contents of a remote directory', ['ls [ <directory> ]/[ <wildcard> ]']),
  cmd('rm', [], 1, INF, { onlyfile: { value: 'none', help: 'Fail if a selected item is a directory' } }, true, 'Removes remote file', ['rm <file> [ <file2> ... ]', 'Directories are removed with their contents. Wildcards are allowed.']),
  cmd('rmdir', [], 1, INF, 'none', true, 'Removes remote directory', ['rmdir <directory> [ <directory2> ... ]']),
  cmd('mv', ['rename'], 2, INF, 'none', true, 'Moves or renames remote file', ['mv <file> [ <file2> ... ] [ <directory>/ ][ <newname> ]']),
  cmd('cp', [], 2, INF, 'none', true, 'Duplicates remote file', ['cp <file> [ <file2> ... ] [ <directory>/ ][ <newname> ]']),
  cmd('chmod', [], 2, INF, 'none', true, 'Changes permissions of remote file', ['chmod <mode> <file> [ <file2> ... ]', 'Mode is 3 or 4 octal digits.']),
  cmd('ln', ['symlink'], 2, 2, 'none', true, 'Creates remote symbolic link', ['ln <target> <symlink>']),
  cmd('mkdir', [], 1, 1, 'none', true, 'Creates remote directory', ['mkdir <directory>']),
  cmd('get', ['recv', 'mget'], 0, INF, { ...getPutSwitches, onlyfile: { value: 'none', help: 'Fail if a selected item is a directory' } }, true, 'Downloads file from remote directory to local directory', ['get <file> [ <file2> ... ] [ <directory>/ ][ <newname> ]', 'The last parameter is the target: end it with / to download into a directory.'], { minAfter: 1 }),
  cmd('put', ['send', 'mput'], 0, INF, getPutSwitches, true, 'Uploads file from local directory to remote directory', ['put <file> [ <file2> ... ] [ <directory>/ ][ <newname> ]', 'The last parameter is the target: end it with / to upload into a directory.'], { minAfter: 1 }),
  cmd('option', [], 0, 2, 'none', false, 'Sets or shows value of script options', ['option [ <option> [ <value> ] ]', 'Options: echo, batch, confirm, reconnecttime, failonnomatch, transfer, synchdelete, include, exclude.']),
  cmd('ascii', [], 0, 0, 'none', false, 'Sets the ascii transfer mode', ['ascii'], { listed: false }),
  cmd('binary', [], 0, 0, 'none', false, 'Sets the binary transfer mode', ['binary'], { listed: false }),
  cmd('synchronize', [], 0, INF, {
    preview: { value: 'none', help: 'Preview changes only, do not synchronize' },
    delete: { value: 'none', help: 'Delete obsolete files' },
    mirror: { value: 'none', help: 'Mirror mode (also transfer older files)' },
    criteria: { value: 'optional', help: 'Comparison criteria: none, time, size, checksum, either (comma list)' },
    ...transferSwitches,
  }, true, 'Synchronizes remote directory with local one', ['synchronize local|remote|both [ <local directory> [ <remote directory> ] ]'], { minAfter: 1, maxAfter: 3 }),
  cmd('keepuptodate', [], 0, 2, { delete: { value: 'none', help: 'Delete obsolete files' }, ...transferSwitches }, true, 'Continuously reflects changes in local directory on remote one', ['keepuptodate [ <local directory> [ <remote directory> ] ]', 'Runs until Ctrl-C.']),
  cmd('echo', [], 0, INF, 'raw', false, 'Prints message onto script output', ['echo <message>']),
  cmd('stat', [], 1, 1, 'none', true, 'Retrieves attributes of remote file', ['stat <file>']),
  cmd('checksum', [], 2, 2, 'none', true, 'Calculates checksum of remote file', ['checksum <algorithm> <file>']),
  cmd('copyid', [], 1, 1, 'none', true, 'Installs a public key on the server', ['copyid <key file>'], { listed: false }),
  cmd('exit', ['bye'], 0, 0, 'none', false, 'Closes all sessions and terminates the program', ['exit']),
  cmd('open', [], 0, INF, openSwitches, false, 'Connects to server', ['open <session url> [ <switches> ]', 'sftp://[user[:password]@]host[:port][/path], also scp://, ftp://, ftps://, ftpes://'], { maxAfter: 1 }),
  cmd('close', [], 0, 1, 'none', true, 'Closes session', ['close [ <session number> ]']),
  cmd('session', [], 0, 1, 'none', true, 'Lists connected sessions or selects active session', ['session [ <session number> ]']),
  cmd('lpwd', [], 0, 0, 'none', false, 'Prints local working directory', ['lpwd']),
  cmd('lcd', [], 1, 1, 'none', false, 'Changes local working directory', ['lcd <directory>']),
  cmd('lls', [], 0, 1, 'none', false, 'Lists the contents of local directory', ['lls [ <directory> ]/[ <wildcard> ]']),
];

/** Every registered name (commands and aliases) with the spec it selects. */
export const REGISTERED_NAMES: ReadonlyMap<string, CommandSpec> = (() => {
  const m = new Map<string, CommandSpec>();
  for (const c of COMMANDS) {
    m.set(c.name, c);
    for (const a of c.aliases) m.set(a, c);
  }
  return m;
})();

export function commandSpec(name: string): CommandSpec {
  const c = REGISTERED_NAMES.get(name);
  if (!c) throw new Error(`internal: no command ${name}`);
  return c;
}

export type Resolution =
  | { ok: true; spec: CommandSpec; registeredName: string }
  | { ok: false; message: string; ambiguous: boolean };

/** Resolves a typed command word: exact, else unique prefix among all names (§5). */
export function resolveCommand(word: string): Resolution {
  const names = [...REGISTERED_NAMES.keys()];
  const { match, candidates } = matchPrefix(word, names);
  if (match) return { ok: true, spec: REGISTERED_NAMES.get(match)!, registeredName: match };
  if (candidates.length > 1) {
    const sorted = [...candidates].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    return { ok: false, ambiguous: true, message: `Ambiguous command '${word}'. Possible matches are: ${sorted.join(', ')}` };
  }
  return { ok: false, ambiguous: false, message: `Unknown command '${word}'.` };
}
