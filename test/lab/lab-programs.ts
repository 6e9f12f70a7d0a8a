// Small programs the lab runs inside its network namespaces (one file, a mode per program):
//   backend  --name N --listen IP:PORT              answers "N\n" and closes
//   proxy    --name N --listen IP:PORT[,IP:PORT] --api PATH --backends IP:PORT,IP:PORT
//            a stand-in for `hapair proxy`: relays to a backend and answers "N BACKEND\n";
//            its runtime API socket answers `show info` like HAProxy (so SIGSTOP makes it hang)
//   probe    --target IP:PORT --every MS --timeout MS
//            a client opening a new connection every MS, one JSON line per probe on stdout
import { connect, createServer, type Socket } from 'node:net';
import { unlinkSync } from 'node:fs';
import { parseArgs } from 'node:util';

function hostPort(s: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
  if (!m) throw new Error(`bad address ${s}`);
  return { host: m[1], port: Number(m[2]) };
}

function listen(addr: string, onConn: (s: Socket) => void): void {
  const { host, port } = hostPort(addr);
  const server = createServer(onConn);
  server.on('error', (err) => {
    process.stderr.write(`listen ${addr}: ${err.message}\n`);
    process.exit(3);
  });
  server.listen({ host, port, exclusive: true });
}

function ask(addr: string, timeout: number, send = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const { host, port } = hostPort(addr);
    let data = '';
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('timeout'));
    }, timeout);
    s.setEncoding('utf8');
    s.on('connect', () => send && s.write(send));
    s.on('data', (d: string) => (data += d));
    s.on('end', () => {
      clearTimeout(timer);
      resolve(data);
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function backend(v: Record<string, string | undefined>): void {
  listen(v.listen!, (s) => {
    s.on('error', () => {});
    s.end(`${v.name}\n`);
  });
}

function proxy(v: Record<string, string | undefined>): void {
  const backends = v.backends!.split(',');
  let rr = 0;
  for (const addr of v.listen!.split(',')) {
    listen(addr, (s) => {
      s.on('error', () => {});
      const b = backends[rr++ % backends.length];
      ask(b, 1000)
        .then((answer) => s.end(`${v.name} ${answer.trim()}\n`))
        .catch(() => s.end(`${v.name} -\n`));
    });
  }
  try {
    unlinkSync(v.api!);
  } catch {
    // none left over
  }
  const api = createServer((s) => {
    s.on('error', () => {});
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      if (d.startsWith('show info')) s.end(`Name: lab-proxy\nNode: ${v.name}\nPid: ${process.pid}\n\n`);
      else s.end('Unknown command.\n\n');
    });
  });
  api.listen(v.api!);
}

function probe(v: Record<string, string | undefined>): void {
  const every = Number(v.every);
  const timeout = Number(v.timeout);
  let seq = 0;
  const timer = setInterval(() => {
    const n = seq++;
    const t = Date.now();
    ask(v.target!, timeout)
      .then((a) => process.stdout.write(`${JSON.stringify({ n, t, ok: true, node: a.split(' ')[0].trim() })}\n`))
      .catch((err: Error) => process.stdout.write(`${JSON.stringify({ n, t, ok: false, err: err.message })}\n`));
  }, every);
  const stop = () => {
    clearInterval(timer);
    setTimeout(() => process.exit(0), timeout + 50);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    listen: { type: 'string' },
    api: { type: 'string' },
    backends: { type: 'string' },
    target: { type: 'string' },
    every: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '50' },
  },
});
const mode = positionals[0];
if (mode === 'backend') backend(values);
else if (mode === 'proxy') proxy(values);
else if (mode === 'probe') probe(values);
else {
  process.stderr.write('usage: lab-programs.ts backend|proxy|probe ...\n');
  process.exit(1);
}
