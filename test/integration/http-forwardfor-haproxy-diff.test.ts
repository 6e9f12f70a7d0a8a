// Differential test of `option forwardfor`: the same configuration text runs in HAProxy 2.6 and
// in `hapair proxy`; each request must reach the backend with the same X-Forwarded-For (or
// custom-named) header fields, in the same order. Covers the plain option, `if-none`, `except`
// (client addresses inside and outside the network), `header NAME`, the option set in the
// frontend, in the backend or in both (names equal or not), and http-request rules that run
// before the header is added (HAProxy adds it after the frontend's and the backend's rules);
// IPv6 clients, IPv6 `except` networks and IPv4 clients of a dual-stack (`:::PORT`) listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForPort } from '../support/process.ts';
import { distinctFreePorts, type HaproxyRun, type NameServer, rawRequest, startHapairProxy, startHaproxy, startNameServer } from './http-oracle-harness.ts';

/**
 * Frontend name → its option lines; each frontend has its own port and the backend of the same
 * name. `bind` is the listening address (IPv4 loopback by default); `v6` clients connect from ::1.
 */
const FRONTENDS: Record<string, { fe: string[]; be: string[]; bind?: string; v6?: boolean }> = {
  plain: { fe: ['option forwardfor'], be: [] },
  ifnone: { fe: ['option forwardfor if-none'], be: [] },
  except: { fe: ['option forwardfor except 127.0.0.2'], be: [] },
  exceptnet: { fe: ['option forwardfor except 127.0.0.0/30 header X-Real-IP'], be: [] },
  named: { fe: ['option forwardfor header X-Client'], be: [] },
  namedifnone: { fe: ['option forwardfor header X-Client if-none'], be: [] },
  beonly: { fe: [], be: ['option forwardfor header X-Be'] },
  both: { fe: ['option forwardfor header X-Fe'], be: ['option forwardfor header X-Be'] },
  bothsame: { fe: ['option forwardfor'], be: ['option forwardfor'] },
  beexcept: { fe: ['option forwardfor'], be: ['option forwardfor except 127.0.0.3'] },
  feexcept: { fe: ['option forwardfor except 127.0.0.2'], be: ['option forwardfor header X-Be'] },
  bothexcept: { fe: ['option forwardfor except 127.0.0.2'], be: ['option forwardfor except 127.0.0.3'] },
  feifnone: { fe: ['option forwardfor if-none'], be: ['option forwardfor'] },
  beifnone: { fe: ['option forwardfor'], be: ['option forwardfor if-none'] },
  bothifnone: { fe: ['option forwardfor if-none'], be: ['option forwardfor header X-Forwarded-For if-none'] },
  v6: { fe: ['option forwardfor'], be: [], bind: '[::1]', v6: true },
  v6except: { fe: ['option forwardfor except ::1/128'], be: [], bind: '[::1]', v6: true },
  v6exceptnet: { fe: ['option forwardfor except 2001:db8::/32'], be: [], bind: '[::1]', v6: true },
  dual: { fe: ['option forwardfor'], be: [], bind: '::' },
  dualexcept: { fe: ['option forwardfor except 127.0.0.2'], be: [], bind: '::' },
  dualexcept6: { fe: ['option forwardfor except ::ffff:127.0.0.2/128'], be: [], bind: '::' },
  rules: { fe: ['option forwardfor if-none', 'http-request del-header X-Forwarded-For if { hdr(x-drop) 1 }'], be: ['http-request set-header X-Forwarded-For set-by-be if { hdr(x-set) 1 }'] },
};

const NAMES = Object.keys(FRONTENDS);

function config(ports: readonly number[], bePort: number): string {
  const sections = NAMES.map((name, i) => `frontend ${name}
    bind ${FRONTENDS[name]!.bind ?? '127.0.0.1'}:${ports[i]}
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

interface Case {
  readonly frontend: string;
  readonly headers: readonly string[];
  /** The client's source address (127.0.0.0/8 is all local on Linux; ::1 connects to ::1). */
  readonly from: string;
}

const CASES: Case[] = [];
for (const frontend of NAMES) {
  const sources = FRONTENDS[frontend]!.v6 === true ? ['::1'] : ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
  for (const from of sources) CASES.push({ frontend, headers: [], from });
  const from = sources[0]!;
  CASES.push({ frontend, headers: ['X-Forwarded-For: 192.0.2.7'], from });
  CASES.push({ frontend, headers: ['X-Forwarded-For: 192.0.2.7', 'x-forwarded-for: 198.51.100.1, 10.0.0.1'], from });
  CASES.push({ frontend, headers: ['X-Client: 192.0.2.8', 'X-Real-IP: 192.0.2.9', 'X-Be: b', 'X-Fe: f'], from });
  CASES.push({ frontend, headers: ['X-Forwarded-For: 192.0.2.7', 'X-Drop: 1'], from });
  CASES.push({ frontend, headers: ['X-Set: 1'], from });
}

/** The header fields the forwardfor options can add or the rules touch, in order, names lower-cased. */
const WATCHED = ['x-forwarded-for', 'x-client', 'x-real-ip', 'x-be', 'x-fe'];

function watched(head: string | undefined): string[] | undefined {
  if (head === undefined) return undefined;
  return head.split('\r\n').slice(1)
    .map((f) => `${f.slice(0, f.indexOf(':')).toLowerCase()}: ${f.slice(f.indexOf(':') + 1).trim()}`)
    .filter((f) => WATCHED.includes(f.slice(0, f.indexOf(':'))));
}

let backend: NameServer;
let haproxy: HaproxyRun | undefined;
let hapair: HaproxyRun | undefined;
let ports: number[];

beforeAll(async () => {
  backend = await startNameServer('web');
  ports = await distinctFreePorts(2 * NAMES.length);
  // Each proxy is started once its IPv4 listeners accept; then its ::1 listeners are waited for.
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

async function through(port: number, c: Case): Promise<{ status: number; fields: string[] | undefined }> {
  const before = backend.heads.length;
  const host = c.from === '::1' ? '::1' : '127.0.0.1';
  const r = await rawRequest(port, ['GET /ff HTTP/1.1', 'Host: example.com', ...c.headers].join('\r\n'), '', c.from, host);
  return { status: r.status, fields: backend.heads.length > before ? watched(backend.heads.at(-1)) : undefined };
}

describe('option forwardfor: the backend gets the header fields HAProxy 2.6 sends', () => {
  it.each(CASES.map((c) => [`${c.frontend} from ${c.from} ${c.headers.join(' | ') || '(no headers)'}`, c] as const))(
    '%s',
    async (_label, c) => {
      const i = NAMES.indexOf(c.frontend);
      const ref = await through(ports[i]!, c);
      const ours = await through(ports[NAMES.length + i]!, c);
      expect(ref.status).toBe(200);
      expect(ours).toEqual(ref);
    },
  );
});
