import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { RateLimitedLog } from './rate-limited-log.ts';

describe('RateLimitedLog', () => {
  it('logs once per key and period, then reports how many were suppressed', () => {
    const lines: { msg: string; suppressed: number; key?: string }[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    let now = 0;
    const log = new RateLimitedLog(pino(sink), 10_000, () => now);
    for (let i = 0; i < 5; i++) log.warn('bad-hmac', {}, 'dropped');
    log.warn('replay', {}, 'dropped replay');
    now = 10_000;
    log.warn('bad-hmac', {}, 'dropped');
    expect(lines.map((l) => [l.msg, l.suppressed])).toEqual([
      ['dropped', 0],
      ['dropped replay', 0],
      ['dropped', 4],
    ]);
  });
});
