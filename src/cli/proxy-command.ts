// `hapair proxy`: haproxy's command line (-f -L -c -d -D -p -v) over the proxy runtime.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { HAPAIR_VERSION, PROXY_HELP } from './help.ts';
import { loadAndReport, reportServerAddresses } from './load.ts';
import { startProxy } from './proxy-start.ts';

interface ProxyArgs {
  readonly files: string[];
  readonly localPeer: string;
  readonly check: boolean;
  readonly debug: boolean;
  readonly daemon: boolean;
  readonly pidfile?: string;
}

function parseProxyArgs(argv: readonly string[]): ProxyArgs | 'help' | 'version' | Error {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        f: { type: 'string', multiple: true },
        L: { type: 'string' },
        c: { type: 'boolean' },
        d: { type: 'boolean' },
        D: { type: 'boolean' },
        p: { type: 'string' },
        v: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) return 'help';
    if (values.v) return 'version';
    if (!values.f?.length) return new Error('no configuration file (-f FILE)');
    return {
      files: values.f,
      localPeer: values.L ?? hostname(),
      check: values.c ?? false,
      debug: values.d ?? false,
      daemon: values.D ?? false,
      pidfile: values.p,
    };
  } catch (e) {
    return e as Error;
  }
}

export async function runProxy(argv: readonly string[]): Promise<number> {
  const args = parseProxyArgs(argv);
  if (args === 'help') {
    process.stdout.write(PROXY_HELP);
    return 0;
  }
  if (args === 'version') {
    process.stdout.write(`hapair version ${HAPAIR_VERSION} (Node.js ${process.version})\n`);
    return 0;
  }
  if (args instanceof Error) {
    process.stderr.write(`hapair proxy: ${args.message}\n\n${PROXY_HELP}`);
    return 1;
  }
  // HAProxy presets HAPROXY_LOCALPEER to -L (or the host name) before reading the configuration.
  process.env.HAPROXY_LOCALPEER = args.localPeer;
  const { config } = loadAndReport(args.files, process.stderr);
  if (!config) return 1;
  if (args.check) {
    if (!(await reportServerAddresses(config, process.stderr))) return 1;
    process.stdout.write('Configuration file is valid\n');
    return 0;
  }
  if (args.daemon) return daemonize(argv, args.pidfile);
  if (args.pidfile) writeFileSync(args.pidfile, `${process.pid}\n`);
  return startProxy(config, { localPeer: args.localPeer, debug: args.debug });
}

/** -D: re-run ourselves detached without -D, record the child's pid, return at once (haproxy -D). */
function daemonize(argv: readonly string[], pidfile: string | undefined): number {
  const rest = argv.filter((a) => a !== '-D');
  const child = spawn(process.execPath, [process.argv[1], 'proxy', ...rest.filter((a, i) => !(a === '-p' || rest[i - 1] === '-p'))], {
    detached: true,
    stdio: 'ignore',
  });
  if (pidfile && child.pid) writeFileSync(pidfile, `${child.pid}\n`);
  child.unref();
  return 0;
}
