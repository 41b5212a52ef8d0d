/**
 * From one (already expanded) script line to a CommandNode: comment detection (§2.4), word
 * splitting (§4), command resolution (§5), switch/parameter classification and validation (§6).
 */
import type { CommandNode, LineNode, ParamNode, SwitchNode } from './ast.js';
import { type CommandSpec, isInteger, resolveCommand } from './command-table.js';
import { type Diagnostic, DiagnosticCodes as C, diag, type SourceSpan } from './diagnostics.js';
import { splitWords, type Word } from './parser.js';

export interface LineLocation {
  file: string;
  line: number;
}

export interface ParsedLine {
  node?: LineNode;
  /** Errors first; the interpreter reports the first error, `/check` all of them. */
  diagnostics: Diagnostic[];
}

function span(loc: LineLocation, start: number, end: number): SourceSpan {
  return { file: loc.file, line: loc.line, column: start + 1, endColumn: end + 1 };
}

/** Blank per §2.3: empty or only spaces, tabs and other control characters. */
export function isBlankLine(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\s\x00-\x1f\x7f]*$/.test(text);
}

/** Comment per §2.4: `#` or `;` in column 1, nowhere else. */
export function isCommentLine(text: string): boolean {
  return text.startsWith('#') || text.startsWith(';');
}

type Classified = { kind: 'param'; value: string; word: Word } | { kind: 'switch'; sw: SwitchNode; word: Word };

/** Classifies one token as switch or parameter (§6.1). Returns undefined for `--` handling. */
export function classifyToken(value: string): { name: string; value: string | undefined } | undefined {
  if (value.length < 2 || value[0] !== '-') return undefined;
  const doubleDash = value.startsWith('--');
  for (let i = 1; i < value.length; i++) {
    const ch = value[i]!;
    if (/\p{L}/u.test(ch) || ch === '?') continue;
    if (ch === '-' && doubleDash) continue;
    if (ch === '=' || ch === ':' || ch === '[') {
      if (i === 1) return undefined; // "-=x": no name
      let v = value.slice(i + 1);
      if (ch === '[' && v.endsWith(']')) v = v.slice(0, -1);
      return { name: value.slice(1, i), value: v };
    }
    return undefined;
  }
  return { name: value.slice(1), value: undefined };
}

/** Parses one line. Never throws on input. */
export function parseLine(text: string, loc: LineLocation): ParsedLine {
  const whole = span(loc, 0, text.length);
  if (isBlankLine(text) || isCommentLine(text)) return { node: { kind: 'skip', span: whole }, diagnostics: [] };

  const words = splitWords(text);
  const first = words[0]!;
  const diagnostics: Diagnostic[] = [];
  const firstSpan = span(loc, first.start, first.end);

  const res = resolveCommand(first.value);
  if (!res.ok) {
    return {
      diagnostics: [diag(res.ambiguous ? C.AmbiguousCommand : C.UnknownCommand, firstSpan, res.message)],
    };
  }
  const spec = res.spec;
  const raw = text.slice(Math.min(text.length, first.end + 1));
  const rest = words.slice(1);

  const node: CommandNode = {
    kind: 'command',
    spec,
    name: spec.name,
    registeredName: res.registeredName,
    typed: first.value,
    switches: [],
    params: [],
    raw,
    text,
    span: whole,
  };

  if (spec.switches === 'raw') {
    // echo / call: the raw remainder is the argument; words only count for the arity check.
    node.params = rest.map((w) => ({ value: w.value, span: span(loc, w.start, w.end) }));
    checkCount(node, node.params.length, spec.min, spec.max, diagnostics, firstSpan);
    return { node, diagnostics };
  }

  for (const w of words) {
    if (w.unterminated) {
      diagnostics.push(diag(C.UnterminatedQuote, span(loc, w.start, w.end), 'Unterminated quote: the argument extends to the end of the line.', 'warning'));
    }
  }

  // Classify in order; `--` turns switch parsing off for the rest of the line.
  const classified: Classified[] = [];
  let switchesOn = true;
  for (const w of rest) {
    if (switchesOn && w.value === '--') {
      switchesOn = false;
      continue;
    }
    const c = switchesOn ? classifyToken(w.value) : undefined;
    if (c) {
      classified.push({
        kind: 'switch',
        word: w,
        sw: { typedName: c.name, name: c.name.toLowerCase(), value: c.value, list: [], span: span(loc, w.start, w.end) },
      });
    } else {
      classified.push({ kind: 'param', value: w.value, word: w });
    }
  }

  const totalParams = classified.filter((c) => c.kind === 'param').length;
  const errors: Diagnostic[] = [];
  checkCount(node, totalParams, spec.min, spec.max, errors, firstSpan);

  // Switches: known, first occurrence only, list switches consume following parameters.
  const seen = new Set<string>();
  let consuming: { sw: SwitchNode; left: number } | undefined;
  for (const c of classified) {
    if (c.kind === 'param') {
      const p: ParamNode = { value: c.value, span: span(loc, c.word.start, c.word.end) };
      if (consuming && consuming.left > 0) {
        consuming.sw.list.push(p);
        consuming.left--;
      } else {
        node.params.push(p);
      }
      continue;
    }
    consuming = undefined;
    const sw = c.sw;
    const schema = spec.switches === 'none' ? undefined : spec.switches[sw.name];
    if (!schema || seen.has(sw.name)) {
      errors.push(diag(C.UnknownSwitch, sw.span, `Unknown switch '${sw.typedName}'.`));
      continue;
    }
    seen.add(sw.name);
    node.switches.push(sw);
    if (schema.list) {
      const limit = sw.value !== undefined && isInteger(sw.value) ? Math.max(0, Number(sw.value)) : Number.POSITIVE_INFINITY;
      consuming = { sw, left: limit };
    }
    if (schema.value === 'none') sw.value = undefined;
    if (schema.check && !schema.list) {
      const msg = schema.check(sw.value ?? '');
      if (msg) errors.push(diag(C.BadSwitchValue, sw.span, msg));
    }
  }
  checkAfter(node, spec, errors, firstSpan);
  return { node, diagnostics: [...errors, ...diagnostics] };
}

function checkCount(node: CommandNode, count: number, min: number, max: number, out: Diagnostic[], at: SourceSpan): void {
  if (count < min) out.push(diag(C.MissingParameter, at, `Missing parameter for command '${node.registeredName}'.`));
  else if (count > max) out.push(diag(C.TooManyParameters, at, `Too many parameters for command '${node.registeredName}'.`));
}

function checkAfter(node: CommandNode, spec: CommandSpec, out: Diagnostic[], at: SourceSpan): void {
  if (out.some((d) => d.code === C.MissingParameter || d.code === C.TooManyParameters)) return;
  const n = node.params.length;
  if (spec.minAfter !== undefined && n < spec.minAfter) {
    out.push(diag(C.MissingParameter, at, `Missing parameter for command '${node.registeredName}'.`));
  } else if (spec.maxAfter !== undefined && n > spec.maxAfter) {
    out.push(diag(C.TooManyParameters, at, `Too many parameters for command '${node.registeredName}'.`));
  }
}

/** The first error of a parsed line, if any (what the interpreter reports). */
export function firstError(p: ParsedLine): Diagnostic | undefined {
  return p.diagnostics.find((d) => d.severity === 'error');
}
