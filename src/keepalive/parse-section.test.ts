import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ConfigDiagnostic } from '../config/model.ts';
import { checkKeepaliveSpecs, parseKeepaliveSection } from './parse-section.ts';
import { keepaliveSections } from './section-text.test-helper.ts';

const ISSUE_EXAMPLE = `
keepalive VI_1
    interface eth0
    vrid 51
    advert-int 100ms             # default 200ms
    node lb1 10.0.0.11 priority 150
    node lb2 10.0.0.12 priority 100
    port 5405                    # UDP, unicast to the other node(s)
    virtual-ip 10.0.0.100/24     # several allowed; IPv6 too; optional "dev IFACE"
    virtual-ip fd00::100/64 dev eth1
    auth-key-file /etc/hapair/keepalive.key   # HMAC-SHA256 key(s) with key ids
    preempt-delay 5s             # or: nopreempt / preempt
    track-interface eth0 weight -60
    track-proxy weight -100      # default on: the local proxy's liveness via its runtime API
    track-script "/etc/hapair/keepalive/check.sh" interval 1s weight -20
    tiebreaker 10.0.0.1          # a node that cannot reach it never becomes master
    garp-repeat 3 garp-interval 100ms garp-refresh 60s
    notify /etc/hapair/keepalive/notify.sh
`;

function parse(text: string) {
  const [section] = keepaliveSections(text);
  return parseKeepaliveSection(section);
}

function messages(d: readonly ConfigDiagnostic[]): string[] {
  return d.map((x) => `${x.severity} ${x.loc?.line}: ${x.message}`);
}

const MINIMAL = (extra = '') => `keepalive VI_1
    interface eth0
    vrid 51
    node lb1 10.0.0.11 priority 150
    node lb2 10.0.0.12
    virtual-ip 10.0.0.100/24
    auth-key-file /k
${extra}`;

