/**
 * cmd.exe's second phase: one statement (a physical line, or several when a `^` continues the
 * line or a parenthesised block spans lines) parsed into a small tree.
 *
 * Handled, as cmd does: `^` escapes the next character outside quotes and joins lines at the end
 * of a line; `"` toggles quoting (special characters are literal inside); `&`, `&&`, `||`;
 * redirections `>`, `>>`, `<`, `N>`, `N>&M` anywhere in a command (removed from its text);
 * `@`; `( … )` blocks whose newlines separate commands and whose `)` ends the block (also in
 * the middle of a command, as in cmd); `if [/i] [not] …` with `( … ) else ( … )`; `rem` and `:`
 * lines. A pipe, `for`, or a syntax error becomes a `bad` node: the caller reports it.
 *
 * The input lines are already `%`-expanded (lexer.ts); they are pulled one at a time from a
 * feed, so the caller decides when (and with which variable values) each line is expanded.
 */

export interface Redirection {
  /** 0 stdin, 1 stdout, 2 stderr. */
  fd: number;
  /** `dup` is `N>&M`: `target` is the digit M. */
  op: '>' | '>>' | '<' | 'dup';
  /** File name with quotes removed, or the fd digit for `dup`. */
  target: string;
}

export type Condition =
  | { kind: 'errorlevel'; value: string }
  | { kind: 'exist'; path: string }
  | { kind: 'defined'; name: string }
  | { kind: 'compare'; op: '==' | 'equ' | 'neq' | 'lss' | 'leq' | 'gtr' | 'geq'; left: string; right: string };

interface Base {
  /** 1-based physical line where the node starts, and where it ends. */
  line: number;
  endLine: number;
  /** Prefixed with `@` (not echoed with `echo on`). */
  quiet: boolean;
}

export type Node =
  /** A simple command: `text` has escapes resolved, quotes kept, redirections removed. */
  | (Base & { type: 'cmd'; text: string; redirs: Redirection[] })
  | (Base & { type: 'block'; body: Node[]; redirs: Redirection[] })
  | (Base & { type: 'if'; not: boolean; ci: boolean; cond: Condition; then: Node; else?: Node })
  | (Base & { type: 'seq'; first: Node; rest: { op: '&' | '&&' | '||'; node: Node }[] })
  /** `rem`, `:: …`, an empty command. */
  | (Base & { type: 'nop' })
  /** Something outside the subset or a syntax error; `message` is the full explanation. */
  | (Base & { type: 'bad'; name: string; message: string });

export interface PhysicalLine {
  text: string;
  /** 1-based line number in the file. */
  line: number;
}

/** Supplies the next (already expanded) physical line, or undefined at the end of the file. */
export type LineFeed = () => PhysicalLine | undefined;

export const SUBSET_REASON = 'outside the batch subset winscript runs';

export function unsupportedMessage(name: string, why = SUBSET_REASON): string {
  return `unsupported command '${name}' (${why})`;
}

class SyntaxFail extends Error {}

const BLANK = /[ \t]/;
/** Characters cmd skips before a command. */
const DELIM = /[ \t,;=]/;

class Scanner {
  buf: string;
  pos = 0;
  line: number;

  constructor(
    first: PhysicalLine,
    private readonly feed: LineFeed,
  ) {
    this.buf = first.text;
    this.line = first.line;
  }

  peek(k = 0): string | undefined {
    return this.buf[this.pos + k];
  }

  eol(): boolean {
    return this.pos >= this.buf.length;
  }

  advance(n = 1): void {
    this.pos += n;
  }

  nextLine(): boolean {
    const l = this.feed();
    if (!l) return false;
    this.buf = l.text;
    this.pos = 0;
    this.line = l.line;
    return true;
  }

  skip(re: RegExp): void {
    while (!this.eol() && re.test(this.buf[this.pos]!)) this.pos++;
  }

  /** Letters at the current position, lower-cased (for keyword look-ahead). */
  wordAhead(): string {
    const m = /^[A-Za-z]+/.exec(this.buf.slice(this.pos));
    return m ? m[0].toLowerCase() : '';
  }

  /**
   * At an unquoted `^`: returns the character it escapes. A `^` ending the line joins the next
   * line, whose first character is then taken literally.
   */
  takeEscaped(): string {
    this.pos++;
    if (!this.eol()) return this.buf[this.pos++]!;
    if (!this.nextLine()) return '';
    if (this.eol()) return '';
    return this.buf[this.pos++]!;
  }

  /** Ends the current physical line (for `rem` and labels). */
  dropRestOfLine(): void {
    this.pos = this.buf.length;
  }
}

