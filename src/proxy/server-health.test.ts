// `observe layer7` as the HTTP session feeds it (HAProxy http_ana.c health_adjust calls).
import { describe, expect, it } from 'vitest';
import { Backend } from '../backend/backend-runtime.ts';
import { FakeClock } from '../clock.ts';
import { parseConfigText } from '../config/config.ts';
import { ProxyBackend } from './proxy-backend.ts';
import { hanaOfHttpStatus, observeHttpResponse, ServerHealth } from './server-health.ts';

function wired(serverLine: string) {
  const r = parseConfigText(`defaults\n  mode http\n  timeout connect 1s\n  timeout server 1s\nbackend be\n  ${serverLine}\n`, 't.cfg', { env: {} });
  if (!r.config) throw new Error(JSON.stringify(r.diagnostics));
  const clock = new FakeClock();
  const spec = r.config.proxies[0]!;
  const be = new ProxyBackend(spec, new Backend(spec, clock));
  const health = new ServerHealth(r.config, new Map([['be', be]]), { killSessions: () => {} }, { clock });
  const server = be.servers[0]!;
  return { be, server, state: health.stateOf(server)! };
}

describe('hanaOfHttpStatus', () => {
  it('counts 5xx as errors except 501 and 505, and anything below 100', () => {
    for (const ok of [100, 200, 302, 404, 499, 501, 505]) expect(hanaOfHttpStatus(ok), String(ok)).toBe('HTTP_OK');
    for (const bad of [0, 99, 500, 502, 503, 504, 506, 599, 600]) expect(hanaOfHttpStatus(bad), String(bad)).toBe('HTTP_STS');
  });
});

describe('observeHttpResponse', () => {
  it('marks the server down after error-limit consecutive 5xx with on-error mark-down', () => {
    const { be, server, state } = wired('server s1 127.0.0.1:1 check observe layer7 error-limit 3 on-error mark-down');
    expect(server.oper).toBe('UP');
    observeHttpResponse(be, server, { status: 503 });
    observeHttpResponse(be, server, { status: 502 });
    // A good answer resets the count: errors must be consecutive.
    observeHttpResponse(be, server, { status: 200 });
    observeHttpResponse(be, server, { status: 501 });
    observeHttpResponse(be, server, { status: 500 });
    observeHttpResponse(be, server, { failure: 'HTTP_READ_TIMEOUT' });
    expect(server.oper).toBe('UP');
    observeHttpResponse(be, server, { failure: 'HTTP_HDRRSP' });
    expect(server.oper).toBe('DOWN');
    expect(state.check.status).toBe('HANA');
    expect(state.check.desc).toBe('Detected 3 consecutive errors, last one was: Invalid http response (headers)');
  });

  it('does nothing without observe, and layer4 ignores http statuses', () => {
    for (const line of ['server s1 127.0.0.1:1 check error-limit 1 on-error mark-down', 'server s1 127.0.0.1:1 check observe layer4 error-limit 1 on-error mark-down']) {
      const { be, server } = wired(line);
      for (let i = 0; i < 5; i++) observeHttpResponse(be, server, { status: 500 });
      expect(server.oper, line).toBe('UP');
    }
  });
});
