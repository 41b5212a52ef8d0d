/**
 * Runs items with bounded concurrency while their output comes out in item order: each item's
 * events are held back and replayed once it and every item before it are done. Nested use
 * (a directory's children inside a synchronize action) works: replayed events go to the
 * enclosing item's buffer.
 */
import type { EventBus } from '../log/events.js';

export interface OrderedOptions<T> {
  /** Items in flight at most; 1 runs them one by one with live output. */
  limit: number;
  /** Stop starting new items (running ones finish). */
  shouldStop?: () => boolean;
  /** Called right before an item's output is replayed (e.g. a directory intro line). */
  beforeOutput?: (item: T, hasOutput: boolean) => void;
}

/**
 * Maps `items` through `fn`. Resolves to the results (undefined for items not started). A
 * rejection stops new items and is re-thrown after the running ones finished and all output
 * before it was replayed.
 */
export async function orderedMap<T, R>(bus: EventBus, items: T[], fn: (item: T, index: number) => Promise<R>, o: OrderedOptions<T>): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  if (o.limit <= 1 || items.length <= 1) {
    for (let i = 0; i < items.length; i++) {
      if (o.shouldStop?.()) break;
      o.beforeOutput?.(items[i]!, true);
      results[i] = await fn(items[i]!, i);
    }
    return results;
  }
  let firstError: { e: unknown } | undefined;
  let next = 0;
  let flushed = 0;
  const held: ({ events: Parameters<EventBus['replay']>[0]; done: boolean } | undefined)[] = [];
  const flush = () => {
    while (flushed < items.length && held[flushed]?.done) {
      const h = held[flushed]!;
      o.beforeOutput?.(items[flushed]!, h.events.length > 0);
      bus.replay(h.events);
      held[flushed] = undefined;
      flushed++;
    }
  };
  const worker = async () => {
    for (;;) {
      if (firstError || o.shouldStop?.()) return;
      const i = next++;
      if (i >= items.length) return;
      const { result, events } = bus.buffered(() => fn(items[i]!, i));
      held[i] = { events, done: false };
      try {
        results[i] = await result;
      } catch (e) {
        firstError ??= { e };
      }
      held[i]!.done = true;
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.limit, items.length) }, worker));
  // Items after a stop leave holes: replay the finished ones after them too.
  for (let i = flushed; i < items.length; i++) {
    const h = held[i];
    if (h?.done) {
      o.beforeOutput?.(items[i]!, h.events.length > 0);
      bus.replay(h.events);
    }
  }
  if (firstError) throw firstError.e;
  return results;
}
