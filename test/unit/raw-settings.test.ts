/** Boolean raw session settings: the INI 1/0 and the spelled-out forms. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { rawBool } from '../../src/session/raw-settings.js';

it('rawBool reads 1/on/true/yes and 0/off/false/no; anything else is the fallback', () => {
  const raw = new Map([['a', '1'], ['b', ' On '], ['c', '0'], ['d', 'no'], ['e', 'maybe']]);
  assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'missing'].map((n) => rawBool(raw, n)), [true, true, false, false, false, false]);
  assert.deepEqual(['c', 'e', 'missing'].map((n) => rawBool(raw, n, true)), [false, true, true]);
});
