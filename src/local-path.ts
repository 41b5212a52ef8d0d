/**
 * The one place where Windows local paths are mapped to POSIX paths.
 *
 * Scripts and batch files written for Windows name local paths such as `C:\data\out`, `c:/x`,
 * `"C:\Program Files\app"`, drive-relative `\x` and UNC `\\server\share\x`. They are mapped with
 * `WINSCRIPT_DRIVES` (`;`-separated `X:=/abs/path` or `\\server\share=/abs/path`) and the CLI
 * option `--drive X:=/abs/path`. POSIX paths work as they are.
 *
 * compat: backslashes in any local path are taken as separators (as on Windows), so a local file
 * name containing a literal backslash cannot be used from a script.
 */
import path from 'node:path';

export class LocalPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalPathError';
  }
}

export interface DriveMap {
  /** Upper-case drive letter -> absolute POSIX root. */
  drives: Map<string, string>;
  /** Lower-case `\\server\share` -> absolute POSIX root. */
  unc: Map<string, string>;
}

export function emptyDriveMap(): DriveMap {
  return { drives: new Map(), unc: new Map() };
}

const DRIVE_RE = /^([A-Za-z]):(.*)$/s;
const UNC_RE = /^\\\\([^\\/]+)[\\/]([^\\/]+)(.*)$/s;

/**
 * Parses drive specifications (`C:=/srv/c`, `\\nas\backup=/mnt/nas`). Later entries override
 * earlier ones, so CLI `--drive` given after the environment wins.
 */
export function parseDriveSpecs(specs: readonly string[], into: DriveMap = emptyDriveMap()): { map: DriveMap; errors: string[] } {
  const errors: string[] = [];
  for (const group of specs) {
    for (const raw of group.split(';')) {
      const spec = raw.trim();
      if (spec === '') continue;
      const eq = spec.indexOf('=');
      if (eq < 0) {
        errors.push(`Bad drive mapping '${spec}': expected X:=/absolute/path or \\\\server\\share=/absolute/path.`);
        continue;
      }
      const left = spec.slice(0, eq).trim();
      const target = spec.slice(eq + 1).trim();
      if (!path.isAbsolute(target)) {
        errors.push(`Bad drive mapping '${spec}': the target '${target}' must be an absolute path.`);
        continue;
      }
      const root = path.resolve(target);
      const d = /^([A-Za-z]):?$/.exec(left);
      const u = UNC_RE.exec(left);
      if (d) into.drives.set(d[1]!.toUpperCase(), root);
      else if (u && /^[\\/]*$/.test(u[3]!)) into.unc.set(uncKey(u[1]!, u[2]!), root);
      else errors.push(`Bad drive mapping '${spec}': '${left}' is neither a drive letter (C:) nor a UNC share (\\\\server\\share).`);
    }
  }
  return { map: into, errors };
}

function uncKey(server: string, share: string): string {
  return `\\\\${server}\\${share}`.toLowerCase();
}

/** What kind of Windows root a local path starts with, if any (for `/check` and `report`). */
export type WindowsRoot = { kind: 'drive'; name: string } | { kind: 'unc'; name: string } | { kind: 'drive-relative' };

export function windowsRootOf(p: string): WindowsRoot | undefined {
  const u = UNC_RE.exec(p);
  if (u) return { kind: 'unc', name: `\\\\${u[1]}\\${u[2]}` };
  const d = DRIVE_RE.exec(p);
  if (d) return { kind: 'drive', name: `${d[1]!.toUpperCase()}:` };
  if (p.startsWith('\\') && !p.startsWith('\\\\')) return { kind: 'drive-relative' };
  return undefined;
}

function unmappedMessage(p: string, root: string): string {
  const example = root.endsWith(':') ? `${root}=/some/folder` : `${root}=/some/folder`;
  return (
    `Local path '${p}' is on ${root.endsWith(':') ? 'drive ' : 'share '}${root}, which is not mapped. ` +
    `Map it with WINSCRIPT_DRIVES='${example}' or --drive '${example}'.`
  );
}

export class LocalPaths {
  constructor(readonly map: DriveMap = emptyDriveMap()) {}

  /**
   * Resolves a local path given by a user against the local working directory `cwd` (an
   * absolute POSIX path). Throws LocalPathError for an unmapped drive or share.
   */
  resolve(p: string, cwd: string): string {
    const root = windowsRootOf(p);
    if (root?.kind === 'unc') {
      const u = UNC_RE.exec(p)!;
      const base = this.map.unc.get(uncKey(u[1]!, u[2]!));
      if (!base) throw new LocalPathError(unmappedMessage(p, root.name));
      return join(base, u[3]!);
    }
    if (root?.kind === 'drive') {
      const d = DRIVE_RE.exec(p)!;
      const base = this.map.drives.get(d[1]!.toUpperCase());
      if (!base) throw new LocalPathError(unmappedMessage(p, root.name));
      return join(base, d[2]!);
    }
    if (root?.kind === 'drive-relative') {
      const base = this.rootContaining(cwd);
      if (!base) {
        throw new LocalPathError(
          `Local path '${p}' is relative to the current drive, but the local directory '${cwd}' is not on a mapped drive. ` +
            `Use a full path such as C:${p} and map the drive with WINSCRIPT_DRIVES='C:=/some/folder'.`,
        );
      }
      return join(base, p);
    }
    return path.resolve(cwd, p.replace(/\\/g, '/'));
  }

  /** The message for an unmapped drive or share in `p`, or undefined (for `/check`). */
  problem(p: string, cwd: string): string | undefined {
    try {
      this.resolve(p, cwd);
      return undefined;
    } catch (e) {
      if (e instanceof LocalPathError) return e.message;
      throw e;
    }
  }

  /** The mapped root (drive or share) that contains `posixPath`, longest first. */
  private rootContaining(posixPath: string): string | undefined {
    const roots = [...this.map.drives.values(), ...this.map.unc.values()].sort((a, b) => b.length - a.length);
    return roots.find((r) => posixPath === r || posixPath.startsWith(r.endsWith('/') ? r : r + '/'));
  }
}

/** Joins a mapped root and the Windows remainder (`\data\out`), never leaving the root. */
function join(base: string, rest: string): string {
  const parts = rest.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  const stack: string[] = [];
  for (const s of parts) {
    if (s === '..') stack.pop();
    else stack.push(s);
  }
  return stack.length ? path.join(base, ...stack) : base;
}
