// `option mysql-check [user <name> [post-41|pre-41]]` (src/tcpcheck.c proxy_parse_mysql_check_opt,
// tcpcheck_mysql_expect_packet): read the server handshake; with a user, also send a login packet
// followed by COM_QUIT and expect an OK packet. Create the user without password and privileges.
import type { CheckReport } from './check.ts';
import type { CustomOutcome, TcpCheckRule, TcpCheckRuleset } from './tcpcheck-rules.ts';
import { defaultLingerConnect, expectRule, payloadText, sendRule } from './ruleset-helpers.ts';

export type MysqlAuth = 'post-41' | 'pre-41';

/** The client authentication packet HAProxy sends, then COM_QUIT (sequence 1, then 0). */
export function mysqlLoginPacket(user: string, auth: MysqlAuth): Buffer {
  const name = Buffer.from(user, 'latin1');
  const body =
    auth === 'post-41'
      ? Buffer.concat([Buffer.from('0082000000800001' + '21' + '00'.repeat(23), 'hex'), name, Buffer.from([0, 0])])
      : Buffer.concat([Buffer.from('0080000001', 'hex'), name, Buffer.from([0, 0])]);
  const len = name.length + (auth === 'post-41' ? 34 : 7);
  const header = Buffer.from([len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, 1]);
  return Buffer.concat([header, body, Buffer.from('01000000' + '01', 'hex')]);
}

/** Check one MySQL packet at `offset` (tcpcheck_mysql_expect_packet). */
export function checkMysqlPacket(data: Buffer, offset: number, lastRead: boolean, isLastRule: boolean): CustomOutcome {
  const truncated = (): CustomOutcome => (lastRead ? { kind: 'fail', status: 'L7RSP', code: 0, desc: '' } : { kind: 'wait' });
  if (data.length < offset + 4) return truncated();
  const plen = data[offset]! + (data[offset + 1]! << 8) + (data[offset + 2]! << 16);
  if (data.length < offset + plen + 4) return truncated();
  if (data[offset + 4] === 0xff) {
    // Error packet: 0xff, 2-byte error code, then the message.
    const code = (data[offset + 5] ?? 0) + ((data[offset + 6] ?? 0) << 8);
    return { kind: 'fail', status: 'L7STS', code, desc: payloadText(data, offset + 7) };
  }
  if (!isLastRule) return { kind: 'continue' };
  // HAProxy reports the server version string that starts at byte 5 of the handshake.
  const report: CheckReport = { status: 'L7OK', code: 0, info: payloadText(data, 5) };
  return { kind: 'continue', report };
}

function handshakeLength(data: Buffer): number {
  return 4 + (data[0] ?? 0) + ((data[1] ?? 0) << 8) + ((data[2] ?? 0) << 16);
}

export function mysqlCheckRuleset(user?: string, auth: MysqlAuth = 'post-41'): TcpCheckRuleset {
  const rules: TcpCheckRule[] = [defaultLingerConnect(0)];
  let index = 1;
  if (user !== undefined) rules.push(sendRule(index++, mysqlLoginPacket(user, auth), 'binary'));
  rules.push(expectRule(index++, { type: 'custom', fn: (d, last, isLast) => checkMysqlPacket(d, 0, last, isLast) }));
  if (user !== undefined) {
    rules.push(
      expectRule(index++, { type: 'custom', fn: (d, last, isLast) => checkMysqlPacket(d, handshakeLength(d), last, isLast) }),
    );
  }
  return { kind: 'mysql', rules };
}
