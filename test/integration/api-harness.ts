// Harness for the runtime API tests: a real proxy Runtime built from config text (the real
// parser), its `stats socket`s in a temp dir, and a client that sends one line and reads until
// the server closes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { Runtime } from '../../src/proxy/runtime.ts';

export interface ApiProxy {
  readonly runtime: Runtime;
  readonly dir: string;
  /** Path of a socket file in the temp dir. */
  sock(name: string): string;
  stop(): Promise<void>;
}

/** The head of the API tests' configs: `global` with one stats socket, then `defaults` in `mode`. */
export function apiConfigHead(sock: string, level: 'user' | 'operator' | 'admin', mode: 'tcp' | 'http'): string {
  return `global
    stats socket ${sock} level ${level}
defaults
    mode ${mode}
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;
}

/** `cfg(dir)` returns the config text; `${dir}` holds the sockets. */
export async function startApiProxy(cfg: (dir: string) => string): Promise<ApiProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-api-'));
  const file = join(dir, 'h.cfg');
  writeFileSync(file, cfg(dir));
  const { config, diagnostics } = loadConfig([file], { env: {} });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!config || errors.length > 0) throw new Error(`bad test config: ${JSON.stringify(errors)}`);
  const runtime = new Runtime(config);
  try {
    await runtime.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    runtime,
    dir,
    sock: (name) => join(dir, name),
    async stop() {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `show stat` on the socket at `path`: each row as field → value, keyed `pxname/svname`. */
export async function showStatRows(path: string): Promise<Map<string, Map<string, string>>> {
  const lines = (await ask(path, 'show stat')).split('\n').filter((l) => l !== '');
  const header = lines[0]!.replace(/^# /, '').split(',');
  return new Map(lines.slice(1).map((l) => {
    const cells = l.split(',');
    return [`${cells[0]}/${cells[1]}`, new Map(header.map((h, i) => [h, cells[i] ?? '']))];
  }));
}

/** Send `text` (a newline is added unless `raw`) and resolve with all the answer once closed. */
export function ask(path: string, text: string, opts: { raw?: boolean; halfClose?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ path, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(new Error(`no close after ${JSON.stringify(text)}`)), 10_000);
    sock.on('connect', () => {
      sock.write(opts.raw ? text : `${text}\n`);
      if (opts.halfClose !== false) sock.end();
    });
    sock.on('data', (c: Buffer) => chunks.push(c));
    // As socat does: once the server is done, close our side too.
    sock.on('end', () => sock.end());
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

/** An interactive client: write lines, wait for text to appear. */
export class ApiClient {
  readonly socket: net.Socket;
  text = '';
  closed = false;

  constructor(path: string) {
    this.socket = net.createConnection({ path, allowHalfOpen: true });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (c: string) => (this.text += c));
    this.socket.on('end', () => this.socket.end());
    this.socket.on('error', () => {});
    this.socket.on('close', () => (this.closed = true));
  }

  send(line: string): void {
    this.socket.write(line);
  }

  /** Wait until the received text satisfies `pred` (bounded). */
  async waitText(pred: (t: string) => boolean, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pred(this.text)) {
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(this.text)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.text;
  }

  async waitClosed(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection not closed');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
