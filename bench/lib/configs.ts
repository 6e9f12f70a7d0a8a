// Proxy configs shared by scenarios, in HAProxy syntax: the same text is given to HAProxy and to
// hapair. One thread (HAProxy configuration.txt 3.1 "nbthread"), no logging, equal timeouts.
import { LOOPBACK } from './net-wait.ts';

const TIMEOUTS = ['    timeout connect 5s', '    timeout client 60s', '    timeout server 60s'];

/** `global` and `defaults` of every bench config. */
function head(mode: 'tcp' | 'http'): string[] {
  return ['global', '    nbthread 1', 'defaults', `    mode ${mode}`, ...TIMEOUTS];
}

function serverLines(serverPorts: readonly number[]): string[] {
  return serverPorts.map((port, i) => `    server s${i + 1} ${LOOPBACK}:${port}`);
}

function listenConfig(mode: 'tcp' | 'http', listenPort: number, serverPorts: readonly number[]): string {
  return [...head(mode), 'listen bench', `    bind ${LOOPBACK}:${listenPort}`, ...serverLines(serverPorts), ''].join('\n');
}

/** `listen bench` in `mode tcp` relaying to the given servers (round robin when several). */
export function tcpListenConfig(listenPort: number, serverPorts: readonly number[]): string {
  return listenConfig('tcp', listenPort, serverPorts);
}

/** `listen bench` in `mode http` (keep-alive both sides, HAProxy's defaults) to the given servers. */
export function httpListenConfig(listenPort: number, serverPorts: readonly number[]): string {
  return listenConfig('http', listenPort, serverPorts);
}

/** Ten path/host rules of which only the last matches wrk's `GET /`, so every request runs them all. */
const ACL_ROUTES = [
  'acl is_api path_beg /api/', 'acl is_static path_end .css .js .png', 'acl is_admin path_beg -i /admin',
  'acl host_www hdr(host) -i www.example.com', 'acl is_post method POST', 'acl has_token hdr_cnt(x-token) gt 0',
  'acl is_img path_reg \\.(jpg|gif)$', 'acl is_ws hdr(upgrade) -i websocket', 'acl is_v2 url_param(v) -m str 2',
  'acl is_root path /',
];

/**
 * `frontend` + backends in `mode http`: 10 ACLs each used by a `use_backend` rule (only the last
 * matches), then three header rewrites (HAProxy configuration.txt 4.2 "http-request set-header").
 */
export function httpAclConfig(listenPort: number, serverPorts: readonly number[]): string {
  const names = ACL_ROUTES.map((line) => line.split(' ')[1]!);
  const servers = serverLines(serverPorts);
  return [
    ...head('http'),
    'frontend bench',
    `    bind ${LOOPBACK}:${listenPort}`,
    ...ACL_ROUTES.map((line) => `    ${line}`),
    '    http-request set-header X-Forwarded-Proto http',
    '    http-request add-header X-Bench hapair-bench',
    '    http-request del-header X-Unwanted',
    ...names.map((name, i) => `    use_backend be${i} if ${name}`),
    '    default_backend be_default',
    ...names.flatMap((_, i) => [`backend be${i}`, ...servers]),
    'backend be_default',
    ...servers,
    '',
  ].join('\n');
}
