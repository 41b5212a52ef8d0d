/**
 * Reading a batch file without running it: its statements in file order with `%` references
 * resolved by the caller (usually kept symbolic), and the pre-flight check that finds commands
 * outside the subset before anything runs. Used by the runner, `--to-sh` and `report`.
 */
import { classifyCommand } from './commands.js';
import { expandPercent, labelOf, Placeholders, type RefResolver } from './lexer.js';
import { parseStatement, type Node, type PhysicalLine } from './parser.js';

export type Statement = { label: string; line: number } | { node: Node };

/**
 * Statements of a whole file in file order; labels come as `{ label }` entries. Lazy: each
 * line is expanded only when the consumer asks for the statement that contains it, so a
 * resolver can depend on what the consumer saw before (`report` follows `set` that way).
 */
export function* statements(lines: readonly string[], resolve: RefResolver): Generator<Statement> {
  let pos = 0;
  const feed = (): PhysicalLine | undefined => {
    if (pos >= lines.length) return undefined;
    const i = pos++;
    return { text: expandPercent(lines[i]!, resolve), line: i + 1 };
  };
  while (pos < lines.length) {
    const label = labelOf(lines[pos]!);
    if (label !== undefined) {
      yield { label, line: pos + 1 };
      pos++;
      continue;
    }
    yield { node: parseStatement(feed()!, feed) };
  }
}

/** Every node of a tree, depth first. */
export function* walk(n: Node): Generator<Node> {
  yield n;
  if (n.type === 'seq') {
    yield* walk(n.first);
    for (const r of n.rest) yield* walk(r.node);
  } else if (n.type === 'block') for (const b of n.body) yield* walk(b);
  else if (n.type === 'if') {
    yield* walk(n.then);
    if (n.else) yield* walk(n.else);
  }
}

/** Problems that keep a file from running (commands outside the subset, syntax errors). */
export function preflight(file: { lines: readonly string[] }): { line: number; message: string }[] {
  const out: { line: number; message: string }[] = [];
  for (const s of statements(file.lines, new Placeholders().make)) {
    if (!('node' in s)) continue;
    for (const n of walk(s.node)) {
      if (n.type === 'bad') out.push({ line: n.line, message: n.message });
      else if (n.type === 'cmd') {
        const c = classifyCommand(n.text);
        if (c.kind === 'unsupported') out.push({ line: n.line, message: c.message });
      }
    }
  }
  return out;
}
