// Section detection, planned and registered sections, and line-level behaviours of the reader.
import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText, registerSection, registeredSectionTypes } from './config.ts';

const unregister: Array<() => void> = [];
afterEach(() => {
  for (const u of unregister.splice(0)) u();
});

function parse(text: string, env: Record<string, string> = {}) {
  const r = parseConfigText(text, 's.cfg', { env });
  return {
    config: r.config,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}

const BE = 'backend B\n    timeout connect 1s\n    timeout server 1s\n    server s 127.0.0.1:1\n';

describe('sections', () => {
  it('refuses a planned section once, at its header, and skips its lines', () => {
    const r = parse(`peers mypeers\n    peer lb1 127.0.0.1:1024\n    peer lb2 127.0.0.2:1024\nresolvers dns\n    whatever\n${BE}`);
    expect(r.errors).toEqual([
      "s.cfg:1: peers 'mypeers': section 'peers' is not supported yet (stick-table replication)",
      "s.cfg:4: resolvers 'dns': section 'resolvers' is not supported yet (runtime DNS resolution)",
    ]);
  });

  it('hands registered sections to their parser and puts them in extraSections', () => {
    const seen: string[] = [];
    unregister.push(registerSection('keepalive', {
      parse: (section, report) => {
        seen.push(section.name);
        for (const line of section.lines) if (line.args[0] === 'bad') report.error(line.loc, "unknown keyword 'bad'");
      },
    }));
    expect(registeredSectionTypes()).toContain('keepalive');
    const ok = parse(`keepalive vip1\n    vip 10.0.0.100\n${BE}keepalive vip2 extra\n`);
    expect(ok.errors).toEqual([]);
    expect(seen).toEqual(['vip1', 'vip2']);
    expect(ok.config!.extraSections).toEqual([
      { type: 'keepalive', name: 'vip1', args: [], lines: [{ args: ['vip', '10.0.0.100'], loc: { file: 's.cfg', line: 2 } }], loc: { file: 's.cfg', line: 1 } },
      { type: 'keepalive', name: 'vip2', args: ['extra'], lines: [], loc: { file: 's.cfg', line: 7 } },
    ]);
    const bad = parse('keepalive vip1\n    bad\n');
    expect(bad.errors).toEqual(["s.cfg:2: keepalive 'vip1': unknown keyword 'bad'"]);
    expect(bad.config).toBeUndefined();
  });

  it('refuses registering a built-in or an already registered section', () => {
    expect(() => registerSection('listen')).toThrow(/built in/);
    unregister.push(registerSection('mysection'));
    expect(() => registerSection('mysection')).toThrow(/already registered/);
  });

  it('treats an unknown word as a keyword of the current section, with a hint', () => {
    expect(parse(`${BE}frontnd F\n`).errors).toEqual(["s.cfg:5: backend 'B': unknown keyword 'frontnd'; did you mean 'frontend'?"]);
    expect(parse('lisen L\n').errors).toEqual(["s.cfg:1: unknown keyword 'lisen' out of section; did you mean 'listen'?"]);
  });

  it('merges several global sections', () => {
    const r = parse('global\n    maxconn 10\nglobal\n    daemon\n');
    expect(r.config!.global).toMatchObject({ maxconn: 10, daemon: true, loc: { line: 1 } });
    expect(r.config!.global.lines.map((l) => l.loc.line)).toEqual([2, 4]);
  });
});

describe('line handling', () => {
  it('reads comments, blank lines, CRLF and quoted words', () => {
    const r = parse('# head\r\n\r\nbackend B # trailing\r\n    timeout connect 1s\r\n    timeout server 1s\r\n    description "a  #b" \'c\'\r\n    server s 127.0.0.1:1\r\n');
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].description).toBe('a  #b c');
  });

  it('expands environment variables in double quotes and in addresses', () => {
    const r = parse('backend "${NAME}"\n    timeout connect "${T-5s}"\n    timeout server 1s\n    server s "${HOST}:${PORT}"\n    server t $HOST:$PORT\n', { NAME: 'be1', HOST: '127.0.0.3', PORT: '99' });
    expect(r.errors).toEqual([]);
    const px = r.config!.proxies[0];
    expect(px.name).toBe('be1');
    expect(px.timeouts.connect).toBe(5000);
    expect(px.servers.map((s) => [s.host, s.port])).toEqual([['127.0.0.3', 99], ['127.0.0.3', 99]]);
  });

  it('splits "${VAR[*]}" into several words', () => {
    const r = parse('backend B\n    timeout connect 1s\n    timeout server 1s\n    server s 127.0.0.1:1 "${OPTS[*]}"\n', { OPTS: 'weight 5  backup' });
    expect(r.config!.proxies[0].servers[0]).toMatchObject({ weight: 5, backup: true });
  });

  it('drops the words after an empty one like HAProxy, with a warning', () => {
    const r = parse('backend B\n    timeout connect 1s\n    timeout server 1s\n    server s 127.0.0.1:1 "${UNSET}" weight 5\n    "" ignored line\n');
    expect(r.config!.proxies[0].servers[0].weight).toBe(1);
    expect(r.warnings).toEqual([
      "s.cfg:4: backend 'B': empty word at position 4: the words after it are ignored, as HAProxy does",
      "s.cfg:5: backend 'B': empty word at position 1: the words after it are ignored, as HAProxy does",
    ]);
  });

  it('reports lexer errors and skips the line', () => {
    const r = parse('global\n    log-tag "unterminated\n    maxconn 10\n');
    expect(r.errors).toEqual(['s.cfg:2: global: unmatched quote at position 13']);
    expect(parse('global\n    log-tag "x"\n').config!.global.logTag).toBe('x');
  });

  it('refuses preprocessor directives and scope lines as not supported yet', () => {
    const r = parse('.if defined(X)\n.endif\n.diag "x"\n.bogus\n[scope]\n');
    expect(r.errors).toEqual([
      "s.cfg:1: '.if' is not supported yet",
      "s.cfg:2: '.endif' is not supported yet",
      "s.cfg:3: '.diag' is not supported yet",
      "s.cfg:4: unknown directive '.bogus'",
      "s.cfg:5: configuration scopes ('[name]' lines) are not supported yet",
    ]);
  });

  it('does not modify the environment it is given', () => {
    const env = { A: '1' };
    parse('global\n    localpeer lb9\n', env);
    expect(env).toEqual({ A: '1' });
  });
});
