// Differential against HAProxy 2.6: `show schema json` on the runtime API and `;json-schema` on
// the stats page return the same JSON schema document, byte for byte, with the same headers
// (and `;json`, which shares the branch, the same framing).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './proxy-harness.ts';
import { apiConfigHead, ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

const cfg = (dir: string, port: number): string => `${apiConfigHead(`${dir}/api.sock`, 'user', 'http')}listen st
    bind 127.0.0.1:${port}
    stats enable
    stats uri /stats
    stats refresh 5s
`;

let ha: HaproxyApi | undefined;
let haPort = 0;
let ourPort = 0;
let px: ApiProxy | undefined;

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

function get(port: number, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = res.headers;
        resolve({ status: res.statusCode ?? 0, headers: { 'content-type': h['content-type'], refresh: h.refresh as string | undefined }, body: Buffer.concat(chunks).toString('latin1') });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer for ${path}`)));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  haPort = await freePort();
  ha = await startHaproxyApi('hapair-schema-ha-', (dir) => cfg(dir, haPort));
  ourPort = await freePort();
  px = await startApiProxy((dir) => cfg(dir, ourPort));
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
});

describe('stats JSON schema against HAProxy 2.6', () => {
  it('show schema json prints the same document at level user', async () => {
    const theirs = await ask(ha!.sock('api.sock'), 'show schema json');
    const ours = await ask(px!.sock('api.sock'), 'show schema json');
    expect(theirs.startsWith('{"$schema":"http://json-schema.org/draft-04/schema#"'), 'haproxy oracle shape').toBe(true);
    expect(ours).toBe(theirs);
    // It is a JSON document (plus the CLI's empty-line terminator).
    expect(JSON.parse(ours)).toHaveProperty('definitions.typedValue.definitions.u64Value');
  });

  it('answers incomplete or extended command lines as haproxy does', async () => {
    for (const cmd of ['show schema', 'show schema xml', 'show schema json extra', 'show schema json; show schema json']) {
      const theirs = await ask(ha!.sock('api.sock'), cmd);
      const ours = await ask(px!.sock('api.sock'), cmd);
      expect({ cmd, ours }).toEqual({ cmd, ours: theirs });
    }
  });

  it(';json-schema on the stats page returns the same document and headers', async () => {
    for (const path of ['/stats;json-schema', '/stats;json-schema;norefresh', '/stats;json;json-schema']) {
      const theirs = await get(haPort, path);
      const ours = await get(ourPort, path);
      expect(theirs.body.startsWith('{"$schema"'), 'haproxy oracle shape').toBe(true);
      expect({ path, ...ours }).toEqual({ path, ...theirs });
    }
  });

  it(';json data ends the way haproxy ends it (a newline after the outer array)', async () => {
    const theirs = await get(haPort, '/stats;json');
    const ours = await get(ourPort, '/stats;json');
    expect(theirs.body.slice(-4)).toBe('}]]\n');
    expect(ours.body.slice(-4)).toBe(theirs.body.slice(-4));
    expect(ours.headers).toEqual(theirs.headers);
  });
});
