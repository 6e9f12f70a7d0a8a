import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import { formatDiagnostic, parseConfigText } from '../config/config.ts';
import type { GlobalSpec, ProxySpec, ServerSpec } from '../config/model.ts';
import { checkOverrides } from './check-overrides.ts';
import { applySavedState, lastAddress, restorePort } from './server-state-apply.ts';
import { localFileName, loadMode, matchLocalLines, parseServerStateFile, stateFilePath, type SavedServerState } from './server-state-file.ts';
import { loadServerStates } from './server-state-load.ts';
import { ServerState } from './server-state.ts';
import { SRV_ADMF, SRV_ST, type ServerStateOptions } from './server-state-types.ts';
import { Server } from './server.ts';

const HEADER = '# be_id be_name srv_id srv_name srv_addr ...';
/** A version 1 line from HAProxy 2.6 (`set server be/s1 state maint` on `server s1 127.0.0.1:1`). */
const S1_MAINT = '2 be 1 s1 127.0.0.1 0 1 1 1 7 1 0 0 0 0 0 0 - 1 - 0 0 - - 0';

function saved(line: string): SavedServerState {
  const r = parseServerStateFile(`1\n${line}\n`);
  if (r.kind !== 'ok' || r.lines.length !== 1) throw new Error(`bad line ${line}`);
  return r.lines[0]!;
}

describe('parseServerStateFile (server_state.c srv_state_get_version / srv_state_parse_line)', () => {
  it('reads version 1 with its header, blank and comment lines skipped', () => {
    const r = parseServerStateFile(`1\n${HEADER}\n\n  # x\n${S1_MAINT}\n`);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({ beId: '2', beName: 'be', srvId: '1', srvName: 's1' });
    expect(r.lines[0]!.params.slice(0, 3)).toEqual(['127.0.0.1', '0', '1']);
    expect(r.lines[0]!.params[20]).toBe('0');
  });

  it('accepts the 20-field lines of older writers (optional fields undefined)', () => {
    const short = S1_MAINT.split(' ').slice(0, 20).join(' ');
    expect(saved(short).params.slice(15)).toEqual(['-', undefined, undefined, undefined, undefined, undefined]);
  });

  it('tells empty, versionless and corrupted files apart', () => {
    expect(parseServerStateFile('').kind).toBe('empty');
    expect(parseServerStateFile('2\n').kind).toBe('no-version');
    expect(parseServerStateFile('1').kind).toBe('no-version');
    expect(parseServerStateFile('one\n').kind).toBe('no-version');
    expect(parseServerStateFile(`1\n${HEADER}\n2 be 1 s1 127.0.0.1 0\n`)).toMatchObject({ kind: 'corrupted', line: 2 });
    expect(parseServerStateFile(`1\n${S1_MAINT} x y z w v u\n`)).toMatchObject({ kind: 'corrupted', line: 1 });
    // A last line without its newline is truncated.
    expect(parseServerStateFile(`1\n${S1_MAINT}`)).toMatchObject({ kind: 'corrupted', line: 1 });
  });
});

function proxy(name: string, id: number, lines: string[][] = [], defaults: string[][] = []): ProxySpec {
  const loc = { file: 'h.cfg', line: 1 };
  return {
    name,
    id,
    kind: 'backend',
    lines: lines.map((args) => ({ args, loc })),
    defaultsLines: defaults.map((args) => ({ args, loc })),
  } as unknown as ProxySpec;
}

describe('which file a backend reads', () => {
  it('takes load-server-state-from-file from the backend, else its defaults, else none', () => {
    expect(loadMode(proxy('be', 2))).toBe('none');
    expect(loadMode(proxy('be', 2, [], [['load-server-state-from-file', 'global']]))).toBe('global');
    expect(loadMode(proxy('be', 2, [['load-server-state-from-file', 'local']], [['load-server-state-from-file', 'global']]))).toBe('local');
  });

  it('names a local file after server-state-file-name or the backend, under server-state-base', () => {
    const g = { serverStateBase: '/var/lib/s' } as GlobalSpec;
    expect(localFileName(proxy('be', 2))).toBe('be');
    expect(localFileName(proxy('be', 2, [['server-state-file-name', 'use-backend-name']]))).toBe('be');
    expect(localFileName(proxy('be', 2, [['server-state-file-name', 'f']]))).toBe('f');
    expect(stateFilePath(g, 'f')).toBe('/var/lib/s/f');
    expect(stateFilePath({ serverStateBase: '/b/' } as GlobalSpec, 'f')).toBe('/b/f');
    expect(stateFilePath(g, '/abs')).toBe('/abs');
    expect(stateFilePath({} as GlobalSpec, 'rel')).toBe('rel');
  });

  it('keeps local lines of this backend, warns on an id mismatch, drops a name mismatch', () => {
    const lines = [saved(S1_MAINT), saved(S1_MAINT.replace('2 be', '9 be')), saved(S1_MAINT.replace('2 be', '2 old')), saved(S1_MAINT.replace('2 be', '5 other'))];
    const m = matchLocalLines(proxy('be', 2), lines);
    expect(m.lines.map((l) => `${l.beId} ${l.beName}`)).toEqual(['2 be', '9 be']);
    expect(m.warnings).toEqual([
      "backend ID mismatch: from server state file: '9', from running config '2'",
      "backend name mismatch: from server state file: 'old', from running config 'be'",
    ]);
  });
});

