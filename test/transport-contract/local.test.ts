import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalTransport } from '../../src/transports/local.js';
import { transportContract } from './contract.js';

transportContract('local', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'winscript-local-'));
  return { transport: new LocalTransport(), root, close: async () => fs.rmSync(root, { recursive: true, force: true }) };
});
