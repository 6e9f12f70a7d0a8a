// Reading the server-state files at start (HAProxy src/server_state.c apply_server_state): the
// global `server-state-file` once, a `local` backend's own file, each backend's lines matched
// to its servers by backend and server name, the service port restored at once (checks default
// to it), the rest applied once the state machines exist. Messages are HAProxy's.
import { readFileSync } from 'node:fs';
import type { GlobalSpec, ProxySpec } from '../config/model.ts';
import {
  indexByServer,
  loadMode,
  localFileName,
  matchLocalLines,
  parseServerStateFile,
  stateFilePath,
  type SavedServerState,
} from './server-state-file.ts';
import { applySavedState, lastAddress, restorePort } from './server-state-apply.ts';
import type { ServerState } from './server-state.ts';
import type { Server } from './server.ts';

export interface StateBackend {
  readonly spec: ProxySpec;
  readonly servers: readonly Server[];
}

export interface StateMessage {
  readonly level: 'notice' | 'warning';
  readonly message: string;
  /** Set when HAProxy also sends the line to the backend's logs. */
  readonly backend?: string;
}

export interface LoadedServerStates {
  readonly byServer: ReadonlyMap<Server, SavedServerState>;
  readonly messages: readonly StateMessage[];
  /** `init-addr last`: the saved address of backend/server (server-addresses.ts LastAddress). */
  readonly lastAddress: (backend: string, server: string) => string | undefined;
}

export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readFileSync(path, 'latin1');

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

function errText(err: unknown): { enoent: boolean; text: string } {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return { enoent: code === 'ENOENT', text: STRERROR[code] ?? String((err as Error).message ?? err) };
}

/** One file's lines, or the messages saying why none are used (`who` prefixes them). */
function readStateFile(path: string, who: string, local: boolean, read: ReadText, out: StateMessage[]): readonly SavedServerState[] | null {
  const sfx = local ? '.' : '';
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const e = errText(err);
    out.push({ level: e.enoent ? 'notice' : 'warning', message: `${who}Can't open ${local ? '' : 'global '}server state file '${path}': ${e.text}${sfx}` });
    return null;
  }
  const parsed = parseServerStateFile(text);
  const what = local ? 'server state file' : 'global server state file';
  switch (parsed.kind) {
    case 'empty':
      out.push({ level: 'notice', message: `${who}Empty ${what} '${path}'.` });
      return null;
    case 'no-version':
      out.push({ level: 'warning', message: `${who}Can't get version of the ${what} '${path}'.` });
      return null;
    case 'corrupted':
      out.push({ level: 'warning', message: `${who}corrupted ${what} '${path}' at line ${parsed.line}.` });
      return null;
    default:
      return parsed.lines;
  }
}

/** Which saved line each server of the backends gets; backends in `none` mode get nothing. */
export function loadServerStates(global: GlobalSpec, backends: Iterable<StateBackend>, read: ReadText = readText): LoadedServerStates {
  const messages: StateMessage[] = [];
  const byServer = new Map<Server, SavedServerState>();
  let globalIndex: Map<string, SavedServerState> | null | undefined;
  for (const be of backends) {
    if (be.servers.length === 0) continue;
    const mode = loadMode(be.spec);
    if (mode === 'none') continue;
    let index: Map<string, SavedServerState> | null;
    if (mode === 'global' && global.serverStateFile === undefined) {
      const message = `backend '${be.spec.name}' configured to load server state file from global section 'server-state-file' directive. Unfortunately, 'server-state-file' is not set!`;
      messages.push({ level: 'warning', message });
      continue;
    }
    if (mode === 'global') {
      if (globalIndex === undefined) globalIndex = readGlobal(global, read, messages);
      index = globalIndex;
    } else index = readLocal(global, be, read, messages);
    if (index === null) continue;
    for (const srv of be.servers) {
      const key = `${be.spec.name} ${srv.name}`;
      const line = index.get(key);
      if (line === undefined) continue;
      byServer.set(srv, line);
      restorePort(line, srv);
      if (mode === 'local') index.delete(key);
    }
    if (mode === 'local') {
      for (const l of index.values()) {
        const message = `can't find server '${l.srvName}' in backend '${be.spec.name}'`;
        messages.push({ level: 'warning', message: `Proxy '${be.spec.name}': ${message}`, backend: be.spec.name });
      }
    }
  }
  const byName = new Map([...byServer].map(([srv, line]) => [`${srv.backendName}/${srv.name}`, line]));
  return { byServer, messages, lastAddress: (b, s) => lastAddress(byName.get(`${b}/${s}`)) };
}

/**
 * After the state machines are built: apply each matched line (srv_state_srv_update). Returns
 * the load messages followed by HAProxy's per-server warnings, for the caller to log.
 */
export function applyServerStates(
  loaded: LoadedServerStates,
  health: { stateOf(server: Server): ServerState | undefined },
  now: number,
  /** srv_set_ssl for a server with TLS settings (`set server ssl`); a no-op for the others. */
  setSsl?: (server: Server, on: boolean) => void,
): StateMessage[] {
  const out = [...loaded.messages];
  for (const [server, line] of loaded.byServer) {
    const state = health.stateOf(server);
    if (state === undefined) continue;
    const warning = applySavedState(line, server, state, now, setSsl === undefined ? undefined : (on) => setSsl(server, on));
    if (warning !== null) out.push({ level: 'warning', message: warning });
  }
  return out;
}

function readGlobal(global: GlobalSpec, read: ReadText, out: StateMessage[]): Map<string, SavedServerState> | null {
  if (global.serverStateFile === undefined) return null;
  const lines = readStateFile(stateFilePath(global, global.serverStateFile), 'config: ', false, read, out);
  return lines === null ? null : indexByServer('', lines);
}

function readLocal(global: GlobalSpec, be: StateBackend, read: ReadText, out: StateMessage[]): Map<string, SavedServerState> | null {
  const name = be.spec.name;
  const lines = readStateFile(stateFilePath(global, localFileName(be.spec)), `Proxy '${name}': `, true, read, out);
  if (lines === null) return null;
  const matched = matchLocalLines(be.spec, lines);
  for (const w of matched.warnings) out.push({ level: 'warning', message: `Proxy '${name}': ${w}`, backend: name });
  return indexByServer(name, matched.lines);
}
