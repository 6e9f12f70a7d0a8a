// Whole-configuration checks and ids (cfgparse.c check_config_validity).
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';

const T = '    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

function parse(text: string) {
  const r = parseConfigText(text, 'v.cfg', { env: {} });
  return {
    config: r.config,
    ids: r.config?.proxies.map((p) => [p.name, p.id]),
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}

const TB = '    timeout connect 1s\n    timeout server 1s\n';
const backend = (name: string, extra = '') => `backend ${name}\n${TB}${extra}    server s 127.0.0.1:9000\n`;
const frontend = (name: string, extra = '') => `frontend ${name}\n    bind 127.0.0.1:8000\n${T}${extra}`;

describe('proxy ids (HAProxy 2.6 numbering)', () => {
  it('numbers proxies from 1 in declaration order', () => {
    expect(parse(frontend('F', '    default_backend A\n') + backend('A') + backend('B')).ids).toEqual([['F', 1], ['A', 2], ['B', 3]]);
  });

  it('keeps explicit ids; every proxy advances the counter and auto ids skip taken ones', () => {
    // A has id 2; B would be 2 but it is taken, C continues from the counter (which A advanced).
    const r = parse(backend('A', '    id 2\n') + backend('B') + backend('C') + backend('D', '    id 5\n') + backend('E'));
    expect(r.ids).toEqual([['A', 2], ['B', 3], ['C', 4], ['D', 5], ['E', 6]]);
    expect(parse(backend('A') + backend('B', '    id 1\n') + backend('C')).ids).toEqual([['A', 2], ['B', 1], ['C', 4]]);
  });

  it('counts the GLOBAL CLI proxy that a global `stats` line creates, at its place', () => {
    const stats = 'global\n    stats socket /run/hapair.sock\n';
    expect(parse(stats + backend('A') + backend('B')).ids).toEqual([['A', 2], ['B', 3]]);
    expect(parse(backend('A') + stats + backend('B')).ids).toEqual([['A', 1], ['B', 3]]);
    expect(parse('global\n    stats timeout 5s\n' + backend('A')).ids).toEqual([['A', 2]]);
    expect(parse('global\n    maxconn 10\n' + backend('A')).ids).toEqual([['A', 1]]);
  });

  it('gives disabled proxies ids too, so disabling one does not renumber the others', () => {
    expect(parse(backend('A', '    disabled\n') + backend('B')).ids).toEqual([['A', 1], ['B', 2]]);
  });

  it('refuses a duplicate explicit id', () => {
    const r = parse(backend('A', '    id 4\n') + backend('B', '    id 4\n'));
    expect(r.errors).toEqual(["v.cfg:9: backend 'B': backend B reuses same custom id as backend A (declared at v.cfg:1)"]);
  });
});

describe('server ids', () => {
  it('numbers servers from 1 per backend; explicit ids are kept and skipped', () => {
    const r = parse(`backend B\n${T}    server s1 127.0.0.1:1 id 3\n    server s2 127.0.0.1:2\n    server s3 127.0.0.1:3\n    server s4 127.0.0.1:4\nbackend C\n${T}    server t1 127.0.0.1:1\n`);
    // HAProxy: the counter starts at 1 and every server advances it, so s2 gets 2, s3 skips 3.
    expect(r.config!.proxies[0].servers.map((s) => [s.name, s.id])).toEqual([['s1', 3], ['s2', 2], ['s3', 4], ['s4', 5]]);
    expect(r.config!.proxies[1].servers.map((s) => s.id)).toEqual([1]);
  });

  it('refuses duplicate server names unless explicit ids tell them apart', () => {
    const r = parse(`backend B\n${T}    server s 127.0.0.1:1\n    server s 127.0.0.1:2\nbackend C\n${T}    server s 127.0.0.1:1 id 1\n    server s 127.0.0.1:2 id 2\n`);
    expect(r.errors).toEqual(["v.cfg:6: backend 'B': another server named 's' was already defined at line 5, please use distinct names"]);
  });

  it('derives minconn and maxconn from each other like HAProxy', () => {
    const r = parse(`backend B\n${T}    server a 127.0.0.1:1 maxconn 10\n    server b 127.0.0.1:2 minconn 5\n    server c 127.0.0.1:3 minconn 2 maxconn 8\n`);
    expect(r.config!.proxies[0].servers.map((s) => [s.minconn, s.maxconn])).toEqual([[10, 10], [5, 5], [2, 8]]);
  });
});

describe('references between proxies', () => {
  it('refuses use_backend/default_backend naming a missing backend or a frontend, and loops', () => {
    const r = parse(frontend('F', '    use_backend nope\n    use_backend G\n    default_backend F\n') + frontend('G', '    default_backend B\n') + backend('B') + `listen L\n    bind 127.0.0.1:8001\n${T}    default_backend L\n`);
    expect(r.errors).toEqual([
      "v.cfg:8: frontend 'F': unable to find required default_backend: 'F' ('F' is a frontend)",
      "v.cfg:6: frontend 'F': unable to find required use_backend: 'nope'",
      "v.cfg:7: frontend 'F': unable to find required use_backend: 'G' ('G' is a frontend)",
      "v.cfg:24: listen 'L': loop detected for default_backend: 'L'",
    ]);
  });

  it('refuses an http frontend switching to a tcp backend, accepts tcp to http (HAProxy 2.6)', () => {
    const r = parse(frontend('F', '    mode http\n    default_backend B\n') + backend('B'));
    expect(r.errors).toEqual([
      "v.cfg:7: frontend 'F': http frontend 'F' (v.cfg:1) tries to use incompatible tcp backend 'B' (v.cfg:8) in 'default_backend' (see 'mode')",
    ]);
    expect(parse(frontend('F', '    default_backend B\n') + backend('B', '    mode http\n')).errors).toEqual([]);
  });

  it('a frontend and a backend may share a name; two proxies on the same side may not', () => {
    expect(parse(frontend('X', '    default_backend X\n') + backend('X')).errors).toEqual([]);
    const r = parse(backend('X') + `listen X\n    bind 127.0.0.1:8001\n${T}    server s 127.0.0.1:1\n` + frontend('Y') + frontend('Y'));
    expect(r.errors).toEqual([
      "v.cfg:5: listen 'X': listen 'X' has the same name as backend 'X' declared at v.cfg:1",
      "v.cfg:16: frontend 'Y': frontend 'Y' has the same name as frontend 'Y' declared at v.cfg:11",
    ]);
  });

  it('refuses invalid proxy names and a section without a name', () => {
    const r = parse('backend a/b\n    server s 127.0.0.1:1\nlisten\n');
    expect(r.errors).toEqual([
      "v.cfg:1: backend 'a/b': character '/' is not permitted in 'backend' name 'a/b'",
      "v.cfg:3: listen: 'listen' expects an <id> argument",
    ]);
  });
});

describe('frontends without bind, backends without servers, timeouts', () => {
  it('refuses a frontend or listen without bind (HAProxy only warns)', () => {
    const r = parse(`frontend F\n${T}listen L\n${T}    server s 127.0.0.1:1\n`);
    expect(r.errors).toEqual([
      "v.cfg:1: frontend 'F': no 'bind' directive (declare it as a backend if this was intended)",
      "v.cfg:5: listen 'L': no 'bind' directive (declare it as a backend if this was intended)",
    ]);
  });

  it('skips the checks of disabled proxies, like HAProxy', () => {
    expect(parse(`frontend F\n    disabled\n    default_backend nope\n`).errors).toEqual([]);
  });

  it('warns about a backend without servers and about missing timeouts', () => {
    const r = parse(`frontend F\n    bind 127.0.0.1:8000\n    default_backend B\nbackend B\n    server s 127.0.0.1:1\nbackend E\n`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      "v.cfg:1: frontend 'F': missing timeouts: ensure that all of 'timeout client', 'timeout connect' and 'timeout server' are set to a non-zero value",
      "v.cfg:4: backend 'B': missing timeouts: ensure that all of 'timeout client', 'timeout connect' and 'timeout server' are set to a non-zero value",
      "v.cfg:6: backend 'E': no server: every connection to this backend will fail",
    ]);
  });

  it('accepts timeout tunnel in place of timeout server in tcp mode, as HAProxy does', () => {
    const r = parse(`backend B\n    timeout connect 1s\n    timeout tunnel 1h\n    server s 127.0.0.1:1\n`);
    expect(r.warnings).toEqual([]);
  });

  it('warns that default_backend hides the servers of a listen', () => {
    const r = parse(`listen L\n    bind 127.0.0.1:8000\n${T}    server s 127.0.0.1:1\n    default_backend B\n` + backend('B'));
    expect(r.warnings).toEqual(["v.cfg:7: listen 'L': the 'default_backend' rule always has precedence over the servers, which will never be used"]);
  });
});

describe('the model', () => {
  it('is frozen', () => {
    const c = parse(backend('B')).config!;
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.proxies[0].servers[0])).toBe(true);
    expect(Object.isFrozen(c.global.logs)).toBe(true);
  });
});
