/**
 * The console: subscribes to events and writes WinSCP's console text (script spec §7, sync spec
 * §6). Normal output and errors go to stdout, or all to stderr with `/stdout`. Each error also
 * gets one stderr line `winscript: FILE:LINE: <message>` so users see where it failed.
 *
 * Progress lines overwrite each other on a terminal; redirected output gets exactly one line per
 * item with its last state.
 */
import type { Event } from '../log/events.js';

export interface Sink {
  write(s: string): void;
}

export interface ConsoleOptions {
  out: Sink;
  /** Where the `winscript: FILE:LINE:` location lines go (stderr). */
  locations: Sink | undefined;
  isTTY: boolean;
}

/** WinSCP's transfer progress line: `%-25s | %14s | %6.1f KB/s | %-6.6s | %3d%%`. */
export function formatProgressLine(name: string, bytes: number, speedBps: number, mode: string, percent: number, shorten: boolean): string {
  const n = shorten ? shortenName(name, 25) : name;
  const size = bytes < 1024 ? `${bytes} B` : `${Math.floor(bytes / 1024)} KB`;
  const speed = (speedBps / 1024).toFixed(1);
  return `${n.padEnd(25)} | ${size.padStart(14)} | ${speed.padStart(6)} KB/s | ${mode.padEnd(6).slice(0, 6)} | ${String(Math.floor(percent)).padStart(3)}%`;
}

/** Replaces leading directories with `...` until the name fits; finally cuts the bare name. */
export function shortenName(name: string, width: number): string {
  if (name.length <= width) return name;
  const sep = name.includes('\\') && !name.includes('/') ? '\\' : '/';
  const parts = name.split(sep);
  for (let i = 1; i < parts.length; i++) {
    const candidate = ['...', ...parts.slice(i)].join(sep);
    if (candidate.length <= width) return candidate;
  }
  return parts[parts.length - 1]!.slice(0, width);
}

export class ConsolePrinter {
  /** Text of the progress line not yet terminated by a newline, and its key. */
  private pending: { key: string; text: string } | undefined;

  constructor(private readonly opts: ConsoleOptions) {}

  handle = (e: Event): void => {
    switch (e.type) {
      case 'message':
        this.plain(e.text);
        break;
      case 'error':
        if (!e.alreadyPrinted) for (const l of e.lines) if (l !== '') this.plain(l);
        if (this.opts.locations && e.where) {
          const first = e.lines.find((l) => l !== '') ?? '';
          this.opts.locations.write(`winscript: ${e.where.file}:${e.where.line}: ${first}\n`);
        }
        break;
      case 'query':
        for (const l of e.lines) if (l !== '') this.plain(l);
        this.flush();
        this.opts.out.write(e.answer === undefined ? e.prompt : `${e.prompt}${e.answer}\n`);
        break;
      case 'warning':
        if (this.opts.locations) {
          const at = e.where ? `${e.where.file}:${e.where.line}: ` : '';
          this.opts.locations.write(`winscript: ${at}warning: ${e.text}\n`);
        }
        break;
      case 'prompt':
        this.flush();
        this.opts.out.write(e.text + (e.echo !== undefined ? e.echo + '\n' : ''));
        break;
      case 'progress':
        this.progress(e.key, e.text);
        break;
      case 'progress-end':
        this.flush();
        break;
      case 'transfer-progress':
        this.progress(e.key, formatProgressLine(e.name, e.bytes, e.speed, e.mode, e.percent, this.opts.isTTY));
        break;
      default:
        break;
    }
  };

  private plain(text: string): void {
    this.flush();
    this.opts.out.write(text + '\n');
  }

  private progress(key: string, text: string): void {
    const p = this.pending;
    if (p && p.key === key) {
      if (p.text === text) return;
      if (this.opts.isTTY) {
        const padding = p.text.length > text.length ? ' '.repeat(p.text.length - text.length) + '\b'.repeat(p.text.length - text.length) : '';
        this.opts.out.write('\r' + text + padding);
      }
      this.pending = { key, text };
      return;
    }
    this.flush();
    if (this.opts.isTTY) this.opts.out.write(text);
    this.pending = { key, text };
  }

  /** Terminates a pending progress line (before any other output and at exit). */
  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.opts.out.write(this.opts.isTTY ? '\n' : p.text + '\n');
  }
}
