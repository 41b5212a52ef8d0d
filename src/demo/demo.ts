/**
 * `winscript --demo` / `npm run demo`: starts the embedded SFTP server on loopback over a
 * temporary folder, prints its host key, and runs examples/demo.txt (open with -hostkey, put,
 * ls, get, exit) with WinSCP-style output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MainIO } from '../cli/main.js';
import { startEmbeddedServer } from './sftp-server.js';

export async function runDemo(io: MainIO): Promise<number> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-demo-'));
  const serverRoot = path.join(base, 'server');
  const localDir = path.join(base, 'local');
  fs.mkdirSync(serverRoot);
  fs.mkdirSync(localDir);
  fs.writeFileSync(path.join(localDir, 'hello.txt'), 'Hello from winscript!\n');
  const server = await startEmbeddedServer({ root: serverRoot, user: 'demo', password: 'demo' });
  const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/demo.txt');
  io.stdout.write(`Embedded SFTP server on 127.0.0.1:${server.port}, host key ${server.fingerprint}\n`);
  io.stdout.write(`Serving ${serverRoot}; local folder ${localDir}\n`);
  io.stdout.write(`Running ${script}:\n\n`);
  try {
    const { main } = await import('../cli/main.js');
    const code = await main(['/ini=nul', `/script=${script}`, '/parameter', '//', String(server.port), server.fingerprint, localDir], io);
    io.stdout.write(`\nExit code ${code}. Files: ${fs.readdirSync(localDir).join(', ')} locally, ${fs.readdirSync(serverRoot).join(', ')} on the server.\n`);
    return code;
  } finally {
    await server.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}
