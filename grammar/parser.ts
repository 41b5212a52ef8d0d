/**
 * Chevrotain parser for one script line:
 *
 *   line   := ( Blank | word )*
 *   word   := piece+
 *   piece  := Text | LiteralQuote | quoted
 *   quoted := QuoteOpen ( QuotedText | LiteralQuote )* QuoteClose?
 *
 * A missing QuoteClose is allowed (WinSCP extends the token to the end of the line); the word
 * builder reports it so that `/check` can warn.
 */
import { CstParser, type CstNode, type IToken } from './chevrotain.js';
import { allTokens, Blank, LiteralQuote, QuoteClose, QuoteOpen, QuotedText, Text, lineLexer } from './tokens.js';

class LineParser extends CstParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false, skipValidations: process.env.WINSCRIPT_GRAMMAR_CHECKS !== '1' });
    this.performSelfAnalysis();
  }

  line = this.RULE('line', () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(Blank) }, { ALT: () => this.SUBRULE(this.word) }]);
    });
  });

  word = this.RULE('word', () => {
    this.AT_LEAST_ONE(() => this.SUBRULE(this.piece));
  });

  piece = this.RULE('piece', () => {
    this.OR([
      { ALT: () => this.CONSUME(Text) },
      { ALT: () => this.CONSUME(LiteralQuote) },
      { ALT: () => this.SUBRULE(this.quoted) },
    ]);
  });

  quoted = this.RULE('quoted', () => {
    this.CONSUME(QuoteOpen);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(QuotedText) }, { ALT: () => this.CONSUME(LiteralQuote) }]);
    });
    this.OPTION(() => this.CONSUME(QuoteClose));
  });
}

const parser = new LineParser();

/** One word of a line after quote processing, with its place (0-based offsets into the line). */
export interface Word {
  value: string;
  start: number;
  /** Offset just after the word's last character. */
  end: number;
  /** An opening quote was never closed. */
  unterminated: boolean;
}

type Children = Record<string, (CstNode | IToken)[] | undefined>;

function isToken(x: CstNode | IToken): x is IToken {
  return (x as IToken).image !== undefined;
}

/** Flattens a CST node into its tokens in source order. */
function tokensOf(node: CstNode, out: IToken[] = []): IToken[] {
  const all: (CstNode | IToken)[] = [];
  for (const list of Object.values(node.children as Children)) if (list) all.push(...list);
  all.sort((a, b) => offsetOf(a) - offsetOf(b));
  for (const c of all) {
    if (isToken(c)) out.push(c);
    else tokensOf(c, out);
  }
  return out;
}

function offsetOf(x: CstNode | IToken): number {
  if (isToken(x)) return x.startOffset;
  const first = tokensOf(x)[0];
  return first ? first.startOffset : 0;
}

/**
 * Splits a line into words with WinSCP's rules. Never throws: every character sequence is a
 * valid line.
 */
export function splitWords(text: string): Word[] {
  const lexed = lineLexer.tokenize(text);
  parser.input = lexed.tokens;
  const cst = parser.line();
  if (parser.errors.length > 0 || lexed.errors.length > 0) {
    // Cannot happen: the token set covers every character. Kept as a guard for grammar bugs.
    throw new Error(`internal: line grammar failed on ${JSON.stringify(text)}`);
  }
  const words: Word[] = [];
  for (const w of (cst.children as Children).word ?? []) {
    const toks = tokensOf(w as CstNode);
    let value = '';
    let open = false;
    for (const t of toks) {
      switch (t.tokenType) {
        case LiteralQuote:
          value += '"';
          break;
        case QuoteOpen:
          open = true;
          break;
        case QuoteClose:
          open = false;
          break;
        default:
          value += t.image;
      }
    }
    const last = toks[toks.length - 1]!;
    words.push({
      value,
      start: toks[0]!.startOffset,
      end: last.startOffset + last.image.length,
      unterminated: open,
    });
  }
  return words;
}
