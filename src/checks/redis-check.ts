// `option redis-check` (HAProxy configuration.txt 4.2; src/tcpcheck.c proxy_parse_redis_check_opt):
// send PING, expect "+PONG", report the first reply line on error.
import { IMPLICIT_CONNECT, type TcpCheckRuleset } from './tcpcheck-rules.ts';
import { cutCrlf, expectRule, payloadText, sendRule } from './ruleset-helpers.ts';

export const REDIS_PING = Buffer.from('*1\r\n$4\r\nPING\r\n', 'latin1');

export function redisCheckRuleset(): TcpCheckRuleset {
  return {
    kind: 'redis',
    rules: [
      IMPLICIT_CONNECT,
      sendRule(0, REDIS_PING),
      expectRule(1, { type: 'string', text: '+PONG\r\n' }, {
        errorStatus: 'L7STS',
        onError: (data) => cutCrlf(payloadText(data, 0)),
        onSuccess: 'Redis server is ok',
      }),
    ],
  };
}
