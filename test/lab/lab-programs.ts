// Small programs the lab runs inside its network namespaces (one file, a mode per program):
//   backend  --name N --listen IP:PORT --peers IP=LB,IP=LB
//            answers "LB N\n" and closes, LB being the load balancer the connection came from
//            (its source address; `hapair proxy` connects from the lb's own address), so a
//            client reaching a backend through the VIP learns which lb's proxy served it
//   probe    --target IP:PORT --every MS --timeout MS
//            a client opening a new connection every MS, one JSON line per probe on stdout
import { connect, createServer, type Socket } from 'node:net';
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
  const peers = new Map((v.peers ?? '').split(',').filter(Boolean).map((p) => p.split('=') as [string, string]));
  listen(v.listen!, (s) => {
    s.on('error', () => {});
    const from = (s.remoteAddress ?? '').replace(/^::ffff:/, '');
    s.end(`${peers.get(from) ?? from} ${v.name}\n`);
  });
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
    peers: { type: 'string' },
    target: { type: 'string' },
    every: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '50' },
  },
});
const mode = positionals[0];
if (mode === 'backend') backend(values);
else if (mode === 'probe') probe(values);
else {
  process.stderr.write('usage: lab-programs.ts backend|probe ...\n');
  process.exit(1);
}
