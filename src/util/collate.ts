/**
 * Name order used for listings and the synchronize checklist: case-insensitive, ties broken by
 * code unit so that the order is total.
 *
 * compat: WinSCP sorts with the Windows locale (which also ignores some punctuation in a first
 * pass). An ICU collator would be closer, but creating one costs ~15 ms at every start; plain
 * case-insensitive code-unit order differs only for accents and punctuation.
 */
export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
