// `bind ... ssl` config verdicts, `hapair check` against `haproxy -c` on the same file (same
// certificate files): what both accept, what both refuse and with which words, what both warn
// about. One deliberate difference: `alpn h2` in mode http, which hapair refuses (no HTTP/2).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHapair } from '../support/process.ts';
import { freePort } from './proxy-harness.ts';
import { makePki, type Pki } from './tls-bind-harness.ts';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
  writeFileSync(path.join(pki.dir, 'good-list.txt'), `${pki.pem('a')} www.a.example *.a.example !x.a.example\n${pki.pem('b')}\n`);
  writeFileSync(path.join(pki.dir, 'opts-list.txt'), `${pki.pem('a')} [alpn http/1.1] a.example\n`);
});
afterAll(() => pki?.cleanup());

const DEFAULTS = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

async function both(name: string, global: string, bind: string, mode = 'http') {
  const file = path.join(pki.dir, name);
  const port = await freePort();
  writeFileSync(file, `global\n${global}${DEFAULTS}frontend fe\n    mode ${mode}\n    bind 127.0.0.1:${port} ${bind}\n    default_backend b\nbackend b\n    mode ${mode}\n    server s 127.0.0.1:1\n`);
  const hap = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
  const ours = await runHapair(['check', '-f', file]);
  return { hap: { code: hap.status, out: hap.stdout + hap.stderr }, ours: { code: ours.code, out: ours.stdout + ours.stderr } };
}

interface Verdict {
  readonly name: string;
  readonly global?: string;
  readonly bind: (p: Pki) => string;
  readonly mode?: string;
  readonly code: 0 | 1;
  /** Words both print (HAProxy's message, also hapair's). */
  readonly says?: string;
  /** Words only hapair prints (a warning HAProxy 2.6.12 leaves out). */
  readonly oursSays?: string;
}

const VERDICTS: Verdict[] = [
  { name: 'full', bind: (p) => `ssl crt ${p.pem('a')} crt ${p.pem('b')} alpn http/1.1 ca-file ${p.caFile} verify optional ssl-min-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256 ciphersuites TLS_AES_128_GCM_SHA256 curves X25519:P-256 strict-sni no-tls-tickets prefer-client-ciphers`, code: 0 },
  { name: 'crt-base', global: '', bind: () => 'ssl crt a.pem', code: 0 },
  // The TLS lines of Debian's default haproxy.cfg (Mozilla's intermediate settings).
  {
    name: 'debian-globals',
    global: '    ca-base /etc/ssl/certs\n    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384\n    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n',
    bind: (p) => `ssl crt ${p.pem('a')} alpn http/1.1`,
    code: 0,
  },
  { name: 'no-crt', bind: () => 'ssl', code: 1, says: 'no SSL certificate specified for bind' },
  { name: 'verify-no-ca', bind: (p) => `ssl crt ${p.pem('a')} verify required`, code: 1, says: 'verify is enabled but no CA file specified for bind' },
  { name: 'missing-ca-verify-none', bind: (p) => `ssl crt ${p.pem('a')} ca-file ${p.dir}/absent-ca.pem verify none`, code: 1, says: 'absent-ca.pem' },
  { name: 'missing-crt', bind: (p) => `ssl crt ${p.dir}/absent.pem`, code: 1, says: 'absent.pem' },
  { name: 'bad-ciphers', bind: (p) => `ssl crt ${p.pem('a')} ciphers NOPE`, code: 1, says: "unable to set SSL cipher list to 'NOPE' for bind" },
  { name: 'bad-curves', bind: (p) => `ssl crt ${p.pem('a')} curves NOPE`, code: 1, says: "unable to set SSL curves list to 'NOPE' for bind" },
  { name: 'no-versions', bind: (p) => `ssl crt ${p.pem('a')} no-tlsv12 no-tlsv13`, code: 1, says: 'all SSL/TLS versions are disabled for bind' },
  { name: 'bad-verify', bind: (p) => `ssl crt ${p.pem('a')} verify sometimes`, code: 1, says: "unknown verify method 'sometimes', only 'none', 'optional', and 'required' are supported" },
  { name: 'bad-version', bind: (p) => `ssl crt ${p.pem('a')} ssl-min-ver TLSv9`, code: 1, says: "'TLSv9' : unknown ssl/tls version" },
  // The listener is plain in both; hapair says so (HAProxy's ssl_sock_prepare_bind_conf warning is not printed by 2.6.12).
  { name: 'crt-no-ssl', bind: (p) => `crt ${p.pem('a')}`, code: 0, oursSays: 'A certificate was specified but SSL was not enabled' },
  { name: 'max-below-default-min', bind: (p) => `ssl crt ${p.pem('a')} ssl-max-ver TLSv1.1`, code: 0, says: 'the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (TLSv1.2)' },
  { name: 'no-with-min', bind: (p) => `ssl crt ${p.pem('a')} ssl-min-ver TLSv1.2 no-tlsv13`, code: 0, says: "no-sslv3/no-tlsv1x are ignored for bind" },
  { name: 'default-options-unknown', global: '    ssl-default-bind-options frobnicate\n', bind: (p) => `ssl crt ${p.pem('a')}`, code: 1, says: "unknown option 'frobnicate' on global statement 'ssl-default-bind-options'." },
  { name: 'crt-list', bind: (p) => `ssl crt ${p.pem('dflt')} crt-list ${p.dir}/good-list.txt`, code: 0 },
  { name: 'crt-list-missing', bind: (p) => `ssl crt-list ${p.dir}/absent-list.txt`, code: 1, says: `cannot open file` },
  { name: 'alpn-h2-tcp', bind: (p) => `ssl crt ${p.pem('a')} alpn h2,http/1.1`, mode: 'tcp', code: 0 },
];

describe('bind ssl verdicts match haproxy -c', () => {
  it.each(VERDICTS.map((v) => [v.name, v] as const))('%s', async (_n, v) => {
    const global = v.name === 'crt-base' ? `    crt-base ${pki.dir}\n` : (v.global ?? '');
    const { hap, ours } = await both(`${v.name}.cfg`, global, v.bind(pki), v.mode);
    expect(hap.code, hap.out).toBe(v.code);
    expect(ours.code, ours.out).toBe(v.code);
    if (v.says !== undefined) {
      expect(hap.out).toContain(v.says);
      expect(ours.out).toContain(v.says);
    }
    if (v.oursSays !== undefined) expect(ours.out).toContain(v.oursSays);
  }, 30_000);

  it('crt-list lines with [options]: HAProxy applies them per certificate, hapair refuses them', async () => {
    const { hap, ours } = await both('crt-list-opts.cfg', '', `ssl crt-list ${pki.dir}/opts-list.txt`);
    expect(hap.code).toBe(0);
    expect(ours.code).toBe(1);
    expect(ours.out).toContain(`parsing [${pki.dir}/opts-list.txt:1]: per-certificate settings ('[...]') are not supported yet`);
  }, 30_000);

  it("alpn h2 in mode http: HAProxy serves HTTP/2, hapair refuses it at the bind line", async () => {
    const { hap, ours } = await both('alpn-h2.cfg', '', `ssl crt ${pki.pem('a')} alpn h2,http/1.1`);
    expect(hap.code).toBe(0);
    expect(ours.code).toBe(1);
    expect(ours.out).toMatch(/alpn-h2\.cfg:\d+: frontend 'fe': .*'alpn h2' cannot be served: hapair has no HTTP\/2/);
  }, 30_000);
});
