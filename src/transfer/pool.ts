/**
 * A pool of connections for parallel transfers: each file transfer borrows one connection for
 * its duration. Listings and directory creation keep using the session's own connection.
 */
import type { Transport } from '../transports/transport.js';

export class ConnectionPool {
  private readonly idle: Transport[];
  private readonly waiting: ((t: Transport) => void)[] = [];

  constructor(readonly all: Transport[]) {
    this.idle = [...all];
  }

  get size(): number {
    return this.all.length;
  }

  acquire(): Promise<Transport> {
    const t = this.idle.shift();
    if (t) return Promise.resolve(t);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(t: Transport): void {
    const next = this.waiting.shift();
    if (next) next(t);
    else this.idle.push(t);
  }

  async with<T>(fn: (t: Transport) => Promise<T>): Promise<T> {
    const t = await this.acquire();
    try {
      return await fn(t);
    } finally {
      this.release(t);
    }
  }
}
