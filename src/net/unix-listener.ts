// UNIX stream listeners (`bind unix@/path` or `bind /path`, `mode`, `user`, `group`). As HAProxy
// does (src/sock_unix.c sock_unix_bind_receiver): bind a temporary `<path>.<pid>.tmp`, set its
// owner and mode, then rename it over `<path>`. A stale socket file is replaced atomically and a
// live one (a previous process still serving) keeps working until the switch.
import { chmodSync, chownSync, existsSync, linkSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { unixBindError, type BindContext } from './bind-error.ts';
import { listenAsync } from './listen-async.ts';
import type { Listener, ListenerOptions } from './listener.ts';
import { resolveGroup, resolveUser } from './system-accounts.ts';
import { BindError } from '../errors.ts';

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

interface Ownership {
  readonly uid: number;
  readonly gid: number;
}

function ownership(opts: ListenerOptions, path: string): Ownership | undefined {
  const { user, group } = opts.bind;
  if (user === undefined && group === undefined) return undefined;
  const uid = user === undefined ? -1 : resolveUser(user);
  const gid = group === undefined ? -1 : resolveGroup(group);
  if (uid === undefined) throw new BindError(`${where(opts.context)}unknown user '${user}' [${path}]`);
  if (gid === undefined) throw new BindError(`${where(opts.context)}unknown group '${group}' [${path}]`);
  return { uid, gid };
}

function where(ctx: BindContext | undefined): string {
  if (ctx === undefined) return '';
  return `Binding ${ctx.loc ? `[${ctx.loc.file}:${ctx.loc.line}] ` : ''}for proxy ${ctx.proxy}: `;
}

export async function listenUnix(listener: Listener, path: string, opts: ListenerOptions): Promise<void> {
  const owner = ownership(opts, path);
  const temp = `${path}.${process.pid}.tmp`;
  const back = `${path}.${process.pid}.bak`;
  try {
    unlinkIfPresent(temp);
    unlinkIfPresent(back);
  } catch (err) {
    throw unixBindError(path, 'error when trying to unlink previous UNIX socket', err, opts.context);
  }
  try {
    linkSync(path, back);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw unixBindError(path, 'error when trying to preserve previous UNIX socket', err, opts.context);
    }
  }
  try {
    await listenAsync(listener.server, (server) => server.listen({ path: temp, backlog: opts.backlog }));
  } catch (err) {
    unlinkIfPresent(back);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new BindError(`${where(opts.context)}cannot bind UNIX socket (already in use) [${path}]`, { cause: err });
    }
    throw unixBindError(path, 'cannot bind UNIX socket', libuvEnoent(err, path), opts.context);
  }
  try {
    if (owner !== undefined) chownSync(temp, owner.uid, owner.gid);
    if (opts.bind.mode !== undefined && opts.bind.mode !== 0) chmodSync(temp, opts.bind.mode);
  } catch (err) {
    abandon(listener, temp, back);
    throw unixBindError(path, 'cannot change UNIX socket ownership', err, opts.context);
  }
  try {
    renameSync(temp, path);
  } catch (err) {
    abandon(listener, temp, back);
    throw unixBindError(path, 'cannot switch final and temporary UNIX sockets', err, opts.context);
  }
  unlinkIfPresent(back);
  const ino = statSync(path).ino;
  listener.setBound(() => removeIfOurs(path, ino));
}

/** libuv reports ENOENT from bind(2) on a pipe as EACCES (Windows parity); HAProxy prints ENOENT. */
function libuvEnoent(err: unknown, path: string): unknown {
  if ((err as NodeJS.ErrnoException).code !== 'EACCES' || existsSync(dirname(path))) return err;
  return Object.assign(new Error('No such file or directory'), { code: 'ENOENT', cause: err });
}

/** Undo a half-made listener: close it, drop the temporary name, keep the previous socket. */
function abandon(listener: Listener, temp: string, back: string): void {
  listener.server.close();
  try {
    unlinkIfPresent(temp);
    unlinkIfPresent(back);
  } catch {
    // Best effort: the error being reported is the one that matters.
  }
}

/** On close, remove the socket file unless another process has replaced it since (reload). */
function removeIfOurs(path: string, ino: number): void {
  try {
    if (statSync(path).ino === ino) unlinkSync(path);
  } catch {
    // Already gone or replaced: nothing of ours to remove.
  }
}
