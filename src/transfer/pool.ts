/**
 * A pool of connections for parallel transfers: each file transfer borrows a connection for
 * its duration. A connection may carry a few transfers at once (SFTP multiplexes requests;
 * the FTP transport queues them itself), which hides round-trip latency on small files.
 * Listings and directory creation keep using the session's own connection.
 */
import type { Transport } from '../transports/transport.js';

/** Files from this size on are bandwidth-bound: sharing a connection would only buffer more. */
export const LARGE_FILE = 1024 * 1024;

export class ConnectionPool {
  private readonly load: number[];
  private readonly waiting: (() => void)[] = [];
  /** Large transfers running; at most one per connection (16 at once took 250 MB of buffers). */
  private large = 0;
  private readonly waitingLarge: (() => void)[] = [];

  constructor(
    readonly all: Transport[],
    /** Transfers one connection carries at once. */
    readonly perConnection = 1,
  ) {
    this.load = all.map(() => 0);
  }

  /** Transfers that may run at once. */
  get size(): number {
    return this.all.length * this.perConnection;
  }

  private pick(): number {
    let best = -1;
    for (let i = 0; i < this.load.length; i++) if (this.load[i]! < this.perConnection && (best < 0 || this.load[i]! < this.load[best]!)) best = i;
    return best;
  }

  private async acquire(): Promise<number> {
    for (;;) {
      const i = this.pick();
      if (i >= 0) {
        this.load[i]!++;
        return i;
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(i: number): void {
    this.load[i]!--;
    this.waiting.shift()?.();
  }

  /** Runs `fn` on a pooled connection; `size` (bytes to move) limits how many large ones run. */
  async with<T>(fn: (t: Transport) => Promise<T>, size = 0): Promise<T> {
    const large = size >= LARGE_FILE && this.perConnection > 1;
    if (large) {
      while (this.large >= this.all.length) await new Promise<void>((r) => this.waitingLarge.push(r));
      this.large++;
    }
    try {
      const i = await this.acquire();
      try {
        return await fn(this.all[i]!);
      } finally {
        this.release(i);
      }
    } finally {
      if (large) {
        this.large--;
        this.waitingLarge.shift()?.();
      }
    }
  }
}

/** Transfers worth running at once on one connection: SFTP multiplexes requests, others do not. */
export function transfersPerConnection(t: Transport): number {
  return t.capabilities.protocol === 'sftp' ? 4 : 1;
}
