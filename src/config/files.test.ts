// Several -f files and directories, in order, like haproxy (haproxy.c cfgfiles_expand_directories).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadConfig } from './config.ts';

const FIXTURES = new URL('../../test/fixtures/config/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hapair-config-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
function subdir(): string {
  const d = join(dir, `d${++n}`);
  mkdirSync(d);
  return d;
}

const errorsOf = (r: ReturnType<typeof loadConfig>) => r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);

describe('loading files and directories', () => {
  it('reads files in the order given; later files see earlier sections', () => {
    const a = write('a.cfg', 'defaults\n    timeout connect 1s\n    timeout server 1s\n    retries 7\n');
    const b = write('b.cfg', 'backend B\n    server s 127.0.0.1:1\n');
    const r = loadConfig([a, b], { env: {} });
    expect(errorsOf(r)).toEqual([]);
    expect(r.config!.files).toEqual([a, b]);
    expect(r.config!.proxies[0]).toMatchObject({ name: 'B', retries: 7, loc: { file: b, line: 1 } });
    // In the other order, the backend comes before the defaults section and does not inherit it.
    expect(loadConfig([b, a], { env: {} }).config!.proxies[0].retries).toBe(3);
  });

  it('expands a directory into its *.cfg regular files in byte order, skipping hidden and other files', () => {
    const d = subdir();
    writeFileSync(join(d, 'b.cfg'), 'backend B\n    server s 127.0.0.1:1\n');
    writeFileSync(join(d, 'A.cfg'), 'backend A\n    server s 127.0.0.1:1\n');
    writeFileSync(join(d, '10.cfg'), 'backend N\n    server s 127.0.0.1:1\n');
    writeFileSync(join(d, 'C.cfg'), 'backend C\n    server s 127.0.0.1:1\n'); // byte order: 'C' < 'b' (checked on haproxy)
    writeFileSync(join(d, '.hidden.cfg'), 'garbage\n');
    writeFileSync(join(d, 'x.cfg.bak'), 'garbage\n');
    writeFileSync(join(d, 'y.cfg.cfg'), 'garbage\n'); // haproxy requires the first ".cfg" to end the name
    writeFileSync(join(d, 'README'), 'garbage\n');
    mkdirSync(join(d, 'sub.cfg'));
    symlinkSync(write(`target${n}.txt`, 'backend L\n    server s 127.0.0.1:1\n'), join(d, 'link.cfg'));
    const r = loadConfig([d], { env: {} });
    expect(errorsOf(r)).toEqual([]);
    expect(r.config!.files).toEqual(['10.cfg', 'A.cfg', 'C.cfg', 'b.cfg', 'link.cfg'].map((f) => join(d, f)));
    expect(r.config!.proxies.map((p) => p.name)).toEqual(['N', 'A', 'C', 'B', 'L']);
  });

  it('mixes files and directories, keeping the command-line order', () => {
    const d = subdir();
    writeFileSync(join(d, '20-be.cfg'), 'backend B\n    server s 127.0.0.1:1\n');
    const first = write('first.cfg', 'global\n    maxconn 10\n');
    const last = write('last.cfg', 'backend Z\n    server s 127.0.0.1:1\n');
    expect(loadConfig([first, `${d}/`, last], { env: {} }).config!.files).toEqual([first, join(d, '20-be.cfg'), last]);
  });

  it('never lets a section span two files: the next file starts outside any section', () => {
    const a = write('span-a.cfg', 'listen L\n    bind 127.0.0.1:8000\n');
    const b = write('span-b.cfg', '    server s 127.0.0.1:1\n    mode tcp\n');
    expect(errorsOf(loadConfig([a, b], { env: {} }))).toEqual([
      `${b}:1: unknown keyword 'server' out of section`,
      `${b}:2: unknown keyword 'mode' out of section`,
    ]);
  });

  it('points each diagnostic at the right file and line', () => {
    const a = write('diag-a.cfg', 'global\n    maxconn 10\n    maxcon 5\n');
    const b = write('diag-b.cfg', '# comment\n\nbackend B\n    balanse leastconn\n    server s 127.0.0.1:1\n');
    expect(errorsOf(loadConfig([a, b], { env: {} }))).toEqual([
      `${a}:3: global: unknown keyword 'maxcon'; did you mean 'maxconn'?`,
      `${b}:4: backend 'B': unknown keyword 'balanse'; did you mean 'balance'?`,
    ]);
  });

  it('reports missing paths, and still parses the others', () => {
    const ok = write('ok.cfg', 'backend B\n    server s 127.0.0.1:1\n');
    const r = loadConfig([join(dir, 'nope.cfg'), ok], { env: {} });
    expect(r.config).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `Cannot open configuration file/directory ${join(dir, 'nope.cfg')} : No such file or directory`,
      expect.stringMatching(/missing timeouts/),
    ]);
  });

  it('refuses a last line without LF unless it is blank, and a NUL byte', () => {
    const a = write('nolf.cfg', 'global\n    maxconn 10');
    const b = write('blank-end.cfg', 'global\n    maxconn 10\n    ');
    const c = write('nul.cfg', 'global\n    max\0conn 10\n');
    expect(errorsOf(loadConfig([a], { env: {} }))).toEqual([`${a}:2: Missing LF on last line, file might have been truncated at position 15.`]);
    expect(errorsOf(loadConfig([b], { env: {} }))).toEqual([]);
    expect(errorsOf(loadConfig([c], { env: {} }))).toEqual([`${c}:2: global: Stray NUL character at position 8.`]);
  });

  it('loads the fixture directory as haproxy -f would', () => {
    const r = loadConfig([`${FIXTURES}conf.d`], { env: {} });
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.files.map((f) => f.slice(FIXTURES.length))).toEqual(['conf.d/10-global.cfg', 'conf.d/20-defaults.cfg', 'conf.d/30-proxies.cfg']);
    expect(r.config!.proxies[0].logs).toEqual(r.config!.global.logs);
  });
});
