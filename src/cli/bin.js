#!/usr/bin/env node
// The `hapair` executable. Plain JavaScript so that any Node can start it: when the running Node
// is not the pinned 24 LTS (the `node` package), re-run under the pinned one; then load the
// TypeScript entry, which Node 24 runs by type stripping.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  const pinned = join(here, '..', '..', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(`hapair: needs Node.js 24 (found ${process.version}); run \`npm ci\` first\n`);
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGUSR1', 'SIGUSR2', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  const { main } = await import('./hapair.ts');
  process.exitCode = await main(process.argv.slice(2));
}
