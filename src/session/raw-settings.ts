/**
 * A boolean raw session setting (names lower-case): `1`/`on`/`true`/`yes` or `0`/`off`/`false`/
 * `no` (WinSCP's INI files store 1 and 0); `fallback` when it is absent or anything else.
 */
export function rawBool(raw: ReadonlyMap<string, string>, name: string, fallback = false): boolean {
  const v = raw.get(name)?.trim().toLowerCase();
  if (v === undefined) return fallback;
  if (/^(1|on|true|yes)$/.test(v)) return true;
  if (/^(0|off|false|no)$/.test(v)) return false;
  return fallback;
}
