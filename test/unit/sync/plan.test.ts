import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFileMask } from '../../../src/masks/file-mask.js';
import type { Entry, TimePrecision } from '../../../src/transports/transport.js';
import { cmpTime, reduceTime, sourceIsNewer } from '../../../src/sync/compare.js';
import { type DirPair, parseCriteria, plan, type PlanOptions, type SyncMode } from '../../../src/sync/plan.js';
import { previewLine } from '../../../src/sync/preview.js';

const T0 = new Date(2025, 2, 13, 17, 45, 10).getTime();
const f = (name: string, size: number, mtime: number, precision: TimePrecision = 'full'): Entry => ({ name, type: 'file', size, mtime, precision });
const d = (name: string): Entry => ({ name, type: 'dir', size: 4096, mtime: T0, precision: 'full' });

function pair(local: Entry[] | { error: string[] }, remote: Entry[] | { error: string[] }, children: [string, DirPair][] = [], lp = '/l', rp = '/r'): DirPair {
  return { localPath: lp, remotePath: rp, local, remote, children: new Map(children) };
}

function opts(mode: SyncMode, over: Partial<PlanOptions> = {}): PlanOptions {
  return { mode, criteria: { time: true, size: false, checksum: false }, delete: false, mirror: false, localRoot: '/l', remoteRoot: '/r', localCaseSensitive: true, remoteCaseSensitive: true, ...over };
}

const kinds = (p: ReturnType<typeof plan>) => p.actions.map((a) => `${a.kind} ${a.name}`);

describe('time primitives (sync spec §2)', () => {
  it('reduces by precision', () => {
    const t = new Date(2025, 2, 5, 9, 7, 3, 500).getTime();
    assert.equal(reduceTime(t, 'full'), t);
    assert.equal(reduceTime(t, 'mdhm'), new Date(2025, 2, 5, 9, 7, 0, 0).getTime());
    assert.equal(reduceTime(t, 'ymdhm'), new Date(2025, 2, 5, 9, 7, 0, 0).getTime());
    assert.equal(reduceTime(t, 'mdy'), new Date(2025, 2, 5).getTime());
    assert.equal(reduceTime(t, 'none'), 0);
  });
  it('compares with a 2-second tolerance; exactly 2.000 s differs', () => {
    assert.equal(cmpTime(0, 1999), 0);
    assert.equal(cmpTime(0, 2000), -1);
    assert.equal(cmpTime(2000, 0), 1);
    assert.equal(cmpTime(1000, 0), 0);
  });
  it('-neweronly reduces both sides to the coarser precision', () => {
    assert.equal(sourceIsNewer({ mtime: T0 + 30_000, precision: 'full' }, { mtime: T0, precision: 'mdhm' }), false);
    assert.equal(sourceIsNewer({ mtime: T0 + 90_000, precision: 'full' }, { mtime: T0, precision: 'mdhm' }), true);
  });
});

describe('criteria parsing (§3.2)', () => {
  it('parses names, lists and aliases; ignores unknown values', () => {
    assert.deepEqual(parseCriteria('none'), { time: false, size: false, checksum: false });
    assert.deepEqual(parseCriteria('either'), { time: true, size: true, checksum: false });
    assert.deepEqual(parseCriteria('both'), { time: true, size: true, checksum: false });
    assert.deepEqual(parseCriteria('size'), { time: false, size: true, checksum: false });
    assert.deepEqual(parseCriteria('t,s'), { time: true, size: true, checksum: false });
    assert.deepEqual(parseCriteria('checksum'), { time: false, size: false, checksum: true });
    assert.deepEqual(parseCriteria(''), { time: false, size: false, checksum: false });
    assert.deepEqual(parseCriteria(undefined), { time: false, size: false, checksum: false });
    assert.equal(parseCriteria('bogus'), undefined);
    assert.equal(parseCriteria('time,bogus'), undefined);
  });
});

