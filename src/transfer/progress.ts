/**
 * Transfer progress (sync spec §6.1): one line per item, emitted when the item starts, then at
 * most once per second while it changes, and at completion. The speed is measured over the
 * whole operation from up to 10 samples taken at most once per second.
 */
import type { Context } from '../interpreter/context.js';
import type { EventBody } from '../log/events.js';

export class SpeedMeter {
  private samples: { bytes: number; at: number }[] = [];
  private total = 0;

  add(bytes: number, now = Date.now()): void {
    this.total += bytes;
    const last = this.samples[this.samples.length - 1];
    if (!last || now - last.at >= 1000) {
      this.samples.push({ bytes: this.total, at: now });
      if (this.samples.length > 10) this.samples.shift();
    }
  }

  /** Bytes per second since the oldest kept sample. */
  speed(now = Date.now()): number {
    const first = this.samples[0];
    if (!first || now <= first.at) return 0;
    return ((this.total - first.bytes) * 1000) / (now - first.at);
  }
}

let counter = 0;

/** Reports one item's progress through events. */
export class ItemProgress {
  private readonly key = `t${++counter}`;
  private lastEmit = 0;
  private bytes = 0;
  private readonly emitEvent: (body: EventBody) => void;

  constructor(
    ctx: Context,
    private readonly meter: SpeedMeter,
    private readonly name: string,
    private readonly total: number,
    private readonly mode: 'binary' | 'ascii',
    private readonly direction: 'upload' | 'download',
  ) {
    // Data callbacks of protocol libraries run outside the task's async context; events go to
    // this task's buffer so that parallel tasks' output stays complete and in order.
    this.emitEvent = ctx.bus.boundEmit();
    this.emit(0);
  }

  /** Start position when resuming. */
  setStart(bytes: number): void {
    this.bytes = bytes;
  }

  add(n: number): void {
    this.bytes += n;
    this.meter.add(n);
    const now = Date.now();
    if (now - this.lastEmit >= 1000) this.emit(now);
  }

  done(): void {
    this.emit(Date.now(), true);
  }

  private emit(now: number, complete = false): void {
    this.lastEmit = now;
    const percent = complete ? 100 : this.total > 0 ? Math.min(100, (this.bytes * 100) / this.total) : 0;
    this.emitEvent({
      type: 'transfer-progress',
      key: this.key,
      name: this.name,
      bytes: this.bytes,
      total: this.total,
      speed: this.meter.speed(now),
      mode: this.mode,
      percent,
      direction: this.direction,
    });
  }
}
