import { describe, expect, it } from 'vitest';
import { parseListenAddresses, parseLogAddress, parseServerAddress } from './address.ts';
import type { Env } from './lexer.ts';

const ENV: Env = { LISTEN_FD: '3', PORT: '8443', HOST: '127.0.0.2' };
const val = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T | string => (r.ok ? r.value : `error: ${r.error}`);
const bind = (s: string): unknown => val(parseListenAddresses(s, ENV));
const tcp = (host: string, port: number, family: 0 | 4 | 6) => ({ kind: 'tcp', host, port, family });

describe('bind address forms (configuration.txt 4.2 "bind", 11)', () => {
  it('IPv4, wildcard and empty host', () => {
    expect(bind('127.0.0.1:80')).toEqual([tcp('127.0.0.1', 80, 4)]);
    expect(bind(':80')).toEqual([tcp('0.0.0.0', 80, 4)]);
    expect(bind('*:80')).toEqual([tcp('0.0.0.0', 80, 4)]);
  });

  it('IPv6 with brackets, bare with the last colon as port separator, and the IPv6 wildcard', () => {
    expect(bind('[::1]:80')).toEqual([tcp('::1', 80, 6)]);
    expect(bind('::1:80')).toEqual([tcp('::1', 80, 6)]);
    expect(bind(':::80')).toEqual([tcp('::', 80, 6)]);
    expect(bind('[2001:db8::1]:443')).toEqual([tcp('2001:db8::1', 443, 6)]);
  });

  it('family prefixes ipv4@ and ipv6@', () => {
    expect(bind('ipv4@127.0.0.1:80')).toEqual([tcp('127.0.0.1', 80, 4)]);
    expect(bind('ipv6@:80')).toEqual([tcp('::', 80, 6)]);
    expect(bind('ipv6@[::1]:80')).toEqual([tcp('::1', 80, 6)]);
    expect(bind('ipv4@::1:80')).toMatch(/^error: invalid address/);
    expect(bind('tcp4@127.0.0.1:80')).toEqual([tcp('127.0.0.1', 80, 4)]);
  });

  it('hostnames are kept unresolved (family 0), unless a prefix forces the family', () => {
    expect(bind('localhost:80')).toEqual([tcp('localhost', 80, 0)]);
    expect(bind('ipv6@localhost:80')).toEqual([tcp('localhost', 80, 6)]);
    expect(bind('bad_host!:80')).toMatch(/^error: invalid address: 'bad_host!'/);
  });

  it('comma lists and port ranges expand to one address each', () => {
    expect(bind('127.0.0.1:80,[::1]:81')).toEqual([tcp('127.0.0.1', 80, 4), tcp('::1', 81, 6)]);
    expect(bind('127.0.0.1:8000-8002')).toEqual([tcp('127.0.0.1', 8000, 4), tcp('127.0.0.1', 8001, 4), tcp('127.0.0.1', 8002, 4)]);
    expect(bind('127.0.0.1:80,')).toEqual([tcp('127.0.0.1', 80, 4)]); // trailing comma tolerated
    expect(bind('127.0.0.1:80,,127.0.0.1:81')).toMatch(/resolves to an empty address/);
  });

  it('unix sockets: plain path, unix@ (relative allowed), and the path length limit', () => {
    expect(bind('/var/run/haproxy/etab_UT.sock')).toEqual([{ kind: 'unix', path: '/var/run/haproxy/etab_UT.sock' }]);
    expect(bind('unix@relative.sock')).toEqual([{ kind: 'unix', path: 'relative.sock' }]);
    expect(bind(`/${'a'.repeat(96)}`)).toEqual([{ kind: 'unix', path: `/${'a'.repeat(96)}` }]);
    expect(bind(`/${'a'.repeat(97)}`)).toMatch(/too long \(max 97\)/);
  });

  it('inherited file descriptors: fd@N, and fd@$VAR expanded like HAProxy expands addresses', () => {
    expect(bind('fd@3')).toEqual([{ kind: 'fd', fd: 3 }]);
    expect(bind('fd@${LISTEN_FD}')).toEqual([{ kind: 'fd', fd: 3 }]);
    expect(bind('fd@x')).toMatch(/file descriptor 'x' is not a valid integer/);
    expect(bind('fd@${UNSET}')).toMatch(/file descriptor '' is not a valid integer/);
  });

  it('expands unquoted variables in addresses', () => {
    expect(bind('${HOST}:$PORT')).toEqual([tcp('127.0.0.2', 8443, 4)]);
    expect(bind('${UNSET}')).toMatch(/'\$\{UNSET\}' resolves to an empty address/);
  });

  it('refuses abns@, sockpair@, datagram and QUIC addresses', () => {
    expect(bind('abns@haproxy')).toMatch(/^error: abstract namespace sockets \(abns@\) are not supported/);
    expect(bind('sockpair@3')).toMatch(/not supported/);
    expect(bind('udp@127.0.0.1:80')).toMatch(/dgram-type address not acceptable/);
    expect(bind('quic4@127.0.0.1:443')).toMatch(/QUIC addresses are not supported/);
  });

  it('requires a valid port', () => {
    expect(bind('127.0.0.1')).toMatch(/missing port specification in '127.0.0.1'/);
    expect(bind('[::1]')).toMatch(/missing port specification/);
    expect(bind('127.0.0.1:')).toMatch(/missing port specification/);
    expect(bind('127.0.0.1:0')).toMatch(/invalid port '0'/);
    expect(bind('127.0.0.1:65536')).toMatch(/invalid port '65536'/);
    expect(bind('127.0.0.1:80x')).toMatch(/invalid port '80x'/);
    expect(bind('127.0.0.1:90-80')).toMatch(/invalid port range '90-80'/);
    expect(bind('127.0.0.1:+1')).toMatch(/port offset not permitted/);
    expect(bind('127.0.0.1:http')).toMatch(/invalid character 'h' in port number/);
  });
});

