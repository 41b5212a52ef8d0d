/** Public surface of the front end: pure functions from text to AST and diagnostics. */
export * from './ast.js';
export * from './command-table.js';
export * from './diagnostics.js';
export { splitWords, type Word } from './parser.js';
export * from './source.js';
export * from './to-ast.js';
