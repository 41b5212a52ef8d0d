/**
 * Subscribes the log writers the command line asked for (`/log`, `/xmllog`, `/jsonlog`). File
 * names may hold WinSCP's `!x` patterns; they are opened when the first session opens (so that
 * `!@`/`!S` are known), or at the end of a run that never opens one.
 */
import type { Context } from '../interpreter/context.js';
import { scrub } from '../util/redact.js';
import type { Event } from './events.js';

export interface AttachedLogs {
  close(): Promise<void>;
}

interface Writer {
  handle(e: Event): void;
  close(): void;
}

export async function attachLogs(ctx: Context): Promise<AttachedLogs> {
  const start = new Date();
  const c = ctx.config;
  const clean = (s: string) => scrub(s, ctx.secrets);
  if (!c.logFile && !c.xmlLog && !c.jsonLog) return { close: async () => {} };
  // Loaded only when a log is asked for.
  const [{ JsonLog }, { expandLogName, LogFile }, { TextLog }, { XmlLog }] = await Promise.all([
    import('./jsonl-log.js'),
    import('./log-file.js'),
    import('./text-log.js'),
    import('./xml-log.js'),
  ]);
  type LogFileT = InstanceType<typeof LogFile>;
  const pending: { file: LogFileT | undefined; name: string; make: (f: LogFileT, session?: string) => Writer; writer?: Writer; queue: Event[]; waitForSession?: boolean }[] = [];
  if (c.logFile) pending.push({ file: undefined, name: c.logFile, make: (f) => new TextLog(f, c.logLevel, clean), queue: [] });
  // The XML root element carries the session name: it is written once the first session opens.
  if (c.xmlLog) pending.push({ file: undefined, name: c.xmlLog, make: (f, session) => new XmlLog(f, c.xmlGroups, clean, session), queue: [], waitForSession: true });
  if (c.jsonLog) pending.push({ file: undefined, name: c.jsonLog, make: (f) => new JsonLog(f, clean), queue: [] });
  if (pending.length === 0) return { close: async () => {} };

  const openAll = (host?: string, session?: string) => {
    for (const p of pending) {
      if (p.writer) continue;
      const f = new LogFile(expandLogName(p.name, { start, host, session }), c.logSize);
      try {
        f.open();
      } catch (e) {
        ctx.out.warning(`cannot write log file '${f.path}': ${e instanceof Error ? e.message : String(e)}`);
        if (c.xmlLogRequired && p.name === c.xmlLog) {
          ctx.aborted = true;
          ctx.stopped = true;
        }
        p.queue = [];
        p.writer = { handle: () => {}, close: () => {} };
        continue;
      }
      p.file = f;
      p.writer = p.make(f, session);
      for (const e of p.queue) p.writer.handle(e);
      p.queue = [];
    }
  };
  const needsSession = (p: { name: string; waitForSession?: boolean }) => p.waitForSession || /!@|!S/i.test(p.name);
  // Files without session patterns open at once: a crash before `open` still leaves a log.
  if (!pending.some(needsSession)) openAll();
  ctx.bus.on((e) => {
    if (e.type === 'session-open') openAll(e.host, e.name);
    for (const p of pending) {
      if (p.writer) p.writer.handle(e);
      else p.queue.push(e);
    }
  });
  return {
    close: async () => {
      openAll();
      for (const p of pending) p.writer?.close();
    },
  };
}
