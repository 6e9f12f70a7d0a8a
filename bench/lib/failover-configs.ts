// The two keepalive configs of the failover benchmark, rendered for the same lab, the same VIP
// and the same timing profile, so that only the implementation differs:
//   hapair:     `keepalive` section (unicast to the peer, authenticated: hapair always is;
//               it also tracks its proxy by default, keepalived has no such default)
//   keepalived: VRRPv3 `vrrp_instance` with unicast peers; VRRPv3 takes fractional advert
//               intervals in centiseconds (keepalived.conf(5) "advert_int") and has no
//               `authentication` (RFC 5798 removed it), so none is configured.
import type { LbName } from '../../test/lab/pair-lab.ts';

export interface FailoverProfile {
  /** Shown in the report. */
  readonly name: string;
  /** hapair's `advert-int`, or undefined for its default (200ms). */
  readonly hapairAdvert?: string;
  /** The same interval in seconds, for keepalived's `advert_int`. */
  readonly advertS: number;
}

export const PROFILES = {
  /** hapair at its default; keepalived matched to it (its own default, 1 s, would be unfair). */
  default: { name: 'default', advertS: 0.2 },
  fast: { name: '50ms', hapairAdvert: '50ms', advertS: 0.05 },
} as const satisfies Record<string, FailoverProfile>;

export interface LabAddresses {
  readonly vrid: number;
  readonly vip: string;
  readonly ip: (lb: LbName) => string;
  readonly keyFile: string;
  readonly notifyScript: string;
}

const PRIORITY: Record<LbName, number> = { lb1: 150, lb2: 100 };

export function hapairConfig(lab: LabAddresses, profile: FailoverProfile): string {
  return [
    'keepalive VI_1',
    '    interface eth0',
    `    vrid ${lab.vrid}`,
    ...(profile.hapairAdvert === undefined ? [] : [`    advert-int ${profile.hapairAdvert}`]),
    `    node lb1 ${lab.ip('lb1')} priority ${PRIORITY.lb1}`,
    `    node lb2 ${lab.ip('lb2')} priority ${PRIORITY.lb2}`,
    '    port 5405',
    `    virtual-ip ${lab.vip}/24`,
    `    auth-key-file ${lab.keyFile}`,
    '    track-interface eth0',
    // On by default in hapair; PairLab.startKeepalive points it at lb's proxy API socket.
    '    track-proxy weight -100',
    `    notify ${lab.notifyScript}`,
    '',
  ].join('\n');
}

export function keepalivedConfig(lab: LabAddresses, profile: FailoverProfile, lb: LbName): string {
  const peer: LbName = lb === 'lb1' ? 'lb2' : 'lb1';
  return [
    'global_defs {',
    `    router_id ${lb}`,
    '    vrrp_version 3',
    '}',
    'vrrp_instance VI_1 {',
    '    state BACKUP',
    '    interface eth0',
    `    virtual_router_id ${lab.vrid}`,
    `    priority ${PRIORITY[lb]}`,
    `    advert_int ${profile.advertS}`,
    `    unicast_src_ip ${lab.ip(lb)}`,
    `    unicast_peer {`,
    `        ${lab.ip(peer)}`,
    '    }',
    '    virtual_ipaddress {',
    `        ${lab.vip}/24 dev eth0`,
    '    }',
    '}',
    '',
  ].join('\n');
}
