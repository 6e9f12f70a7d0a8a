// HAProxy-worded listener errors: "Binding [file:line] for proxy NAME: cannot bind socket
// (Address already in use) for [127.0.0.1:80]" (src/sock_inet.c, src/proto_tcp.c, src/sock_unix.c).
import { getSystemErrorMessage } from 'node:util';
import type { BindAddress, SourceLoc } from '../config/model.ts';
import { BindError } from '../errors.ts';

/** glibc strerror() texts, which HAProxy prints; libuv's own texts are lower-case and differ. */
const STRERROR: Readonly<Record<string, string>> = {
  EACCES: 'Permission denied',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EBADF: 'Bad file descriptor',
  EINVAL: 'Invalid argument',
  EMFILE: 'Too many open files',
  ENAMETOOLONG: 'File name too long',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  ENOTSOCK: 'Socket operation on non-socket',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
};

/** strerror(errno) for a Node system error (`err.code` / `err.errno`). */
export function strerror(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code !== undefined && STRERROR[e.code] !== undefined) return STRERROR[e.code];
  if (typeof e?.errno === 'number') {
    const text = getSystemErrorMessage(e.errno);
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  return e?.message ?? String(err);
}

/** The `[...]` part of HAProxy's message: `127.0.0.1:80`, `::1:80`, a path or `fd 3`. */
export function describeBindAddress(addr: BindAddress): string {
  switch (addr.kind) {
    case 'tcp':
      return `${addr.host === '' ? '0.0.0.0' : addr.host}:${addr.port}`;
    case 'unix':
      return addr.path;
    case 'fd':
      return `fd@${addr.fd}`;
  }
}

/** Where the failing `bind` line is and which proxy owns it. */
export interface BindContext {
  readonly proxy: string;
  readonly loc?: SourceLoc;
}

function prefix(ctx: BindContext | undefined): string {
  if (ctx === undefined) return '';
  const where = ctx.loc ? `[${ctx.loc.file}:${ctx.loc.line}] ` : '';
  return `Binding ${where}for proxy ${ctx.proxy}: `;
}

/** A TCP listener failed: "cannot bind socket (Address already in use) for [127.0.0.1:80]". */
export function tcpBindError(addr: BindAddress, err: unknown, ctx?: BindContext): BindError {
  return new BindError(`${prefix(ctx)}cannot bind socket (${strerror(err)}) for [${describeBindAddress(addr)}]`, { cause: err });
}

/** A UNIX listener failed: HAProxy words the cause itself ("cannot change UNIX socket ownership"). */
export function unixBindError(path: string, what: string, err: unknown, ctx?: BindContext): BindError {
  return new BindError(`${prefix(ctx)}${what} (${strerror(err)}) [${path}]`, { cause: err });
}

/** An inherited `fd@N` could not be used. */
export function fdBindError(fd: number, err: unknown, ctx?: BindContext): BindError {
  return new BindError(`${prefix(ctx)}cannot listen on inherited socket (${strerror(err)}) [fd ${fd}]`, { cause: err });
}
