// `hapair keepalive -f FILE... [-L NAME]`: the election process of this node, configured by the
// `keepalive` sections of the same file the proxy reads.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_CONTROL_SOCKET, parseKeepaliveSections, runKeepalive, type ProxyApiAddress } from '../keepalive/keepalive.ts';
import type { HapairConfig } from '../config/model.ts';
import { initRootLogger } from '../log/logger.ts';
import { KEEPALIVE_HELP } from './help.ts';
import { loadAndReport } from './load.ts';

/** `track-proxy` probes the proxy's first `stats socket` unless the section names one. */
function proxyApiOf(config: HapairConfig): ProxyApiAddress | undefined {
  const a = config.global.statsSockets[0]?.address;
  if (a?.kind === 'unix') return { kind: 'unix', path: a.path };
  if (a?.kind === 'tcp') return { kind: 'tcp', host: a.host, port: a.port };
  return undefined;
}

export async function runKeepaliveCommand(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        f: { type: 'string', multiple: true },
        L: { type: 'string' },
        d: { type: 'boolean' },
        S: { type: 'string' },
        'no-guard': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`hapair keepalive: ${(e as Error).message}\n\n${KEEPALIVE_HELP}`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(KEEPALIVE_HELP);
    return 0;
  }
  if (!values.f?.length) {
    process.stderr.write(`hapair keepalive: no configuration file (-f FILE)\n\n${KEEPALIVE_HELP}`);
    return 1;
  }
  const localNode = values.L ?? hostname();
  process.env.HAPROXY_LOCALPEER = localNode;
  const { config } = loadAndReport(values.f, process.stderr);
  if (!config) return 1;
  const { specs } = parseKeepaliveSections(config.extraSections);
  if (specs.length === 0) {
    process.stderr.write('[ALERT] no keepalive section in the configuration\n');
    return 1;
  }
  const logger = initRootLogger({ level: values.d ? 'debug' : undefined }).child({ mod: 'keepalive', node: localNode });
  return runKeepalive({
    specs,
    localNode,
    controlSocket: values.S ?? DEFAULT_CONTROL_SOCKET,
    proxyApi: proxyApiOf(config),
    logger,
    vipGuard: !values['no-guard'],
  });
}
