/**
 * The typed AST of one script line. Every node carries its source span.
 */
import type { CommandSpec } from './command-table.js';
import type { SourceSpan } from './diagnostics.js';

export interface ParamNode {
  value: string;
  span: SourceSpan;
}

export interface SwitchNode {
  /** Name as typed, without the leading dash (`Delete` for `-Delete`). */
  typedName: string;
  /** Lower-cased name used for lookups. */
  name: string;
  /** Value after `=`, `:` or `[...]`; undefined when none was given. */
  value: string | undefined;
  /** Parameters consumed by a list switch (`-rawsettings a=1 b=2`). */
  list: ParamNode[];
  span: SourceSpan;
}

export interface CommandNode {
  kind: 'command';
  spec: CommandSpec;
  /** Canonical command name (`get` for `recv`). */
  name: string;
  /** The registered name that matched (`recv`), used in parameter-count messages. */
  registeredName: string;
  /** The command word exactly as typed (`Syn`). */
  typed: string;
  switches: SwitchNode[];
  params: ParamNode[];
  /** Untouched rest of the line after the command word and one separator (§4.1). */
  raw: string;
  /** The whole (expanded) line. */
  text: string;
  span: SourceSpan;
}

/** A script line that is empty or a comment: nothing to run. */
export interface SkipNode {
  kind: 'skip';
  span: SourceSpan;
}

export type LineNode = CommandNode | SkipNode;

/** Looks up a switch by name (first occurrence wins, §6.2). */
export function getSwitch(node: CommandNode, name: string): SwitchNode | undefined {
  return node.switches.find((s) => s.name === name);
}

export function hasSwitch(node: CommandNode, name: string): boolean {
  return getSwitch(node, name) !== undefined;
}
