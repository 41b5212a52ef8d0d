/**
 * Normalises a `winscp.com` command line (script spec §12.1) into GNU-style options that
 * minimist parses: `/script=x` or `-Script:x` -> `--script=x`, `/command a b` -> `--command=a
 * --command=b`, `/parameter // a b` -> `--parameter=a --parameter=b`, a first standalone
 * parameter -> the session URL.
 *
 * WinSCP rules: both `/` and `-` mark switches, names are case-insensitive and not abbreviable,
 * `//` (or `--`) ends switch parsing, list switches consume the parameters that follow them. A
 * one-word path such as `/data` is read as a switch, as by WinSCP: put `//` before it.
 */
import minimist from 'minimist';

/** Switches that take the parameters following them. */
const LIST_SWITCHES = new Set(['command', 'parameter', 'rawconfig', 'rawtransfersettings', 'rawsettings']);

/** WinSCP switches that take a value. */
const VALUE_SWITCHES = ['script', 'log', 'loglevel', 'logsize', 'xmllog', 'ini', 'stdout', 'stdin', 'console', 'consoleinstance', 'jsonlog'];
/** WinSCP switches without value. */
const FLAG_SWITCHES = ['xmlgroups', 'xmllogrequired', 'nointeractiveinput', 'unsafe', 'help', 'h', '?', 'check', 'logpasswords'];
/** Switches of the deprecated command-line session; passed to `open`. */
export const SESSION_SWITCHES = ['privatekey', 'hostkey', 'username', 'password', 'passphrase', 'clientcert', 'certificate', 'passive', 'implicit', 'explicit', 'timeout', 'passwordsfromfiles', 'newpassword', 'sessionname', 'filezilla'];
/** Utility modes that winscript does not provide. */
const UTILITY_SWITCHES = ['keygen', 'copyid', 'info', 'batchsettings', 'fingerprintscan', 'dumpcallstack', 'comregistration', 'update', 'browse', 'upload', 'privatekey2'];
/** winscript's own options (GNU style, `--name value` or `--name=value`). */
const OWN_VALUE_OPTIONS = ['drive', 'max-delete', 'parallel', 'jsonlog'];
const OWN_FLAG_OPTIONS = ['help', 'version', 'demo', 'check'];

export interface ParsedArgs {
  scripts: string[];
  commands: string[];
  parameters: string[];
  log?: string;
  loglevel?: string;
  logsize?: string;
  xmllog?: string;
  xmlgroups: boolean;
  xmllogrequired: boolean;
  jsonlog?: string;
  ini?: string;
  rawconfig: string[];
  rawtransfersettings: string[];
  stdout?: string;
  stdin?: string;
  nointeractiveinput: boolean;
  help: boolean;
  version: boolean;
  demo: boolean;
  check: boolean;
  logpasswords: boolean;
  drives: string[];
  maxDelete?: string;
  parallel?: string;
  /** First standalone parameter: the deprecated command-line session. */
  sessionUrl?: string;
  /** Session switches as `open` tokens (`-hostkey=...`). */
  sessionSwitches: string[];
  rawsettings: string[];
  /** Other standalone parameters (WinSCP warns that they are not used). */
  stray: string[];
  /** Warnings for accepted-but-ignored switches. */
  warnings: string[];
  /** Problems that stop the run (unknown switch, unsupported utility mode). */
  errors: string[];
}

/** Splits one token into switch name and value (`/script=x`, `-log:"y"`, `--drive`), or undefined. */
export function classifyArg(tok: string): { name: string; value?: string; mark: string } | undefined {
  if (tok.length < 2 || (tok[0] !== '/' && tok[0] !== '-')) return undefined;
  const mark = tok[0]!;
  const dd = tok.startsWith('--');
  for (let i = 1; i < tok.length; i++) {
    const c = tok[i]!;
    if (/\p{L}/u.test(c) || c === '?') continue;
    if (c === '-' && dd) continue;
    if (c === '=' || c === ':' || c === '[') {
      if (i === 1) return undefined;
      let v = tok.slice(i + 1);
      if (c === '[' && v.endsWith(']')) v = v.slice(0, -1);
      return { name: tok.slice(1, i), value: v, mark };
    }
    return undefined;
  }
  return { name: tok.slice(1), mark };
}

