// --help texts, kept beside the commands they describe and changed with them.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const HAPAIR_VERSION: string = pkg.version;

export const TOP_HELP = `Usage: hapair <command> [options]

hapair is an HA pair appliance: an HAProxy-compatible reverse proxy (and, in later
releases, a VRRP-like keepalive) configured with one haproxy.cfg-style file.

Commands:
  proxy     run the reverse proxy (haproxy's flags: -f FILE -L NAME -c -d -D -p PIDFILE)
  check     validate configuration files and report every error at once
  version   print the version (also -v, --version)
  help      this text

Run 'hapair <command> --help' for a command's options.
`;

export const PROXY_HELP = `Usage: hapair proxy -f FILE [-f FILE...] [-L NAME] [-c] [-d] [-D -p PIDFILE] [-v]

Runs the proxy described by the configuration (HAProxy syntax). Several -f are read in
order; a directory stands for its *.cfg files in lexical order.

Options:
  -f FILE|DIR   configuration file or directory (repeatable, required)
  -L NAME       local peer name (default: the host name)
  -c            check the configuration, print "Configuration file is valid", exit 0 (1 if not)
  -d            debug: stay in the foreground and log at debug level
  -D            daemon: detach into the background
  -p PIDFILE    write the process id to PIDFILE
  -v            print the version and exit
  -h, --help    this text

Signals: SIGTERM, SIGINT stop at once; SIGUSR1 soft-stops (listeners close, sessions finish).
`;

export const CHECK_HELP = `Usage: hapair check -f FILE [-f FILE...]

Validates configuration files with the same validator as 'hapair proxy -c' and prints
every error as FILE:LINE: SECTION 'NAME': message. Exit 0 when valid, 1 otherwise.
`;
