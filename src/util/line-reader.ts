/**
 * Reads standard input line by line, on demand: commands of the interactive phase and answers
 * to prompts share it. Nothing is read until the first call, so a script that ends with `exit`
 * never touches stdin. A trailing CR is dropped (script spec §2.1).
 */
import type { Readable } from 'node:stream';

export class LineReader {
  private buffer = '';
  private lines: string[] = [];
  private ended = false;
  private waiting: (() => void) | undefined;
  private started = false;
  private decoder = new TextDecoder('utf-8');

  constructor(private readonly input: Readable) {}

  get isTTY(): boolean {
    return Boolean((this.input as { isTTY?: boolean }).isTTY);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.input.on('data', (chunk: Buffer | string) => {
      this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, nl).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.wake();
    });
    const finish = () => {
      if (this.ended) return;
      this.ended = true;
      if (this.buffer !== '') this.lines.push(this.buffer.replace(/\r$/, ''));
      this.buffer = '';
      this.wake();
    };
    this.input.on('end', finish);
    this.input.on('error', finish);
    this.input.on('close', finish);
    this.input.resume();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
    if (this.lines.length > 0 || this.ended) this.input.pause();
  }

  /** The next line, or undefined at end of input. */
  async next(): Promise<string | undefined> {
    this.start();
    for (;;) {
      if (this.lines.length > 0) return this.lines.shift();
      if (this.ended) return undefined;
      this.input.resume();
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  /** Stops reading so that the process can exit. */
  close(): void {
    if (!this.started) return;
    this.input.pause();
    (this.input as { destroy?: () => void }).destroy?.();
  }
}
