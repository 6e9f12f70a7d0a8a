import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/config.ts';
import type { ProxySpec } from '../config/model.ts';
import { ProxyFrontend, relayTimeouts } from './proxy-frontend.ts';

function proxies(text: string): ProxySpec[] {
  const r = parseConfigText(text, 't.cfg');
  if (!r.config) throw new Error(JSON.stringify(r.diagnostics));
  return [...r.config.proxies];
}

describe('relay timeouts', () => {
  it('uses timeout client on the client side and timeout server on the server side', () => {
    const [fe, be] = proxies('frontend fe\n  bind 127.0.0.1:1\n  mode tcp\n  timeout client 7s\n  timeout client-fin 1s\n  default_backend be\nbackend be\n  mode tcp\n  timeout server 9s\n  timeout server-fin 2s\n');
    expect(relayTimeouts(fe, be)).toEqual({ client: 7000, server: 9000, clientFin: 1000, serverFin: 2000 });
  });

  it("lets the backend's timeout tunnel supersede both once connected", () => {
    const [fe, be] = proxies('frontend fe\n  bind 127.0.0.1:1\n  mode tcp\n  timeout client 7s\n  default_backend be\nbackend be\n  mode tcp\n  timeout server 9s\n  timeout tunnel 1h\n');
    expect(relayTimeouts(fe, be)).toMatchObject({ client: 3_600_000, server: 3_600_000 });
  });

  it('leaves unset timeouts at 0 (none)', () => {
    const [li] = proxies('listen li\n  bind 127.0.0.1:1\n  mode tcp\n');
    expect(relayTimeouts(li, li)).toEqual({ client: 0, server: 0, clientFin: 0, serverFin: 0 });
  });
});

describe('ProxyFrontend limits', () => {
  it('takes the global maxconn when its own is unset', () => {
    const [fe] = proxies('frontend fe\n  bind 127.0.0.1:1\n  mode tcp\n');
    expect(new ProxyFrontend(fe, 321, null, undefined).maxconn).toBe(321);
  });

  it('keeps its own maxconn and names itself as %b without a backend', () => {
    const [fe] = proxies('frontend fe\n  bind 127.0.0.1:1\n  mode tcp\n  maxconn 12\n');
    const f = new ProxyFrontend(fe, 321, null, undefined);
    expect(f.maxconn).toBe(12);
    expect(f.backendName).toBe('fe');
  });
});
