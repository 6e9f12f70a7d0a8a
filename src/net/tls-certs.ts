// Certificate files of `bind ... crt` (configuration.txt 5.1 "crt"): one PEM holding the
// certificate, its chain and its key (or the key in FILE.key, HAProxy's default
// `ssl-load-extra-files`), or a directory whose files are each loaded, in name order. The names a
// certificate answers to for SNI are its SAN DNS entries and its CNs (ssl_sock.c
// ckch_inst_new_load_store), `*.x` being a wildcard of one label, or a crt-list line's filters.
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CrtSource } from '../config/model.ts';
import { readCrtList } from './crt-list.ts';

export interface LoadedCert {
  readonly file: string;
  /** Leaf certificate then its chain, PEM. */
  readonly certChain: string;
  readonly key: string;
  /** Lower-cased SNI names, wildcards kept as written (`*.example.com`): a crt-list line's filters, else SAN and CN. */
  readonly names: readonly string[];
  /** A crt-list line's negative filters (`!name`): names this certificate must not answer. */
  readonly negNames: readonly string[];
  /** The leaf's subject CN (the first), for logs and tests. */
  readonly cn: string | undefined;
  /** Companion files HAProxy would load and hapair does not use (`FILE.ocsp`, `FILE.sctl`). */
  readonly unused: readonly string[];
}

/** HAProxy's ssl-load-extra-files that hapair cannot serve: OCSP stapling, SCT lists. */
const UNSERVED_EXTRAS = ['.ocsp', '.sctl'];

export class CertLoadError extends Error {
  readonly code = 'HAPAIR_E_TLS_CERT';
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;
/** Files of a `crt` directory that belong to another file (HAProxy skips them). */
const COMPANION = /\.(issuer|ocsp|sctl|key)$/;

/** The files a `crt` argument names: itself, or a directory's regular files in name order. */
export function crtFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CertLoadError(`unable to stat SSL certificate from file '${path}' : No such file or directory.`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    if (COMPANION.test(name)) continue;
    const file = join(path, name);
    if (statSync(file).isFile()) out.push(file);
  }
  return out;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch (err) {
    throw new CertLoadError(`unable to load SSL certificate from PEM file '${file}': ${(err as Error).message}.`);
  }
}

/** SAN DNS names then CNs, lower-cased, without duplicates. */
function namesOf(cert: X509Certificate): { names: string[]; cn: string | undefined } {
  const names: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) names.push(part.slice(4).toLowerCase());
  }
  let cn: string | undefined;
  for (const line of cert.subject.split('\n')) {
    if (!line.startsWith('CN=')) continue;
    cn ??= line.slice(3);
    names.push(line.slice(3).toLowerCase());
  }
  return { names: [...new Set(names)], cn };
}

/** One PEM file (its key possibly in FILE.key). */
export function loadCertFile(file: string): LoadedCert {
  const text = readText(file);
  const certs = text.match(CERT_BLOCK);
  if (certs === null) throw new CertLoadError(`unable to load SSL certificate from PEM file '${file}'.`);
  let key = KEY_BLOCK.exec(text)?.[0];
  if (key === undefined) {
    let extra: string | undefined;
    try {
      extra = readFileSync(`${file}.key`, 'latin1');
    } catch {
      extra = undefined;
    }
    key = extra === undefined ? undefined : KEY_BLOCK.exec(extra)?.[0];
  }
  if (key === undefined) throw new CertLoadError(`unable to load SSL private key from PEM file '${file}'.`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]);
  } catch (err) {
    throw new CertLoadError(`unable to load SSL certificate from PEM file '${file}': ${(err as Error).message}.`);
  }
  const { names, cn } = namesOf(leaf);
  const unused = UNSERVED_EXTRAS.map((ext) => file + ext).filter((f) => existsSync(f));
  return { file, certChain: certs.join('\n') + '\n', key, names, negNames: [], cn, unused };
}

/** Every certificate of the `crt` / `crt-list` arguments, in load order. */
export function loadCrts(crts: readonly CrtSource[], crtBase: string | undefined): LoadedCert[] {
  const out: LoadedCert[] = [];
  for (const crt of crts) {
    if (crt.list) {
      for (const line of readCrtList(crt.path, crtBase)) {
        const cert = loadCertFile(line.file);
        const pos = line.filters.filter((f) => !f.startsWith('!')).map((f) => f.toLowerCase());
        const neg = line.filters.filter((f) => f.startsWith('!')).map((f) => f.slice(1).toLowerCase());
        // ssl_ckch.c ckch_inst_new_load_store: filters replace the certificate's own names.
        out.push(line.filters.length > 0 ? { ...cert, names: pos, negNames: neg } : cert);
      }
    } else for (const file of crtFiles(crt.path)) out.push(loadCertFile(file));
  }
  return out;
}
