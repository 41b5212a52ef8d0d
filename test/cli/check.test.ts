import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

function script(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-check-'));
  const f = path.join(dir, 'script.txt');
  fs.writeFileSync(f, text);
  return f;
}

describe('/check', () => {
  it('passes a clean script without touching anything', async () => {
    const f = script('option batch abort\noption confirm off\nopen sftp://u@example.invalid/ -hostkey="ssh-ed25519 255 LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE"\nlcd /tmp\ncd /in\nsynchronize remote -delete\nexit\n');
    const r = await runCli(['/check', `/script=${f}`]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, '7 lines checked, no errors.\n');
  });

  it('reports FILE:LINE:COL for each kind of mistake', async () => {
    const f = script([
      'option batch abort', // 1
      'opne sftp://h/', // 2 unknown command
      'o x', // 3 ambiguous
      'put -delete -delete a.txt', // 4 repeated switch
      'ls -la', // 5 switch on a switch-less command
      'pwd x', // 6 too many
      'ln a', // 7 missing
      'put -speed=fast a', // 8 bad switch value
      'cd "/unterminated', // 9 unterminated quote (warning)
      'open ftpx://host/', // 10 bad url
      'lcd X:\\data', // 11 unmapped drive
      'option batch sometimes', // 12 bad option value
      'synchronize sideways', // 13 bad mode
      'put -filemask="a|b|c" x', // 14 bad mask
      'exit',
    ].join('\n'));
    const r = await runCli(['/check', `/script=${f}`]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => l.slice(f.length + 1));
    assert.deepEqual(lines, [
      "2:1: Unknown command 'opne'.",
      "3:1: Ambiguous command 'o'. Possible matches are: open, option",
      "4:13: Unknown switch 'delete'.",
      "5:4: Unknown switch 'la'.",
      "6:1: Too many parameters for command 'pwd'.",
      "7:1: Missing parameter for command 'ln'.",
      "8:5: 'fast' is not a valid integer value",
      '9:4: warning: Unterminated quote: the argument extends to the end of the line.',
      "10:6: Unknown protocol 'ftpx' in session URL 'ftpx://host/'. Use sftp://, scp://, ftp://, ftps:// or ftpes://.",
      "11:5: Local path 'X:\\data' is on drive X:, which is not mapped. Map it with WINSCRIPT_DRIVES='X:=/some/folder' or --drive 'X:=/some/folder'.",
      "12:14: Unknown value 'sometimes' of option 'batch'.",
      "13:13: Unknown option 'sideways'.",
      "14:5: Mask is invalid near 'c'.",
    ]);
  });

  it('reports fingerprints that can never match, raw settings winscript ignores and proxies it cannot use', async () => {
    const r = await runCli([
      '/check',
      '/command',
      'open sftp://h/ -hostkey="ssh-rsa 2048 xxxxxxxx...=" -rawsettings ProxyMethod=3 ProxyHost=proxy Compression=1',
      'open sftp://u;x-proxyhost=p;x-sendbuf=0@h/ -hostkey=*',
      'open sftp://h/ -hostkey=* -rawsettings ProxyMethod=5',
      'open sftp://h/ -hostkey=* -rawsettings ProxyMethod=2',
      'exit',
    ]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      "/command:1:16: 'ssh-rsa 2048 xxxxxxxx...=' is not a valid host key fingerprint: it can never match, so the connection would be refused.",
      "/command:1:96: warning: Raw session setting 'Compression' is not supported by winscript and is ignored.",
      "/command:2:6: warning: Raw session setting 'sendbuf' is not supported by winscript and is ignored.",
      '/command:3:27: The local command proxy method is not supported by winscript; use SOCKS4, SOCKS5 or HTTP (ProxyMethod=1, 2 or 3).',
      '/command:4:27: A proxy is configured (ProxyMethod) but no proxy host (ProxyHost).',
    ]);
  });

  it('accepts /command lines and knows mapped drives', async () => {
    const r = await runCli(['/check', '/command', 'lcd C:\\x', 'exit'], { env: { WINSCRIPT_DRIVES: 'C:=/tmp' } });
    assert.equal(r.code, 0);
    const bad = await runCli(['/check', '/command', 'lcd C:\\x', 'exit']);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^\/command:1:5: Local path 'C:\\x' is on drive C:/);
  });
});
