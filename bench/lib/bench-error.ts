// The harness's one error class: a setup step failed (a process exited, a port never accepted,
// a client printed nothing usable). It aborts the scenario, never a half-measured ratio.
import { HapairError } from '../../src/errors.ts';

export class BenchError extends HapairError {
  constructor(message: string, options?: ErrorOptions) {
    super('HAPAIR_E_BENCH', message, options);
  }
}
