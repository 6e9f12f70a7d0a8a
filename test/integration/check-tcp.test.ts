// TCP connect checks and tcp-check sequences against real loopback sockets: statuses and info
// texts as HAProxy 2.6 reports them (captured with /usr/sbin/haproxy and option log-health-checks).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigLine } from '../../src/config/model.ts';
import { parseProxyChecks } from '../../src/checks/proxy-checks.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { IMPLICIT_CONNECT, type TcpCheckRuleset } from '../../src/checks/tcpcheck-rules.ts';
import { closeAll, closedPort, peer, replyOnce, target, track } from './check-peers.ts';

afterEach(closeAll);

const TCP: TcpCheckRuleset = { kind: 'connect', rules: [IMPLICIT_CONNECT] };

function tcpCheck(...lines: string[]): TcpCheckRuleset {
  const cfg: ConfigLine[] = ['option tcp-check', ...lines].map((l, i) => ({ args: l.split(' '), loc: { file: 't', line: i + 1 } }));
  const { config, diagnostics } = parseProxyChecks(cfg);
  expect(diagnostics).toEqual([]);
  return config.ruleset;
}

describe('plain TCP connect check', () => {
  it('reports L4OK with no info when the port accepts', async () => {
    const p = await peer(() => {});
    const r = await runTcpCheck(TCP, target(p.port));
    expect(r).toMatchObject({ status: 'L4OK', code: 0, info: '' });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports L4CON "Connection refused" on a closed port', async () => {
    const r = await runTcpCheck(TCP, target(await closedPort()));
    expect(r).toMatchObject({ status: 'L4CON', info: 'Connection refused' });
  });

  it('reports L4TOUT when the SYN is never answered (full accept queue)', async () => {
    const py = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)']);
    track({ close: async () => void killChild(py) });
    const port = await new Promise<number>((resolve, reject) => {
      py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      py.once('error', reject);
    });
    // One connection fills the queue of a listen(0) socket that never accepts.
    const filler = net.connect(port, '127.0.0.1');
    filler.on('error', () => {});
    track({ close: async () => void filler.destroy() });
    await new Promise((r) => filler.once('connect', r));
    const r = await runTcpCheck(TCP, target(port, { timeout: { inter: 300 } }));
    expect(r).toMatchObject({ status: 'L4TOUT', info: '' });
  });

  it('sends a PROXY v1 header with check-send-proxy, and a v2 LOCAL header', async () => {
    const p = await peer(() => {});
    await runTcpCheck(TCP, target(p.port, { sendProxy: 'v1' }));
    await runTcpCheck(TCP, target(p.port, { sendProxy: 'v2' }));
    await until(() => p.received.length === 2 && p.received[1]!.length === 16);
    expect(p.received[0]!.toString()).toMatch(/^PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 \d+ \d+\r\n$/);
    expect(p.received[0]!.toString()).toContain(` ${p.port}\r\n`);
    expect(p.received[1]!.toString('hex')).toBe('0d0a0d0a000d0a515549540a20000000');
  });
});

describe('tcp-check sequences (option tcp-check)', () => {
  const ping = ['tcp-check send PING\r\n', 'tcp-check expect string +PONG'];

  it('passes with "(tcp-check)" and sends the exact bytes', async () => {
    const p = await peer(replyOnce('+PONG\r\n'));
    const r = await runTcpCheck(tcpCheck(...ping), target(p.port));
    expect(r).toMatchObject({ status: 'L7OK', code: 0, info: '(tcp-check)' });
    expect(p.received[0]!.toString()).toBe('PING\r\n');
  });

  it('fails on other content once the peer closes', async () => {
    const p = await peer(replyOnce('+NOPE\r\n'));
    const r = await runTcpCheck(tcpCheck(...ping), target(p.port));
    expect(r).toMatchObject({ status: 'L7RSP', info: "TCPCHK did not match content '+PONG' at step 2" });
  });

  it('times out on a silent peer with the step in the info', async () => {
    const p = await peer(() => {});
    const r = await runTcpCheck(tcpCheck(...ping), target(p.port));
    expect(r).toMatchObject({ status: 'L7TOUT', info: " at step 2 of tcp-check (expect string '+PONG')" });
  });

  it('reports an empty response when the peer closes without a byte', async () => {
    const p = await peer((s) => s.once('data', () => s.end()));
    const r = await runTcpCheck(tcpCheck(...ping), target(p.port));
    expect(r).toMatchObject({ status: 'L7RSP', info: 'TCPCHK got an empty response at step 2' });
  });

  it('reports a reset as a socket error', async () => {
    const p = await peer((s) => s.once('data', () => s.resetAndDestroy()));
    const r = await runTcpCheck(tcpCheck(...ping), target(p.port));
    expect(r).toMatchObject({ status: 'SOCKERR', info: "Connection reset by peer at step 2 of tcp-check (expect string '+PONG')" });
  });

  it('names the connect step that was refused', async () => {
    const port = await closedPort();
    const p = await peer(() => {});
    const rs = tcpCheck(`tcp-check connect port ${port}`, ...ping);
    const r = await runTcpCheck(rs, target(p.port));
    expect(r).toMatchObject({ status: 'L4CON', info: `Connection refused at step 1 of tcp-check (connect port ${port})` });
    const r2 = await runTcpCheck(tcpCheck(...ping), target(port));
    expect(r2).toMatchObject({ status: 'L4CON', info: 'Connection refused at initial connection step of tcp-check' });
  });

  it('runs several connects, sends and expects in order, with binary and inverted matches', async () => {
    const a = await peer(replyOnce('220 ready\r\n', { banner: true, keepOpen: true }));
    const b = await peer((s) => s.on('data', (d) => s.write(d.toString() === 'PING\r\n' ? '+PONG\r\n' : '-ERR\r\n')));
    const rs = tcpCheck(
      `tcp-check connect port ${a.port}`,
      'tcp-check expect rstring ^220',
      // Without min-recv an inverted match keeps waiting for more data (HAProxy does the same).
      'tcp-check expect min-recv 4 !string 554',
      `tcp-check connect port ${b.port}`,
      'tcp-check send-binary 50494e470d0a',
      'tcp-check expect binary 2b504f4e47',
    );
    const r = await runTcpCheck(rs, target(1));
    expect(r).toMatchObject({ status: 'L7OK', info: '(tcp-check)' });
    expect(b.received[0]!.toString()).toBe('PING\r\n');
  });

  it('honours ok-status, error-status and on-error', async () => {
    const p = await peer(replyOnce('maintenance\n'));
    const rs = tcpCheck('tcp-check send x', 'tcp-check expect string ready error-status L7OKC on-error going-away');
    const r = await runTcpCheck(rs, target(p.port));
    expect(r).toMatchObject({ status: 'L7OKC', info: 'going-away' });
  });

  it('ends with L4OK "(tcp-check)" after an explicit connect only', async () => {
    const p = await peer(() => {});
    const r = await runTcpCheck(tcpCheck('tcp-check connect'), target(p.port));
    expect(r).toMatchObject({ status: 'L4OK', info: '(tcp-check)' });
  });
});

function killChild(c: ChildProcess): void {
  if (c.exitCode === null) c.kill('SIGKILL');
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}
