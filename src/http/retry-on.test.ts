import { describe, expect, it } from 'vitest';
import type { ProxySpec, RetryOnEvent } from '../config/model.ts';
import { l7RetryOf } from './retry-on.ts';

const spec = (mode: 'http' | 'tcp', retryOn?: RetryOnEvent[]): ProxySpec => ({ mode, ...(retryOn ? { retryOn } : {}) }) as unknown as ProxySpec;

describe('l7RetryOf', () => {
  it('has no layer-7 retries by default, with conn-failure or none alone, and in mode tcp', () => {
    expect(l7RetryOf(spec('http'))).toBeNull();
    expect(l7RetryOf(spec('http', ['conn-failure']))).toBeNull();
    expect(l7RetryOf(spec('http', []))).toBeNull();
    expect(l7RetryOf(spec('tcp', ['503', 'empty-response']))).toBeNull();
  });

  it('retries the listed statuses and events only', () => {
    const r = l7RetryOf(spec('http', ['conn-failure', '503', '404', 'response-timeout']))!;
    expect([r.onStatus(503), r.onStatus(404), r.onStatus(502), r.onStatus(200)]).toEqual([true, true, false, false]);
    expect([r.emptyResponse, r.junkResponse, r.responseTimeout]).toEqual([false, false, true]);
  });
});
