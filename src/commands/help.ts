import { COMMANDS, matchPrefix, REGISTERED_NAMES } from '../../grammar/command-table.js';
import { ScriptError } from '../interpreter/errors.js';
import type { CommandHandler } from './types.js';

/**
 * `help [<command> ...]` (§8.1): without parameters one `%-8s %s` line per listed command, in
 * alphabetical order; with parameters the usage of each (an unknown or ambiguous name is
 * `Unknown command`).
 */
export const help: CommandHandler = async (ctx, node) => {
  if (node.params.length === 0) {
    const listed = COMMANDS.filter((c) => c.listed).sort((a, b) => a.name.localeCompare(b.name));
    for (const c of listed) ctx.out.line(`${c.name.padEnd(8)} ${c.description}`);
    return;
  }
  for (const p of node.params) {
    const { match } = matchPrefix(p.value, [...REGISTERED_NAMES.keys()]);
    const spec = match ? REGISTERED_NAMES.get(match) : undefined;
    if (!spec) throw new ScriptError(`Unknown command '${p.value}'.`);
    ctx.out.line(`${spec.name} - ${spec.description}`);
    for (const u of spec.usage) ctx.out.line(`  ${u}`);
    if (spec.aliases.length) ctx.out.line(`  alias: ${spec.aliases.join(', ')}`);
    if (typeof spec.switches === 'object') {
      ctx.out.line('  switches:');
      for (const [name, sw] of Object.entries(spec.switches)) {
        const arg = sw.value === 'required' ? '=<value>' : sw.value === 'optional' && !sw.list ? '[=<value>]' : sw.list ? ' <name>=<value> ...' : '';
        ctx.out.line(`    -${(name + arg).padEnd(28)} ${sw.help}`);
      }
    }
  }
};
