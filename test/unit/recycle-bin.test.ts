/** Remote recycle bin settings and names (DeleteToRecycleBin, OverwrittenToRecycleBin, RecycleBinPath). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInBin, recycleBinFromRaw, recycledName } from '../../src/session/recycle-bin.js';

const raw = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));

describe('recycle bin', () => {
  it('is off unless asked for; the folder defaults to /tmp and is resolved against the home', () => {
    assert.equal(recycleBinFromRaw(raw({ RecycleBinPath: '/bin' }), '/home/u'), undefined);
    assert.deepEqual(recycleBinFromRaw(raw({ DeleteToRecycleBin: '1' }), '/home/u'), { dir: '/tmp', deletes: true, overwrites: false });
    assert.deepEqual(recycleBinFromRaw(raw({ OverwrittenToRecycleBin: 'on', RecycleBinPath: 'trash/' }), '/home/u'), { dir: '/home/u/trash', deletes: false, overwrites: true });
  });

  it('time-stamps names before the extension, with a counter for a clash', () => {
    const t = new Date(2026, 11, 1, 9, 5, 7);
    assert.equal(recycledName('report.csv', t), 'report-20261201-090507.csv');
    assert.equal(recycledName('archive.tar.gz', t), 'archive.tar-20261201-090507.gz');
    assert.equal(recycledName('.profile', t), '.profile-20261201-090507');
    assert.equal(recycledName('dir', t, 2), 'dir-20261201-090507-2');
  });

  it('knows what is already inside the bin', () => {
    const bin = { dir: '/home/u/trash', deletes: true, overwrites: false };
    assert.equal(isInBin(bin, '/home/u/trash/a.txt'), true);
    assert.equal(isInBin(bin, '/home/u/trash'), true);
    assert.equal(isInBin(bin, '/home/u/trashcan/a.txt'), false);
  });
});
