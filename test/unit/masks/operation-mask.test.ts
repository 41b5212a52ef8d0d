import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOperationMask } from '../../../src/masks/operation-mask.js';

describe('operation mask (sync spec §5.2)', () => {
  const cases: [string, string, string][] = [
    ['*.bak', 'index.html', 'index.bak'],
    ['*.bak', 'README', 'README.bak'],
    ['about.*', 'index.html', 'about.html'],
    ['*_old.*', 'a.tar.gz', 'a.tar_old.gz'],
    ['*.', 'index.html', 'index'],
    ['x*', 'index.html', 'xndex.html'],
    ['new.txt', 'anything.bin', 'new.txt'],
    ['?.*', 'data.csv', 'd.csv'],
    ['*', 'keep.me', 'keep.me'],
    ['*.*', 'keep.me', 'keep.me'],
    ['', 'keep.me', 'keep.me'],
    ['*.bak', '.htaccess', '.htaccess.bak'],
  ];
  for (const [mask, name, want] of cases) it(`${mask} on ${name}`, () => assert.equal(applyOperationMask(mask, name), want));
});
