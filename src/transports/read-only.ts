/**
 * A transport wrapper that refuses every mutating call. `synchronize -preview` runs on it, so
 * a preview cannot change anything, whatever the code path.
 */
import type { Readable, Writable } from 'node:stream';
import { type Capabilities, type Entry, type ExecResult, type ReadOptions, type Transport, TransportError } from './transport.js';

function refused(op: string): never {
  throw new TransportError('EUNSUPPORTED', [`internal: ${op} attempted on a read-only transport.`]);
}

export class ReadOnlyTransport implements Transport {
  constructor(private readonly inner: Transport) {}
  get capabilities(): Capabilities {
    return this.inner.capabilities;
  }
  home(): Promise<string> {
    return this.inner.home();
  }
  realpath(p: string): Promise<string> {
    return this.inner.realpath(p);
  }
  list(p: string): Promise<Entry[]> {
    return this.inner.list(p);
  }
  stat(p: string): Promise<Entry> {
    return this.inner.stat(p);
  }
  lstat(p: string): Promise<Entry> {
    return this.inner.lstat(p);
  }
  read(p: string, o?: ReadOptions): Promise<Readable> {
    return this.inner.read(p, o);
  }
  checksum(a: string, p: string): Promise<string> {
    return this.inner.checksum(a, p);
  }
  async write(): Promise<Writable> {
    refused('write');
  }
  async mkdir(): Promise<void> {
    refused('mkdir');
  }
  async rmdir(): Promise<void> {
    refused('rmdir');
  }
  async remove(): Promise<void> {
    refused('remove');
  }
  async rename(): Promise<void> {
    refused('rename');
  }
  async chmod(): Promise<void> {
    refused('chmod');
  }
  async setTimes(): Promise<void> {
    refused('setTimes');
  }
  async symlink(): Promise<void> {
    refused('symlink');
  }
  async copy(): Promise<void> {
    refused('copy');
  }
  async exec(): Promise<ExecResult> {
    refused('exec');
  }
  async close(): Promise<void> {}
}
