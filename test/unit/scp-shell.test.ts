/**
 * Unit tests for the SCP transport's error mapping (src/transports/scp/shell.ts and the SCP
 * protocol error records): shell stderr and `scp` messages become TransportErrors whose details
 * are the server's own lines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scpError } from '../../src/transports/scp/protocol.js';
import { commandError, errorCodeFor, textLines } from '../../src/transports/scp/shell.js';

describe('scp shell error mapping', () => {
  it('maps the usual coreutils and scp messages to codes', () => {
    const cases: [string, string][] = [
      ["ls: cannot access '/x': No such file or directory", 'ENOENT'],
      ["ls: cannot open directory '/root/': Permission denied", 'EACCES'],
      ["rm: cannot remove '/etc/passwd': Operation not permitted", 'EACCES'],
      ["mkdir: cannot create directory '/tmp': File exists", 'EEXIST'],
      ["rmdir: failed to remove 'd': Directory not empty", 'ENOTEMPTY'],
      ["ls: cannot access '/etc/passwd/': Not a directory", 'ENOTDIR'],
      ["rm: cannot remove 'd': Is a directory", 'EISDIR'],
      ['scp: /home/u: not a regular file', 'EISDIR'],
      ["mv: cannot overwrite directory 'b' with non-directory", 'EISDIR'],
      ['sh: 1: sha3sum: not found', 'EUNSUPPORTED'],
      ['bash: line 1: scp: command not found', 'EUNSUPPORTED'],
      ['touch: invalid date format', 'EFAILURE'],
    ];
    for (const [text, code] of cases) assert.equal(errorCodeFor(text), code, text);
  });

  it('commandError keeps the stderr lines as details, or reports the exit status', () => {
    const e = commandError({ stdout: Buffer.alloc(0), stderr: Buffer.from("ls: cannot access 'x': No such file or directory\n"), code: 2 });
    assert.equal(e.code, 'ENOENT');
    assert.deepEqual(e.details, ["ls: cannot access 'x': No such file or directory"]);
    const silent = commandError({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), code: 3 });
    assert.equal(silent.code, 'EFAILURE');
    assert.deepEqual(silent.details, ['Command failed with return code 3.']);
  });

  it('scpError turns an error record into details', () => {
    const e = scpError('scp: /tmp/nope/x: No such file or directory');
    assert.equal(e.code, 'ENOENT');
    assert.deepEqual(e.details, ['scp: /tmp/nope/x: No such file or directory']);
    assert.deepEqual(scpError('').details, ['SCP protocol error.']);
  });

  it('textLines drops empty lines and CRs', () => {
    assert.deepEqual(textLines('a\r\n\n b\n'), ['a', ' b']);
  });
});
