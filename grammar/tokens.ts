/**
 * Token types of one WinSCP script line (WinSCP `CutToken`, script spec §4).
 *
 * Two lexer modes:
 * - `outside`: between and inside unquoted words. Blanks are space and tab only; any other
 *   character (CR, NBSP...) is ordinary text.
 * - `quoted`: after an opening `"`. Blanks are ordinary text here.
 * In both modes `""` is one literal quote and does not change the mode; a single `"` toggles it.
 * Backslash has no meaning at all.
 */
import { createToken, Lexer } from './chevrotain.js';

export const Blank = createToken({ name: 'Blank', pattern: /[ \t]+/ });
/** `""`: a literal quote character, inside or outside quotes. */
export const LiteralQuote = createToken({ name: 'LiteralQuote', pattern: /""/ });
export const QuoteOpen = createToken({ name: 'QuoteOpen', pattern: /"/, push_mode: 'quoted' });
export const Text = createToken({ name: 'Text', pattern: /[^ \t"]+/ });

export const QuoteClose = createToken({ name: 'QuoteClose', pattern: /"/, pop_mode: true });
export const QuotedText = createToken({ name: 'QuotedText', pattern: /[^"]+/ });

export const allTokens = [Blank, LiteralQuote, QuoteOpen, Text, QuoteClose, QuotedText];

export const lineLexer = new Lexer(
  {
    modes: {
      outside: [Blank, LiteralQuote, QuoteOpen, Text],
      quoted: [LiteralQuote, QuoteClose, QuotedText],
    },
    defaultMode: 'outside',
  },
  // Validations cost ~30 ms at every start; the grammar test runs them (WINSCRIPT_GRAMMAR_CHECKS=1).
  { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: process.env.WINSCRIPT_GRAMMAR_CHECKS !== '1' },
);
