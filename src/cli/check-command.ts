// `hapair check -f FILE...`: the same validation as `hapair proxy -c`.
import { parseArgs } from 'node:util';
import { CHECK_HELP } from './help.ts';
import { loadAndReport, reportServerAddresses } from './load.ts';

export async function runCheck(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { f: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`hapair check: ${(e as Error).message}\n\n${CHECK_HELP}`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(CHECK_HELP);
    return 0;
  }
  if (!values.f?.length) {
    process.stderr.write(`hapair check: no configuration file (-f FILE)\n\n${CHECK_HELP}`);
    return 1;
  }
  const { config } = loadAndReport(values.f, process.stderr);
  if (!config) return 1;
  if (!(await reportServerAddresses(config, process.stderr))) return 1;
  process.stdout.write('Configuration file is valid\n');
  return 0;
}
