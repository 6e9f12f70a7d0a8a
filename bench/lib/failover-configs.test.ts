import { describe, expect, it } from 'vitest';
import { hapairConfig, keepalivedConfig, PROFILES, type LabAddresses } from './failover-configs.ts';

const lab: LabAddresses = {
  vrid: 59,
  vip: '10.199.59.100',
  ip: (lb) => (lb === 'lb1' ? '10.199.59.11' : '10.199.59.12'),
  keyFile: '/tmp/k',
  notifyScript: '/n.sh',
};

describe('failover configs', () => {
  it('keepalived: VRRPv3, fractional advert_int, unicast to the peer, no authentication', () => {
    const text = keepalivedConfig(lab, PROFILES.fast, 'lb2');
    expect(text).toMatch(/vrrp_version 3/);
    expect(text).toMatch(/advert_int 0\.05\n/);
    expect(text).toMatch(/priority 100\n/);
    expect(text).toMatch(/unicast_src_ip 10\.199\.59\.12\n/);
    expect(text).toMatch(/unicast_peer \{\n\s+10\.199\.59\.11\n/);
    expect(text).toMatch(/10\.199\.59\.100\/24 dev eth0/);
    expect(text).not.toMatch(/authentication/);
    expect(keepalivedConfig(lab, PROFILES.default, 'lb1')).toMatch(/advert_int 0\.2\n[\s\S]*priority 150|priority 150\n[\s\S]*advert_int 0\.2\n/);
  });

  it('hapair: its default advert-int unless the profile sets one', () => {
    expect(hapairConfig(lab, PROFILES.default)).not.toMatch(/advert-int/);
    const fast = hapairConfig(lab, PROFILES.fast);
    expect(fast).toMatch(/advert-int 50ms\n/);
    expect(fast).toMatch(/node lb1 10\.199\.59\.11 priority 150\n/);
    expect(fast).toMatch(/virtual-ip 10\.199\.59\.100\/24\n/);
    expect(fast).toMatch(/auth-key-file \/tmp\/k\n/);
  });
});