describe('decision table for files on both sides (§3.4)', () => {
  const newerLocal = pair([f('a', 1, T0 + 10_000)], [f('a', 1, T0)]);
  const newerRemote = pair([f('a', 1, T0)], [f('a', 1, T0 + 10_000)]);
  const same = pair([f('a', 1, T0 + 1000)], [f('a', 1, T0)]);
  const sizeDiff = pair([f('a', 1, T0)], [f('a', 2, T0)]);

  it('remote mode: local newer uploads; remote newer does nothing unless -mirror', () => {
    assert.deepEqual(kinds(plan(newerLocal, opts('remote'))), ['upload-update a']);
    assert.deepEqual(kinds(plan(newerRemote, opts('remote'))), []);
    assert.deepEqual(kinds(plan(newerRemote, opts('remote', { mirror: true }))), ['upload-update a']);
    assert.deepEqual(kinds(plan(same, opts('remote'))), []);
  });
  it('local mode: mirror image', () => {
    assert.deepEqual(kinds(plan(newerRemote, opts('local'))), ['download-update a']);
    assert.deepEqual(kinds(plan(newerLocal, opts('local'))), []);
    assert.deepEqual(kinds(plan(newerLocal, opts('local', { mirror: true }))), ['download-update a']);
  });
  it('both mode: newer side wins; within 2 s nothing; -mirror and -criteria ignored', () => {
    assert.deepEqual(kinds(plan(newerLocal, opts('both'))), ['upload-update a']);
    assert.deepEqual(kinds(plan(newerRemote, opts('both', { mirror: true }))), ['download-update a']);
    assert.deepEqual(kinds(plan(same, opts('both'))), []);
    assert.deepEqual(kinds(plan(sizeDiff, opts('both', { criteria: { time: true, size: true, checksum: false } }))), []);
  });
  it('size criterion: different size transfers toward the target', () => {
    const either = { time: true, size: true, checksum: false };
    assert.deepEqual(kinds(plan(sizeDiff, opts('remote', { criteria: either }))), ['upload-update a']);
    assert.deepEqual(kinds(plan(sizeDiff, opts('local', { criteria: either }))), ['download-update a']);
    assert.deepEqual(kinds(plan(sizeDiff, opts('remote'))), [], 'time only: same time, sizes ignored');
    const sizeOnly = { time: false, size: true, checksum: false };
    assert.deepEqual(kinds(plan(newerRemote, opts('remote', { criteria: sizeOnly }))), []);
  });
  it('with either, time still decides when times differ', () => {
    const p = pair([f('a', 1, T0)], [f('a', 99, T0 + 10_000)]);
    assert.deepEqual(kinds(plan(p, opts('remote', { criteria: { time: true, size: true, checksum: false } }))), []);
  });
  it('checksum criterion uses the given equality', () => {
    const c = { time: false, size: false, checksum: true };
    const p = pair([f('a', 1, T0)], [f('a', 1, T0)]);
    assert.deepEqual(kinds(plan(p, opts('remote', { criteria: c, checksumsEqual: new Map([['/l/a', false]]) }))), ['upload-update a']);
    assert.deepEqual(kinds(plan(p, opts('remote', { criteria: c, checksumsEqual: new Map([['/l/a', true]]) }))), []);
  });
  it('none criterion never updates', () => {
    assert.deepEqual(kinds(plan(newerLocal, opts('remote', { criteria: { time: false, size: false, checksum: false } }))), []);
  });
});

