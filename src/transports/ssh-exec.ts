/**
 * Commands over an SSH exec channel: `call` on SFTP and SCP sessions, and checksums computed by
 * the server's shell tools when the SFTP server has no checksum extension.
 */
import type { Client } from 'ssh2';
import { type ExecResult, TransportError } from './transport.js';

/** Runs a command; collects stdout, stderr and the exit status. */
export function execOverSsh(client: Client, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(new TransportError('EUNSUPPORTED', ['Operation not supported.', err.message], { cause: err }));
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code = 0;
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => errOut.push(d));
      stream.on('exit', (c: number | null, signal?: string) => {
        code = c ?? (signal ? 128 : 0);
      });
      stream.on('close', () => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8'), code }));
      stream.on('error', (e: Error) => reject(new TransportError('ECONNLOST', [e.message], { cause: e })));
    });
  });
}

/** POSIX shell single-quoting. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const TOOLS: Record<string, string> = {
  md5: 'md5sum',
  sha1: 'sha1sum',
  sha224: 'sha224sum',
  sha256: 'sha256sum',
  sha384: 'sha384sum',
  sha512: 'sha512sum',
};

/** Normalises an algorithm name: case-insensitive, dashes ignored (`SHA-256` = `sha256`). */
export function normaliseAlgorithm(alg: string): string {
  return alg.toLowerCase().replace(/-/g, '');
}

/** Checksum with the server's `<alg>sum` tool. */
export async function shellChecksum(client: Client, algorithm: string, path: string): Promise<string> {
  const tool = TOOLS[normaliseAlgorithm(algorithm)];
  if (!tool) throw new TransportError('EUNSUPPORTED', [`Checksum algorithm '${algorithm}' is not supported.`]);
  const r = await execOverSsh(client, `${tool} -b -- ${shellQuote(path)}`);
  const m = /^\\?([0-9a-f]+)\s/i.exec(r.stdout);
  if (r.code !== 0 || !m) {
    if (/not found/i.test(r.stderr)) throw new TransportError('EUNSUPPORTED', [`Checksum algorithm '${algorithm}' is not supported.`]);
    throw new TransportError(/No such file/i.test(r.stderr) ? 'ENOENT' : 'EFAILURE', [r.stderr.trim() || `Command '${tool}' failed with return code ${r.code}.`]);
  }
  return m[1]!.toLowerCase();
}
