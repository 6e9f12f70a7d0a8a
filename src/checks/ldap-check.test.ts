import { describe, expect, it } from 'vitest';
import { checkLdapBindResponse } from './ldap-check.ts';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

describe('LDAP BindResponse (src/tcpcheck.c tcpcheck_ldap_expect_bindrsp)', () => {
  it('accepts resultCode 0 (bytes from OpenLDAP) and reports "Success"', () => {
    expect(checkLdapBindResponse(hex('300c02010161070a010004000400'), false)).toEqual({
      kind: 'continue',
      report: { status: 'L7OK', code: 0, info: 'Success' },
    });
  });

  it('handles a 4-byte long-form length (Active Directory)', () => {
    expect(checkLdapBindResponse(hex('30840000000c02010161070a010004000400'), false).kind).toBe('continue');
  });

  it('fails with the result code and the RFC hint', () => {
    expect(checkLdapBindResponse(hex('300c02010161070a013104000400'), false)).toEqual({
      kind: 'fail',
      status: 'L7STS',
      code: 49,
      desc: 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9',
    });
  });

  it('says "Not LDAPv3 protocol" for other messages, waits for or rejects short ones', () => {
    expect(checkLdapBindResponse(hex('300c02010265070a010004000400'), false)).toMatchObject({ kind: 'fail', desc: 'Not LDAPv3 protocol' });
    expect(checkLdapBindResponse(hex('3083000000'), false)).toMatchObject({ kind: 'fail', desc: 'Not LDAPv3 protocol' });
    expect(checkLdapBindResponse(hex('300c020101'), false)).toEqual({ kind: 'wait' });
    expect(checkLdapBindResponse(hex('300c020101'), true)).toEqual({ kind: 'fail', status: 'L7RSP', code: 0, desc: '' });
  });
});
