import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalPathError, LocalPaths, parseDriveSpecs, windowsRootOf } from '../../src/local-path.js';

const { map } = parseDriveSpecs(['C:=/srv/c;d:=/mnt/d', '\\\\nas\\backup=/mnt/nas']);
const lp = new LocalPaths(map);

describe('Windows path mapping', () => {
  it('maps drive letters case-insensitively, with either separator', () => {
    assert.equal(lp.resolve('C:\\data\\out', '/x'), '/srv/c/data/out');
    assert.equal(lp.resolve('c:/x', '/x'), '/srv/c/x');
    assert.equal(lp.resolve('C:\\Program Files\\app', '/x'), '/srv/c/Program Files/app');
    assert.equal(lp.resolve('D:\\', '/x'), '/mnt/d');
    assert.equal(lp.resolve('C:', '/x'), '/srv/c');
    assert.equal(lp.resolve('C:\\dir\\', '/x'), '/srv/c/dir');
  });

  it('maps UNC shares', () => {
    assert.equal(lp.resolve('\\\\nas\\backup\\daily\\x.zip', '/x'), '/mnt/nas/daily/x.zip');
    assert.equal(lp.resolve('\\\\NAS\\Backup', '/x'), '/mnt/nas');
  });

  it('resolves drive-relative paths against the drive of the local directory', () => {
    assert.equal(lp.resolve('\\logs\\a.log', '/srv/c/work'), '/srv/c/logs/a.log');
    assert.throws(() => lp.resolve('\\logs', '/home/u'), LocalPathError);
  });

  it('never leaves the mapped root with ..', () => {
    assert.equal(lp.resolve('C:\\..\\..\\etc', '/x'), '/srv/c/etc');
  });

  it('keeps POSIX paths and resolves relative ones against the working directory', () => {
    assert.equal(lp.resolve('/tmp/x', '/home'), '/tmp/x');
    assert.equal(lp.resolve('sub\\file.txt', '/home/u'), '/home/u/sub/file.txt');
    assert.equal(lp.resolve('../y', '/home/u'), '/home/y');
  });

  it('names the unmapped drive and how to map it', () => {
    assert.throws(() => lp.resolve('E:\\x', '/'), (e: Error) => e.message === "Local path 'E:\\x' is on drive E:, which is not mapped. Map it with WINSCRIPT_DRIVES='E:=/some/folder' or --drive 'E:=/some/folder'.");
    assert.throws(() => lp.resolve('\\\\srv\\share\\x', '/'), /share \\\\srv\\share, which is not mapped/);
  });

  it('reports bad specifications', () => {
    assert.equal(parseDriveSpecs(['C=/x']).errors.length, 0);
    assert.match(parseDriveSpecs(['C:=relative']).errors[0]!, /must be an absolute path/);
    assert.match(parseDriveSpecs(['C:/x']).errors[0]!, /expected X:=/);
    assert.match(parseDriveSpecs(['CC:=/x']).errors[0]!, /neither a drive letter/);
  });

  it('classifies Windows roots', () => {
    assert.deepEqual(windowsRootOf('c:\\x'), { kind: 'drive', name: 'C:' });
    assert.deepEqual(windowsRootOf('\\\\s\\sh\\x'), { kind: 'unc', name: '\\\\s\\sh' });
    assert.deepEqual(windowsRootOf('\\x'), { kind: 'drive-relative' });
    assert.equal(windowsRootOf('/x'), undefined);
  });
});
