/**
 * `/jsonlog=FILE` (winscript extension): one JSON object per line for every event, with stable
 * field names (documented in the README): `time` (ISO 8601 UTC), `type`, `file` and `line` of
 * the script line, then the event's own fields. Transfer progress is logged once per item, when
 * it completes. Secrets are scrubbed.
 */
import type { Event } from './events.js';
import type { LogFile } from './log-file.js';

export class JsonLog {
  constructor(
    private readonly file: LogFile,
    private readonly scrub: (s: string) => string,
  ) {}

  handle = (e: Event): void => {
    if (e.type === 'progress' || e.type === 'prompt') return;
    if (e.type === 'transfer-progress' && e.percent < 100) return;
    const { time, where, type, ...rest } = e;
    const obj: Record<string, unknown> = { time: new Date(time).toISOString(), type };
    if (where) {
      obj.file = where.file;
      obj.line = where.line;
    }
    if (e.type === 'operation') {
      const op = e.op;
      obj.op = op.kind;
      obj.success = op.success;
      for (const [k, v] of op.values) obj[k] = v;
      if (op.messages) obj.messages = op.messages;
      if (op.recursive) obj.recursive = true;
      if (op.files) obj.files = op.files;
      if (op.file) obj.fileInfo = op.file;
    } else Object.assign(obj, rest);
    this.file.write(this.scrub(JSON.stringify(obj)) + '\n');
  };

  close(): void {
    this.file.close();
  }
}
