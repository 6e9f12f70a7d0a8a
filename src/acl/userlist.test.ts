import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from '../config/config.ts';
import { FlatHeaderFields } from './header-fields.ts';
import { checkBasicAuth, parseUserlist } from './userlist.ts';
import { Diagnostics, SectionReporter } from '../config/diagnostics.ts';

function parse(lines: string[]): { list: ReturnType<typeof parseUserlist>; messages: string[] } {
  const diag = new Diagnostics();
  const section = { type: 'userlist', name: 'L', args: [], lines: lines.map((l, i) => ({ args: l.split(' '), loc: { file: 'u.cfg', line: i + 2 } })), loc: { file: 'u.cfg', line: 1 } };
  const list = parseUserlist(section, new SectionReporter(diag, "userlist 'L'"));
  return { list, messages: diag.list.map((d) => `${d.severity}: ${formatDiagnostic(d)}`) };
}

const auth = (user: string, pass: string) => new FlatHeaderFields(['Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`]);

describe('userlist sections', () => {
  it('users with clear and hashed passwords, groups both ways', () => {
    const { list, messages } = parse([
      'group admins users alice',
      'group ops',
      'user alice insecure-password a1',
      'user bob password $5$saltstring$4mLzDd7PmpYGnmV6HHYAR6tJydOUyhkrRSQDy8q2eK8 groups ops',
      'user carol',
    ]);
    expect(messages).toEqual([]);
    expect([...list.users.get('alice')!.groups]).toEqual(['admins']);
    expect([...list.users.get('bob')!.groups]).toEqual(['ops']);
    expect(checkBasicAuth(auth('alice', 'a1'), list)).toBe(true);
    expect(checkBasicAuth(auth('alice', 'a2'), list)).toBe(false);
    expect(checkBasicAuth(auth('bob', 'hello'), list)).toBe(true);
    expect(checkBasicAuth(auth('bob', 'hello'), list)).toBe(true);
    expect(checkBasicAuth(auth('carol', ''), list)).toBe(false);
    expect(checkBasicAuth(auth('nobody', 'x'), list)).toBe(false);
    expect(checkBasicAuth(new FlatHeaderFields(['authorization', 'Bearer xyz']), list)).toBe(false);
    expect(checkBasicAuth(new FlatHeaderFields([]), list)).toBe(false);
  });

  it("HAProxy's errors and warnings", () => {
    const { messages } = parse([
      'user a insecure-password x',
      'user a insecure-password y',
      'user b insecure-password x groups nope',
      'group g users ghost',
      'group g',
      'user c foo bar',
      'frob x',
      'user d password $1$salt$md5hash',
    ]);
    expect(messages).toEqual([
      "warning: u.cfg:3: userlist 'L': ignoring duplicated user 'a' in userlist 'L'.",
      "warning: u.cfg:6: userlist 'L': ignoring duplicated group 'g' in userlist 'L'.",
      "error: u.cfg:7: userlist 'L': 'user' only supports 'password', 'insecure-password' and 'groups' options.",
      "error: u.cfg:8: userlist 'L': unknown keyword 'frob' in 'users' section",
      "error: u.cfg:9: userlist 'L': the password of user 'd' is not a $5$ (SHA-256) or $6$ (SHA-512) crypt hash; other crypt(3) schemes are not supported yet (use 'mkpasswd -m sha-512' or 'insecure-password')",
      "error: userlist 'L': no such group 'nope' specified in user 'b'",
      "error: userlist 'L': no such user 'ghost' specified in group 'g'",
    ]);
  });

  it('a userlist may follow the proxy that references it; an unknown one is an error', () => {
    const T = '    timeout client 1s\n    timeout connect 1s\n    timeout server 1s\n';
    const ok = parseConfigText(`listen L\n    mode http\n    bind 127.0.0.1:1\n${T}    http-request auth unless { http_auth(U) }\n    server s 127.0.0.1:2\nuserlist U\n    user u insecure-password p\n`, 't.cfg', { env: {} });
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const bad = parseConfigText(`listen L\n    mode http\n    bind 127.0.0.1:1\n${T}    http-request auth unless { http_auth(X) }\n    server s 127.0.0.1:2\n`, 't.cfg', { env: {} });
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic))
      .toEqual(["t.cfg:7: listen 'L': unable to find userlist 'X' referenced in arg 1 of ACL keyword 'http_auth' in proxy 'L'"]);
  });
});
