/**
 * A small embedded SFTP server (ssh2 Server) over a local folder, on loopback. It backs
 * `winscript --demo` (so a new user sees the main job work with no setup) and tests that inject
 * faults a real server cannot produce (a hostile listing with `../` names). The real tests run
 * against OpenSSH sshd; this server never replaces it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { Connection, FileEntry, SFTPWrapper } from 'ssh2';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export interface EmbeddedServerOptions {
  /** Folder served as `/`. */
  root: string;
  user: string;
  password: string;
  /** Extra names added to every directory listing (fault injection). */
  hostileNames?: string[];
}

export interface EmbeddedServer {
  port: number;
  /** `ssh-ed25519 255 <sha256>` as `-hostkey` takes it. */
  fingerprint: string;
  close(): Promise<void>;
}

function attrsOf(st: fs.Stats) {
  return { mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
}

function longname(name: string, st: fs.Stats): string {
  const t = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const r = (m: number, c: string) => (st.mode & m ? c : '-');
  const rights = r(0o400, 'r') + r(0o200, 'w') + r(0o100, 'x') + r(0o40, 'r') + r(0o20, 'w') + r(0o10, 'x') + r(0o4, 'r') + r(0o2, 'w') + r(0o1, 'x');
  return `${t}${rights}    1 demo     demo     ${String(st.size).padStart(8)} Jan  1 00:00 ${name}`;
}

function statusFor(e: unknown): number {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const root = path.resolve(opts.root);
  const keys = utils.generateKeyPairSync('ed25519');
  const parsed = utils.parseKey(keys.public);
  if (parsed instanceof Error) throw parsed;
  const blob = (Array.isArray(parsed) ? parsed[0]! : parsed).getPublicSSH();
  const fingerprint = `ssh-ed25519 255 ${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

  /** Virtual absolute path -> real path inside root (never outside). */
  const real = (p: string) => path.join(root, path.posix.normalize('/' + p));
  const virtual = (p: string) => path.posix.normalize('/' + p);

  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const ok = ctx.username === opts.user && ctx.method === 'password' && ctx.password === opts.password;
      if (ok) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), real, virtual, opts.hostileNames ?? []));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    fingerprint,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
      }),
  };
}

function serveSftp(sftp: SFTPWrapper, real: (p: string) => string, virtual: (p: string) => string, hostile: string[]): void {
  const handles = new Map<number, { fh?: fsp.FileHandle; dir?: { entries: FileEntry[] | undefined; path: string } }>();
  let next = 1;
  const handleBuf = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const handleOf = (b: Buffer) => handles.get(b.readUInt32BE(0));
  const fail = (reqid: number, e: unknown) => sftp.status(reqid, statusFor(e), (e as Error).message);
  const ok = (reqid: number) => sftp.status(reqid, STATUS_CODE.OK);

  sftp.on('REALPATH', (reqid, p) => sftp.name(reqid, [{ filename: virtual(p === '.' ? '/' : p), longname: '', attrs: {} as never }]));
  sftp.on('STAT', (reqid, p) => void fsp.stat(real(p)).then((st) => sftp.attrs(reqid, attrsOf(st)), (e) => fail(reqid, e)));
  sftp.on('LSTAT', (reqid, p) => void fsp.lstat(real(p)).then((st) => sftp.attrs(reqid, attrsOf(st)), (e) => fail(reqid, e)));
  sftp.on('OPENDIR', (reqid, p) => {
    void fsp.stat(real(p)).then(
      (st) => {
        if (!st.isDirectory()) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Not a directory');
        const id = next++;
        handles.set(id, { dir: { entries: undefined, path: real(p) } });
        sftp.handle(reqid, handleBuf(id));
      },
      (e) => fail(reqid, e),
    );
  });
  sftp.on('READDIR', (reqid, h) => {
    const d = handleOf(h)?.dir;
    if (!d) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
    if (d.entries) {
      if (d.entries.length === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      const out = d.entries;
      d.entries = [];
      return sftp.name(reqid, out);
    }
    void (async () => {
      const names = await fsp.readdir(d.path);
      const entries: FileEntry[] = [];
      for (const n of names) {
        const st = await fsp.lstat(path.join(d.path, n));
        entries.push({ filename: n, longname: longname(n, st), attrs: attrsOf(st) as never });
      }
      for (const n of hostile) {
        entries.push({ filename: n, longname: longname(n, fs.statSync(d.path)), attrs: { mode: 0o100644, uid: 0, gid: 0, size: 5, atime: 0, mtime: 0 } as never });
      }
      d.entries = [];
      sftp.name(reqid, entries);
    })().catch((e) => fail(reqid, e));
  });
  sftp.on('OPEN', (reqid, p, flags, attrs) => {
    let f = 'r';
    if (flags & OPEN_MODE.WRITE) f = flags & OPEN_MODE.TRUNC ? 'w' : flags & OPEN_MODE.CREAT ? 'a+' : 'r+';
    if (flags & OPEN_MODE.EXCL) f = 'wx';
    void fsp.open(real(p), f === 'a+' ? 'r+' : f, (attrs as { mode?: number }).mode ?? 0o644).catch(async (e) => {
      if (f === 'a+') return fsp.open(real(p), 'w');
      throw e;
    }).then(
      (fh) => {
        const id = next++;
        handles.set(id, { fh });
        sftp.handle(reqid, handleBuf(id));
      },
      (e) => fail(reqid, e),
    );
  });
  sftp.on('READ', (reqid, h, offset, length) => {
    const fh = handleOf(h)?.fh;
    if (!fh) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
    const buf = Buffer.alloc(length);
    void fh.read(buf, 0, length, offset).then(
      ({ bytesRead }) => (bytesRead === 0 ? sftp.status(reqid, STATUS_CODE.EOF) : sftp.data(reqid, buf.subarray(0, bytesRead))),
      (e) => fail(reqid, e),
    );
  });
  sftp.on('WRITE', (reqid, h, offset, data) => {
    const fh = handleOf(h)?.fh;
    if (!fh) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
    void fh.write(data, 0, data.length, offset).then(() => ok(reqid), (e) => fail(reqid, e));
  });
  sftp.on('FSTAT', (reqid, h) => {
    const fh = handleOf(h)?.fh;
    if (!fh) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
    void fh.stat().then((st) => sftp.attrs(reqid, attrsOf(st)), (e) => fail(reqid, e));
  });
  const setattrs = async (target: string | fsp.FileHandle, a: { mode?: number; atime?: number; mtime?: number }) => {
    if (a.mode !== undefined) await (typeof target === 'string' ? fsp.chmod(target, a.mode & 0o7777) : target.chmod(a.mode & 0o7777));
    if (a.mtime !== undefined) await (typeof target === 'string' ? fsp.utimes(target, a.atime ?? a.mtime, a.mtime) : target.utimes(a.atime ?? a.mtime, a.mtime));
  };
  sftp.on('FSETSTAT', (reqid, h, attrs) => {
    const fh = handleOf(h)?.fh;
    if (!fh) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
    void setattrs(fh, attrs).then(() => ok(reqid), (e) => fail(reqid, e));
  });
  sftp.on('SETSTAT', (reqid, p, attrs) => void setattrs(real(p), attrs).then(() => ok(reqid), (e) => fail(reqid, e)));
  sftp.on('CLOSE', (reqid, h) => {
    const entry = handleOf(h);
    handles.delete(h.readUInt32BE(0));
    void (entry?.fh ? entry.fh.close() : Promise.resolve()).then(() => ok(reqid), (e) => fail(reqid, e));
  });
  sftp.on('MKDIR', (reqid, p) => void fsp.mkdir(real(p)).then(() => ok(reqid), (e) => fail(reqid, e)));
  sftp.on('RMDIR', (reqid, p) => void fsp.rmdir(real(p)).then(() => ok(reqid), (e) => fail(reqid, e)));
  sftp.on('REMOVE', (reqid, p) => void fsp.unlink(real(p)).then(() => ok(reqid), (e) => fail(reqid, e)));
  sftp.on('RENAME', (reqid, from, to) => void fsp.rename(real(from), real(to)).then(() => ok(reqid), (e) => fail(reqid, e)));
  sftp.on('READLINK', (reqid, p) => void fsp.readlink(real(p)).then((t) => sftp.name(reqid, [{ filename: t, longname: t, attrs: {} as never }]), (e) => fail(reqid, e)));
  sftp.on('SYMLINK', (reqid, linkPath, target) => void fsp.symlink(target, real(linkPath)).then(() => ok(reqid), (e) => fail(reqid, e)));
}