describe('server addresses (configuration.txt 4.2 "server")', () => {
  const srv = (s: string): unknown => val(parseServerAddress(s, ENV));

  it('IP, IPv6 and hostnames with a port, kept unresolved', () => {
    expect(srv('127.0.0.1:22')).toEqual({ host: '127.0.0.1', family: 4, port: 22 });
    expect(srv('[::1]:22')).toEqual({ host: '::1', family: 6, port: 22 });
    expect(srv('ldap1.example.org:636')).toEqual({ host: 'ldap1.example.org', family: 0, port: 636 });
    expect(srv('ipv6@backend.local:80')).toEqual({ host: 'backend.local', family: 6, port: 80 });
  });

  it('no port, or +N/-N offsets relative to the port the client connected to', () => {
    expect(srv('10.0.0.1')).toEqual({ host: '10.0.0.1', family: 4 });
    expect(srv('10.0.0.1:')).toEqual({ host: '10.0.0.1', family: 4 });
    expect(srv('[::1]')).toEqual({ host: '::1', family: 6 });
    expect(srv('10.0.0.1:+1000')).toEqual({ host: '10.0.0.1', family: 4, portOffset: 1000 });
    expect(srv('10.0.0.1:-1')).toEqual({ host: '10.0.0.1', family: 4, portOffset: -1 });
    expect(srv('10.0.0.1:+0')).toEqual({ host: '10.0.0.1', family: 4 });
  });

  it('refuses ranges, unix sockets, fds, SRV records and the destination-address forms', () => {
    expect(srv('10.0.0.1:80-81')).toMatch(/port range not permitted/);
    expect(srv('/run/app.sock')).toMatch(/unix socket servers are not supported yet/);
    expect(srv('fd@3')).toMatch(/a file descriptor is not acceptable here/);
    expect(srv('_ldap._tcp.example.org')).toMatch(/SRV records .* not supported yet/);
    expect(srv('0.0.0.0:80')).toMatch(/destination address, which is not supported yet/);
    expect(srv('*:80')).toMatch(/destination address/);
    expect(srv('2001:db8::1')).toMatch(/invalid address/); // bare IPv6 needs a final ':'
  });
});

describe('log targets (configuration.txt 4.2 "log")', () => {
  const log = (s: string): unknown => val(parseLogAddress(s, ENV));

  it('UDP syslog on port 514 by default, stdout and stderr', () => {
    expect(log('127.0.0.1')).toEqual({ kind: 'udp', host: '127.0.0.1', port: 514 });
    expect(log('127.0.0.1:1514')).toEqual({ kind: 'udp', host: '127.0.0.1', port: 1514 });
    expect(log('udp@127.0.0.1:1514')).toEqual({ kind: 'udp', host: '127.0.0.1', port: 1514 });
    expect(log('ipv4@127.0.0.1')).toEqual({ kind: 'udp', host: '127.0.0.1', port: 514 });
    expect(log('ipv6@[::1]:515')).toEqual({ kind: 'udp', host: '::1', port: 515 });
    expect(log('udp6@::1:')).toEqual({ kind: 'udp', host: '::1', port: 514 });
    expect(log('stdout')).toEqual({ kind: 'stdout' });
    expect(log('stderr')).toEqual({ kind: 'stderr' });
    expect(log('fd@1')).toEqual({ kind: 'stdout' });
    expect(log('fd@2')).toEqual({ kind: 'stderr' });
  });

  it('refuses unix datagram targets with a clear remedy', () => {
    for (const target of ['/dev/log', 'unix@/dev/log', 'uxdg@/dev/log']) {
      const r = log(target) as string;
      expect(r).toMatch(/unix datagram log targets are not supported/);
      expect(r).toContain("use 'log 127.0.0.1:514 ...'");
      expect(r).toContain("'log stdout'");
    }
  });

  it('refuses hostnames, TCP, rings and other file descriptors', () => {
    expect(log('loghost')).toMatch(/hostnames are not supported, use an IP address/);
    expect(log('tcp@127.0.0.1:514')).toMatch(/log over TCP .* not supported yet/);
    expect(log('ring@buf')).toMatch(/log rings .* not supported yet/);
    expect(log('fd@5')).toMatch(/not supported yet/);
  });
});
