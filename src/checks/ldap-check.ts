// `option ldap-check` (src/tcpcheck.c proxy_parse_ldap_check_opt, tcpcheck_ldap_expect_bindrsp):
// an anonymous LDAPv3 simple bind; the BindResponse resultCode must be 0 (RFC 4511 §4.2.2).
import type { CustomOutcome, TcpCheckRuleset } from './tcpcheck-rules.ts';
import { IMPLICIT_CONNECT } from './tcpcheck-rules.ts';
import { expectRule, sendRule } from './ruleset-helpers.ts';

export const LDAP_ANONYMOUS_BIND = Buffer.from('300C020101600702010304008000', 'hex');
const NOT_LDAP = 'Not LDAPv3 protocol';
const RFC_HINT = 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9';

/** Parse the BindResponse (BER); `wait` until the whole message is in when not at end of stream. */
export function checkLdapBindResponse(data: Buffer, lastRead: boolean): CustomOutcome {
  const notLdap: CustomOutcome = { kind: 'fail', status: 'L7RSP', code: 0, desc: NOT_LDAP };
  const tooShort: CustomOutcome = lastRead ? { kind: 'fail', status: 'L7RSP', code: 0, desc: '' } : { kind: 'wait' };
  const lenByte = data[1];
  if (lenByte === undefined) return tooShort;
  let nbytes = 0;
  let msglen: number;
  if (lenByte & 0x80) {
    // Long form: HAProxy handles 2 or 4 length bytes (Active Directory uses 4).
    nbytes = lenByte & 0x7f;
    if (data.length < 2 + nbytes) return tooShort;
    if (nbytes === 4) msglen = data.readUInt32BE(2);
    else if (nbytes === 2) msglen = data.readUInt16BE(2);
    else return notLdap;
  } else msglen = lenByte;
  if (data.length < 2 + nbytes + msglen) return tooShort;
  let p = 2 + nbytes;
  // messageID INTEGER 1, then protocolOp [APPLICATION 1] bindResponse.
  if (!data.subarray(p, p + 4).equals(Buffer.from([0x02, 0x01, 0x01, 0x61]))) return notLdap;
  p += 4;
  const opLen = data[p] ?? 0;
  p += 1 + (opLen & 0x80 ? opLen & 0x7f : 0);
  // resultCode ENUMERATED.
  if (!data.subarray(p, p + 2).equals(Buffer.from([0x0a, 0x01]))) return notLdap;
  p += 2;
  const code = data[p];
  if (code === undefined) return tooShort;
  if (code !== 0) return { kind: 'fail', status: 'L7STS', code, desc: RFC_HINT };
  return { kind: 'continue', report: { status: 'L7OK', code: 0, info: 'Success' } };
}

export function ldapCheckRuleset(): TcpCheckRuleset {
  return {
    kind: 'ldap',
    rules: [
      IMPLICIT_CONNECT,
      sendRule(0, LDAP_ANONYMOUS_BIND, 'binary'),
      expectRule(1, { type: 'rbinary', regex: /^30/, source: '^30' }, { minRecv: 14, onError: NOT_LDAP }),
      expectRule(2, { type: 'custom', fn: (d, last) => checkLdapBindResponse(d, last) }),
    ],
  };
}
