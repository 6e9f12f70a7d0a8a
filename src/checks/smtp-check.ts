// `option smtpchk [HELO|EHLO domain]` (src/tcpcheck.c proxy_parse_smtpchk_opt, with the 2.6
// backports that consume the whole EHLO reply and end with QUIT): banner, greeting, QUIT.
import type { TcpCheckRuleset } from './tcpcheck-rules.ts';
import { cutCrlf, defaultLingerConnect, expectRule, leadingCode, ltrimSpaces, payloadText, sendRule } from './ruleset-helpers.ts';

const afterCode = (data: Buffer): string => cutCrlf(ltrimSpaces(payloadText(data, 4)));

/** The greeting command: `HELO localhost` unless `EHLO|HELO <domain>` is given. */
export function smtpCommand(args: readonly string[]): string {
  const [verb, domain] = args;
  if ((verb === 'EHLO' || verb === 'HELO') && domain) return `${verb} ${domain}`;
  return 'HELO localhost';
}

export function smtpCheckRuleset(command: string): TcpCheckRuleset {
  const replyOpts = { errorStatus: 'L7STS', onError: afterCode, statusCode: leadingCode } as const;
  return {
    kind: 'smtp',
    rules: [
      defaultLingerConnect(0),
      expectRule(1, { type: 'rstring', regex: /^[0-9]{3}[ \r]/, source: '^[0-9]{3}[ \r]' }, {
        minRecv: 4,
        errorStatus: 'L7RSP',
        onError: (data) => cutCrlf(payloadText(data, 0)),
      }),
      expectRule(2, { type: 'rstring', regex: /^2[0-9]{2}[ \r]/, source: '^2[0-9]{2}[ \r]' }, { minRecv: 4, ...replyOpts }),
      sendRule(3, Buffer.from(`${command}\r\n`, 'latin1')),
      expectRule(4, { type: 'rstring', regex: /^(2[0-9]{2}-[^\r]*\r\n)*2[0-9]{2}[ \r]/, source: 'ehlo' }, {
        ...replyOpts,
        onSuccess: afterCode,
      }),
      sendRule(5, Buffer.from('QUIT\r\n', 'latin1')),
      expectRule(6, { type: 'rstring', regex: /^2[0-9]{2}[- \r]/, source: '^2[0-9]{2}[- \r]' }, {
        minRecv: 4,
        ...replyOpts,
        onSuccess: afterCode,
      }),
    ],
  };
}
