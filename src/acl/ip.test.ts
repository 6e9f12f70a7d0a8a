import { describe, expect, it } from 'vitest';
import { ipInNet, newIpSample, parseIpNet, parseIpv4, parseIpv6, readIpSample } from './ip.ts';

function inNet(ip: string, net: string): boolean {
  const s = newIpSample();
  expect(readIpSample(ip, s)).toBe(true);
  return ipInNet(s, parseIpNet(net)!);
}

describe('address parsing', () => {
  it('reads dotted quads strictly', () => {
    expect(parseIpv4('10.1.2.3')).toBe(0x0a010203);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['1.2.3', '1.2.3.4.5', '1.2.3.256', '1..2.3', 'a.b.c.d', '1.2.3.4/8', '']) expect(parseIpv4(bad)).toBe(-1);
  });

  it('reads IPv6 with :: and an IPv4 tail', () => {
    expect(parseIpv6('::1')).toEqual([0, 0, 0, 1]);
    expect(parseIpv6('2001:db8::ff00:42:8329')).toEqual([0x20010db8, 0, 0xff00, 0x00428329]);
    expect(parseIpv6('::ffff:10.0.0.1')).toEqual([0, 0, 0xffff, 0x0a000001]);
    for (const bad of ['1::2::3', ':::', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1']) expect(parseIpv6(bad)).toBeUndefined();
  });

  it('parses networks with prefix lengths and dotted masks, and refuses bad ones', () => {
    expect(parseIpNet('10.1.2.3/8')).toEqual({ v6: false, words: [0x0a000000], prefix: 8 });
    expect(parseIpNet('10.1.2.3/255.255.0.0')).toEqual({ v6: false, words: [0x0a010000], prefix: 16 });
    expect(parseIpNet('2001:db8::1/32')?.words).toEqual([0x20010db8, 0, 0, 0]);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/255.0.255.0', '::1/129', 'example.com', '1.2.3.400']) expect(parseIpNet(bad)).toBeUndefined();
  });
});

describe('CIDR matching', () => {
  it('matches IPv4 and IPv6 networks', () => {
    expect(inNet('10.20.30.40', '10.0.0.0/8')).toBe(true);
    expect(inNet('11.20.30.40', '10.0.0.0/8')).toBe(false);
    expect(inNet('192.168.1.1', '192.168.1.1')).toBe(true);
    expect(inNet('192.168.1.2', '192.168.1.1')).toBe(false);
    expect(inNet('1.2.3.4', '0.0.0.0/0')).toBe(true);
    expect(inNet('2001:db8:1::5', '2001:db8::/32')).toBe(true);
    expect(inNet('2001:db9::5', '2001:db8::/32')).toBe(false);
    expect(inNet('::1', '::1')).toBe(true);
  });

  it('matches IPv4-mapped, IPv4-compatible and 6to4 samples against IPv4 networks, IPv4 samples against ::ffff:0:0/96', () => {
    expect(inNet('::ffff:127.0.0.1', '127.0.0.0/8')).toBe(true);
    expect(inNet('::10.1.1.1', '10.0.0.0/8')).toBe(true);
    expect(inNet('2002:0a01:0101::1', '10.0.0.0/8')).toBe(true);
    expect(inNet('127.0.0.1', '::ffff:127.0.0.0/104')).toBe(true);
    expect(inNet('127.0.0.1', '::1')).toBe(false);
    expect(inNet('2001:db8::1', '10.0.0.0/8')).toBe(false);
  });
});
