// `option pgsql-check user <name>` (src/tcpcheck.c proxy_parse_pgsql_check_opt): a protocol 3.0
// StartupMessage, then an 'R' (authentication) message is success and an 'E' (error) a failure.
import type { TcpCheckRuleset } from './tcpcheck-rules.ts';
import { defaultLingerConnect, expectRule, payloadText, sendRule } from './ruleset-helpers.ts';

/** StartupMessage: length, version 3.0, "user" NUL name NUL, final NUL. */
export function pgsqlStartup(user: string): Buffer {
  const name = Buffer.from(user, 'latin1');
  const msg = Buffer.concat([
    Buffer.alloc(4),
    Buffer.from('00030000', 'hex'),
    Buffer.from('user\0', 'latin1'),
    name,
    Buffer.from([0, 0]),
  ]);
  msg.writeUInt32BE(15 + name.length, 0);
  return msg;
}

// Auth types accepted as "the server answers": ok, cleartext, md5, SCM, GSS, SSPI, SASL (HAProxy 2.6.12).
const AUTH_OK = '^52000000[A-Z0-9]{2}000000(00|02|03|04|05|06|07|09|0A)';

export function pgsqlCheckRuleset(user: string): TcpCheckRuleset {
  return {
    kind: 'pgsql',
    rules: [
      defaultLingerConnect(0),
      sendRule(1, pgsqlStartup(user), 'binary'),
      { ...expectRule(2, { type: 'rstring', regex: /^E/, source: '^E' }, { minRecv: 5, errorStatus: 'L7RSP', onError: (d) => payloadText(d, 6) }), inverse: true },
      expectRule(3, { type: 'rbinary', regex: new RegExp(AUTH_OK), source: AUTH_OK }, {
        minRecv: 9,
        errorStatus: 'L7STS',
        onSuccess: 'PostgreSQL server is ok',
        onError: 'PostgreSQL unknown error',
      }),
    ],
  };
}
