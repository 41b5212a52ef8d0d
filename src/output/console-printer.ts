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

/** Seconds as `m:ss` (or `h:mm:ss`). */
function clock(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The terminal's compact view of parallel transfers, whose WinSCP lines are held back so that
 * they come out in order: one updating status line with the files in flight, percent, total
 * speed and ETA. It is erased before any other output. Plain text only (no colours), so it is the
 * same with NO_COLOR.
 */
class ParallelStatus {
  private readonly active = new Map<string, { name: string; bytes: number; total: number; percent: number }>();
  private shown = '';
  private last = 0;
  private startedAt = 0;
  private doneBytes = 0;

  constructor(private readonly out: Sink) {}

  update(e: Extract<Event, { type: 'transfer-progress' }>): void {
    if (this.startedAt === 0) this.startedAt = Date.now();
    if (e.percent >= 100) {
      this.active.delete(e.key);
      this.doneBytes += e.total;
    } else this.active.set(e.key, { name: e.name, bytes: e.bytes, total: e.total, percent: e.percent });
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    this.render(now);
  }

  private render(now: number): void {
    if (this.active.size === 0) return this.clear();
    const inFlight = [...this.active.values()];
    const bytes = this.doneBytes + inFlight.reduce((n, a) => n + a.bytes, 0);
    const remaining = inFlight.reduce((n, a) => n + Math.max(0, a.total - a.bytes), 0);
    const speed = bytes / Math.max(0.001, (now - this.startedAt) / 1000);
    const eta = speed > 0 ? clock(remaining / speed) : '?';
    const files = inFlight.slice(0, 3).map((a) => `${shortenName(a.name.split('/').pop() ?? a.name, 20)} ${Math.floor(a.percent)}%`).join(', ');
    const text = `[${inFlight.length} in flight] ${files}${inFlight.length > 3 ? ', ...' : ''} | ${(speed / 1024).toFixed(1)} KB/s | ETA ${eta}`.slice(0, 110);
    this.out.write('\r' + text.padEnd(this.shown.length));
    this.shown = text;
  }

  /** Erases the status line (before other output). */
  clear(): void {
    if (this.shown === '') return;
    this.out.write('\r' + ' '.repeat(this.shown.length) + '\r');
    this.shown = '';
  }
}

export class ConsolePrinter {
  /** Text of the progress line not yet terminated by a newline, and its key. */
  private pending: { key: string; text: string } | undefined;
  private readonly status: ParallelStatus | undefined;

  constructor(private readonly opts: ConsoleOptions) {
    this.status = opts.isTTY ? new ParallelStatus(opts.out) : undefined;
  }

  /** Events held back for ordered replay (parallel transfers): the live status line. */
  heldBack = (e: Event): void => {
    if (this.status && e.type === 'transfer-progress') {
      if (this.pending) this.flush();
      this.status.update(e);
    }
  };

  handle = (e: Event): void => {
    if (e.type !== 'debug' && e.type !== 'operation') this.status?.clear();
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
