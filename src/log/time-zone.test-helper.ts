// Test helper: run a test file's suites in a fixed TZ (log dates are printed in local time, as
// HAProxy prints them), restoring the caller's TZ afterwards.
import { afterAll, beforeAll } from 'vitest';

export function useTimeZone(tz: string): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.TZ;
    process.env.TZ = tz;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