export function normaliseArgs(argv: readonly string[]): { normalised: string[]; stray: string[]; errors: string[]; warnings: string[] } {
  const out: string[] = [];
  const stray: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let switchesOn = true;
  let list: string | undefined;
  let sessionSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (switchesOn && (tok === '//' || tok === '--')) {
      switchesOn = false;
      continue;
    }
    const sw = switchesOn ? classifyArg(tok) : undefined;
    if (!sw) {
      if (list) out.push(`--${list}=${tok}`);
      else if (!sessionSeen) {
        sessionSeen = true;
        out.push(`--session-url=${tok}`);
      } else stray.push(tok);
      continue;
    }
    list = undefined;
    const own = sw.name.startsWith('-') ? sw.name.slice(1).toLowerCase() : undefined;
    if (own !== undefined) {
      if (OWN_VALUE_OPTIONS.includes(own)) {
        let v = sw.value;
        if (v === undefined) {
          v = argv[i + 1];
          i++;
          if (v === undefined) {
            errors.push(`Option --${own} needs a value.`);
            continue;
          }
        }
        out.push(`--${own}=${v}`);
      } else if (OWN_FLAG_OPTIONS.includes(own)) out.push(`--${own}`);
      else errors.push(`Unknown option '${tok}'. Run winscript --help for the list.`);
      continue;
    }
    const name = sw.name.toLowerCase();
    if (LIST_SWITCHES.has(name)) {
      list = name;
      continue;
    }
    if (VALUE_SWITCHES.includes(name)) {
      if (name === 'console' || name === 'consoleinstance') continue; // winscp.com internals
      out.push(sw.value === undefined ? `--${name}` : `--${name}=${sw.value}`);
      continue;
    }
    if (FLAG_SWITCHES.includes(name)) {
      out.push(`--${name === 'h' || name === '?' ? 'help' : name}`);
      continue;
    }
    if (SESSION_SWITCHES.includes(name)) {
      out.push(`--session-switch=-${sw.name}${sw.value === undefined ? '' : `=${sw.value}`}`);
      continue;
    }
    if (UTILITY_SWITCHES.includes(name)) {
      errors.push(`The utility mode ${sw.mark}${sw.name} of WinSCP is not available in winscript.`);
      continue;
    }
    errors.push(`Unknown switch '${tok}'. A path given as a parameter must come after // (e.g. /parameter // /data). Run winscript --help for the list.`);
  }
  return { normalised: out, stray, errors, warnings };
}

const asArray = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const asString = (v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  const a = asArray(v);
  return a[a.length - 1];
};

/** Parses a winscp.com-style argument vector. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const { normalised, stray, errors, warnings } = normaliseArgs(argv);
  const m = minimist(normalised, {
    string: ['script', 'command', 'parameter', 'log', 'loglevel', 'logsize', 'xmllog', 'jsonlog', 'ini', 'rawconfig', 'rawtransfersettings', 'rawsettings', 'stdout', 'stdin', 'drive', 'max-delete', 'parallel', 'session-url', 'session-switch'],
    boolean: ['xmlgroups', 'xmllogrequired', 'nointeractiveinput', 'help', 'version', 'demo', 'check', 'logpasswords', 'unsafe'],
  });
  // minimist turns `--stdout` without value into ''; keep that as "present".
  const present = (name: string) => normalised.some((t) => t === `--${name}` || t.startsWith(`--${name}=`));
  const parsed: ParsedArgs = {
    scripts: asArray(m.script).filter((s) => s !== ''),
    commands: asArray(m.command),
    parameters: asArray(m.parameter),
    log: asString(m.log),
    loglevel: asString(m.loglevel),
    logsize: asString(m.logsize),
    xmllog: asString(m.xmllog),
    xmlgroups: Boolean(m.xmlgroups),
    xmllogrequired: Boolean(m.xmllogrequired),
    jsonlog: asString(m.jsonlog),
    ini: asString(m.ini),
    rawconfig: asArray(m.rawconfig),
    rawtransfersettings: asArray(m.rawtransfersettings),
    stdout: present('stdout') ? (asString(m.stdout) ?? '') : undefined,
    stdin: present('stdin') ? (asString(m.stdin) ?? '') : undefined,
    nointeractiveinput: Boolean(m.nointeractiveinput),
    help: Boolean(m.help),
    version: Boolean(m.version),
    demo: Boolean(m.demo),
    check: Boolean(m.check),
    logpasswords: Boolean(m.logpasswords),
    drives: asArray(m.drive),
    maxDelete: asString(m['max-delete']),
    parallel: asString(m.parallel),
    sessionUrl: asString(m['session-url']),
    sessionSwitches: asArray(m['session-switch']),
    rawsettings: asArray(m.rawsettings),
    stray,
    warnings,
    errors,
  };
  if (m.unsafe) {
    // compat: /unsafe makes WinSCP ignore the switches a URL handler could abuse.
    parsed.scripts = [];
    parsed.commands = [];
    parsed.parameters = [];
    parsed.log = undefined;
    parsed.xmllog = undefined;
    parsed.ini = undefined;
    parsed.rawconfig = [];
  }
  return parsed;
}
