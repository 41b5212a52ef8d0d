import type { MainIO } from '../cli/main.js';

/** `winscript bat …` and `winscript report …`. */
export async function runSubcommand(name: string, _args: string[], io: MainIO): Promise<number> {
  io.stderr.write(`winscript: '${name}' is not available yet.\n`);
  return 1;
}
