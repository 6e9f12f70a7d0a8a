import { describe, expect, it } from 'vitest';
import { BufferPool, BULK_BUFSIZE, bulkBuffers, releaseReadBuffer, smallBuffers } from './buffer-pool.ts';
import { terminationState } from './termination.ts';

describe('BufferPool', () => {
  it('hands back released buffers before allocating new ones', () => {
    const pool = new BufferPool(1024, 2);
    const a = pool.acquire();
    expect(a.length).toBe(1024);
    pool.release(a);
    expect(pool.acquire()).toBe(a);
  });

  it('keeps at most `max` idle buffers and refuses foreign sizes', () => {
    const pool = new BufferPool(64, 2);
    const bufs = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const b of bufs) pool.release(b);
    expect(pool.idle).toBe(2);
    pool.release(Buffer.alloc(10));
    expect(pool.idle).toBe(2);
  });
});

describe('releaseReadBuffer', () => {
  it('returns each buffer to the pool of its size', () => {
    const small = smallBuffers.acquire();
    const bulk = bulkBuffers.acquire();
    expect(bulk.length).toBe(BULK_BUFSIZE);
    releaseReadBuffer(small);
    releaseReadBuffer(bulk);
    expect(smallBuffers.acquire()).toBe(small);
    expect(bulkBuffers.acquire()).toBe(bulk);
  });
});

describe('terminationState', () => {
  it('is "--" for a normal end whatever the phase, cause + phase otherwise', () => {
    expect(terminationState('-', 'D')).toBe('--');
    expect(terminationState('s', 'Q')).toBe('sQ');
    expect(terminationState('C', 'D')).toBe('CD');
  });
});
