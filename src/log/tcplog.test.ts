import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTimeZone } from './time-zone.test-helper.ts';
import type { TcpLogRecord } from './record.ts';
import { formatTcpLog, TCPLOG, TCPLOG_FORMAT } from './tcplog.ts';

useTimeZone('UTC');

// configuration.txt 8.2.2's example session.
const EXAMPLE: TcpLogRecord = {
  clientIp: '10.0.1.2',
  clientPort: 33313,
  acceptDate: Date.UTC(2009, 1, 6, 12, 12, 51, 443),
  frontend: 'fnt',
  backend: 'bck',
  server: 'srv1',
  Tw: 0,
  Tc: 0,
  Tt: 5007,
  bytesRead: 212,
  bytesUploaded: 0,
  termination: '--',
  actconn: 0,
  feconn: 0,
  beconn: 0,
  srvconn: 0,
  retries: 3,
  redispatched: false,
  srvQueue: 0,
  backendQueue: 0,
};

describe('formatTcpLog', () => {
  it('prints the documented example line', () => {
    expect(formatTcpLog(EXAMPLE)).toBe('10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0');
  });

  it('is HAProxy\'s default_tcp_log_format', () => {
    expect(TCPLOG_FORMAT).toBe('%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq');
    expect(TCPLOG.source).toBe(TCPLOG_FORMAT);
  });

  it('prints a session that never reached a server', () => {
    const rec = { ...EXAMPLE, server: '<NOSRV>', Tw: -1, Tc: -1, Tt: 3, bytesRead: 0, termination: 'CR', retries: 0 };
    expect(formatTcpLog(rec)).toBe('10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/<NOSRV> -1/-1/3 0 CR 0/0/0/0/0 0/0');
  });

  it("marks a redispatch with '+' before the retries", () => {
    expect(formatTcpLog({ ...EXAMPLE, retries: 3, redispatched: true })).toContain(' 0/0/0/0/+3 ');
  });

  it("prefixes %Tt and %B with '+' under option logasap", () => {
    expect(formatTcpLog(EXAMPLE, true)).toContain(' 0/0/+5007 +212 -- ');
  });

  it("keeps the frontend's TLS '~' and IPv6 client addresses as given", () => {
    const rec = { ...EXAMPLE, clientIp: '2001:db8::7', frontend: 'https~' };
    expect(formatTcpLog(rec)).toMatch(/^2001:db8::7:33313 \[.*\] https~ bck\/srv1 /);
  });

  it('prints every field back in order for any record (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
    const count = fc.integer({ min: 0, max: 1_000_000 });
    const timer = fc.integer({ min: -1, max: 100_000_000 });
    const record = fc.record({
      clientIp: fc.ipV4(),
      clientPort: fc.integer({ min: 1, max: 65535 }),
      acceptDate: fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
      frontend: name,
      backend: name,
      server: name,
      Tw: timer,
      Tc: timer,
      Tt: fc.integer({ min: 0, max: 100_000_000 }),
      bytesRead: fc.maxSafeNat(),
      bytesUploaded: fc.maxSafeNat(),
      termination: fc.constantFrom('--', 'CD', 'cD', 'sQ', 'SC', 'LR', 'KD'),
      actconn: count,
      feconn: count,
      beconn: count,
      srvconn: count,
      retries: fc.integer({ min: 0, max: 10 }),
      redispatched: fc.boolean(),
      srvQueue: count,
      backendQueue: count,
    });
    fc.assert(
      fc.property(record, (r) => {
        const d = new Date(r.acceptDate);
        const date =
          `${String(d.getUTCDate()).padStart(2, '0')}/${d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })}/` +
          `${d.getUTCFullYear()}:${d.toISOString().slice(11, 23)}`;
        const expected =
          `${r.clientIp}:${r.clientPort} [${date}] ${r.frontend} ${r.backend}/${r.server} ${r.Tw}/${r.Tc}/${r.Tt} ` +
          `${r.bytesRead} ${r.termination} ${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/` +
          `${r.redispatched ? '+' : ''}${r.retries} ${r.srvQueue}/${r.backendQueue}`;
        expect(formatTcpLog(r)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
