// --help texts, kept beside the commands they describe and changed with them.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const HAPAIR_VERSION: string = pkg.version;

export const TOP_HELP = `Usage: hapair <command> [options]

hapair is an HA pair appliance: an HAProxy-compatible reverse proxy and a VRRP-like
keepalive that keeps floating IPs on the healthy node, configured with one haproxy.cfg-style
file.

Commands:
  proxy     run the reverse proxy (haproxy's flags: -f FILE -L NAME -c -d -D -p PIDFILE)
  keepalive run this node's election and floating IPs (the file's keepalive sections)
  check     validate configuration files and report every error at once
  api       send a runtime API command to the proxy's stats socket ('hapair api help')
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
Server host names are resolved as haproxy -c resolves them (init-addr, default last,libc).
`;

export const KEEPALIVE_HELP = `Usage: hapair keepalive -f FILE [-f FILE...] [-L NAME] [-S SOCKET] [-d] [--no-guard]

Runs the election of this node for every 'keepalive' section naming it: heartbeats to the
other node(s), floating IPs with ip(8) and gratuitous ARP, trackers and notify hooks.
Needs CAP_NET_ADMIN and CAP_NET_RAW.

Options:
  -f FILE|DIR   configuration file or directory (repeatable, required)
  -L NAME       this node's name in the 'node' lines (default: the host name)
  -S SOCKET     control socket (default /run/hapair/keepalive.sock): show state, show peers,
                set priority, switchover
  -d            debug logging
  --no-guard    do not start the guard process that removes the VIPs if keepalive dies
  -h, --help    this text

Signals: SIGTERM, SIGINT hand the VIPs off (priority 0 advert) and stop.
`;

export const API_HELP = `Usage: hapair api [-S SOCKET | -f FILE] 'COMMAND[;COMMAND...]'

Sends runtime API commands (HAProxy's stats socket CLI: show info, show stat, show servers
state, set server, ...; 'help' lists them) to the proxy and prints the answer.

Options:
  -S SOCKET     UNIX socket path or ipv4@IP:PORT of a 'stats socket'
  -f FILE|DIR   use the first 'stats socket' of this configuration
                (default socket: /run/hapair/api.sock)
  -h, --help    this text
`;
