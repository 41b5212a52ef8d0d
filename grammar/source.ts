/**
 * Script file decoding and line splitting (script spec §2.1, §2.2). Works on bytes already
 * read; no I/O here.
 */

export type Decoded = { ok: true; text: string } | { ok: false; lines: string[] };

/** BOM selects UTF-8 / UTF-16LE / UTF-16BE; no BOM means strict UTF-8. */
export function decodeScript(bytes: Uint8Array): Decoded {
  let encoding = 'utf-8';
  let offset = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) offset = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    offset = 2;
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    offset = 2;
  }
  try {
    const text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(offset));
    return { ok: true, text };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, lines: [reason, 'The file must be in UTF-8 or UTF-16 encoding.'] };
  }
}

/**
 * Splits on LF, CR or CR LF in any mix. A final line without a terminator is a line; a
 * trailing terminator adds no empty line. Lines are not trimmed.
 */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