/**
 * Parses one statement starting with `first`, pulling more lines from `feed` when a block or a
 * `^` continuation needs them.
 */
export function parseStatement(first: PhysicalLine, feed: LineFeed): Node {
  const sc = new Scanner(first, feed);
  try {
    const node = parseSequence(sc, 0);
    return node;
  } catch (e) {
    if (!(e instanceof SyntaxFail)) throw e;
    // Skip what is left of the statement so that the caller goes on after it.
    return { type: 'bad', name: 'syntax', message: e.message, line: first.line, endLine: sc.line, quiet: false };
  }
}

function parseSequence(sc: Scanner, depth: number): Node {
  const line = sc.line;
  const first = parseCommand(sc, depth);
  const rest: { op: '&' | '&&' | '||'; node: Node }[] = [];
  for (;;) {
    sc.skip(BLANK);
    const c = sc.peek();
    let op: '&' | '&&' | '||';
    if (c === '&') op = sc.peek(1) === '&' ? '&&' : '&';
    else if (c === '|' && sc.peek(1) === '|') op = '||';
    else if (c === '|') {
      sc.advance();
      parseCommand(sc, depth);
      return { type: 'bad', name: '|', message: unsupportedMessage('|', `pipes are ${SUBSET_REASON}`), line, endLine: sc.line, quiet: false };
    } else break;
    sc.advance(op.length);
    sc.skip(DELIM);
    if (sc.eol() || (depth > 0 && sc.peek() === ')')) {
      if (op === '&') break;
      throw new SyntaxFail(`syntax error: a command must follow '${op}'`);
    }
    rest.push({ op, node: parseCommand(sc, depth) });
  }
  if (rest.length === 0) return first;
  return { type: 'seq', first, rest, line, endLine: sc.line, quiet: false };
}

