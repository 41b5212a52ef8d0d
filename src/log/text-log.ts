/**
 * `/log=FILE` with `/loglevel`: a session log with timestamps, in WinSCP's line shape
 * (`. yyyy-mm-dd hh:nn:ss.zzz text`; `!` marks errors, `<`/`>` the protocol conversation at
 * level 1 and above). Secrets are always scrubbed; `/loglevel=…*` (log passwords) changes nothing.
 */
import type { Event } from './events.js';
import type { LogFile } from './log-file.js';

const p = (n: number, w = 2) => String(n).padStart(w, '0');
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export class TextLog {
  constructor(
    private readonly file: LogFile,
    private readonly level: number,
    private readonly scrub: (s: string) => string,
  ) {}

  private add(mark: string, time: number, text: string): void {
    for (const line of this.scrub(text).split('\n')) this.file.write(`${mark} ${stamp(time)} ${line}\n`);
  }

  handle = (e: Event): void => {
    switch (e.type) {
      case 'command-start':
        this.add('.', e.time, `Script: ${e.text}`);
        break;
      case 'message':
        this.add('.', e.time, e.text);
        break;
      case 'error':
        if (!e.alreadyPrinted) for (const l of e.lines) this.add('!', e.time, l);
        break;
      case 'query':
        for (const l of e.lines) this.add('!', e.time, l);
        this.add('.', e.time, `${e.prompt}${e.answer ?? ''}`);
        break;
      case 'warning':
        this.add('.', e.time, `Warning: ${e.text}`);
        break;
      case 'session-open':
        this.add('.', e.time, `Session started: ${e.protocol}://${e.user}@${e.host}:${e.port} as '${e.name}'`);
        break;
      case 'session-close':
        this.add('.', e.time, `Session '${e.name}' closed.`);
        break;
      case 'operation':
        if (this.level >= 0) {
          const v = e.op.values.map(([k, val]) => `${k}=${val}`).join(' ');
          this.add('.', e.time, `${e.op.kind} ${e.op.success ? 'ok' : 'failed'}: ${v}`);
        }
        break;
      case 'debug':
        if (e.level <= this.level) this.add(e.text.startsWith('>') || e.text.startsWith('<') ? e.text[0]! : '.', e.time, e.text.replace(/^[<>] ?/, ''));
        break;
      case 'command-end':
        if (this.level >= 1) this.add('.', e.time, `Command ${e.command} ${e.success ? 'succeeded' : 'failed'}.`);
        break;
      default:
        break;
    }
  };

  close(): void {
    this.file.close();
  }
}
