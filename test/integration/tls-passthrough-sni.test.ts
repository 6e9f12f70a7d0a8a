// TLS passthrough in mode tcp: real node:tls clients through hapair to real node:tls backends,
// routed on the ClientHello's SNI (req.ssl_sni, use_backend / use-server), the handshake done end
// to end through the relayed bytes; hellos at once, byte by byte, cut short; non-TLS clients.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './proxy-harness.ts';
import { showStatRows, startApiProxy, type ApiProxy } from './api-harness.ts';
import { arrivedAt, makePki, passthroughBackends, passthroughFrontends, PassthroughBackend, plainClient, tlsClient, type Pki } from './tls-passthrough-harness.ts';

let pki: Pki;
const log: string[] = [];
const backends = new Map<string, PassthroughBackend>();
let px: ApiProxy | undefined;
const port = { tls: 0, strict: 0, pool: 0, short: 0 };

const config = (dir: string): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
${passthroughFrontends(port)}${passthroughBackends((name) => backends.get(name)!.port)}`;

beforeAll(async () => {
  pki = makePki();
  for (const name of ['ldap', 'web', 'other', 'pa', 'pb']) backends.set(name, await new PassthroughBackend(name, pki, log).listen());
  for (const k of Object.keys(port) as (keyof typeof port)[]) port[k] = await freePort();
  px = await startApiProxy(config);
}, 30_000);

afterAll(async () => {
  await px?.stop();
  for (const b of backends.values()) await b.close();
  pki?.files.cleanup();
});

describe('TLS passthrough routed by SNI', () => {
  it.each([
    ['ldap.example.com', 'ldap sni=ldap.example.com alpn=-'],
    ['LDAP.Example.COM', 'ldap sni=LDAP.Example.COM alpn=-'],
    ['www.example.com', 'web sni=www.example.com alpn=-'],
    ['example.org', 'other sni=example.org alpn=-'],
    [undefined, 'other sni=- alpn=-'],
  ])('SNI %s: handshake end to end with the right backend', async (servername, greeting) => {
    expect(await tlsClient(port.tls, pki.cert, { servername })).toEqual({ greeting, echoed: true });
  });

  it('a hello sent byte by byte is still routed on its SNI', async () => {
    const opts = { servername: 'ldap.example.com', ecdhCurve: 'X25519', piece: 1 };
    expect(await tlsClient(port.tls, pki.cert, opts)).toEqual({ greeting: 'ldap sni=ldap.example.com alpn=-', echoed: true });
  });

  it('a large hello (post-quantum key share) in 100-byte pieces is routed too', async () => {
    const opts = { servername: 'www.example.com', alpn: ['h2'], piece: 100 };
    expect(await tlsClient(port.strict, pki.cert, opts)).toEqual({ greeting: 'web sni=www.example.com alpn=h2', echoed: true });
  });

  it('a non-TLS client is decided at once: default backend, or rejected by `reject unless`', async () => {
    // Within the 5 s inspect-delay: the 3 s bound of plainClient would expire before a wait ended.
    expect(await plainClient(port.tls, 'GET / HTTP/1.0\r\n\r\n')).toBe('other plain:GET / HTTP/1.0\r\n\r\n');
    expect(await plainClient(port.strict, 'SSH-2.0-OpenSSH_9.2\r\n')).toBe('closed');
  });

  it('a hello that stops short is forwarded to the default backend when inspect-delay ends', async () => {
    const before = log.length;
    const client = tlsClient(port.short, pki.cert, { servername: 'ldap.example.com', holdAfter: 40 }, 3000);
    expect(await arrivedAt(log, before)).toBe('other');
    expect((await client).greeting).toBe('no answer');
  });

  it('use-server picks the server on the SNI, independent of the balancer', async () => {
    // Not the round-robin order (a b a b ...).
    for (const s of ['a', 'a', 'b', 'a', 'b', 'b']) {
      expect((await tlsClient(port.pool, pki.cert, { servername: `${s}.example.com` })).greeting).toBe(`p${s} sni=${s}.example.com alpn=-`);
    }
    const other = [];
    for (let i = 0; i < 2; i++) other.push((await tlsClient(port.pool, pki.cert, { servername: 'c.example.com' })).greeting);
    expect(other.map((g) => g.split(' ')[0]).sort()).toEqual(['pa', 'pb']);
  });

  it('a client leaving during the inspection: the rules decide on what it sent (regression: negative backend scur)', async () => {
    const leave = async (p: number, how: 'fin' | 'rst'): Promise<void> => {
      const s = net.connect({ port: p, host: '127.0.0.1' });
      s.on('error', () => undefined);
      await once(s, 'connect');
      if (how === 'fin') s.end();
      else s.resetAndDestroy();
      for (let i = 0; i < 200 && !s.destroyed; i++) await new Promise((r) => setTimeout(r, 10));
    };
    const before = await showStatRows(px!.sock('api.sock'));
    await leave(port.short, 'fin'); // accepted: still connected to the default backend's server
    await leave(port.short, 'rst'); // accepted: a client abort on the default backend
    await new Promise((r) => setTimeout(r, 200));
    const after = await showStatRows(px!.sock('api.sock'));
    const delta = (k: string, f: string): number => Number(after.get(k)!.get(f)) - Number(before.get(k)!.get(f));
    expect(after.get('other/BACKEND')!.get('scur')).toBe('0');
    expect([delta('other/BACKEND', 'stot'), delta('other/o1', 'stot'), delta('other/BACKEND', 'cli_abrt'), delta('short_delay/FRONTEND', 'ereq')])
      .toEqual([2, 1, 1, 1]);
  });

  it('counts the sessions per backend and the rejection in show stat', async () => {
    const rows = await showStatRows(px!.sock('api.sock'));
    const stot = (k: string): string | undefined => rows.get(k)?.get('stot');
    expect(stot('strict/FRONTEND')).toBe('2');
    expect(rows.get('strict/FRONTEND')!.get('dreq')).toBe('1');
    expect(stot('pool/a')).toBe(String(3 + 1));
    expect(stot('pool/b')).toBe(String(3 + 1));
    expect(Number(stot('ldap/BACKEND'))).toBe(3);
  });
});
