/**
 * Run-wide settings from the command line (script spec §12), after normalisation.
 */
import type { DriveMap } from '../local-path.js';

export interface RunConfig {
  /** `/script=` files in order (already mapped to POSIX paths). */
  scripts: string[];
  /** `/command` lines in order. */
  commands: string[];
  /** `/parameter` values. */
  parameters: string[];
  /** `/ini=nul`: no persistent configuration, no host-key cache. */
  iniNul: boolean;
  /** `/ini=FILE` (accepted; winscript keeps its own configuration). */
  iniFile?: string;
  /** `/log=` */
  logFile?: string;
  /** `/loglevel=` number part (-1..2); `*` (log passwords) is accepted and ignored. */
  logLevel: number;
  /** `/logsize=[count*]size` */
  logSize?: { count: number; bytes: number };
  xmlLog?: string;
  xmlGroups: boolean;
  xmlLogRequired: boolean;
  /** `/jsonlog=` (winscript extension). */
  jsonLog?: string;
  /** `/stdout[=binary|chunked]`: `get … -` streams to stdout; all messages go to stderr. */
  stdout?: 'binary' | 'chunked';
  /** `/stdin[=binary]`: `put - …` reads standard input. */
  stdin: boolean;
  nointeractiveinput: boolean;
  /** `/rawtransfersettings` defaults for this run. */
  rawTransferSettings: string[];
  /** `/rawconfig` entries (accepted; few matter here). */
  rawConfig: string[];
  drives: DriveMap;
  /** `--max-delete N`: refuse a synchronize plan that deletes more than N entries. */
  maxDelete?: number;
  /** `--parallel N`: connections for transfers (1 = WinSCP's sequential behaviour). */
  parallel: number;
  /** Session URL given on the command line (deprecated form, §12.3). */
  sessionUrl?: string;
  /** Switches given with the command-line session (`/hostkey=` ...), as `open` switch tokens. */
  sessionSwitches: string[];
  /** Standalone parameters that were not used. */
  strayParameters: string[];
  /** Host-key cache file (`~/.config/winscript/known_hosts` unless overridden). */
  hostKeyCache?: string;
}

export function defaultConfig(drives: DriveMap): RunConfig {
  return {
    scripts: [],
    commands: [],
    parameters: [],
    iniNul: false,
    logLevel: 0,
    xmlGroups: false,
    xmlLogRequired: false,
    stdin: false,
    nointeractiveinput: false,
    rawTransferSettings: [],
    rawConfig: [],
    drives,
    parallel: 4,
    sessionSwitches: [],
    strayParameters: [],
  };
}
