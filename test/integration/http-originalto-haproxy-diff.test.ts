// Differential test of `option originalto [except NET] [header NAME]`: the same configuration text
// runs in HAProxy 2.6 and in `hapair proxy`; each request must reach the backend with the same
// head, every field in the same order. Covers the plain option, `header NAME`, `except` (the
// destination address inside and outside the network, dotted and CIDR masks, IPv6), the option
// in the frontend, in the backend or in both (the backend's name wins, either `except` skips the
// header), a client's own X-Original-To (kept, ours follows it), a rule that sets it, and the
// position after `option forwardfor`'s header and before the `connection` header the proxy adds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForPort } from '../support/process.ts';
import { distinctFreePorts, type HaproxyRun, type NameServer, rawRequest, startHapairProxy, startHaproxy, startNameServer } from './http-oracle-harness.ts';

/** Frontend name → its lines and its backend's; `v6`: bound on [::1], the client connects there. */
const FRONTENDS: Record<string, { fe: string[]; be: string[]; v6?: boolean }> = {
  plain: { fe: ['option originalto'], be: [] },
  named: { fe: ['option originalto header X-Dst'], be: [] },
  except: { fe: ['option originalto except 127.0.0.1'], be: [] },
  exceptother: { fe: ['option originalto except 127.0.0.2/32'], be: [] },
  exceptnet: { fe: ['option originalto except 127.0.0.0/255.0.0.0 header X-Dst'], be: [] },
  lastwins: { fe: ['option originalto except 127.0.0.0/8 header X-A except 10.0.0.0/8 header X-B'], be: [] },
  beonly: { fe: [], be: ['option originalto header X-Be'] },
  both: { fe: ['option originalto header X-Fe'], be: ['option originalto header X-Be'] },
  fenamed: { fe: ['option originalto header X-Fe'], be: ['option originalto'] },
  beexcept: { fe: ['option originalto'], be: ['option originalto except 127.0.0.1/32'] },
  feexcept: { fe: ['option originalto except 127.0.0.1'], be: ['option originalto header X-Be'] },
  withff: { fe: ['option forwardfor', 'option originalto', 'option http-server-close'], be: [] },
  withffbe: { fe: ['option originalto header X-Fe'], be: ['option forwardfor header X-Be-Ff', 'option httpclose'] },
  rules: { fe: ['option originalto', 'http-request set-header X-Original-To from-rule if { hdr(x-set) 1 }'], be: [] },
  v6: { fe: ['option originalto'], be: [], v6: true },
  v6except: { fe: ['option originalto except ::1/128'], be: [], v6: true },
  v6exceptnet: { fe: ['option originalto except 2001:db8::/32 header X-Dst'], be: [], v6: true },
};

const NAMES = Object.keys(FRONTENDS);

function config(ports: readonly number[], bePort: number): string {
  const sections = NAMES.map((name, i) => `frontend ${name}
    bind ${FRONTENDS[name]!.v6 === true ? '[::1]' : '127.0.0.1'}:${ports[i]}
${FRONTENDS[name]!.fe.map((l) => `    ${l}\n`).join('')}    default_backend be_${name}
backend be_${name}
${FRONTENDS[name]!.be.map((l) => `    ${l}\n`).join('')}    server s 127.0.0.1:${bePort}
`);
  return `defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
${sections.join('')}`;
}

/** Request header sets sent to every frontend. */
const HEADER_SETS: readonly (readonly string[])[] = [
  [],
  ['X-Original-To: 192.0.2.1'],
  ['X-Dst: 192.0.2.2', 'x-original-to: 192.0.2.3', 'X-Be: b', 'X-Fe: f'],
  ['X-Set: 1'],
];

let backend: NameServer;
let haproxy: HaproxyRun | undefined;
let hapair: HaproxyRun | undefined;
let ports: number[];

beforeAll(async () => {
  backend = await startNameServer('web');
  ports = await distinctFreePorts(2 * NAMES.length);
  const v4 = (from: number): number[] => NAMES.flatMap((n, i) => (FRONTENDS[n]!.v6 === true ? [] : [ports[from + i]!]));
  const v6 = (from: number): number[] => NAMES.flatMap((n, i) => (FRONTENDS[n]!.v6 === true ? [ports[from + i]!] : []));
  haproxy = await startHaproxy(config(ports.slice(0, NAMES.length), backend.port), v4(0));
  hapair = await startHapairProxy(config(ports.slice(NAMES.length), backend.port), v4(NAMES.length));
  for (const p of [...v6(0), ...v6(NAMES.length)]) await waitForPort(p, '::1');
}, 60_000);

afterAll(async () => {
  await haproxy?.stop();
  await hapair?.stop();
  await backend?.close();
});

/** The head the backend got for one request (undefined if none arrived), and the status. */
async function through(port: number, frontend: string, headers: readonly string[]): Promise<{ status: number; head: string | undefined }> {
  const before = backend.heads.length;
  const host = FRONTENDS[frontend]!.v6 === true ? '::1' : '127.0.0.1';
  const r = await rawRequest(port, ['GET /ot HTTP/1.1', 'Host: example.com', ...headers].join('\r\n'), '', undefined, host);
  return { status: r.status, head: backend.heads.length > before ? backend.heads.at(-1) : undefined };
}

const CASES = NAMES.flatMap((frontend) => HEADER_SETS.map((headers) => [`${frontend}: ${headers.join(' | ') || '(no headers)'}`, frontend, headers] as const));

describe('option originalto: the backend gets the head HAProxy 2.6 sends', () => {
  it.each(CASES)('%s', async (_label, frontend, headers) => {
    const i = NAMES.indexOf(frontend);
    const ref = await through(ports[i]!, frontend, headers);
    const ours = await through(ports[NAMES.length + i]!, frontend, headers);
    expect(ref.status).toBe(200);
    expect(ours).toEqual(ref);
  });

  it('writes the destination address after x-forwarded-for and before the connection header', async () => {
    const r = await through(ports[NAMES.length + NAMES.indexOf('withff')]!, 'withff', []);
    expect(r.head).toBe('GET /ot HTTP/1.1\r\nhost: example.com\r\nx-forwarded-for: 127.0.0.1\r\nx-original-to: 127.0.0.1\r\nconnection: close');
  });
});
