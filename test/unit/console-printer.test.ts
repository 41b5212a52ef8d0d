import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../../src/log/events.js';
import { ConsolePrinter, formatProgressLine, shortenName } from '../../src/output/console-printer.js';

function setup(isTTY: boolean) {
  let out = '';
  let err = '';
  const bus = new EventBus();
  const p = new ConsolePrinter({ out: { write: (s) => void (out += s) }, locations: { write: (s) => void (err += s) }, isTTY });
  bus.on(p.handle);
  bus.onHeldBack(p.heldBack);
  return { bus, p, out: () => out, err: () => err };
}
const tp = (key: string, name: string, bytes: number, percent: number) => ({ type: 'transfer-progress' as const, key, name, bytes, total: 100, speed: 2048, mode: 'binary' as const, percent, direction: 'upload' as const });

describe('progress line format (sync spec §6.1)', () => {
  it('is %-25s | %14s | %6.1f KB/s | %-6.6s | %3d%%', () => {
    assert.equal(formatProgressLine('index.html', 5 * 1024 + 100, 47.24 * 1024, 'binary', 100, false), 'index.html                |           5 KB |   47.2 KB/s | binary | 100%');
    assert.equal(formatProgressLine('C:\\site\\css\\main.css', 900, 0, 'ascii', 0, false), 'C:\\site\\css\\main.css      |          900 B |    0.0 KB/s | ascii  |   0%');
    assert.equal(formatProgressLine('/very/long/path/that/exceeds/limit/file.bin', 10240 * 1024, 1024 * 1024, 'binary', 42, false), '/very/long/path/that/exceeds/limit/file.bin |       10240 KB | 1024.0 KB/s | binary |  42%');
  });
  it('shortens names to 25 on a terminal by replacing leading directories', () => {
    assert.equal(shortenName('/very/long/path/that/exceeds/limit/file.bin', 25), '.../limit/file.bin');
    assert.equal(shortenName('short.txt', 25), 'short.txt');
    assert.equal(shortenName('a-very-long-file-name-without-dirs.txt', 25), 'a-very-long-file-name-wit');
  });
});

describe('console printer', () => {
  it('redirected: one line per item with its last state; messages flush first', () => {
    const { bus, out } = setup(false);
    bus.emit(tp('a', 'a.txt', 0, 0));
    bus.emit(tp('a', 'a.txt', 50, 50));
    bus.emit(tp('a', 'a.txt', 100, 100));
    bus.emit(tp('b', 'b.txt', 0, 0));
    bus.emit({ type: 'message', text: 'done' });
    assert.equal(out(), 'a.txt                     |          100 B |    2.0 KB/s | binary | 100%\nb.txt                     |            0 B |    2.0 KB/s | binary |   0%\ndone\n');
  });
  it('collection lines collapse to the last one', () => {
    const { bus, out, p } = setup(false);
    bus.emit({ type: 'progress', key: 'c', text: "Local '/a' => Remote '/r'" });
    bus.emit({ type: 'progress', key: 'c', text: "Local '/a/b' => Remote '/r/b'" });
    p.flush();
    assert.equal(out(), "Local '/a/b' => Remote '/r/b'\n");
  });
  it('terminal: overwrites in place, pads shorter text and backs up', () => {
    const { bus, out } = setup(true);
    bus.emit({ type: 'progress', key: 'c', text: 'long text' });
    bus.emit({ type: 'progress', key: 'c', text: 'short' });
    bus.emit({ type: 'message', text: 'x' });
    assert.equal(out(), 'long text\rshort    \b\b\b\b\nx\n');
  });
  it('errors go to stdout plus one located stderr line', () => {
    const { bus, out, err } = setup(false);
    bus.where = { file: 's.txt', line: 3 };
    bus.emit({ type: 'error', lines: ['Main.', '', 'Detail.'] });
    assert.equal(out(), 'Main.\nDetail.\n');
    assert.equal(err(), 'winscript: s.txt:3: Main.\n');
  });
  it('held-back parallel output shows a live status line on a terminal, erased before output', async () => {
    const { bus, out } = setup(true);
    const { result, events } = bus.buffered(async () => {
      bus.emit(tp('k', 'dir/f.bin', 10, 10));
    });
    await result;
    assert.match(out(), /^\r\[1 in flight\] f\.bin 10% \| [\d.]+ KB\/s \| ETA /);
    bus.replay(events);
    assert.match(out(), /\r +\rdir\/f\.bin/);
  });
});
