/** The connection pool: transfers per connection, and large files at most one per connection. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionPool, LARGE_FILE } from '../../src/transfer/pool.js';
import type { Transport } from '../../src/transports/transport.js';

const conns = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i }) as unknown as Transport);

/** Runs jobs of the given sizes at once; returns the most that ran together, overall and large. */
async function peak(pool: ConnectionPool, sizes: number[]): Promise<{ all: number; large: number; perConn: Map<Transport, number> }> {
  let all = 0;
  let large = 0;
  const seen = { all: 0, large: 0, perConn: new Map<Transport, number>() };
  const live = new Map<Transport, number>();
  await Promise.all(
    sizes.map((size) =>
      pool.with(async (t) => {
        all++;
        if (size >= LARGE_FILE) large++;
        live.set(t, (live.get(t) ?? 0) + 1);
        seen.all = Math.max(seen.all, all);
        seen.large = Math.max(seen.large, large);
        seen.perConn.set(t, Math.max(seen.perConn.get(t) ?? 0, live.get(t)!));
        await new Promise((r) => setTimeout(r, 5));
        live.set(t, live.get(t)! - 1);
        all--;
        if (size >= LARGE_FILE) large--;
      }, size),
    ),
  );
  return seen;
}

test('small files run perConnection at a time on every connection', async () => {
  const seen = await peak(new ConnectionPool(conns(4), 4), Array(40).fill(1000));
  assert.equal(seen.all, 16);
  for (const n of seen.perConn.values()) assert.equal(n, 4);
});

test('large files run at most one per connection; small ones fill the remaining slots', async () => {
  const seen = await peak(new ConnectionPool(conns(4), 4), [...Array(20).fill(5 * LARGE_FILE), ...Array(40).fill(1000)]);
  assert.equal(seen.large, 4);
  assert.equal(seen.all, 16);
});

test('one connection per transfer: large files are not limited further', async () => {
  const seen = await peak(new ConnectionPool(conns(3), 1), Array(9).fill(5 * LARGE_FILE));
  assert.equal(seen.large, 3);
});
