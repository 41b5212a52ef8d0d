/**
 * The output layer commands use. Every method emits an event; the console printer and the logs
 * decide what to write. No command writes to stdout itself.
 */
import type { EventBus, Operation } from '../log/events.js';

export class Output {
  constructor(private readonly bus: EventBus) {}

  /** One normal output line. */
  line(text: string): void {
    this.bus.emit({ type: 'message', text });
  }

  /** Several lines, empty ones dropped (script spec §7). */
  lines(texts: string[]): void {
    for (const t of texts) if (t !== '') this.line(t);
  }

  /** Error lines (main message, then details). */
  error(lines: string[]): void {
    this.bus.emit({ type: 'error', lines });
  }

  /** A line that later lines with the same key overwrite. */
  progress(key: string, text: string): void {
    this.bus.emit({ type: 'progress', key, text });
  }

  /** A prompt printed without a newline; `echo` is the answer read from a non-terminal. */
  prompt(text: string, echo?: string): void {
    this.bus.emit({ type: 'prompt', text, echo });
  }

  /** A winscript-only warning (stderr, with the script location). */
  warning(text: string): void {
    this.bus.emit({ type: 'warning', text });
  }

  debug(text: string, level: 0 | 1 | 2 = 1): void {
    this.bus.emit({ type: 'debug', level, text });
  }

  operation(op: Operation): void {
    this.bus.emit({ type: 'operation', op });
  }
}
