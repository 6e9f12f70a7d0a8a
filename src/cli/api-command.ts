// `hapair api [-S SOCKET] [-f FILE] 'COMMAND'`: send one runtime API command (HAProxy
// management.txt 9.3) to a `stats socket` and print the answer, as `socat` would. SOCKET is a
// UNIX path or `ipv4@IP:PORT` / `IP:PORT`; default: the first `stats socket` of -f, else
// /run/hapair/api.sock.
import net from 'node:net';
import { parseArgs } from 'node:util';
import { API_HELP } from './help.ts';
import { loadAndReport } from './load.ts';

export const DEFAULT_API_SOCKET = '/run/hapair/api.sock';

type Target = { readonly path: string } | { readonly host: string; readonly port: number };

/** `ipv4@1.2.3.4:9999`, `unix@/x`, `/x`, `127.0.0.1:9999`. */
export function parseSocketArg(arg: string): Target {
  const s = arg.replace(/^(unix|ipv4|ipv6)@/, '');
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(s);
  if (m && !s.startsWith('/') && !s.startsWith('.')) return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
  return { path: s };
}

function socketFromConfig(files: string[]): Target | 'error' | undefined {
  const { config } = loadAndReport(files, process.stderr);
  if (!config) return 'error';
  const first = config.global.statsSockets[0];
  if (first === undefined) return undefined;
  const a = first.address;
  if (a.kind === 'unix') return { path: a.path };
  if (a.kind === 'tcp') return { host: a.host === '0.0.0.0' || a.host === '' ? '127.0.0.1' : a.host === '::' ? '::1' : a.host, port: a.port };
  return undefined;
}

/** Sends `command` and resolves with everything the server wrote until it closed. */
export function sendApiCommand(target: Target, command: string, timeoutMs = 30000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = 'path' in target ? net.createConnection(target.path) : net.createConnection(target.port, target.host);
    const chunks: Buffer[] = [];
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error('timeout waiting for the answer')));
    sock.on('connect', () => sock.end(`${command}\n`));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

export async function runApiCommand(argv: readonly string[]): Promise<number> {
  let values: { S?: string; f?: string[]; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { S: { type: 'string' }, f: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`hapair api: ${(e as Error).message}\n\n${API_HELP}`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(API_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`hapair api: no command given\n\n${API_HELP}`);
    return 1;
  }
  let target: Target | 'error' | undefined = values.S === undefined ? undefined : parseSocketArg(values.S);
  if (target === undefined && values.f?.length) target = socketFromConfig(values.f);
  if (target === 'error') return 1;
  target ??= { path: DEFAULT_API_SOCKET };
  try {
    process.stdout.write(await sendApiCommand(target, positionals.join(' ')));
    return 0;
  } catch (e) {
    const where = 'path' in target ? target.path : `${target.host}:${target.port}`;
    process.stderr.write(`hapair api: cannot talk to ${where}: ${(e as Error).message}\n`);
    return 2;
  }
}