describe('parseKeepaliveSection', () => {
  it("parses the issue's example", () => {
    const { spec, diagnostics } = parse(ISSUE_EXAMPLE);
    // The example's script weight is smaller than the priority gap: worth a warning.
    expect(messages(diagnostics)).toEqual([
      "warning 15: track-script weight -20 cannot make 'lb1' (priority 150) fall below 'lb2' (100)",
    ]);
    expect(spec).toMatchObject({
      name: 'VI_1',
      vrid: 51,
      interface: 'eth0',
      advertInt: 100,
      downTimerAdverts: 3,
      port: 5405,
      nodes: [
        { name: 'lb1', addresses: ['10.0.0.11'], priority: 150 },
        { name: 'lb2', addresses: ['10.0.0.12'], priority: 100 },
      ],
      vips: [
        { address: '10.0.0.100', prefix: 24, family: 4, dev: undefined },
        { address: 'fd00::100', prefix: 64, family: 6, dev: 'eth1' },
      ],
      authKeyFile: '/etc/hapair/keepalive.key',
      preempt: true,
      preemptDelay: 5000,
      trackInterfaces: [{ name: 'eth0', weight: -60 }],
      trackProxy: { weight: -100, interval: 200, timeout: 500, rise: 2, fall: 2, address: undefined },
      trackScripts: [{ command: '/etc/hapair/keepalive/check.sh', interval: 1000, weight: -20, rise: 2, fall: 2 }],
      tiebreakers: [{ address: '10.0.0.1', method: 'arping', interval: 1000 }],
      garp: { repeat: 3, interval: 100, refresh: 60_000, delay: 2000, refreshRepeat: 1 },
      notify: { all: '/etc/hapair/keepalive/notify.sh', timeout: 10_000 },
      vipProbe: { enabled: true, timeout: 300 },
    });
    expect(spec!.nodes[0].loc).toEqual({ file: 'test.cfg', line: 6 });
  });

  it('applies defaults', () => {
    const { spec, diagnostics } = parse(MINIMAL());
    expect(diagnostics).toEqual([]);
    expect(spec).toMatchObject({
      advertInt: 200,
      port: 5405,
      preempt: true,
      preemptDelay: 0,
      replayWindow: 10_000,
      handoffTimeout: 3000,
      trackProxy: { weight: 0, interval: 200, timeout: 500 },
      trackInterfaces: [],
      tiebreakers: [],
    });
    expect(spec!.nodes[1].priority).toBe(100);
    expect(spec!.vips[0].prefix).toBe(24);
  });

  it('accepts the other keywords', () => {
    const { spec, diagnostics } = parse(
      MINIMAL(`    nopreempt
    no track-proxy
    no vip-probe
    down-timer-adverts 5
    replay-window 0
    startup-delay 2s
    handoff-timeout 800ms
    virtual-ip 10.0.0.101
    tiebreaker fd00::1 interval 500ms fall 3 rise 1
    tiebreaker 10.0.0.2 method ping timeout 2s
    notify-master "/x/m.sh"
    notify-backup /x/b.sh
    notify-fault /x/f.sh
    notify-stop /x/s.sh
    notify-timeout 3s
    garp-delay 0
    garp-refresh-repeat 2
`),
    );
    expect(diagnostics).toEqual([]);
    expect(spec).toMatchObject({
      preempt: false,
      trackProxy: undefined,
      vipProbe: { enabled: false },
      downTimerAdverts: 5,
      replayWindow: 0,
      startupDelay: 2000,
      handoffTimeout: 800,
      tiebreakers: [
        { address: 'fd00::1', method: 'ndisc6', interval: 500, fall: 3, rise: 1 },
        { address: '10.0.0.2', method: 'ping', timeout: 2000 },
      ],
      notify: { master: '/x/m.sh', backup: '/x/b.sh', fault: '/x/f.sh', stop: '/x/s.sh', timeout: 3000 },
      garp: { delay: 0, refreshRepeat: 2 },
    });
    expect(spec!.vips[1]).toMatchObject({ address: '10.0.0.101', prefix: 32 });
  });

  it('parses track-proxy addresses and several heartbeat links per node', () => {
    const { spec, diagnostics } = parse(`keepalive VI_1
    interface eth0
    vrid 51
    node lb1 10.0.0.11,192.168.9.1 priority 150
    node lb2 10.0.0.12 192.168.9.2
    virtual-ip 10.0.0.100/24
    auth-key-file /k
    track-proxy socket /run/hapair/api.sock timeout 300ms fall 1
`);
    expect(diagnostics).toEqual([]);
    expect(spec!.nodes.map((n) => n.addresses)).toEqual([
      ['10.0.0.11', '192.168.9.1'],
      ['10.0.0.12', '192.168.9.2'],
    ]);
    expect(spec!.trackProxy).toMatchObject({ address: { kind: 'unix', path: '/run/hapair/api.sock' }, timeout: 300, fall: 1 });
    const tcp = parse(MINIMAL('    track-proxy addr [::1]:9999 weight -100\n'));
    expect(tcp.spec!.trackProxy!.address).toEqual({ kind: 'tcp', host: '::1', port: 9999 });
  });

  it('reports every error with its line, and gives no spec', () => {
    const { spec, diagnostics } = parse(`keepalive VI_1
    interface eth0 eth1
    vrid 300
    advert-int 5ms
    node lb1 lb1.example priority 150
    node lb2 10.0.0.12 priority 0
    node lb2 10.0.0.12
    virtual-ip 10.0.0.100/33
    virtual-ip nope
    track-interface eth0 weight -300
    track-script "/c.sh" every 1s
    tiebreaker 10.0.0.1 method ndisc6
    garp-repeat 3 garp-bogus 1
    no check
    frobnicate yes
    preempt
    nopreempt
    port 0
    port 1
`);
    expect(spec).toBeUndefined();
    expect(messages(diagnostics)).toEqual([
      "error 2: 'interface': unexpected argument 'eth1'",
      "error 3: 'vrid': a virtual router id must be an integer in 1..255, got '300'",
      "error 4: 'advert-int': an interval must be a time of at least 10ms, got '5ms'",
      "error 5: 'node lb1': 'lb1.example' is not an IP address (names are not resolved)",
      "error 5: 'node lb1' needs an address",
      "error 6: 'node': a priority must be an integer in 1..254, got '0'",
      "error 8: 'virtual-ip': prefix of '10.0.0.100/33' must be 0..32",
      "error 9: 'virtual-ip': 'nope' is not an address[/prefix]",
      "error 10: 'track-interface': weight must be an integer in -253..253, got '-300'",
      "error 11: 'track-script': unknown option 'every' (expected weight, interval, timeout, rise, fall)",
      "error 12: 'tiebreaker': method ndisc6 does not fit 10.0.0.1",
      "error 13: unexpected 'garp-bogus' (expected a garp-* setting)",
      "error 14: 'no check' is not supported (only 'no track-proxy', 'no vip-probe')",
      "error 15: unknown keyword 'frobnicate' in keepalive section",
      "error 17: 'nopreempt' conflicts with 'preempt'",
      "error 18: 'port': a UDP port must be an integer in 1..65535, got '0'",
      "error 1: missing an 'auth-key-file' (heartbeats are always authenticated)",
      "error 7: duplicate node 'lb2'",
      "error 7: address 10.0.0.12 of node 'lb2' is used twice",
    ]);
    expect(diagnostics.every((d) => d.section === "keepalive 'VI_1'")).toBe(true);
  });

  it('requires interface, vrid, two nodes, a VIP and a key file', () => {
    const { spec, diagnostics } = parse('keepalive VI_1\n    node lb1 10.0.0.1\n');
    expect(spec).toBeUndefined();
    expect(messages(diagnostics)).toEqual([
      "error 1: missing an 'interface'",
      "error 1: missing a 'vrid'",
      "error 1: missing an 'auth-key-file' (heartbeats are always authenticated)",
      "error 1: needs at least two 'node' lines, got 1",
      "error 1: needs at least one 'virtual-ip'",
    ]);
  });

  it('rejects nodes with different link counts or families per link, and duplicates', () => {
    const { diagnostics } = parse(`keepalive VI_1
    interface eth0
    vrid 1
    node lb1 10.0.0.11,10.1.0.11
    node lb2 10.0.0.12
    node lb3 fd00::3,fd01::3
    virtual-ip 10.0.0.100
    virtual-ip 10.0.0.100
    auth-key-file /k
`);
    expect(messages(diagnostics)).toEqual([
      "error 5: node 'lb2' has 1 addresses, the first node 2: one per heartbeat link",
      "error 6: node 'lb3': link 1 mixes IPv4 and IPv6",
      "error 6: node 'lb3': link 2 mixes IPv4 and IPv6",
      'error 8: duplicate virtual-ip 10.0.0.100',
    ]);
  });

  it('warns when a weight can never move the master, and about useless preempt-delay', () => {
    const { spec, diagnostics } = parse(
      MINIMAL('    track-interface eth0 weight -20\n    track-script /c.sh weight -60\n    nopreempt\n    preempt-delay 1s\n'),
    );
    expect(spec).toBeDefined();
    expect(messages(diagnostics)).toEqual([
      "warning 11: 'preempt-delay' has no effect with 'nopreempt'",
      "warning 8: track-interface eth0 weight -20 cannot make 'lb1' (priority 150) fall below 'lb2' (100)",
    ]);
  });

  it('rejects keywords given twice', () => {
    const { diagnostics } = parse(MINIMAL('    vrid 52\n    notify /a\n    notify /b\n'));
    expect(messages(diagnostics)).toEqual(["error 8: 'vrid' given twice", "error 10: 'notify' given twice"]);
  });
});

