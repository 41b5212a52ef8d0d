/**
 * Log files shared by the text, XML and JSON logs: WinSCP's name patterns (`!Y`, `!M`, `!D`,
 * `!T`, `!P`, `!@`, `!S`, `!!`), synchronous appends (a crash leaves everything written so far),
 * and `/logsize` rotation.
 */
import fs from 'node:fs';
import path from 'node:path';

const p2 = (n: number) => String(n).padStart(2, '0');

/** Expands the `!x` patterns of a log file name (script spec §12.3). */
export function expandLogName(name: string, info: { start: Date; host?: string; session?: string }): string {
  const d = info.start;
  return name.replace(/!(.)/g, (m, c: string) => {
    switch (c.toUpperCase()) {
      case 'Y':
        return String(d.getFullYear());
      case 'M':
        return p2(d.getMonth() + 1);
      case 'D':
        return p2(d.getDate());
      case 'T':
        return `${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}`;
      case 'P':
        return String(process.pid);
      case '@':
        return info.host ?? '';
      case 'S':
        return (info.session ?? '').replace(/[\\/:*?"<>|]/g, '_');
      case '!':
        return '!';
      default:
        return m;
    }
  });
}

export class LogFile {
  private fd: number | undefined;
  private size = 0;

  constructor(
    private readonly file: string,
    private readonly rotate?: { count: number; bytes: number },
  ) {}

  get path(): string {
    return this.file;
  }

  /** Opens (truncating). Throws the OS error. */
  open(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, 'w', 0o600);
    this.size = 0;
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    const b = Buffer.from(text, 'utf8');
    if (this.rotate && this.rotate.bytes > 0 && this.size + b.length > this.rotate.bytes && this.size > 0) this.rotateNow();
    fs.writeSync(this.fd, b);
    this.size += b.length;
  }

  private rotateNow(): void {
    fs.closeSync(this.fd!);
    const keep = this.rotate!.count;
    if (keep > 0) {
      for (let i = keep - 1; i >= 1; i--) {
        if (fs.existsSync(`${this.file}.${i}`)) fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      }
      fs.renameSync(this.file, `${this.file}.1`);
      if (fs.existsSync(`${this.file}.${keep + 1}`)) fs.rmSync(`${this.file}.${keep + 1}`);
    } else fs.renameSync(this.file, `${this.file}.1`);
    this.fd = fs.openSync(this.file, 'w', 0o600);
    this.size = 0;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
