import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CompressionAlgo } from '../config/model.ts';
import { ResponseCompressor } from './compressor.ts';

const INFLATE: Record<Exclude<CompressionAlgo, 'identity'>, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gunzipSync(b),
  deflate: (b) => zlib.inflateSync(b),
  'raw-deflate': (b) => zlib.inflateRawSync(b),
};

function encode(algo: CompressionAlgo, blocks: readonly Buffer[]): Buffer[] {
  const c = new ResponseCompressor(algo);
  return [...blocks.map((b) => c.push(b)), c.finish()];
}

describe('ResponseCompressor', () => {
  const text = Buffer.from('All work and no play makes Jack a dull boy. '.repeat(3000));
  const random = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 2654435761) >>> 24));
  const blocks = [text.subarray(0, 1), text.subarray(1, 40000), Buffer.alloc(0), text.subarray(40000), random];

  for (const algo of ['gzip', 'deflate', 'raw-deflate'] as const) {
    it(`${algo}: the blocks decode to the input, each one decodable as soon as it is out`, () => {
      const out = encode(algo, blocks);
      expect(INFLATE[algo](Buffer.concat(out)).equals(Buffer.concat(blocks))).toBe(true);
      // Flushed: everything pushed so far is decodable before the end (a stream without its end).
      const sofar = Buffer.concat(out.slice(0, 2));
      const partial = algo === 'raw-deflate' ? zlib.inflateRawSync(sofar, { finishFlush: zlib.constants.Z_SYNC_FLUSH })
        : algo === 'gzip' ? zlib.gunzipSync(sofar, { finishFlush: zlib.constants.Z_SYNC_FLUSH })
          : zlib.inflateSync(sofar, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      expect(partial.equals(text.subarray(0, 40000))).toBe(true);
      expect(Buffer.concat(out).length).toBeLessThan(text.length / 10 + random.length + 1000);
    });
  }

  it('gzip and deflate of an empty body are still whole streams; identity copies', () => {
    expect(zlib.gunzipSync(Buffer.concat(encode('gzip', [])))).toEqual(Buffer.alloc(0));
    expect(zlib.inflateSync(Buffer.concat(encode('deflate', [Buffer.alloc(0)])))).toEqual(Buffer.alloc(0));
    expect(Buffer.concat(encode('identity', blocks)).equals(Buffer.concat(blocks))).toBe(true);
  });
});