function server(spec: Partial<ServerSpec> = {}): Server {
  return new Server({ name: 's1', id: 1, host: '127.0.0.1', port: 1, weight: 1, backup: false, maxconn: 0, minconn: 0, maxqueue: 0, disabled: false, params: {}, loc: { file: 'h.cfg', line: 3 }, ...spec }, 'be');
}

function state(opts: Partial<ServerStateOptions> = {}): ServerState {
  return new ServerState({ proxy: 'be', name: 's1', clock: new FakeClock(), ...opts });
}

/** A line with the given op state, admin state, uweight/iweight and check health. */
function line(op: number, admin: number, uw: number, iw: number, health = 0, more = '- 1 - 0 0 - - 0'): SavedServerState {
  return saved(`2 be 1 s1 127.0.0.1 ${op} ${admin} ${uw} ${iw} 7 1 0 ${health} 0 0 0 0 ${more}`);
}

describe('applySavedState (srv_state_srv_update)', () => {
  it('restores a forced MAINT and the time of the last change', () => {
    const st = state();
    expect(applySavedState(saved(S1_MAINT), server(), st, 100_000)).toBeNull();
    expect(st.adminState).toBe(SRV_ADMF.FMAINT);
    expect(st.opState).toBe(SRV_ST.STOPPED);
    expect(st.lastChange).toBe(93_000);
  });

  it('bounds STARTING and STOPPING health by rise and fall', () => {
    const check = { rise: 3, fall: 4, inter: 2000 };
    const starting = state({ check });
    applySavedState(line(1, 0, 1, 1, 9), server(), starting, 0);
    expect(starting.check.health).toBe(2);
    const stopping = state({ check });
    applySavedState(line(3, 0, 1, 1, 0), server(), stopping, 0);
    expect([stopping.opState, stopping.check.health]).toEqual([SRV_ST.STOPPING, 3]);
    const fall1 = state({ check: { rise: 2, fall: 1, inter: 2000 } });
    applySavedState(line(3, 0, 1, 1, 2), server(), fall1, 0);
    expect([fall1.opState, fall1.check.health]).toEqual([SRV_ST.STOPPED, 0]);
  });

  it('lets a changed `disabled` win over the saved admin state', () => {
    const nowDisabled = state({ disabled: true });
    applySavedState(line(2, 0, 1, 1), server(), nowDisabled, 0);
    expect(nowDisabled.inMaintenance).toBe(true);
    const noLongerDisabled = state();
    applySavedState(line(0, SRV_ADMF.CMAINT | SRV_ADMF.FMAINT, 1, 1), server(), noLongerDisabled, 0);
    expect(noLongerDisabled.adminState).toBe(0);
    const readiedDisabled = state({ disabled: true });
    applySavedState(line(2, SRV_ADMF.CMAINT, 1, 1), server(), readiedDisabled, 0);
    expect(readiedDisabled.adminState).toBe(SRV_ADMF.CMAINT);
  });

  it('keeps a forced DRAIN unless it came from a configured weight of 0 that is now positive', () => {
    const kept = state({ weight: 3 });
    applySavedState(line(2, SRV_ADMF.FDRAIN, 3, 3), server(), kept, 0);
    expect(kept.draining).toBe(true);
    const dropped = state({ weight: 3 });
    applySavedState(line(2, SRV_ADMF.FDRAIN, 0, 0), server(), dropped, 0);
    expect(dropped.draining).toBe(false);
  });

  it('restores the user weight only when the configured weight is unchanged', () => {
    const same = state({ weight: 3 });
    applySavedState(line(2, 0, 7, 3), server(), same, 0);
    expect(same.uweight).toBe(7);
    const changed = state({ weight: 4 });
    applySavedState(line(2, 0, 7, 3), server(), changed, 0);
    expect(changed.uweight).toBe(4);
  });

  it('applies nothing from an invalid line and says why, as HAProxy does', () => {
    const st = state();
    const w = applySavedState(line(7, 9, 300, 1), server(), st, 0);
    expect(w).toBe("server-state application failed for server 'be/s1', invalid srv_op_state value '7', invalid srv_admin_state value '9', invalid srv_uweight value '300'");
    expect(st.adminState).toBe(0);
  });

  it('carries "disable health" over, and check/agent targets when the check is enabled', () => {
    const st = state({ check: { rise: 2, fall: 3, inter: 2000 }, agent: { inter: 2000 } });
    const srv = server();
    const w = applySavedState(saved('2 be 1 s1 127.0.0.1 2 0 1 1 7 1 0 4 2 22 0 0 - 1 - 0 81 10.0.0.1 - 0'), srv, st, 0);
    expect(st.check.enabled).toBe(false);
    expect(w).toBe("server-state partially applied for server 'be/s1', health checks are not enabled on this server");
    const st2 = state({ check: { rise: 2, fall: 3, inter: 2000 }, agent: { inter: 2000 } });
    const srv2 = server();
    expect(applySavedState(saved('2 be 1 s1 127.0.0.1 2 0 1 1 7 1 0 4 6 22 0 0 - 1 - 0 81 10.0.0.1 10.0.0.2 17'), srv2, st2, 0)).toBeNull();
    expect(checkOverrides(srv2)).toEqual({ check: { host: '10.0.0.1', port: 81 }, agent: { host: '10.0.0.2', port: 17 } });
  });

  it('gives the saved address to init-addr last and restores a port set at run time', () => {
    expect(lastAddress(saved(S1_MAINT))).toBe('127.0.0.1');
    expect(lastAddress(saved(S1_MAINT.replace('127.0.0.1', '-')))).toBeUndefined();
    const srv = server({ port: 80 });
    restorePort(saved(S1_MAINT.replace(' - 1 - ', ' - 99 - ')), srv);
    expect(srv.port).toBe(99);
    const mapped = server({ port: undefined });
    restorePort(saved(S1_MAINT.replace(' - 1 - ', ' - 99 - ')), mapped);
    expect(mapped.port).toBeUndefined();
  });
});

