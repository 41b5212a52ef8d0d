import type { MainIO } from '../cli/main.js';

/** `winscript --demo`: embedded SFTP server + examples/demo.txt. */
export async function runDemo(io: MainIO): Promise<number> {
  io.stderr.write('winscript: the demo is not available yet.\n');
  return 1;
}
