/**
 * Delphi `FormatDateTime`, as used by `%TIMESTAMP#fmt%` (script spec §3.4.2).
 *
 * compat: the locale is fixed to English (en-US) names and formats, `/` as the date separator
 * and `:` as the time separator, as the spec recommends for a port.
 */

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const LOCALE = {
  shortDate: 'M/d/yyyy',
  longDate: 'dddd, MMMM d, yyyy',
  shortTime: 'h:mm AMPM',
  longTime: 'h:mm:ss AMPM',
  am: 'AM',
  pm: 'PM',
  dateSeparator: '/',
  timeSeparator: ':',
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Formats `d` (local time) with a Delphi format string. An empty format behaves like `c`. */
export function formatDelphi(d: Date, format: string): string {
  return format === '' ? render(d, 'c') : render(d, format);
}

function render(d: Date, fmt: string): string {
  let out = '';
  let i = 0;
  let lastToken = '';
  let use12 = false;
  const hour = d.getHours();

  while (i < fmt.length) {
    const starter = fmt[i]!;
    let token = starter.toUpperCase();
    if (/[A-Z]/.test(token)) {
      if (token === 'M' && lastToken === 'H') token = 'N';
      lastToken = token;
    }
    // Run length of the same letter, case-insensitively.
    let count = 1;
    const runOf = () => {
      count = 1;
      while (i + count < fmt.length && fmt[i + count]!.toUpperCase() === starter.toUpperCase()) count++;
    };
    switch (token) {
      case 'Y':
        runOf();
        out += count <= 2 ? pad(d.getFullYear() % 100, 2) : pad(d.getFullYear(), 4);
        i += count;
        break;
      case 'M':
        runOf();
        if (count <= 2) out += pad(d.getMonth() + 1, count);
        else if (count === 3) out += SHORT_MONTHS[d.getMonth()];
        else out += LONG_MONTHS[d.getMonth()];
        i += count;
        break;
      case 'D':
        runOf();
        if (count <= 2) out += pad(d.getDate(), count);
        else if (count === 3) out += SHORT_DAYS[d.getDay()];
        else if (count === 4) out += LONG_DAYS[d.getDay()];
        else if (count === 5) out += render(d, LOCALE.shortDate);
        else out += render(d, LOCALE.longDate);
        i += count;
        break;
      case 'H': {
        runOf();
        use12 = use12 || meridiemAhead(fmt, i + count);
        let h = hour;
        if (use12) h = h === 0 ? 12 : h > 12 ? h - 12 : h;
        out += pad(h, Math.min(count, 2));
        i += count;
        break;
      }
      case 'N':
        runOf();
        out += pad(d.getMinutes(), Math.min(count, 2));
        i += count;
        break;
      case 'S':
        runOf();
        out += pad(d.getSeconds(), Math.min(count, 2));
        i += count;
        break;
      case 'Z':
        runOf();
        out += pad(d.getMilliseconds(), Math.min(count, 3));
        i += count;
        break;
      case 'T':
        runOf();
        out += render(d, count === 1 ? LOCALE.shortTime : LOCALE.longTime);
        i += count;
        break;
      case 'C':
        runOf();
        out += render(d, LOCALE.shortDate);
        if (d.getHours() !== 0 || d.getMinutes() !== 0 || d.getSeconds() !== 0) out += ' ' + render(d, LOCALE.longTime);
        i += count;
        break;
      case 'A': {
        const rest = fmt.slice(i);
        if (/^am\/pm/i.test(rest)) {
          out += hour >= 12 ? rest.slice(3, 5) : rest.slice(0, 2);
          i += 5;
          use12 = true;
        } else if (/^a\/p/i.test(rest)) {
          out += hour >= 12 ? rest[2] : rest[0];
          i += 3;
          use12 = true;
        } else if (/^ampm/i.test(rest)) {
          out += hour < 12 ? LOCALE.am : LOCALE.pm;
          i += 4;
          use12 = true;
        } else if (/^aaaa/i.test(rest)) {
          out += LONG_DAYS[d.getDay()];
          i += 4;
        } else if (/^aaa/i.test(rest)) {
          out += SHORT_DAYS[d.getDay()];
          i += 3;
        } else {
          out += starter;
          i += 1;
        }
        break;
      }
      case 'E':
      case 'G':
        // Era fields: the Gregorian calendar has no eras in the en-US locale; WinSCP users
        // should not rely on them. Year for E, "AD" for G.
        runOf();
        out += token === 'E' ? String(d.getFullYear()) : 'AD';
        i += count;
        break;
      case '/':
        out += LOCALE.dateSeparator;
        i++;
        break;
      case ':':
        out += LOCALE.timeSeparator;
        i++;
        break;
      case "'":
      case '"': {
        const close = fmt.indexOf(starter, i + 1);
        if (close < 0) {
          out += fmt.slice(i + 1);
          i = fmt.length;
        } else {
          out += fmt.slice(i + 1, close);
          i = close + 1;
        }
        break;
      }
      default:
        out += starter;
        i++;
    }
  }
  return out;
}

/** Delphi looks ahead from an `h` for an am/pm marker (outside quotes) before the next `h`. */
function meridiemAhead(fmt: string, from: number): boolean {
  let quoted = false;
  for (let p = from; p < fmt.length; p++) {
    const c = fmt[p]!;
    if (c === "'" || c === '"') quoted = !quoted;
    else if (!quoted && (c === 'h' || c === 'H')) return false;
    else if (!quoted && (c === 'a' || c === 'A')) {
      const r = fmt.slice(p);
      return /^(am\/pm|a\/p|ampm)/i.test(r);
    }
  }
  return false;
}
