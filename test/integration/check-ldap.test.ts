// `option ldap-check` against a real OpenLDAP slapd, and against peers that do not speak LDAP.
import { afterEach, describe, expect, it } from 'vitest';
import { ServerState } from '../../src/backend/server-state.ts';
import { FakeClock } from '../../src/clock.ts';
import { LDAP_ANONYMOUS_BIND, ldapCheckRuleset } from '../../src/checks/ldap-check.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { closeAll, peer, replyOnce, target, track } from './check-peers.ts';
import { startSlapd } from './check-servers.ts';

afterEach(closeAll);

describe('option ldap-check', () => {
  it('passes an anonymous bind against slapd, reporting "Success" first as HAProxy does', async () => {
    const slapd = await startSlapd();
    track({ close: slapd.stop });
    const r = await runTcpCheck(ldapCheckRuleset(), target(slapd.port));
    expect(r).toMatchObject({ status: 'L7OK', code: 0, info: '', earlier: [{ status: 'L7OK', code: 0, info: 'Success' }] });
    // The double report moves the rise counter twice, like haproxy 2.6.
    const s = new ServerState({ proxy: 'be', name: 'ldap', clock: new FakeClock(), check: { rise: 3, fall: 2, inter: 1000 } });
    s.setHealth('down');
    s.reportCheck(r);
    expect(s.check.health).toBe(2);
  });

  it('sends the anonymous bind request bytes', async () => {
    const p = await peer(replyOnce(Buffer.from('300c02010161070a010004000400', 'hex')));
    await runTcpCheck(ldapCheckRuleset(), target(p.port));
    expect(p.received[0]).toEqual(LDAP_ANONYMOUS_BIND);
  });

  it('reports a refused bind with its result code', async () => {
    const p = await peer(replyOnce(Buffer.from('300c02010161070a013104000400', 'hex')));
    expect(await runTcpCheck(ldapCheckRuleset(), target(p.port))).toMatchObject({
      status: 'L7STS',
      code: 49,
      info: 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9',
    });
  });

  it('says "Not LDAPv3 protocol" for other bytes and L7RSP for a short reply', async () => {
    const junk = await peer(replyOnce('abcdefghijklmnopq'));
    expect(await runTcpCheck(ldapCheckRuleset(), target(junk.port))).toMatchObject({ status: 'L7RSP', info: 'Not LDAPv3 protocol' });
    const short = await peer(replyOnce(Buffer.from('300c020101', 'hex')));
    expect(await runTcpCheck(ldapCheckRuleset(), target(short.port))).toMatchObject({ status: 'L7RSP', info: '' });
  });
});
