/**
 * Masks secrets in command text before it is echoed, logged or written to the XML log:
 * URL passwords, `-password=`, `-passphrase=`, `-newpassword=`, in-memory `-privatekey=@…`,
 * and password-type raw settings. A password never appears in output, errors or logs.
 */

const SWITCH_SECRET = /([-/](?:password|passphrase|newpassword)[=:])("(?:[^"]|"")*"?|[^\s]*)/gi;
const MEMORY_KEY = /([-/]privatekey[=:]"?)@[^\s"]*/gi;
const SECRET_NAMES = /^x-(?:PasswordPlain|Password|ProxyPassword|TunnelPasswordPlain|TunnelPassword|S3SessionToken)=/i;
// Not the `x-name=` parameters of a URL: those end at `;` and are masked with the URL.
const RAW_SECRET = /((?<!x-)\b(?:PasswordPlain|Password|ProxyPassword|TunnelPasswordPlain|TunnelPassword|S3SessionToken)=)("(?:[^"]|"")*"?|[^\s]*)/gi;

/** Masks the password of every `scheme://user:password@host` in the text. */
function maskUrlPasswords(text: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const at = text.indexOf('://', i);
    if (at < 0) return out + text.slice(i);
    const start = at + 3;
    // The connection part ends at the first `/` or blank after the scheme.
    let end = start;
    while (end < text.length && text[end] !== '/' && text[end] !== ' ' && text[end] !== '\t') end++;
    const conn = text.slice(start, end);
    const lastAt = conn.lastIndexOf('@');
    let masked = conn;
    if (lastAt > 0) {
      const userInfo = conn.slice(0, lastAt);
      const semi = userInfo.indexOf(';');
      const cred = semi >= 0 ? userInfo.slice(0, semi) : userInfo;
      const colon = cred.indexOf(':');
      const params = semi >= 0 ? userInfo.slice(semi).split(';').map((p) => (SECRET_NAMES.test(p) ? `${p.slice(0, p.indexOf('=') + 1)}***` : p)).join(';') : '';
      masked = (colon >= 0 ? cred.slice(0, colon + 1) + '***' : cred) + params + conn.slice(lastAt);
    }
    out += text.slice(i, start) + masked;
    i = end;
  }
}

export function maskSecrets(text: string): string {
  return maskUrlPasswords(text).replace(SWITCH_SECRET, '$1***').replace(MEMORY_KEY, '$1@***').replace(RAW_SECRET, '$1***');
}

/** Replaces every occurrence of the given secrets (passwords known at run time) with `***`. */
export function scrub(text: string, secrets: Iterable<string>): string {
  let s = text;
  for (const secret of secrets) if (secret.length >= 1) s = s.split(secret).join('***');
  return s;
}
