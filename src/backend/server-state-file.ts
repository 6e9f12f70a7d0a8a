// The server-state file that `show servers state` writes and a restarted proxy reads back
// (configuration.txt 3.1 "server-state-file", 4.2 "load-server-state-from-file"; HAProxy
// src/server_state.c): version line, then one line of 20 to 25 fields per server. Pure parsing,
// the file lookup per backend, and the matching of lines to backends and servers.
import type { ConfigLine, GlobalSpec, ProxySpec } from '../config/model.ts';

/** The fields of a version 1 line after be_id be_name srv_id srv_name (HAProxy's params[4..]). */
export interface SavedServerState {
  readonly beId: string;
  readonly beName: string;
  readonly srvId: string;
  readonly srvName: string;
  /** srv_addr ... srv_agent_port, as strings (absent optional fields are undefined). */
  readonly params: readonly (string | undefined)[];
}

/** SRV_STATE_FILE_MIN_FIELDS_VERSION_1 / MAX. */
const MIN_FIELDS = 20;
const MAX_FIELDS = 25;

export type StateFileParse =
  | { readonly kind: 'ok'; readonly lines: readonly SavedServerState[] }
  | { readonly kind: 'empty' }
  | { readonly kind: 'no-version' }
  | { readonly kind: 'corrupted'; readonly line: number; readonly lines: readonly SavedServerState[] };

/** srv_state_get_version: the first line must be exactly a supported version number. */
function version(first: string | undefined): number {
  if (first === undefined) return -1;
  const m = /^\s*([+-]?\d+)$/.exec(first);
  return m && Number(m[1]) === 1 ? 1 : 0;
}

/**
 * Parse a whole file (srv_state_parse_line): blank and `#` lines are skipped; a line with a
 * wrong field count or without its final newline marks the file corrupted at that line, and
 * HAProxy then applies nothing from it.
 */
export function parseServerStateFile(text: string): StateFileParse {
  if (text === '') return { kind: 'empty' };
  const rows = text.split('\n');
  const complete = text.endsWith('\n');
  if (!complete && rows.length === 1) return { kind: 'no-version' };
  if (version(rows[0]) !== 1) return { kind: 'no-version' };
  const lines: SavedServerState[] = [];
  const last = complete ? rows.length - 1 : rows.length;
  for (let i = 1; i < last; i++) {
    const row = rows[i]!;
    if (!complete && i === last - 1) return { kind: 'corrupted', line: i, lines };
    const trimmed = row.replace(/^[ \t]+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const f = trimmed.split(/[ \t]+/).filter((w) => w !== '');
    if (f.length < MIN_FIELDS || f.length > MAX_FIELDS) return { kind: 'corrupted', line: i, lines };
    lines.push({ beId: f[0]!, beName: f[1]!, srvId: f[2]!, srvName: f[3]!, params: Array.from({ length: 21 }, (_, k) => f[4 + k]) });
  }
  return { kind: 'ok', lines };
}

export type LoadMode = 'global' | 'local' | 'none';

function lastArgs(lines: readonly ConfigLine[] | undefined, keyword: string): readonly string[] | undefined {
  let found: readonly string[] | undefined;
  for (const l of lines ?? []) if (l.args[0] === keyword) found = l.args;
  return found;
}

/** `load-server-state-from-file`: the backend's own, else its defaults section's, else none. */
export function loadMode(px: ProxySpec): LoadMode {
  const args = lastArgs(px.lines, 'load-server-state-from-file') ?? lastArgs(px.defaultsLines, 'load-server-state-from-file');
  const v = args?.[1];
  return v === 'global' || v === 'local' ? v : 'none';
}

/** srv_state_get_filepath: absolute names as they are, others under `server-state-base`. */
export function stateFilePath(global: GlobalSpec, name: string): string {
  const base = global.serverStateBase;
  if (name.startsWith('/') || base === undefined || base === '') return name;
  return `${base}${base.endsWith('/') ? '' : '/'}${name}`;
}

/** The file a `local` backend reads: `server-state-file-name` (not inherited), else the backend name. */
export function localFileName(px: ProxySpec): string {
  const args = lastArgs(px.lines, 'server-state-file-name');
  const v = args?.[1];
  return v === undefined || v === '' || v === 'use-backend-name' ? px.name : v;
}

export interface LocalMatch {
  readonly lines: readonly SavedServerState[];
  /** HAProxy's warnings, each also sent to the backend's logs. */
  readonly warnings: readonly string[];
}

/**
 * srv_state_parse_and_store_line for a local file: lines of other backends are dropped; an id
 * mismatch only warns; a name mismatch warns and drops the line. (HAProxy would keep it when
 * bk_f_forced_id is set, but it tests that "0/1" field against PR_O_FORCED_ID (0x80), which a
 * dumped 1 never matches, so such lines are always dropped.)
 */
export function matchLocalLines(px: ProxySpec, lines: readonly SavedServerState[]): LocalMatch {
  const kept: SavedServerState[] = [];
  const warnings: string[] = [];
  for (const l of lines) {
    const idOk = Number.parseInt(l.beId, 10) === px.id;
    const nameOk = l.beName === px.name;
    if (!idOk && !nameOk) continue;
    if (!idOk) warnings.push(`backend ID mismatch: from server state file: '${l.beId}', from running config '${px.id}'`);
    else if (!nameOk) {
      warnings.push(`backend name mismatch: from server state file: '${l.beName}', from running config '${px.name}'`);
      continue;
    }
    kept.push(l);
  }
  return { lines: kept, warnings };
}

/** Lines keyed "backend server" as HAProxy's tree is; a duplicate key keeps the first line. */
export function indexByServer(backend: string, lines: readonly SavedServerState[], into = new Map<string, SavedServerState>()): Map<string, SavedServerState> {
  for (const l of lines) {
    const key = `${backend || l.beName} ${l.srvName}`;
    if (!into.has(key)) into.set(key, l);
  }
  return into;
}
