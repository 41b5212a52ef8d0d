/**
 * `winscript bat --to-sh`: the converted script, run with sh, has the same effect as
 * `winscript bat` (same stdout, exit code and files), and unconvertible lines are marked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { runBat, runSh, sandbox, shimDir, snapshot, toSh, type Sandbox } from './helpers.js';

let shim: string;
before(() => {
  shim = shimDir();
});

/** Runs a fixture both ways in the same folders and compares everything observable. */
async function assertEquivalent(file: string, opts: { args?: string[]; files?: Record<string, string> } = {}) {
  const sb: Sandbox = sandbox();
  const addFiles = () => {
    for (const [name, content] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(sb.dir, name), content);
  };
  addFiles();
  const isOurs = (rel: string) => rel.endsWith('.sh');
  const bat = await runBat(sb, file, opts);
  const batFiles = snapshot({ fixtures: sb.dir, c: sb.cdrive }, isOurs);

  sb.reset();
  addFiles();
  const { shFile, text, result } = await toSh(sb, file);
  assert.equal(result.code, 0, result.stderr);
  const sh = await runSh(sb, shFile, shim, opts);
  const shFiles = snapshot({ fixtures: sb.dir, c: sb.cdrive }, isOurs);

  const context = `--- ${file} converted:\n${text}\n--- sh stderr:\n${sh.stderr}`;
  assert.equal(sh.stdout, bat.stdout, context);
  assert.equal(sh.code, bat.code, context);
  assert.deepEqual(shFiles, batFiles, context);
  return { bat, sh, text };
}

describe('--to-sh equivalence (sh vs winscript bat)', () => {
  for (const file of ['continuation.bat', 'errorlevel.bat', 'generate.bat', 'labels.bat', 'modifiers.bat']) {
    it(file, async () => {
      const { bat } = await assertEquivalent(file);
      assert.notEqual(bat.stdout, '');
    });
  }
});

describe('--to-sh output', () => {
  it('is readable: winscript calls with requoted arguments, ${VAR}, $? captured in ERRORLEVEL', async () => {
    const sb = sandbox();
    const { text } = await toSh(sb, 'continuation.bat');
    assert.match(text, /^#!\/bin\/sh\n/);
    assert.match(text, /^export GREETING=Hello$/m);
    assert.match(text, /^export PASSWORD=p%40ss$/m);
    assert.ok(
      text.includes(
        [
          'winscript /ini=nul /command \\',
          '  "echo ${GREETING} from \\"the\\" batch" \\',
          '  "echo open sftp://user:${PASSWORD}@${Target}/" \\',
          "  'echo %GREETING% seen by WinSCP' \\",
          '  exit',
          'ERRORLEVEL=$?',
        ].join('\n'),
      ),
      text,
    );
    assert.match(text, /^ERRORLEVEL=\$\?$/m);
    assert.match(text, /^printf '%s\\n' "exit code \$\{ERRORLEVEL\}"$/m);
  });

  it('maps Windows paths at conversion time, or at run time with a note when the drive is not mapped', async () => {
    const sb = sandbox();
    const mapped = await toSh(sb, 'generate.bat');
    assert.ok(mapped.text.includes(`printf '%s\\n' done > ${path.join(sb.cdrive, 'jobs', 'status.txt')}`), mapped.text);
    assert.match(mapped.text, /^ws_label_failed\(\) \{$/m);
    assert.match(mapped.text, /ws_label_failed "\$@"; return/);

    const unmapped = await toSh(sb, 'generate.bat', { env: { WINSCRIPT_DRIVES: undefined } });
    assert.ok(unmapped.text.includes(`printf '%s\\n' done > "$(ws_path 'C:\\jobs\\status.txt')"`), unmapped.text);
    assert.match(unmapped.text, /# winscript: note: C: was not mapped when converting; C:\\jobs\\status.txt is mapped when the script runs \(set WINSCRIPT_DRIVES='C:=\/some\/folder'\)/);
    assert.match(unmapped.text, /WINSCRIPT_DRIVES must map C:\./);
  });

  it('marks what it cannot convert, and the script stops before doing anything', async () => {
    const sb = sandbox();
    const { shFile, text } = await toSh(sb, 'unsupported.bat');
    assert.match(text, /^# winscript: could not convert: unsupported command 'for' \(outside the batch subset winscript runs\)$/m);
    assert.match(text, /^# {3}3: for %%f in \(\*\.txt\) do echo %%f$/m);
    const r = await runSh(sb, shFile, shim);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unsupported\.bat: 1 line was not converted to sh \(lines 3\)/);
  });

  it('keeps cmd\'s read-time expansion of a block', async () => {
    const files = { 'block.bat': '@echo off\r\n(\r\n  winscp /command "nosuchcommand"\r\n  echo inside %ERRORLEVEL%\r\n)\r\necho after %ERRORLEVEL%\r\n' };
    const { text, bat } = await assertEquivalent('block.bat', { files });
    assert.match(bat.stdout, /inside 0\nafter 1\n$/);
    assert.match(text, /ws_at_ERRORLEVEL=\$\{ERRORLEVEL\}/);
  });
});
