// Stand-alone entry of the keepalive process for the lab and for development, until `hapair
// keepalive -f FILE -L NAME` is wired by the CLI: the sections come as JSON in the ExtraSection
// shape the config parser produces.
//   node src/keepalive/keepalive-main.ts --sections FILE.json -L NAME [--control PATH]
//        [--proxy-api PATH|IP:PORT] [--log-level LEVEL] [--no-guard]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { ExtraSection } from '../config/model.ts';
import { parseKeepaliveSections, runKeepalive } from './run-keepalive.ts';
import type { ProxyApiAddress } from './spec.ts';

function proxyApi(text: string | undefined): ProxyApiAddress | undefined {
  if (text === undefined) return undefined;
  const m = /^([\d.]+):(\d+)$/.exec(text);
  return m ? { kind: 'tcp', host: m[1], port: Number(m[2]) } : { kind: 'unix', path: text };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sections: { type: 'string' },
      L: { type: 'string', short: 'L' },
      control: { type: 'string' },
      'proxy-api': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'no-guard': { type: 'boolean', default: false },
    },
  });
  if (!values.sections || !values.L) {
    process.stderr.write('usage: keepalive-main.ts --sections FILE.json -L NAME [--control PATH] [--proxy-api ADDR]\n');
    return 1;
  }
  const logger = pino({ level: values['log-level'], base: { mod: 'keepalive', node: values.L } });
  const sections = JSON.parse(readFileSync(values.sections, 'utf8')) as ExtraSection[];
  const { specs, diagnostics } = parseKeepaliveSections(sections);
  for (const d of diagnostics) logger[d.severity === 'error' ? 'error' : 'warn']({ loc: d.loc }, d.message);
  if (diagnostics.some((d) => d.severity === 'error')) return 1;
  return runKeepalive({
    specs,
    localNode: values.L,
    controlSocket: values.control,
    proxyApi: proxyApi(values['proxy-api']),
    logger,
    vipGuard: !values['no-guard'],
  });
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
