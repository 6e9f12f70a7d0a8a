import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildRegistry, type ChildHandle } from './children.ts';
import { freePort, httpGet, waitForAccept } from './net-wait.ts';
import { PINNED_NODE } from './proxies.ts';

let dir: string;
let children: ChildRegistry;
let server: ChildHandle;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-bulk-test-'));
  children = new ChildRegistry(dir);
  port = await freePort();
  server = children.spawn('bulk', PINNED_NODE, [join(import.meta.dirname, 'bulk-server.ts'), String(port)]);
  await waitForAccept(port, server);
});

afterAll(async () => {
  await children.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

function split(response: string): { head: string; body: string } {
  const at = response.indexOf('\r\n\r\n');
  return { head: response.slice(0, at), body: response.slice(at + 4) };
}

describe('bulk-server', () => {
  it('answers GET /<n> with exactly n bytes and a matching Content-Length', async () => {
    const n = 3 * 1024 * 1024 + 7; // several chunks plus a partial one
    const { head, body } = split(await httpGet(port, `/${n}`));
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain(`Content-Length: ${n}`);
    expect(body.length).toBe(n);
    expect(body.replaceAll('x', '')).toBe('');
  });

  it('answers a zero-byte request with an empty body', async () => {
    const { head, body } = split(await httpGet(port, '/0'));
    expect(head).toContain('Content-Length: 0');
    expect(body).toBe('');
  });
});
