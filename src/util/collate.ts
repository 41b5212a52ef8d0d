/**
 * Name order used for listings and the synchronize checklist: case-insensitive, accent-aware
 * (sync spec §3.6 port note), ties broken by code unit so the order is total. The collator is
 * created on first use: building one costs milliseconds at start-up.
 */
let collator: Intl.Collator | undefined;

export function compareNames(a: string, b: string): number {
  collator ??= new Intl.Collator('en', { sensitivity: 'accent' });
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
