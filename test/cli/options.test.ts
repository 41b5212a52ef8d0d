import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

const run = async (...cmds: string[]) => (await runCli(['/command', ...cmds, 'exit'])).stdout;

describe('option command (§10)', () => {
  it('prints the five options with script-phase defaults, trailing spaces kept', async () => {
    assert.equal(await run('option'), 'echo            off       \nbatch           abort     \nconfirm         off       \nreconnecttime   120       \nfailonnomatch   off       \n');
  });

  it('resolves names and values by unique prefix', async () => {
    assert.equal(await run('opt bat c'), 'batch           continue  \n');
    assert.equal(await run('option confirm of'), 'confirm         off       \n');
    assert.equal(await run('option fail on'), 'failonnomatch   on        \n');
  });

  it('reports unknown and ambiguous names and values', async () => {
    assert.equal(await run('option batch on', 'option e', 'option batch o', 'option reconnecttime soon', 'option transfer x'),
      "batch           on        \nUnknown option 'e'.\nUnknown value 'o' of option 'batch'.\nUnknown value 'soon' of option 'reconnecttime'.\nUnknown value 'transfer' of option 'x'.\n");
  });

  it('sets reconnecttime to 120 when batch leaves off', async () => {
    assert.equal(await run('option reconnecttime off', 'option batch abort'), 'reconnecttime   off       \nbatch           abort     \nreconnecttime   120       \n');
    assert.equal(await run('option reconnecttime 30', 'option reconnecttime'), 'reconnecttime   30        \nreconnecttime   30        \n');
  });

  it('prints exclude under the include label, and clear empties it', async () => {
    assert.equal(await run('option exclude *.bak', 'option include', 'option include clear'), 'include         |*.bak    \ninclude         |*.bak    \ninclude                   \n');
  });

  it('ascii and binary print the transfer line', async () => {
    assert.equal(await run('ascii', 'binary', 'option transfer auto'), 'transfer        ascii     \ntransfer        binary    \ntransfer        automatic \n');
  });

  it('takes at most two parameters and no switches', async () => {
    assert.equal(await run('option batch on', 'option a b c', 'option -x'), "batch           on        \nToo many parameters for command 'option'.\nUnknown switch 'x'.\n");
  });
});

describe('help (§8.1)', () => {
  it('lists the 27 documented commands as %-8s %s', async () => {
    const lines = (await run('help')).trimEnd().split('\n');
    assert.equal(lines.length, 27);
    assert.deepEqual(lines.map((l) => l.slice(0, 8).trim()), ['call', 'cd', 'checksum', 'chmod', 'close', 'cp', 'echo', 'exit', 'get', 'help', 'keepuptodate', 'lcd', 'lls', 'ln', 'lpwd', 'ls', 'mkdir', 'mv', 'open', 'option', 'put', 'pwd', 'rm', 'rmdir', 'session', 'stat', 'synchronize'].map((n) => n.slice(0, 8)));
    assert.match(lines[0]!, /^call     \S/);
    assert.match(lines[10]!, /^keepuptodate \S/);
  });

  it('shows usage for named commands and fails for unknown ones', async () => {
    const r = await runCli(['/command', 'option batch on', 'help syn', 'help o', 'exit']);
    assert.match(r.stdout, /^batch.*\nsynchronize - /);
    assert.match(r.stdout, /Unknown command 'o'\.\n$/);
  });
});
