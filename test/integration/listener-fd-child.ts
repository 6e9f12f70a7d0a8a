// Child process of listener-fd.test.ts: serves `bind fd@3`, a listening socket it inherited
// from its parent, and prints every access-log record as one JSON line on stdout.
import { Runtime } from '../../src/proxy/runtime.ts';
import { bindSpec, configOf, proxySpec, serverSpec } from './proxy-harness.ts';

const backendPort = Number(process.argv[2]);
const config = configOf([proxySpec({ name: 'inherited', binds: [bindSpec([{ kind: 'fd', fd: 3 }])], servers: [serverSpec('s1', backendPort)] })]);
const runtime = new Runtime(config, { accessLog: () => (rec) => process.stdout.write(`${JSON.stringify(rec)}\n`) });
await runtime.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void runtime.stop().then(() => process.exit(0));
});
