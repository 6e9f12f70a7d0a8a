// Checks across the lines of a `keepalive` section, and across sections.
import type { ConfigDiagnostic, SourceLoc } from '../config/model.ts';
import { parseIp } from './ip-address.ts';
import type { KeepaliveNodeSpec, KeepaliveSpec, VirtualIpSpec } from './spec.ts';

export type Report = (loc: SourceLoc, msg: string) => void;

export function checkNodes(nodes: readonly KeepaliveNodeSpec[], error: Report): void {
  const names = new Set<string>();
  const addrs = new Set<string>();
  for (const n of nodes) {
    if (names.has(n.name)) error(n.loc, `duplicate node '${n.name}'`);
    names.add(n.name);
    for (const a of n.addresses) {
      if (addrs.has(a)) error(n.loc, `address ${a} of node '${n.name}' is used twice`);
      addrs.add(a);
    }
  }
  const links = nodes[0]?.addresses.length;
  for (const n of nodes) {
    if (n.addresses.length !== links) {
      error(n.loc, `node '${n.name}' has ${n.addresses.length} addresses, the first node ${links}: one per heartbeat link`);
      continue;
    }
    n.addresses.forEach((a, i) => {
      if (parseIp(a)!.family !== parseIp(nodes[0].addresses[i])!.family) {
        error(n.loc, `node '${n.name}': link ${i + 1} mixes IPv4 and IPv6`);
      }
    });
  }
}

export function checkVips(vips: readonly VirtualIpSpec[], error: Report): void {
  const seen = new Set<string>();
  for (const v of vips) {
    if (seen.has(v.address)) error(v.loc, `duplicate virtual-ip ${v.address}`);
    seen.add(v.address);
  }
}

/** A weight smaller than the priority gap can never move the master (keepalived #942, #2108). */
export function warnUselessWeights(spec: KeepaliveSpec, warn: Report): void {
  const byPrio = [...spec.nodes].sort((a, b) => b.priority - a.priority);
  const [top, next] = byPrio;
  const weighted: { w: number; loc?: SourceLoc; what: string }[] = [
    ...spec.trackInterfaces.map((t) => ({ w: t.weight, loc: t.loc, what: `track-interface ${t.name}` })),
    ...spec.trackScripts.map((t) => ({ w: t.weight, loc: t.loc, what: 'track-script' })),
    ...(spec.trackProxy ? [{ w: spec.trackProxy.weight, loc: spec.trackProxy.loc, what: 'track-proxy' }] : []),
  ];
  for (const t of weighted) {
    if (t.w < 0 && top.priority + t.w >= next.priority) {
      warn(
        t.loc ?? spec.loc,
        `${t.what} weight ${t.w} cannot make '${top.name}' (priority ${top.priority}) fall below '${next.name}' (${next.priority})`,
      );
    }
  }
}

/** Checks across several keepalive sections: names, VRIDs per interface and VIPs are unique. */
export function checkKeepaliveSpecs(specs: readonly KeepaliveSpec[]): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const vrids = new Map<string, string>();
  const vips = new Map<string, string>();
  const names = new Set<string>();
  for (const s of specs) {
    const section = `keepalive '${s.name}'`;
    if (names.has(s.name)) out.push({ severity: 'error', loc: s.loc, section, message: 'duplicate keepalive name' });
    names.add(s.name);
    const vk = `${s.interface}/${s.vrid}`;
    const other = vrids.get(vk);
    if (other) out.push({ severity: 'error', loc: s.loc, section, message: `vrid ${s.vrid} on ${s.interface} is also used by '${other}'` });
    vrids.set(vk, s.name);
    for (const v of s.vips) {
      const o = vips.get(v.address);
      if (o) out.push({ severity: 'error', loc: v.loc, section, message: `virtual-ip ${v.address} is also in '${o}'` });
      vips.set(v.address, s.name);
    }
  }
  return out;
}
