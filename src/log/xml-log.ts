/**
 * `/xmllog=FILE` (sync spec §7): WinSCP's XML log, written incrementally so that a killed run
 * leaves a well-formed prefix (everything but the closing tags). Same root element, namespace,
 * element and attribute names, groups (`/xmlgroups`) and failure placement as WinSCP.
 */
import type { Event, FileRecord, Operation } from './events.js';
import type { LogFile } from './log-file.js';

/** WinSCP's escaping: `& < > "`, control characters as `&#xHH;`, LF as `&#10;` in attributes, CR dropped. */
export function xmlEscape(s: string, attribute: boolean): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === '\r') continue;
    else if (ch === '\n') out += attribute ? '&#10;' : '\n';
    else if (c < 0x20 || c === 0xfffe || c === 0xffff) out += `&#x${c.toString(16).toUpperCase().padStart(2, '0')};`;
    else out += ch;
  }
  return out;
}

const ts = (ms: number) => new Date(ms).toISOString();

export class XmlLog {
  private started = false;
  private inGroup = false;
  private indent = '  ';
  constructor(
    private readonly file: LogFile,
    private readonly groups: boolean,
    private readonly scrub: (s: string) => string,
    /** Name on the root element; `nosession` when the run never opened one. */
    private readonly sessionName?: string,
  ) {}

  private line(s: string): void {
    this.file.write(s + '\n');
  }

  private start(time: number): void {
    if (this.started) return;
    this.started = true;
    if (!this.file.isOpen) this.file.open();
    this.line('<?xml version="1.0" encoding="UTF-8"?>');
    this.line(`<session xmlns="http://winscp.net/schema/session/1.0" name="${xmlEscape(this.sessionName ?? 'nosession', true)}" start="${ts(time)}">`);
  }

  private messages(indent: string, lines: string[]): void {
    for (const m of lines) if (m !== '') this.line(`${this.indent}${indent}<message>${xmlEscape(this.scrub(m), false)}</message>`);
  }

  private failure(lines: string[], time: number): void {
    this.start(time);
    this.line(`${this.indent}<failure>`);
    this.messages('  ', lines);
    this.line(`${this.indent}</failure>`);
  }

  private fileBlock(indent: string, f: FileRecord): void {
    const i = this.indent + indent;
    this.line(`${i}<file>`);
    if (f.filename !== undefined) this.line(`${i}  <filename value="${xmlEscape(f.filename, true)}" />`);
    this.line(`${i}  <type value="${xmlEscape(f.type, true)}" />`);
    if (f.size !== undefined) this.line(`${i}  <size value="${f.size}" />`);
    if (f.modification !== undefined) this.line(`${i}  <modification value="${f.modification}" />`);
    if (f.permissions !== undefined) this.line(`${i}  <permissions value="${xmlEscape(f.permissions, true)}" />`);
    if (f.owner !== undefined) this.line(`${i}  <owner value="${xmlEscape(f.owner, true)}" />`);
    if (f.group !== undefined) this.line(`${i}  <group value="${xmlEscape(f.group, true)}" />`);
    this.line(`${i}</file>`);
  }

  private operation(op: Operation, time: number): void {
    this.start(time);
    const i = this.indent;
    this.line(`${i}<${op.kind}${op.recursive ? ' recursive="true"' : ''}>`);
    for (const [name, value] of op.values) {
      const v = this.scrub(value);
      this.line(v === '' ? `${i}  <${name} />` : `${i}  <${name} value="${xmlEscape(v, true)}" />`);
    }
    if (op.files) {
      this.line(`${i}  <files>`);
      for (const f of op.files) this.fileBlock('    ', f);
      this.line(`${i}  </files>`);
    }
    if (op.file) this.fileBlock('  ', op.file);
    if (op.success) this.line(`${i}  <result success="true" />`);
    else if (op.messages && op.messages.length) {
      this.line(`${i}  <result success="false">`);
      this.messages('    ', op.messages);
      this.line(`${i}  </result>`);
    } else this.line(`${i}  <result success="false" />`);
    this.line(`${i}</${op.kind}>`);
  }

  handle = (e: Event): void => {
    switch (e.type) {
      case 'session-open':
        this.start(e.time);
        break;
      case 'command-start':
        if (this.groups) {
          this.start(e.time);
          this.line(`  <group name="${xmlEscape(this.scrub(e.text), true)}" start="${ts(e.time)}">`);
          this.inGroup = true;
          this.indent = '    ';
        }
        break;
      case 'command-end':
        if (this.inGroup) {
          this.indent = '  ';
          this.line('  </group>');
          this.inGroup = false;
        }
        break;
      case 'operation':
        this.operation(e.op, e.time);
        break;
      case 'query':
        // An answer that stops the command is recorded right away (before the failed operation).
        if (e.answer === 'Abort' || e.answer === 'Cancel') this.failure(e.lines, e.time);
        break;
      case 'error':
        if (!e.alreadyPrinted) this.failure(e.lines, e.time);
        break;
      default:
        break;
    }
  };

  close(): void {
    if (!this.started) this.start(Date.now());
    if (this.inGroup) {
      this.line('  </group>');
      this.inGroup = false;
    }
    this.line('</session>');
    this.file.close();
  }
}
