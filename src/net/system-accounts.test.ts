import { describe, expect, it } from 'vitest';
import { lookupId, resolveAccount } from './system-accounts.ts';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nhaproxy:x:108:115::/var/lib/haproxy:/usr/sbin/nologin\nbroken:x:notanumber:1::/:/bin/false\n';

describe('system accounts', () => {
  it('finds the id of a name in a passwd/group database', () => {
    expect(lookupId(PASSWD, 'haproxy')).toBe(108);
    expect(lookupId(PASSWD, 'root')).toBe(0);
  });

  it('returns undefined for unknown names and malformed ids', () => {
    expect(lookupId(PASSWD, 'nobody-here')).toBeUndefined();
    expect(lookupId(PASSWD, 'broken')).toBeUndefined();
    expect(lookupId(PASSWD, 'hap')).toBeUndefined();
  });

  it('takes numbers as they are without reading any file', () => {
    expect(resolveAccount('1234', '/nonexistent/file')).toBe(1234);
    expect(resolveAccount('name', '/nonexistent/file')).toBeUndefined();
  });
});
