import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandEnvironment, expandFormattedTimestamps, expandLine, expandParameters } from '../../src/script/expand.js';
import { formatDelphi } from '../../src/util/format-date.js';

const NOW = new Date(2024, 2, 1, 10, 20, 30, 45); // 2024-03-01 10:20:30.045 local
const ctx = (over: Partial<Parameters<typeof expandLine>[1]> = {}) => ({
  parameters: [] as string[],
  env: {} as Record<string, string>,
  timestampFromEnv: false,
  now: () => NOW,
  ...over,
});

describe('parameters %N% (§3.2)', () => {
  it('replaces %1%..%N% verbatim, not %10% by %1%', () => {
    assert.equal(expandParameters('put "%1%" %2% %10% %3%', ['a b', 'x']), 'put "a b" x %10% %3%');
  });
  it('leaves references beyond the count for environment expansion', () => {
    assert.equal(expandLine('echo %3%', ctx({ parameters: ['a'], env: { '3': 'three' } })), 'echo three');
  });
  it('lets environment expansion see inserted text', () => {
    assert.equal(expandLine('echo %1%', ctx({ parameters: ['%HOME%'], env: { HOME: '/h' } })), 'echo /h');
  });
});

describe('timestamps (§3.3, §3.4)', () => {
  it('expands plain %TIMESTAMP% (upper case only)', () => {
    assert.equal(expandLine('x_%TIMESTAMP%.zip', ctx()), 'x_20240301102030.zip');
    assert.equal(expandLine('%timestamp%', ctx()), '%timestamp%');
  });
  it('skips the plain form when TIMESTAMP is an environment variable', () => {
    assert.equal(expandLine('%TIMESTAMP%', ctx({ timestampFromEnv: true, env: { TIMESTAMP: 'env' } })), 'env');
  });
  it('expands the table examples', () => {
    const cases: [string, string][] = [
      ['%TIMESTAMP#yyyy-mm-dd%', '2024-03-01'],
      ['%TIMESTAMP-1D#yyyymmdd%', '20240229'],
      ['%timestamp#hh:nn%', '10:20'],
      ['%TIMESTAMP-1M#yyyy%', '%TIMESTAMP-1M#yyyy%'],
      ['backup_%TIMESTAMP#yyyymmdd%.zip', 'backup_20240301.zip'],
      ['%TIMESTAMP+2H#hh:nn:ss%', '12:20:30'],
      ['%TIMESTAMP-1DS#yyyy-mm-dd hh:nn:ss%', '2024-02-29 00:00:00'],
      ['%TIMESTAMP-1Y#yyyy-mm-dd%', '2023-03-01'],
      ['%TIMESTAMP-30N#hh:nn:ss%', '09:50:30'],
      ['%TIMESTAMP-yesterday#yyyy-mm-dd hh:nn%', '2024-02-29 00:00'],
      ['%TIMESTAMP+yesterday#yyyy-mm-dd%', '2024-03-02'],
      ['%TIMESTAMP-today#hh:nn%', '00:00'],
      ['%TIMESTAMP- 2 D#dd%', '28'],
      ['%TIMESTAMP-D#yyyy%', '%TIMESTAMP-D#yyyy%'],
      ['%TIMESTAMP-1W#yyyy%', '%TIMESTAMP-1W#yyyy%'],
      ['%TIMESTAMP1D#yyyy%', '%TIMESTAMP1D#yyyy%'],
      ['%TIMESTAMP#yyyy#mm%', '2024#03'],
      ['a %TIMESTAMP#yyyy% b %TIMESTAMP#mm% c', 'a 2024 b 03 c'],
      ['%TIMESTAMP#yyyy', '%TIMESTAMP#yyyy'],
    ];
    for (const [input, want] of cases) assert.equal(expandFormattedTimestamps(input, NOW, () => NOW), want, input);
  });
});

describe('Delphi format letters (§3.4.2)', () => {
  const d = new Date(2024, 2, 5, 9, 7, 3, 4); // Tue 2024-03-05 09:07:03.004
  const cases: [string, string][] = [
    ['yy', '24'],
    ['y', '24'],
    ['yyyy', '2024'],
    ['YYYY-MM-DD', '2024-03-05'],
    ['m', '3'],
    ['mm', '03'],
    ['mmm', 'Mar'],
    ['mmmm', 'March'],
    ['hh:mm', '09:07'],
    ['h:m', '9:7'],
    ['d', '5'],
    ['dd', '05'],
    ['ddd', 'Tue'],
    ['dddd', 'Tuesday'],
    ['ddddd', '3/5/2024'],
    ['dddddd', 'Tuesday, March 5, 2024'],
    ['h', '9'],
    ['hh', '09'],
    ['n', '7'],
    ['nn', '07'],
    ['s', '3'],
    ['ss', '03'],
    ['z', '4'],
    ['zzz', '004'],
    ['t', '9:07 AM'],
    ['tt', '9:07:03 AM'],
    ['c', '3/5/2024 9:07:03 AM'],
    ['hh am/pm', '09 am'],
    ['h AMPM', '9 AM'],
    ['h a/p', '9 a'],
    ['yyyy/mm/dd', '2024/03/05'],
    ["yyyymmdd'T'hhnnss", '20240305T090703'],
    ['"at" hh', 'at 09'],
    ['yyyy-mm-dd_hh-nn-ss', '2024-03-05_09-07-03'],
  ];
  for (const [fmt, want] of cases) it(fmt, () => assert.equal(formatDelphi(d, fmt), want));
  it('treats an empty format like c', () => assert.equal(formatDelphi(d, ''), formatDelphi(d, 'c')));
  it('switches to 12 hours in the afternoon', () => assert.equal(formatDelphi(new Date(2024, 0, 1, 15, 4), 'h:nn ampm'), '3:04 PM'));
});

describe('environment variables (§3.5)', () => {
  it('replaces defined variables and keeps undefined ones', () => {
    assert.equal(expandEnvironment('%HOME%/x %NOPE%', { HOME: '/h' }), '/h/x %NOPE%');
  });
  it('resumes at the closing % of an undefined name', () => {
    assert.equal(expandEnvironment('%UNDEF%HOME%', { HOME: '/h' }), '%UNDEF/h');
  });
  it('keeps lone and doubled percent signs', () => {
    assert.equal(expandEnvironment('50% and %% done', { }), '50% and %% done');
    assert.equal(expandEnvironment('a%%b', { A: 'x' }), 'a%%b');
  });
  it('falls back to a case-insensitive name', () => {
    assert.equal(expandEnvironment('%UserProfile%', { USERPROFILE: '/home/u' }), '/home/u');
    assert.equal(expandEnvironment('%user%', { user: 'exact', USER: 'upper' }), 'exact');
  });
  it('does not rescan inserted values', () => {
    assert.equal(expandEnvironment('%A%', { A: '%B%', B: 'no' }), '%B%');
  });
  it('keeps percent-encoded URLs', () => {
    assert.equal(expandLine('open sftp://u:p%40ss%3Aw0rd@h/', ctx()), 'open sftp://u:p%40ss%3Aw0rd@h/');
    // ...unless the text between two % signs happens to be a defined name, as on Windows
    assert.equal(expandLine('open sftp://u:p%40ss%3Aw0rd@h/', ctx({ env: { '40ss': 'x' } })), 'open sftp://u:px3Aw0rd@h/');
  });
});