describe('loadServerStates (apply_server_state)', () => {
  const g = { serverStateFile: 'state', serverStateBase: '/d' } as GlobalSpec;
  const be = (mode: string, name = 'be') => ({ spec: proxy(name, 2, [['load-server-state-from-file', mode]]), servers: [server()] });

  it('matches servers by backend and server name in the global file', () => {
    const files: Record<string, string> = { '/d/state': `1\n${S1_MAINT}\n` };
    const r = loadServerStates(g, [be('global'), be('none')], (p) => files[p]!);
    expect(r.byServer.size).toBe(1);
    expect(r.lastAddress('be', 's1')).toBe('127.0.0.1');
    expect(r.messages).toEqual([]);
  });

  it("reports HAProxy's messages for a missing, empty or corrupted file and unknown servers", () => {
    const enoent = Object.assign(new Error('x'), { code: 'ENOENT' });
    const missing = loadServerStates(g, [be('global')], () => {
      throw enoent;
    });
    expect(missing.messages).toEqual([{ level: 'notice', message: "config: Can't open global server state file '/d/state': No such file or directory" }]);
    expect(loadServerStates(g, [be('global')], () => '').messages[0]?.message).toBe("config: Empty global server state file '/d/state'.");
    expect(loadServerStates(g, [be('local')], () => '1\nbad\n').messages[0]?.message).toBe("Proxy 'be': corrupted server state file '/d/be' at line 1.");
    const extra = loadServerStates(g, [be('local')], () => `1\n${S1_MAINT}\n${S1_MAINT.replace(' s1 ', ' gone ')}\n`);
    expect(extra.messages).toEqual([{ level: 'warning', message: "Proxy 'be': can't find server 'gone' in backend 'be'", backend: 'be' }]);
    expect(loadServerStates({} as GlobalSpec, [be('global')]).messages[0]?.message).toContain("Unfortunately, 'server-state-file' is not set!");
  });
});

describe('load-server-state-from-file and server-state-file-name in the config', () => {
  const parse = (body: string) => {
    const r = parseConfigText(`defaults\n    load-server-state-from-file global\nbackend be\n    ${body}\n    server s1 127.0.0.1:1\n`, 'p.cfg', { env: {} });
    return { r, errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
  };

  it("parses HAProxy's syntax, the backend's own setting winning over the defaults'", () => {
    const { r, errors } = parse('load-server-state-from-file local\n    server-state-file-name use-backend-name');
    expect(errors).toEqual([]);
    const be = r.config!.proxies[0]!;
    expect([loadMode(be), localFileName(be)]).toEqual(['local', 'be']);
    expect(loadMode(parse('server-state-file-name x').r.config!.proxies[0]!)).toBe('global');
  });

  it("refuses a wrong mode and extra arguments with HAProxy's messages", () => {
    expect(parse('load-server-state-from-file always').errors).toEqual(["p.cfg:4: backend 'be': 'load-server-state-from-file' expects 'global', 'local' or 'none'. Got 'always'"]);
    expect(parse('server-state-file-name a b').errors).toEqual(["p.cfg:4: backend 'be': 'server-state-file-name' cannot handle unexpected argument 'b'"]);
  });
});