describe('one-sided items (§3.5)', () => {
  const p = pair([f('new', 1, T0), d('newdir')], [f('orphan', 1, T0), d('olddir')]);
  it('remote mode uploads new local items; deletes orphans only with -delete', () => {
    assert.deepEqual(kinds(plan(p, opts('remote'))), ['upload-new new', 'upload-new newdir']);
    assert.deepEqual(kinds(plan(p, opts('remote', { delete: true }))), ['upload-new new', 'upload-new newdir', 'delete-remote olddir', 'delete-remote orphan']);
  });
  it('local mode downloads new remote items; deletes local orphans only with -delete', () => {
    assert.deepEqual(kinds(plan(p, opts('local'))), ['download-new olddir', 'download-new orphan']);
    assert.deepEqual(kinds(plan(p, opts('local', { delete: true }))), ['delete-local new', 'delete-local newdir', 'download-new olddir', 'download-new orphan']);
  });
  it('both mode transfers both ways and never deletes', () => {
    assert.deepEqual(kinds(plan(p, opts('both', { delete: true }))), ['upload-new new', 'upload-new newdir', 'download-new olddir', 'download-new orphan']);
  });
  it('a one-sided directory is one item, not descended into', () => {
    const a = plan(p, opts('remote')).actions.find((x) => x.name === 'newdir')!;
    assert.equal(a.isDir, true);
    assert.equal(a.remotePath, '/r/newdir');
  });
});

describe('structure', () => {
  it('recurses into directories on both sides and orders by local directory, then name', () => {
    const sub = pair([f('z', 1, T0 + 10_000)], [f('z', 1, T0)], [], '/l/sub', '/r/sub');
    const root = pair([f('b', 1, T0 + 10_000), d('sub'), f('A', 1, T0)], [f('b', 1, T0), d('sub')], [['sub', sub]]);
    const p = plan(root, opts('remote'));
    assert.deepEqual(kinds(p), ['upload-new A', 'upload-update b', 'upload-update z']);
    assert.equal(p.last?.localDir, '/l/sub');
  });
  it('reports as last pair the one a name-ordered depth-first walk ends with, whatever the listing order', () => {
    const z = pair([d('y')], [d('y')], [['y', pair([], [], [], '/l/z/y', '/r/z/y')]], '/l/z', '/r/z');
    const a = pair([], [], [], '/l/a', '/r/a');
    const root = pair([d('z'), d('a')], [d('z'), d('a')], [['z', z], ['a', a]]);
    assert.equal(plan(root, opts('remote')).last?.localDir, '/l/z/y');
  });
  it('ignores file-vs-directory clashes with a warning', () => {
    const p = plan(pair([d('x')], [f('x', 1, T0)]), opts('remote', { delete: true }));
    assert.deepEqual(kinds(p), []);
    assert.match(p.warnings[0]!, /directory locally and a file on the server/);
  });
  it('never plans temporary .filepart names', () => {
    const p = plan(pair([f('a.filepart', 1, T0)], [f('b.filepart', 1, T0), f('c.FilePart.2', 1, T0)]), opts('remote', { delete: true }));
    assert.deepEqual(kinds(p), []);
  });
  it('pairs exactly on case-sensitive sides, case-insensitively otherwise (first listed wins)', () => {
    const root = pair([f('A.txt', 1, T0 + 10_000), f('a.txt', 1, T0 + 10_000)], [f('a.txt', 1, T0)]);
    assert.deepEqual(kinds(plan(root, opts('remote'))), ['upload-new A.txt', 'upload-update a.txt']);
    const ci = plan(root, opts('remote', { remoteCaseSensitive: false }));
    assert.deepEqual(kinds(ci), ['upload-update a.txt']);
    assert.match(ci.warnings[0]!, /only by case/);
  });
  it('skips a remote symlink to a directory and the same-named local directory', () => {
    const link: Entry = { name: 'www', type: 'symlink', targetType: 'dir', size: 0, mtime: T0, precision: 'full' };
    const p = plan(pair([d('www')], [link]), opts('remote', { delete: true }));
    assert.deepEqual(kinds(p), []);
    assert.match(p.warnings[0]!, /symbolic link to a directory/);
  });
});

describe('masks per side (§3.11 pitfalls)', () => {
  it('applies directory and size/time conditions per side', () => {
    const m = parseFileMask('*.txt|skip/');
    const root = pair([f('a.txt', 1, T0 + 10_000), f('b.log', 1, T0 + 10_000), d('skip')], [f('a.txt', 1, T0), f('b.log', 1, T0)]);
    assert.deepEqual(kinds(plan(root, opts('remote', { mask: m }))), ['upload-update a.txt']);
  });
  it('an item excluded on one side only becomes an orphan (WinSCP behaviour, reproduced)', () => {
    const m = parseFileMask('>100');
    const root = pair([f('x', 50, T0)], [f('x', 500, T0)]);
    assert.deepEqual(kinds(plan(root, opts('remote', { mask: m, delete: true }))), ['delete-remote x']);
  });
});

