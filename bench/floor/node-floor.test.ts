import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpListenConfig } from '../lib/configs.ts';
import { ChildRegistry } from '../lib/children.ts';
import { freePort, waitForAccept } from '../lib/net-wait.ts';
import { NODE_FLOOR, REPO_ROOT } from '../lib/proxies.ts';

let dir: string;
let children: ChildRegistry;
let backend: http.Server;
let port: number;
const seen: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-floor-test-'));
  children = new ChildRegistry(dir);
  backend = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['x-n'] ?? ''}`);
    res.end(`echo ${req.url}`);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  port = await freePort();
  const configFile = join(dir, 'floor.cfg');
  writeFileSync(configFile, httpListenConfig(port, [(backend.address() as net.AddressInfo).port]));
  const [command, args] = NODE_FLOOR.command(configFile);
  const child = children.spawn('node-floor', command, args, { cwd: REPO_ROOT });
  await waitForAccept(port, child);
});

afterAll(async () => {
  await children.stopAll();
  await new Promise<void>((resolve) => backend.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `count` requests one after the other on one connection; resolves with every response. */
function keepAliveRequests(count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const answers: string[] = [];
    let buffered = '';
    const send = (): void => void socket.write(`GET /r${answers.length} HTTP/1.1\r\nhost: x\r\nx-n: ${answers.length}\r\n\r\n`);
    socket.setEncoding('latin1');
    socket.setTimeout(5000, () => socket.destroy(new Error('node-floor did not answer')));
    socket.on('connect', send);
    socket.on('data', (d: string) => {
      buffered += d;
      const m = /\r\n\r\n(echo \/r\d+)/.exec(buffered);
      if (m === null) return;
      answers.push(m[1]!);
      buffered = '';
      if (answers.length === count) socket.end(() => resolve(answers));
      else send();
    });
    socket.on('error', reject);
  });
}

describe('node-floor', () => {
  it('relays keep-alive requests and responses byte for byte over one server connection', async () => {
    expect(await keepAliveRequests(3)).toEqual(['echo /r0', 'echo /r1', 'echo /r2']);
    expect(seen).toEqual(['GET /r0 0', 'GET /r1 1', 'GET /r2 2']);
  });

  it('serves several clients at once', async () => {
    const all = await Promise.all([keepAliveRequests(2), keepAliveRequests(2), keepAliveRequests(2)]);
    expect(all).toEqual([0, 1, 2].map(() => ['echo /r0', 'echo /r1']));
  });
});
