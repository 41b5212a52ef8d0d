/**
 * `/check`: parses and validates a script without connecting or touching any file. Reports
 * syntax and registry problems (unknown/ambiguous commands, unknown/repeated switches, bad
 * switch values, parameter counts, unterminated quotes) and semantic ones (malformed session
 * URLs, unmapped drives, bad option names/values, bad synchronize modes, invalid masks).
 */
import type { CommandNode } from '../../grammar/ast.js';
import { getSwitch } from '../../grammar/ast.js';
import { matchPrefix } from '../../grammar/command-table.js';
import { type Diagnostic, DiagnosticCodes as C, diag, type SourceSpan } from '../../grammar/diagnostics.js';
import { parseLine } from '../../grammar/to-ast.js';
import { checkOptionValue, resolveOption } from '../commands/option.js';
import type { SourceLine } from '../interpreter/run.js';
import { ScriptError } from '../interpreter/errors.js';
import type { LocalPaths } from '../local-path.js';
import { parseFileMask } from '../masks/file-mask.js';
import { MaskError } from '../masks/wildcard.js';
import { parseSessionUrl } from '../session/session-url.js';
import { parseFingerprintList } from '../session/host-key.js';
import { HONOURED_RAW } from '../session/open-session.js';
import { ConnectError } from '../transports/connect-error.js';
import { proxyFromRaw } from '../transports/proxy.js';

export interface CheckContext {
  paths: LocalPaths;
  cwd: string;
}

/** Parameters of these commands are local paths (index -> local?); `get`/`put` handled apart. */
const LOCAL_PARAM_COMMANDS = new Set(['lcd', 'lls']);

export function checkScript(lines: readonly SourceLine[], cc: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const l of lines) {
    const parsed = parseLine(l.text, l);
    out.push(...parsed.diagnostics);
    if (parsed.node?.kind === 'command' && !parsed.diagnostics.some((d) => d.severity === 'error')) {
      out.push(...checkCommand(parsed.node, cc));
    }
  }
  return out;
}

function checkCommand(node: CommandNode, cc: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const local = (value: string, span: SourceSpan) => {
    const problem = cc.paths.problem(value, cc.cwd);
    if (problem) out.push(diag(C.UnmappedDrive, span, problem));
  };
  switch (node.name) {
    case 'open': {
      const p = node.params[0];
      if (p) {
        const r = parseSessionUrl(p.value);
        if (!r.ok) out.push(diag(C.BadSessionUrl, p.span, r.message));
        else if (r.url.protocol === 'webdav' || r.url.protocol === 's3') {
          out.push(diag(C.BadSessionUrl, p.span, `The ${r.url.protocol === 's3' ? 'S3' : 'WebDAV'} protocol is not supported by winscript.`));
        } else if (r.url.host === '') out.push(diag(C.BadSessionUrl, p.span, `Session URL '${p.value}' has no host name.`));
        else if (r.url.rawSettings.some(([n]) => !HONOURED_RAW.has(n.toLowerCase()))) {
          for (const [n] of r.url.rawSettings.filter(([x]) => !HONOURED_RAW.has(x.toLowerCase()))) out.push(diag(C.BadOption, p.span, `Raw session setting '${n}' is not supported by winscript and is ignored.`, 'warning'));
        } else if (r.url.badPort !== undefined) {
          out.push(diag(C.BadSessionUrl, p.span, `Port '${r.url.badPort}' in session URL is not a number 1-65535; WinSCP ignores it and uses the default port.`, 'warning'));
        }
      }
      for (const name of ['hostkey', 'certificate'] as const) {
        const sw = getSwitch(node, name);
        const v = sw?.value?.trim();
        if (!sw || v === undefined || v === '*' || (name === 'hostkey' && v.toLowerCase() === 'acceptnew')) continue;
        const { invalid } = name === 'hostkey' ? parseFingerprintList(v) : { invalid: v.split(';').filter((x) => x.trim() && !/^([0-9a-f]{2}[:-]?)+$/i.test(x.trim().replace(/^SHA(1|256):/i, ''))) };
        for (const bad of invalid) out.push(diag(C.BadSwitchValue, sw.span, `'${bad}' is not a valid ${name === 'hostkey' ? 'host key' : 'certificate'} fingerprint: it can never match, so the connection would be refused.`));
      }
      const proxyRaw = new Map<string, string>();
      if (p) {
        const r = parseSessionUrl(p.value);
        if (r.ok) for (const [n, v] of r.url.rawSettings) proxyRaw.set(n.toLowerCase(), v);
      }
      for (const p of getSwitch(node, 'rawsettings')?.list ?? []) {
        const n = p.value.split('=')[0]!.toLowerCase();
        proxyRaw.set(n, p.value.slice(p.value.indexOf('=') + 1));
        if (!HONOURED_RAW.has(n)) out.push(diag(C.BadOption, p.span, `Raw session setting '${p.value.split('=')[0]}' is not supported by winscript and is ignored.`, 'warning'));
      }
      try {
        proxyFromRaw(proxyRaw);
      } catch (e) {
        if (!(e instanceof ConnectError)) throw e;
        out.push(diag(C.BadOption, (getSwitch(node, 'rawsettings') ?? p ?? node).span, e.lines[0]!));
      }
      const key = getSwitch(node, 'privatekey');
      if (key?.value && !key.value.startsWith('@')) local(key.value, key.span);
      break;
    }
    case 'option': {
      const [name, value] = node.params;
      if (!name) break;
      try {
        const resolved = resolveOption(name.value);
        if (value) {
          const msg = checkOptionValue(resolved, value.value);
          if (msg) out.push(diag(C.BadOption, value.span, msg));
        }
      } catch (e) {
        out.push(diag(C.BadOption, name.span, e instanceof ScriptError ? e.lines[0]! : String(e)));
      }
      break;
    }
    case 'synchronize': {
      const mode = node.params[0];
      if (mode && !matchPrefix(mode.value, ['local', 'remote', 'both']).match) {
        out.push(diag(C.BadOption, mode.span, `Unknown option '${mode.value}'.`));
      }
      for (const p of node.params.slice(1, 2)) local(p.value, p.span);
      break;
    }
    case 'keepuptodate':
      for (const p of node.params.slice(0, 1)) local(p.value, p.span);
      break;
    case 'put':
      for (const p of node.params.length > 1 ? node.params.slice(0, -1) : node.params) if (p.value !== '-') local(p.value, p.span);
      break;
    case 'get': {
      const t = node.params.length > 1 ? node.params[node.params.length - 1] : undefined;
      if (t && t.value !== '-') local(t.value, t.span);
      break;
    }
    default:
      if (LOCAL_PARAM_COMMANDS.has(node.name)) for (const p of node.params) local(p.value, p.span);
  }
  const mask = getSwitch(node, 'filemask');
  if (mask?.value !== undefined) {
    try {
      parseFileMask(mask.value);
    } catch (e) {
      if (e instanceof MaskError) out.push(diag(C.BadMask, mask.span, e.message));
      else throw e;
    }
  }
  return out;
}
