// `crt-list FILE` (configuration.txt 5.1 "crt-list"; ssl_crtlist.c crtlist_parse_file): one
// `<crtfile> [[<sslbindconf> ...]] [[!]<snifilter> ...]` per line, `#` comments and empty lines
// ignored, relative paths under `crt-base`. Per-certificate `[...]` settings are refused: node:tls
// swaps only the certificate on SNI, the handshake keeps the bind line's settings.
import { readFileSync } from 'node:fs';
import { CertLoadError } from './tls-certs.ts';

export interface CrtListLine {
  readonly file: string;
  /** SNI filters as written (`www.a.example`, `*.a.example`, `!x.a.example`). */
  readonly filters: readonly string[];
}

export function readCrtList(path: string, crtBase: string | undefined): CrtListLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    throw new CertLoadError(`cannot open file '${path}' : ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const out: CrtListLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const words = line.split(/[ \t]+/);
    const at = `parsing [${path}:${i + 1}]`;
    if (words[0].startsWith('[')) throw new CertLoadError(`${at}: file must start with a cert`);
    if (words.some((w) => w.includes('[') || w.includes(']'))) {
      throw new CertLoadError(`${at}: per-certificate settings ('[...]') are not supported yet`);
    }
    const [crt, ...filters] = words;
    const file = crtBase !== undefined && !crt.startsWith('/') ? `${crtBase}/${crt}` : crt;
    out.push({ file, filters });
  });
  return out;
}