describe('checkKeepaliveSpecs', () => {
  it('finds duplicate names, VRIDs per interface and VIPs across sections', () => {
    const text = `${MINIMAL()}
keepalive VI_2
    interface eth0
    vrid 51
    node lb1 10.0.0.11
    node lb2 10.0.0.12 priority 150
    virtual-ip 10.0.0.100/24
    auth-key-file /k
keepalive VI_3
    interface eth1
    vrid 51
    node lb1 10.0.0.11
    node lb2 10.0.0.12 priority 150
    virtual-ip 10.0.0.103/24
    auth-key-file /k
`;
    const specs = keepaliveSections(text).map((s) => parseKeepaliveSection(s).spec!);
    expect(checkKeepaliveSpecs(specs).map((d) => d.message)).toEqual([
      "vrid 51 on eth0 is also used by 'VI_1'",
      "virtual-ip 10.0.0.100 is also in 'VI_1'",
    ]);
  });
});

describe('sample configurations in keepalive/', () => {
  const dir = new URL('../../keepalive/', import.meta.url);
  for (const file of ['pair-active-passive.cfg', 'pair-active-active.cfg', 'pair-dedicated-link.cfg']) {
    it(`${file} parses without diagnostics`, () => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const sections = keepaliveSections(text, file);
      expect(sections.length).toBeGreaterThan(0);
      const results = sections.map((s) => parseKeepaliveSection(s));
      expect(results.flatMap((r) => messages(r.diagnostics))).toEqual([]);
      expect(checkKeepaliveSpecs(results.map((r) => r.spec!))).toEqual([]);
    });
  }
});
