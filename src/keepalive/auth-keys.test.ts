import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKeyFile, parseKeyFile } from './auth-keys.ts';

const K1 = 'aa'.repeat(32);
const K2 = 'bb'.repeat(48);

describe('parseKeyFile', () => {
  it('reads ids and hex keys; the first key signs', () => {
    const r = parseKeyFile(`# keys\n7 ${K1}\n\n3 ${K2}  # next\n`, 'k');
    expect(r.errors).toEqual([]);
    expect(r.ring!.sendId).toBe(7);
    expect([...r.ring!.keys.keys()]).toEqual([7, 3]);
    expect(r.ring!.keys.get(3)!.length).toBe(48);
  });

  it('reports every bad line with file:line', () => {
    const r = parseKeyFile(`0 ${K1}\n1 zz\n2 ${'ab'.repeat(8)}\n3\n4 ${K1}\n4 ${K1}\n5 ${K1} x\n`, 'k.key');
    expect(r.ring).toBeUndefined();
    expect(r.errors).toEqual([
      'k.key:1: key id must be 1..255',
      'k.key:2: key 1 is not hex',
      'k.key:3: key 2 must be 32..64 bytes, got 8',
      "k.key:4: expected 'ID HEXKEY'",
      'k.key:6: duplicate key id 4',
      "k.key:7: expected 'ID HEXKEY'",
    ]);
  });

  it('rejects an empty file', () => {
    expect(parseKeyFile('# nothing\n', 'k').errors).toEqual(['k: no key']);
  });
});

describe('loadKeyFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hapair-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('warns about a key file others can read', async () => {
    const f = join(dir, 'open.key');
    await writeFile(f, `1 ${K1}\n`);
    await chmod(f, 0o644);
    const r = await loadKeyFile(f);
    expect(r.ring?.sendId).toBe(1);
    expect(r.warnings).toEqual([`${f}: key file is readable by group or others (chmod 600)`]);
    await chmod(f, 0o600);
    expect((await loadKeyFile(f)).warnings).toEqual([]);
  });

  it('reports a missing file', async () => {
    const r = await loadKeyFile(join(dir, 'missing.key'));
    expect(r.errors[0]).toMatch(/cannot read key file/);
  });
});
