// `option ssl-hello-chk` (src/tcpcheck.c proxy_parse_ssl_hello_chk_opt): an SSLv3 ClientHello
// carrying the current time, then any handshake or alert record (0x15/0x16) means L6OK.
import { IMPLICIT_CONNECT, type TcpCheckRuleset } from './tcpcheck-rules.ts';
import { expectRule, sendRule } from './ruleset-helpers.ts';

const HELLO_HEAD = Buffer.from('16030000790100007503 00'.replace(/ /g, ''), 'hex');
/** 28 bytes of "random": HAProxy sends this fixed text. */
const HELLO_RANDOM = Buffer.from('HAPROXYSSLCHK\nHAPROXYSSLCHK\n', 'latin1');
const CIPHERS = [
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13,
  0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
  0x3a,
];
const HELLO_TAIL = Buffer.concat([
  Buffer.from([0x00, 0x00, 0x4e]), // empty session id, 78 bytes of cipher suites
  Buffer.from(CIPHERS.flatMap((c) => [0x00, c])),
  Buffer.from([0x01, 0x00]), // one compression method: null
]);

/** The ClientHello for a given Unix time in seconds (`%[date(),htonl,hex]`). */
export function sslv3ClientHello(unixSeconds: number): Buffer {
  const time = Buffer.alloc(4);
  time.writeUInt32BE(unixSeconds >>> 0);
  return Buffer.concat([HELLO_HEAD, time, HELLO_RANDOM, HELLO_TAIL]);
}

export function sslHelloCheckRuleset(): TcpCheckRuleset {
  return {
    kind: 'ssl-hello',
    rules: [
      IMPLICIT_CONNECT,
      sendRule(0, () => sslv3ClientHello(Math.floor(Date.now() / 1000)), 'binary'),
      expectRule(1, { type: 'rbinary', regex: /^1[56]/, source: '^1[56]' }, {
        minRecv: 5,
        okStatus: 'L6OK',
        errorStatus: 'L6RSP',
        toutStatus: 'L6TOUT',
      }),
    ],
  };
}
