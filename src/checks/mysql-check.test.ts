import { describe, expect, it } from 'vitest';
import { checkMysqlPacket, mysqlLoginPacket } from './mysql-check.ts';

describe('MySQL check packets (src/tcpcheck.c proxy_parse_mysql_check_opt)', () => {
  it('builds the login + COM_QUIT bytes haproxy 2.6 sends (captured on the wire)', () => {
    const post41 = Buffer.from(')\x00\x00\x01\x00\x82\x00\x00\x00\x80\x00\x01!' + '\x00'.repeat(23) + 'haproxy\x00\x00\x01\x00\x00\x00\x01', 'latin1');
    expect(mysqlLoginPacket('haproxy', 'post-41')).toEqual(post41);
    expect(mysqlLoginPacket('bob', 'pre-41')).toEqual(Buffer.from('\n\x00\x00\x01\x00\x80\x00\x00\x01bob\x00\x00\x01\x00\x00\x00\x01', 'latin1'));
  });

  const handshake = Buffer.concat([Buffer.from([0x0b, 0, 0, 0, 0x0a]), Buffer.from('8.0.36\0abcd', 'latin1')]);

  it('reports the server version from the handshake when it is the last rule', () => {
    expect(checkMysqlPacket(handshake, 0, false, true)).toEqual({ kind: 'continue', report: { status: 'L7OK', code: 0, info: '8.0.36' } });
    expect(checkMysqlPacket(handshake, 0, false, false)).toEqual({ kind: 'continue' });
  });

  it('fails on an error packet with its code and message', () => {
    const errPkt = Buffer.concat([Buffer.from([0x16, 0, 0, 2, 0xff, 0x15, 0x04]), Buffer.from('#28000Access denied', 'latin1')]);
    expect(checkMysqlPacket(errPkt, 0, false, true)).toEqual({ kind: 'fail', status: 'L7STS', code: 1045, desc: '#28000Access denied' });
  });

  it('waits for the whole packet, and calls a truncated one an invalid response at end of stream', () => {
    expect(checkMysqlPacket(handshake.subarray(0, 6), 0, false, true)).toEqual({ kind: 'wait' });
    expect(checkMysqlPacket(handshake.subarray(0, 3), 0, true, true)).toEqual({ kind: 'fail', status: 'L7RSP', code: 0, desc: '' });
  });
});
