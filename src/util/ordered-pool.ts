/**
 * Runs tasks with bounded concurrency while their output comes out in task order: each task's
 * events are buffered and replayed once it and every task before it are done.
 */
import type { EventBus } from '../log/events.js';

export interface OrderedTask<W> {
  /** Runs on a worker (e.g. a connection). Resolves to false when the task failed. */
  run(worker: W): Promise<boolean>;
  /** Called right before the task's buffered events are replayed (e.g. a directory intro line). */
  beforeOutput?(hasOutput: boolean): void;
}

/**
 * Runs `tasks` on `workers` (one task per worker at a time). Stops starting new tasks once
 * `shouldStop()` is true. Resolves to the number of failed tasks. A thrown error (abort) is
 * re-thrown after the running tasks finished and their output was replayed.
 */
export async function runOrdered<W>(bus: EventBus, workers: W[], tasks: OrderedTask<W>[], shouldStop: () => boolean): Promise<number> {
  if (workers.length === 1) {
    // Sequential: no buffering, live progress.
    let failed = 0;
    for (const t of tasks) {
      if (shouldStop()) break;
      t.beforeOutput?.(true);
      if (!(await t.run(workers[0]!))) failed++;
    }
    return failed;
  }
  let failed = 0;
  let firstError: unknown;
  let nextTask = 0;
  let flushed = 0;
  const results: ({ events: ReturnType<EventBus['buffered']>['events']; done: boolean } | undefined)[] = [];
  const flush = () => {
    while (flushed < results.length && results[flushed]?.done) {
      const r = results[flushed]!;
      tasks[flushed]!.beforeOutput?.(r.events.length > 0);
      bus.replay(r.events);
      results[flushed] = undefined;
      flushed++;
    }
  };
  const worker = async (w: W) => {
    for (;;) {
      if (firstError !== undefined || shouldStop()) return;
      const i = nextTask++;
      if (i >= tasks.length) return;
      const { result, events } = bus.buffered(() => tasks[i]!.run(w));
      results[i] = { events, done: false };
      try {
        if (!(await result)) failed++;
      } catch (e) {
        if (firstError === undefined) firstError = e;
        failed++;
      }
      results[i]!.done = true;
      flush();
    }
  };
  await Promise.all(workers.map(worker));
  // Tasks never started (stop) leave holes: replay what finished before them.
  for (let i = flushed; i < results.length; i++) {
    const r = results[i];
    if (r?.done) {
      tasks[i]!.beforeOutput?.(r.events.length > 0);
      bus.replay(r.events);
    }
  }
  if (firstError !== undefined) throw firstError;
  return failed;
}
