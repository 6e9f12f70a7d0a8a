// Section keywords: a line whose first word is one of these starts a new section (HAProxy cfgparse.c
// readcfgfile). Planned sections are refused once, at their header; registerSection() (section-registry.ts)
// lets a later issue accept one.
import { indexByName, type KeywordEntry } from './keywords.ts';

const supported = (name: string, note: string): KeywordEntry => ({ name, status: 'supported', note });
const planned = (name: string, note: string): KeywordEntry => ({ name, status: 'planned', note });

export const SECTIONS: readonly KeywordEntry[] = [
  supported('global', 'process-wide settings'),
  supported('defaults', "defaults [NAME] [from NAME]"),
  supported('frontend', 'frontend NAME [from DEFAULTS]'),
  supported('backend', 'backend NAME [from DEFAULTS]'),
  supported('listen', 'listen NAME [from DEFAULTS]'),
  supported('keepalive', "hapair's VIP election section, read by hapair keepalive and hapair check (keepalive/README.md)"),
  planned('peers', 'stick-table replication'),
  supported('userlist', 'HTTP authentication: user NAME password $5$/$6$-HASH | insecure-password PW [groups G,...]; group NAME [users U,...]'),
  planned('resolvers', 'runtime DNS resolution'),
  planned('mailers', 'e-mail alerts'),
  planned('program', 'master-worker programs'),
  supported('http-errors', 'http-errors NAME: errorfile CODE FILE lines, used by errorfiles NAME and by deny/return ... errorfiles NAME'),
  planned('ring', 'log rings'),
  planned('log-forward', 'syslog forwarding'),
  planned('cache', 'HTTP cache'),
  planned('fcgi-app', 'FastCGI applications'),
];

export const SECTION_INDEX = indexByName(SECTIONS);

/** The sections this issue models itself (global, defaults and the three proxy kinds). */
export const BUILTIN_SECTIONS: ReadonlySet<string> = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'userlist', 'http-errors']);
