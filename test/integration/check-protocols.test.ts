// SMTP, MySQL and PostgreSQL checks against protocol-correct test peers, and the same checks
// against peers that send garbage, never answer or close mid-reply.
import { afterEach, describe, expect, it } from 'vitest';
import { mysqlCheckRuleset } from '../../src/checks/mysql-check.ts';
import { pgsqlCheckRuleset, pgsqlStartup } from '../../src/checks/pgsql-check.ts';
import { smtpCheckRuleset } from '../../src/checks/smtp-check.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { closeAll, lineScript, peer, replyOnce, target } from './check-peers.ts';

afterEach(closeAll);

const smtpServer = (banner: string, ehlo: string) =>
  lineScript(banner, (line) => (line.startsWith('QUIT') ? '221 2.0.0 bye\r\n' : ehlo));

describe('option smtpchk', () => {
  it('greets, reads the whole EHLO reply, quits, and reports the QUIT reply', async () => {
    const p = await peer(smtpServer('220 mx.example ESMTP\r\n', '250-mx.example\r\n250-SIZE 1000\r\n250 OK\r\n'));
    const r = await runTcpCheck(smtpCheckRuleset('EHLO me.example'), target(p.port));
    expect(r).toMatchObject({ status: 'L7OK', code: 221, info: '2.0.0 bye' });
    expect(p.received[0]!.toString()).toBe('EHLO me.example\r\nQUIT\r\n');
  });

  it('reports a refusing banner with its code, and a bad greeting reply', async () => {
    const refused = await peer(smtpServer('554 go away\r\n', ''));
    expect(await runTcpCheck(smtpCheckRuleset('HELO localhost'), target(refused.port))).toMatchObject({ status: 'L7STS', code: 554, info: 'go away' });
    const rejects = await peer(lineScript('220 ok\r\n', () => '550 no thanks\r\n'));
    // Like haproxy 2.6.12, a refused greeting on an open connection waits for more lines...
    expect(await runTcpCheck(smtpCheckRuleset('HELO localhost'), target(rejects.port))).toMatchObject({ status: 'L7TOUT' });
    // ...and is reported with its code once the server closes.
    const closes = await peer((s) => {
      s.write('220 ok\r\n');
      s.once('data', () => s.end('550 no thanks\r\n'));
    });
    expect(await runTcpCheck(smtpCheckRuleset('HELO localhost'), target(closes.port))).toMatchObject({ status: 'L7STS', code: 550, info: 'no thanks' });
  });

  it('reports garbage as L7RSP with its first line, silence as L7TOUT', async () => {
    const junk = await peer(replyOnce('hello there\r\n', { banner: true }));
    expect(await runTcpCheck(smtpCheckRuleset('HELO localhost'), target(junk.port))).toMatchObject({ status: 'L7RSP', code: 0, info: 'hello there' });
    const silent = await peer(() => {});
    expect(await runTcpCheck(smtpCheckRuleset('HELO localhost'), target(silent.port))).toMatchObject({ status: 'L7TOUT' });
  });
});

/** A MySQL packet: 3-byte length, sequence number, payload. */
function packet(seq: number, payload: Buffer): Buffer {
  const h = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, seq]);
  return Buffer.concat([h, payload]);
}
const HANDSHAKE = packet(0, Buffer.concat([Buffer.from([0x0a]), Buffer.from('8.0.36-hapair\0', 'latin1'), Buffer.alloc(30, 1)]));
const OK = packet(2, Buffer.from('00000002000000', 'hex'));
const DENIED = packet(2, Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'hap'", 'latin1')]));

describe('option mysql-check', () => {
  it('reads the handshake and reports the server version', async () => {
    const p = await peer((s) => s.write(HANDSHAKE));
    const r = await runTcpCheck(mysqlCheckRuleset(), target(p.port));
    expect(r).toMatchObject({ status: 'L7OK', code: 0, info: '', earlier: [{ status: 'L7OK', info: '8.0.36-hapair' }] });
  });

  it('logs in with a user and expects OK', async () => {
    const p = await peer((s) => {
      s.write(HANDSHAKE);
      s.once('data', () => s.write(OK));
    });
    const r = await runTcpCheck(mysqlCheckRuleset('hap'), target(p.port));
    expect(r).toMatchObject({ status: 'L7OK', earlier: [{ info: '8.0.36-hapair' }] });
    expect(p.received[0]!.subarray(0, 4)).toEqual(Buffer.from([37, 0, 0, 1])); // 'hap' + 34 bytes
  });

  it('reports an error packet with its code and message', async () => {
    const p = await peer((s) => {
      s.write(HANDSHAKE);
      s.once('data', () => s.write(DENIED));
    });
    const r = await runTcpCheck(mysqlCheckRuleset('hap'), target(p.port));
    expect(r).toMatchObject({ status: 'L7STS', code: 1045, info: "#28000Access denied for user 'hap'" });
  });

  it('reports a packet cut by a close as L7RSP and silence as L7TOUT', async () => {
    const cut = await peer((s) => s.end(HANDSHAKE.subarray(0, 10)));
    expect(await runTcpCheck(mysqlCheckRuleset(), target(cut.port))).toMatchObject({ status: 'L7RSP', info: '' });
    const silent = await peer(() => {});
    expect(await runTcpCheck(mysqlCheckRuleset(), target(silent.port))).toMatchObject({ status: 'L7TOUT' });
  });
});

const AUTH_OK = Buffer.from('520000000800000000', 'hex');
const AUTH_MD5 = Buffer.from('520000000c0000000501020304', 'hex');
function pgError(fields: string): Buffer {
  const body = Buffer.from(fields, 'latin1');
  const h = Buffer.alloc(5);
  h.write('E', 0, 'latin1');
  h.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([h, body]);
}

describe('option pgsql-check', () => {
  it('sends the startup message and accepts AuthenticationOk and an md5 request', async () => {
    const ok = await peer(replyOnce(AUTH_OK));
    expect(await runTcpCheck(pgsqlCheckRuleset('postgres'), target(ok.port))).toMatchObject({ status: 'L7OK', info: 'PostgreSQL server is ok' });
    expect(ok.received[0]).toEqual(pgsqlStartup('postgres'));
    expect(pgsqlStartup('postgres').toString('hex')).toBe('00000017000300007573657200706f73746772657300' + '00');
    const md5 = await peer(replyOnce(AUTH_MD5));
    expect(await runTcpCheck(pgsqlCheckRuleset('postgres'), target(md5.port))).toMatchObject({ status: 'L7OK' });
  });

  it('reports an ErrorResponse by its severity field (L7RSP)', async () => {
    const p = await peer(replyOnce(pgError('SFATAL\0VFATAL\0C28000\0Mrole "x" does not exist\0\0')));
    expect(await runTcpCheck(pgsqlCheckRuleset('x'), target(p.port))).toMatchObject({ status: 'L7RSP', info: 'FATAL' });
  });

  it('reports other replies as "PostgreSQL unknown error" (L7STS)', async () => {
    const p = await peer(replyOnce('NOTPOSTGRES'));
    expect(await runTcpCheck(pgsqlCheckRuleset('x'), target(p.port))).toMatchObject({ status: 'L7STS', info: 'PostgreSQL unknown error' });
  });
});
