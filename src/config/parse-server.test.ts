import { describe, expect, it } from 'vitest';
import { Diagnostics, formatDiagnostic, SectionReporter } from './diagnostics.ts';
import { lexLine } from './lexer.ts';
import type { ConfigLine } from './model.ts';
import { parseDefaultServerLine, parseServerLine } from './parse-server.ts';
import { newDraft } from './proxy-draft.ts';
import { SERVER_KEYWORD_INDEX } from './keywords/server.ts';

function setup() {
  const diag = new Diagnostics();
  const draft = newDraft('backend', 'be', { file: 'f.cfg', line: 1 }, new SectionReporter(diag, "backend 'be'"));
  let n = 1;
  const line = (text: string): ConfigLine => {
    const r = lexLine(text, {}, { file: 'f.cfg', line: ++n, section: 'be' });
    if (!r.ok) throw new Error(r.error);
    return { args: r.words.filter((w) => w !== ''), loc: { file: 'f.cfg', line: n } };
  };
  const messages = () => diag.list.map(formatDiagnostic);
  return { diag, draft, line, messages };
}

describe('server lines', () => {
  it('parse the modelled keywords', () => {
    const { draft, line, messages } = setup();
    parseServerLine(line('server s1 10.0.0.1:80 weight 20 backup maxconn 100 minconn 10 maxqueue 5 disabled id 7 cookie c1'), draft, {});
    expect(messages()).toEqual([]);
    expect(draft.servers[0]).toMatchObject({
      name: 's1', host: '10.0.0.1', port: 80, weight: 20, backup: true, maxconn: 100, minconn: 10, maxqueue: 5,
      disabled: true, explicitId: 7, cookie: 'c1', params: {},
    });
  });

  it('record every planned keyword with its arguments in params and refuse each one by name', () => {
    const { draft, line, messages } = setup();
    parseServerLine(line('server s1 10.0.0.1:80 check inter 2s rise 3 source 10.0.0.9 usesrc clientip ssl verify none init-addr none resolvers dns'), draft, {});
    expect(draft.servers[0].params).toEqual({
      check: [], inter: ['2s'], rise: ['3'], source: ['10.0.0.9', 'usesrc', 'clientip'], ssl: [], verify: ['none'], 'init-addr': ['none'], resolvers: ['dns'],
    });
    // Supported check and TLS keywords stay in params for their modules; only planned ones are refused.
    expect(messages()).toEqual(['source', 'resolvers'].map(
      (k) => `f.cfg:2: backend 'be': server 's1': '${k}' is not supported yet`,
    ));
  });

  it('inherit default-server settings and params declared before them, in order', () => {
    const { draft, line } = setup();
    parseServerLine(line('server a 10.0.0.1:80'), draft, {});
    parseDefaultServerLine(line('default-server weight 5 maxconn 50 backup inter 3s'), draft);
    parseServerLine(line('server b 10.0.0.2:80 no-backup weight 7'), draft, {});
    parseDefaultServerLine(line('default-server disabled cookie x'), draft);
    parseServerLine(line('server c 10.0.0.3:80 enabled inter 1s'), draft, {});
    const [a, b, c] = draft.servers;
    expect(a).toMatchObject({ weight: 1, maxconn: 0, backup: false, disabled: false, params: {} });
    expect(b).toMatchObject({ weight: 7, maxconn: 50, backup: false, disabled: false, params: { inter: ['3s'] } });
    expect(c).toMatchObject({ weight: 5, maxconn: 50, backup: true, disabled: false, cookie: 'x', params: { inter: ['1s'] } });
  });

  it('refuse unknown keywords with a hint, and stop reading the line there', () => {
    const { draft, line, messages } = setup();
    parseServerLine(line('server s1 10.0.0.1:80 wieght 3 chek'), draft, {});
    expect(messages()).toEqual(["f.cfg:2: backend 'be': server 's1': unknown keyword 'wieght'; did you mean 'weight'?"]);
  });

  it('validate values and arguments', () => {
    const { draft, line, messages } = setup();
    parseServerLine(line('server s1 10.0.0.1:80 weight 257'), draft, {});
    parseServerLine(line('server s2 10.0.0.1:80 maxconn x'), draft, {});
    parseServerLine(line('server s3 10.0.0.1:80 id 0'), draft, {});
    parseServerLine(line('server s4 10.0.0.1:80 weight'), draft, {});
    parseServerLine(line('server s5'), draft, {});
    parseServerLine(line('server s$6 10.0.0.1:80'), draft, {});
    parseServerLine(line('server s7 10.0.0.1:99999'), draft, {});
    expect(messages()).toEqual([
      "f.cfg:2: backend 'be': server 's1': 'weight' : '257' must be between 0 and 256",
      "f.cfg:3: backend 'be': server 's2': 'maxconn' : 'x' is not an integer",
      "f.cfg:4: backend 'be': server 's3': 'id' : custom id has to be > 0",
      "f.cfg:5: backend 'be': server 's4': 'weight' expects <value> as argument",
      "f.cfg:6: backend 'be': 'server' expects <name> and <addr>[:<port>] as arguments",
      "f.cfg:7: backend 'be': character '$' is not permitted in server name 's$6'",
      "f.cfg:8: backend 'be': server 's7': invalid port '99999' in '10.0.0.1:99999'",
    ]);
  });

  it('refuse a duplicate explicit id, naming the first server', () => {
    const { draft, line, messages } = setup();
    parseServerLine(line('server a 10.0.0.1:80 id 3'), draft, {});
    parseServerLine(line('server b 10.0.0.1:80 id 3'), draft, {});
    expect(messages()).toEqual(["f.cfg:3: backend 'be': server 'b': 'id' : custom id 3 already used at f.cfg:2 ('server a')"]);
  });

  it("refuse 'id' on default-server, and hint that default-server takes no address", () => {
    const { draft, line, messages } = setup();
    parseDefaultServerLine(line('default-server id 4'), draft);
    parseDefaultServerLine(line('default-server 10.0.0.1:80'), draft);
    expect(messages()).toEqual([
      "f.cfg:2: backend 'be': default-server: 'id' option is not accepted in default-server sections",
      "f.cfg:3: backend 'be': default-server: unknown keyword '10.0.0.1:80' (no address is expected on a default-server line)",
    ]);
  });

  it('accept a planned keyword into params once its table entry says supported (the one-line flip)', () => {
    const entry = SERVER_KEYWORD_INDEX.get('inter') as { status: string };
    entry.status = 'supported';
    try {
      const { draft, line, messages } = setup();
      parseServerLine(line('server s1 10.0.0.1:80 inter 3s'), draft, {});
      expect(messages()).toEqual([]);
      expect(draft.servers[0].params).toEqual({ inter: ['3s'] });
    } finally {
      entry.status = 'planned';
    }
  });
});