function parseCommand(sc: Scanner, depth: number): Node {
  sc.skip(DELIM);
  const line = sc.line;
  let quiet = false;
  while (sc.peek() === '@') {
    quiet = true;
    sc.advance();
    sc.skip(DELIM);
  }
  const nop = (): Node => ({ type: 'nop', line, endLine: sc.line, quiet });
  if (sc.eol()) return nop();
  if (sc.peek() === ':') {
    // A label (or `::` comment) at command position does nothing.
    sc.dropRestOfLine();
    return nop();
  }
  if (sc.peek() === '(') {
    sc.advance();
    const body = parseBlockBody(sc, depth + 1);
    const redirs = parseTrailingRedirections(sc, depth);
    return { type: 'block', body, redirs, line, endLine: sc.line, quiet };
  }
  const w = sc.wordAhead();
  const after = sc.peek(w.length);
  if (w === 'rem' && (after === undefined || /[\s,;=.:/\\(+[\]]/.test(after))) {
    // `rem` ignores the rest of the line, `&` and `)` included (as in cmd).
    sc.dropRestOfLine();
    return nop();
  }
  if (w === 'if' && after !== undefined && BLANK.test(after)) return parseIf(sc, depth, line, quiet);
  if (w === 'for' && after !== undefined && BLANK.test(after)) return parseFor(sc, depth, line, quiet);
  return parseSimple(sc, depth, line, quiet);
}

function parseBlockBody(sc: Scanner, depth: number): Node[] {
  const body: Node[] = [];
  for (;;) {
    sc.skip(DELIM);
    if (sc.eol()) {
      if (!sc.nextLine()) throw new SyntaxFail("syntax error: ')' missing at the end of the file");
      if (/^\s*:/.test(sc.buf)) sc.dropRestOfLine(); // labels and `::` inside a block are ignored
      continue;
    }
    if (sc.peek() === ')') {
      sc.advance();
      return body;
    }
    body.push(parseSequence(sc, depth));
  }
}

function parseSimple(sc: Scanner, depth: number, line: number, quiet: boolean): Node {
  let text = '';
  const redirs: Redirection[] = [];
  let inQuote = false;
  for (;;) {
    if (sc.eol()) break;
    const c = sc.peek()!;
    if (inQuote) {
      text += c;
      sc.advance();
      if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') {
      inQuote = true;
      text += c;
      sc.advance();
      continue;
    }
    if (c === '^') {
      text += sc.takeEscaped();
      continue;
    }
    if (c === '&' || c === '|') break;
    if (c === ')' && depth > 0) break;
    if (c === '<' || c === '>') {
      let fd = c === '<' ? 0 : 1;
      // `2>x`: a single digit right before `>` that starts a word is the handle.
      if (/(^|[ \t])[0-9]$/.test(text)) {
        fd = Number(text[text.length - 1]);
        text = text.slice(0, -1);
      }
      redirs.push(parseRedirection(sc, depth, fd));
      continue;
    }
    text += c;
    sc.advance();
  }
  // A leading redirection (`>log echo x`) leaves blanks in front of the command name.
  return { type: 'cmd', text: text.replace(/^[ \t]+/, ''), redirs, line, endLine: sc.line, quiet };
}

/** At `<` or `>`: reads the operator and its target. */
function parseRedirection(sc: Scanner, depth: number, fd: number): Redirection {
  const c = sc.peek()!;
  sc.advance();
  let op: Redirection['op'] = c === '<' ? '<' : '>';
  if (c === '>' && sc.peek() === '>') {
    op = '>>';
    sc.advance();
  }
  if (sc.peek() === '&' && /[0-9]/.test(sc.peek(1) ?? '')) {
    const target = sc.peek(1)!;
    sc.advance(2);
    return { fd, op: 'dup', target };
  }
  sc.skip(BLANK);
  const target = readWord(sc, depth, false);
  if (target === '') throw new SyntaxFail(`syntax error: '${c}' without a file name`);
  return { fd, op, target };
}

function parseTrailingRedirections(sc: Scanner, depth: number): Redirection[] {
  const out: Redirection[] = [];
  for (;;) {
    sc.skip(BLANK);
    const c = sc.peek();
    if (c === '<' || c === '>') out.push(parseRedirection(sc, depth, c === '<' ? 0 : 1));
    else if (c !== undefined && /[0-9]/.test(c) && sc.peek(1) === '>') {
      sc.advance();
      out.push(parseRedirection(sc, depth, Number(c)));
    } else return out;
  }
}

/**
 * One word: up to an unquoted blank, `&`, `|`, `<`, `>` (or `)` inside a block). `keepQuotes`
 * keeps the quote characters (if comparisons compare them); `stopAtEq` ends at `==`.
 */
function readWord(sc: Scanner, depth: number, keepQuotes: boolean, stopAtEq = false): string {
  let w = '';
  let inQuote = false;
  for (;;) {
    if (sc.eol()) break;
    const c = sc.peek()!;
    if (inQuote) {
      sc.advance();
      if (c === '"') inQuote = false;
      if (c !== '"' || keepQuotes) w += c;
      continue;
    }
    if (c === '"') {
      inQuote = true;
      sc.advance();
      if (keepQuotes) w += c;
      continue;
    }
    if (c === '^') {
      w += sc.takeEscaped();
      continue;
    }
    if (BLANK.test(c) || c === '&' || c === '|' || c === '<' || c === '>' || (c === ')' && depth > 0)) break;
    if (stopAtEq && c === '=' && sc.peek(1) === '=') break;
    w += c;
    sc.advance();
  }
  return w;
}

const COMPARE_OPS = new Set(['equ', 'neq', 'lss', 'leq', 'gtr', 'geq']);

function parseIf(sc: Scanner, depth: number, line: number, quiet: boolean): Node {
  sc.advance(2);
  let not = false;
  let ci = false;
  for (;;) {
    sc.skip(BLANK);
    const rest = sc.buf.slice(sc.pos);
    if (/^\/i(?=[ \t])/i.test(rest)) {
      ci = true;
      sc.advance(2);
    } else if (/^not(?=[ \t])/i.test(rest)) {
      not = true;
      sc.advance(3);
    } else break;
  }
  const kw = sc.wordAhead();
  const kwEnds = BLANK.test(sc.peek(kw.length) ?? '');
  let cond: Condition;
  if (kwEnds && (kw === 'errorlevel' || kw === 'exist' || kw === 'defined')) {
    sc.advance(kw.length);
    sc.skip(BLANK);
    const arg = readWord(sc, depth, false);
    if (arg === '') throw new SyntaxFail(`syntax error: 'if ${kw}' needs an argument`);
    cond = kw === 'errorlevel' ? { kind: 'errorlevel', value: arg } : kw === 'exist' ? { kind: 'exist', path: arg } : { kind: 'defined', name: arg };
  } else if (kwEnds && kw === 'cmdextversion') {
    throw new SyntaxFail(unsupportedMessage('if cmdextversion'));
  } else {
    const left = readWord(sc, depth, true, true);
    sc.skip(BLANK);
    let op: Extract<Condition, { kind: 'compare' }>['op'];
    if (sc.peek() === '=' && sc.peek(1) === '=') {
      op = '==';
      sc.advance(2);
    } else {
      const word = readWord(sc, depth, false).toLowerCase();
      if (!COMPARE_OPS.has(word)) {
        throw new SyntaxFail(
          left === '' || word === ''
            ? "syntax error in 'if': nothing to compare (an empty variable in an unquoted comparison? quote both sides: if \"%X%\"==\"y\")"
            : `syntax error in 'if': '${word}' was unexpected (expected ==, equ, neq, lss, leq, gtr or geq)`,
        );
      }
      op = word as typeof op;
    }
    sc.skip(BLANK);
    const right = readWord(sc, depth, true);
    if (left === '' || right === '') {
      throw new SyntaxFail("syntax error in 'if': nothing to compare (an empty variable in an unquoted comparison? quote both sides: if \"%X%\"==\"y\")");
    }
    cond = { kind: 'compare', op, left, right };
  }
  sc.skip(BLANK);
  if (sc.eol()) throw new SyntaxFail("syntax error: 'if' without a command");
  let thenNode: Node;
  let elseNode: Node | undefined;
  if (sc.peek() === '(') {
    const bl = sc.line;
    sc.advance();
    const body = parseBlockBody(sc, depth + 1);
    thenNode = { type: 'block', body, redirs: [], line: bl, endLine: sc.line, quiet: false };
    sc.skip(BLANK);
    const after = sc.peek(4);
    if (sc.wordAhead() === 'else' && (after === undefined || BLANK.test(after) || after === '(')) {
      sc.advance(4);
      sc.skip(BLANK);
      if (sc.peek() === '(') {
        const el = sc.line;
        sc.advance();
        const elseBody = parseBlockBody(sc, depth + 1);
        elseNode = { type: 'block', body: elseBody, redirs: [], line: el, endLine: sc.line, quiet: false };
      } else {
        elseNode = parseSequence(sc, depth);
      }
    }
  } else {
    // Without parentheses the rest of the line (`&` chains included) is the command, and an
    // `else` on it is ordinary text, as in cmd.
    thenNode = parseSequence(sc, depth);
  }
  return { type: 'if', not, ci, cond, then: thenNode, else: elseNode, line, endLine: sc.line, quiet };
}

function parseFor(sc: Scanner, depth: number, line: number, quiet: boolean): Node {
  sc.advance(3);
  let parens = 0;
  let inQuote = false;
  for (;;) {
    if (sc.eol()) {
      if (parens > 0 && sc.nextLine()) continue;
      throw new SyntaxFail(unsupportedMessage('for'));
    }
    const c = sc.peek()!;
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && c === '(') parens++;
    else if (!inQuote && c === ')') parens--;
    else if (!inQuote && parens <= 0 && sc.wordAhead() === 'do' && BLANK.test(sc.buf[sc.pos - 1] ?? '') && /^$|[ \t(]/.test(sc.peek(2) ?? '')) {
      sc.advance(2);
      break;
    }
    sc.advance();
  }
  sc.skip(BLANK);
  // The body is parsed only to find where the statement ends.
  if (sc.peek() === '(') {
    sc.advance();
    parseBlockBody(sc, depth + 1);
  } else if (!sc.eol()) parseSequence(sc, depth);
  return { type: 'bad', name: 'for', message: unsupportedMessage('for'), line, endLine: sc.line, quiet };
}

/** Text of a node for `echo on` and messages (an approximation of what cmd shows). */
export function renderNode(n: Node): string {
  const red = (rs: Redirection[]) => rs.map((r) => ` ${r.fd === 1 && r.op !== 'dup' ? '' : r.fd}${r.op === 'dup' ? `>&${r.target}` : `${r.op}${r.target}`}`).join('');
  switch (n.type) {
    case 'cmd':
      return n.text.trimEnd() + red(n.redirs);
    case 'block':
      return `(${n.body.map(renderNode).join(' & ')})${red(n.redirs)}`;
    case 'seq':
      return [renderNode(n.first), ...n.rest.map((r) => `${r.op} ${renderNode(r.node)}`)].join(' ');
    case 'if': {
      const c = n.cond;
      const cond =
        c.kind === 'errorlevel' ? `errorlevel ${c.value}` : c.kind === 'exist' ? `exist ${c.path}` : c.kind === 'defined' ? `defined ${c.name}` : `${c.left} ${c.op} ${c.right}`;
      return `if ${n.ci ? '/I ' : ''}${n.not ? 'not ' : ''}${cond} ${renderNode(n.then)}${n.else ? ` else ${renderNode(n.else)}` : ''}`;
    }
    case 'nop':
      return '';
    case 'bad':
      return n.name;
  }
}
