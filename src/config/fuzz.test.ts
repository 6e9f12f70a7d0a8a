// Property tests: whatever the input, parseConfigText never throws and returns either a config with
// no error, or no config and at least one error, every diagnostic pointing at a real line.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config.ts';

const FIXTURES = new URL('../../test/fixtures/config/', import.meta.url);
const REAL = ['minimal.cfg', 'full.cfg', 'conf.d/20-defaults.cfg'].map((f) => readFileSync(new URL(f, FIXTURES), 'utf8'));
const SEED_ADVANCED = readFileSync(new URL('seed-advanced.cfg', FIXTURES), 'utf8');

function checkInvariant(text: string): void {
  const r = parseConfigText(text, 'fuzz.cfg', { env: { A: 'x y', P: '80' }, hostname: 'h' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (r.config) expect(errors).toEqual([]);
  else expect(errors.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const d of r.diagnostics) {
    if (d.loc) {
      expect(d.loc.file).toBe('fuzz.cfg');
      expect(d.loc.line).toBeGreaterThanOrEqual(1);
      expect(d.loc.line).toBeLessThanOrEqual(lines);
    }
    expect(d.message.length).toBeGreaterThan(0);
  }
}

const WORDS = [
  'global', 'defaults', 'frontend', 'backend', 'listen', 'peers', 'keepalive', 'from', 'fe', 'be', 'd1', 'no', 'default',
  'bind', 'server', 'default-server', 'mode', 'tcp', 'http', 'balance', 'roundrobin', 'random(3)', 'hdr(Host)', 'uri',
  'hash-type', 'consistent', 'timeout', 'client', 'connect', 'check', 'option', 'tcplog', 'redispatch', 'log', 'global',
  'stdout', 'local0', 'info', 'use_backend', 'default_backend', 'if', 'id', '1', '0', '-1', '256', '99999', 'weight',
  'backup', 'maxconn', 'maxqueue', 'cookie', 'ssl', 'crt', 'stats', 'socket', 'disabled', 'enabled', 'description',
  '127.0.0.1:80', ':80', '[::1]:81', '::1:82', '/run/x.sock', 'unix@x', 'fd@3', 'abns@x', 'ipv6@:1', '127.0.0.1:8000-8002',
  'host.example:+1', '10s', '1x', '"', "'", '\\', '#', '${A}', '"${A[*]}"', '"${B-def}"', '"$P"', '\\x4', '${', '.if', '[s]',
  '', 'é', '\t', '\r', '\0',
];

const line = fc.array(fc.constantFrom(...WORDS), { maxLength: 8 }).map((ws) => ws.join(' '));
const config = fc.array(fc.oneof(line, line.map((l) => `    ${l}`)), { maxLength: 25 }).map((ls) => `${ls.join('\n')}\n`);

/** Text edits: truncate, delete, insert, or duplicate a slice of a real configuration. */
const mutated = fc.tuple(fc.constantFrom(...REAL, SEED_ADVANCED), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 6 }), fc.nat(3)), { maxLength: 5 }))
  .map(([base, edits]) => edits.reduce((text, [a, b, insert, op]) => {
    const i = a % (text.length + 1);
    const j = Math.min(text.length, i + (b % 40));
    if (op === 0) return text.slice(0, i);
    if (op === 1) return text.slice(0, i) + text.slice(j);
    if (op === 2) return text.slice(0, i) + insert + text.slice(i);
    return text.slice(0, j) + text.slice(i, j) + text.slice(j);
  }, base));

describe('parseConfigText under random input', () => {
  it('never throws on lines of random keywords, addresses, quotes and escapes', () => {
    fc.assert(fc.property(config, (text) => checkInvariant(text)), { numRuns: 400 });
  });

  it('never throws on truncated and mutated real configurations', () => {
    fc.assert(fc.property(mutated, (text) => checkInvariant(text)), { numRuns: 400 });
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => checkInvariant(text)), { numRuns: 300 });
  });

  it('accepts the real configurations themselves', () => {
    for (const text of REAL) {
      const r = parseConfigText(text, 'fuzz.cfg', { env: {} });
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });
});
