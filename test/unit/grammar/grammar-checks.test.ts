/**
 * The lexer and parser skip Chevrotain's definition checks at run time (they cost ~50 ms per
 * start). This test builds them with the checks on, so a grammar mistake still fails here.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';

it('the grammar passes Chevrotain\'s lexer and parser validations', async () => {
  process.env.WINSCRIPT_GRAMMAR_CHECKS = '1';
  const { splitWords } = await import('../../../grammar/parser.js');
  assert.deepEqual(splitWords('put "a b" c').map((w) => w.value), ['put', 'a b', 'c']);
});
