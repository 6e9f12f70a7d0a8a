import { describe, expect, it } from 'vitest';
import { parseCurlWriteOut, sampleFromTransfers } from './bulk-client.ts';

describe('parseCurlWriteOut', () => {
  it('reads bytes, seconds and status', () => {
    expect(parseCurlWriteOut('104857600 0.151234 200')).toEqual({ bytes: 104857600, seconds: 0.151234, status: 200 });
  });
  it('rejects anything else', () => {
    expect(() => parseCurlWriteOut('curl: (7) Failed to connect')).toThrow(/unexpected curl output/);
    expect(() => parseCurlWriteOut('')).toThrow(/unexpected curl output/);
  });
});

describe('sampleFromTransfers', () => {
  const MB100 = 100 * 1024 * 1024;
  it('is total bytes over total seconds in 10^6 bytes per second', () => {
    const sample = sampleFromTransfers([{ bytes: MB100, seconds: 0.5, status: 200 }, { bytes: MB100, seconds: 1.5, status: 200 }], MB100);
    expect(sample.value).toBeCloseTo((2 * MB100) / 2 / 1e6);
    expect(sample.errors).toBe(0);
    expect(sample.detail?.transfers).toBe(2);
  });
  it('counts short and non-200 transfers as errors', () => {
    const sample = sampleFromTransfers([
      { bytes: MB100 - 1, seconds: 1, status: 200 },
      { bytes: MB100, seconds: 1, status: 503 },
      { bytes: MB100, seconds: 1, status: 200 },
    ], MB100);
    expect(sample.errors).toBe(2);
  });
});
