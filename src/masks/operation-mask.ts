/**
 * The operation (rename) mask of a transfer/mv/cp target (sync spec §5.2, M4): `*.bak`,
 * `about.*`, `new.txt`; applied to top-level items only.
 */

function applyPart(mask: string, source: string): string {
  let out = '';
  let cur = 0;
  for (let i = 0; i < mask.length; i++) {
    const c = mask[i]!;
    if (c === '*') {
      out += source.slice(cur);
      cur = source.length;
    } else if (c === '?') {
      if (cur < source.length) out += source[cur++];
    } else if (c === '\\' && i + 1 < mask.length) {
      out += mask[++i];
      cur++;
    } else {
      out += c;
      cur++;
    }
  }
  return out;
}

/** Splits at the last dot; a dot at position 0 does not count (`.htaccess` has no extension). */
function splitExt(name: string): [string, string | undefined] {
  const i = name.lastIndexOf('.');
  return i > 0 ? [name.slice(0, i), name.slice(i + 1)] : [name, undefined];
}

/** Applies an operation mask to a file name. */
export function applyOperationMask(mask: string, name: string): string {
  if (mask === '' || mask === '*' || mask === '*.*') return name;
  const dot = mask.lastIndexOf('.');
  if (dot < 0) return applyPart(mask, name);
  const [nameMask, extMask] = [mask.slice(0, dot), mask.slice(dot + 1)];
  const [base, ext] = splitExt(name);
  const newName = applyPart(nameMask, base);
  const newExt = applyPart(extMask, ext ?? '');
  return newExt !== '' ? `${newName}.${newExt}` : newName;
}

/** True when the target name part is a mask (contains `*` or `?`) or empty: keeps several names apart. */
export function isMultiTarget(mask: string): boolean {
  return mask === '' || /[*?]/.test(mask);
}

export const MULTI_FILES_TO_ONE =
  'Are you sure you want to transfer multiple files to a single file? Every file will overwrite the previous one. To transfer them into a folder, end the target path with a slash.';