describe('precision (§2, §8.4)', () => {
  it('local time is reduced to the remote precision, then compared with 2 s tolerance', () => {
    const t = new Date(2025, 2, 5, 9, 7, 0).getTime();
    // FTP LIST gives minutes: a local file 40 s later in the same minute is the same.
    assert.deepEqual(kinds(plan(pair([f('a', 1, t + 40_000)], [f('a', 1, t, 'mdhm')]), opts('remote'))), []);
    assert.deepEqual(kinds(plan(pair([f('a', 1, t + 61_000)], [f('a', 1, t, 'mdhm')]), opts('remote'))), ['upload-update a']);
    // day precision for old files
    const day = new Date(2024, 0, 10).getTime();
    assert.deepEqual(kinds(plan(pair([f('a', 1, day + 3 * 3600_000)], [f('a', 1, day, 'mdy')]), opts('remote'))), []);
    // no time at all: never different by time
    assert.deepEqual(kinds(plan(pair([f('a', 1, T0)], [f('a', 1, 0, 'none')]), opts('remote'))), []);
  });
  it('uses the 2-second tolerance on exact listings too', () => {
    assert.deepEqual(kinds(plan(pair([f('a', 1, T0 + 1999)], [f('a', 1, T0)]), opts('remote'))), []);
    assert.deepEqual(kinds(plan(pair([f('a', 1, T0 + 2000)], [f('a', 1, T0)]), opts('remote'))), ['upload-update a']);
  });
});

describe('listing errors are never empty listings', () => {
  it('records the error and plans nothing below, not even deletions', () => {
    const sub = pair([f('keep', 1, T0)], { error: ["Error listing directory '/r/sub'.", 'Permission denied.'] }, [], '/l/sub', '/r/sub');
    const root = pair([d('sub')], [d('sub')], [['sub', sub]]);
    const p = plan(root, opts('local', { delete: true }));
    assert.deepEqual(kinds(p), []);
    assert.equal(p.errors.length, 1);
    assert.equal(p.errors[0]!.remoteDir, '/r/sub');
  });
});

describe('preview lines (§3.7)', () => {
  it('formats records relative to the roots with %2d dates', () => {
    const root = pair([f('about.html', 2048, T0), f('index.html', 5120, T0)], [f('index.html', 4990, new Date(2025, 2, 1, 9, 12, 0).getTime()), f('old.txt', 12, new Date(2025, 1, 2, 11, 0, 0).getTime())]);
    const p = plan(root, opts('remote', { delete: true }));
    assert.deepEqual(p.actions.map((a) => previewLine(a, '/l', '/r')), [
      'New local file ./about.html [2048, Mar 13 17:45:10 2025]',
      'Local file ./index.html [5120, Mar 13 17:45:10 2025] newer than remote file ./index.html [4990, Mar  1  9:12:00 2025]',
      'Orphan remote file ./old.txt [12, Feb  2 11:00:00 2025]',
    ]);
  });
  it('prints directories with a trailing slash and precision-dependent times', () => {
    const t = new Date(2025, 2, 5, 9, 7, 0).getTime();
    const p = plan(pair([d('img')], [f('x', 3, t, 'mdhm'), f('y', 4, t, 'mdy'), f('z', 5, t, 'ymdhm'), f('w', 6, t, 'none')]), opts('both'));
    assert.deepEqual(p.actions.map((a) => previewLine(a, '/l', '/r')), [
      'New local file ./img/',
      'New remote file ./w [6, ]',
      'New remote file ./x [3, Mar  5  9:07]',
      'New remote file ./y [4, Mar  5 2025]',
      'New remote file ./z [5, Mar  5  9:07 2025]',
    ]);
  });
});
