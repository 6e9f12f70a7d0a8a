// The backends the proxies forward to. They are the same process for both contenders in a run,
// so whatever they cost is shared; they must be fast enough not to be the bottleneck.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildHandle } from './children.ts';
import { freePort, LOOPBACK, probeHttp, waitForAccept } from './net-wait.ts';
import { HAPROXY_BIN, PINNED_NODE, REPO_ROOT } from './proxies.ts';
import type { BenchContext } from '../scenarios/scenario.ts';

export interface Backend {
  readonly port: number;
  readonly child: ChildHandle;
}

/** Bodies longer than this go through a file: HAProxy config lines are not meant to carry them. */
const INLINE_BODY_MAX = 128;

/**
 * An HTTP/1.1 keep-alive responder: a separate HAProxy, one thread, answering every request
 * itself (HAProxy configuration.txt 4.2 "http-request return"). Neutral (neither contender's code)
 * and faster per request than anything Node offers.
 */
export async function startResponder(ctx: BenchContext, body: string, label = 'responder'): Promise<Backend> {
  const port = await freePort();
  let payload = `string ${JSON.stringify(body)}`;
  if (body.length > INLINE_BODY_MAX || /["\\$]/.test(body)) {
    const bodyFile = join(ctx.workDir, `${label}.body`);
    writeFileSync(bodyFile, body);
    payload = `file ${bodyFile}`;
  }
  const configFile = join(ctx.workDir, `${label}.cfg`);
  writeFileSync(configFile, [
    'global',
    '    nbthread 1',
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 60s',
    '    timeout server 60s',
    `frontend ${label}`,
    `    bind ${LOOPBACK}:${port}`,
    `    http-request return status 200 content-type text/plain ${payload}`,
    '',
  ].join('\n'));
  const child = ctx.children.spawn(label, HAPROXY_BIN, ['-db', '-f', configFile], { cpus: ctx.cpus?.load });
  await waitForAccept(port, child);
  await probeHttp(port, body.slice(0, 32), label);
  return { port, child };
}

/** The bulk source: ./bulk-server.ts in its own Node process, `GET /<bytes>` answers that many bytes. */
export async function startBulkServer(ctx: BenchContext, label = 'bulk-server'): Promise<Backend> {
  const port = await freePort();
  const script = join(REPO_ROOT, 'bench', 'lib', 'bulk-server.ts');
  const child = ctx.children.spawn(label, PINNED_NODE, [script, String(port)], { cpus: ctx.cpus?.load });
  await waitForAccept(port, child);
  await probeHttp(port, 'xxxx', label, '/16');
  return { port, child };
}
