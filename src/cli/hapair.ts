// The `hapair` command: dispatches to subcommands. Exit codes follow haproxy: 0 ok, 1 bad
// config or usage, 2 runtime failure at start.
import { HAPAIR_VERSION, TOP_HELP } from './help.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    // Subcommands load lazily: `--help` must work even where a subsystem cannot load.
    case 'proxy':
      return (await import('./proxy-command.ts')).runProxy(rest);
    case 'keepalive':
      return (await import('./keepalive-command.ts')).runKeepaliveCommand(rest);
    case 'check':
      return (await import('./check-command.ts')).runCheck(rest);
    case 'api':
      return (await import('./api-command.ts')).runApiCommand(rest);
    case '-v':
    case '--version':
    case 'version':
      process.stdout.write(`hapair version ${HAPAIR_VERSION} (Node.js ${process.version})\n`);
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(TOP_HELP);
      return sub === undefined ? 1 : 0;
    default:
      process.stderr.write(`hapair: unknown command '${sub}'\n\n${TOP_HELP}`);
      return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
