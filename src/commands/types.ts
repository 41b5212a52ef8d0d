import type { CommandNode } from '../../grammar/ast.js';
import type { Context } from '../interpreter/context.js';

/** A script command's implementation; the spec (arity, switches) is in grammar/command-table.ts. */
export type CommandHandler = (ctx: Context, node: CommandNode) => Promise<void>;
