// ACL contract (configuration.txt 7): a condition compiled once at config load and evaluated per
// transaction without allocating. Named ACLs, anonymous `{ ... }` ACLs, `!`, implicit AND and `||`
// compile into one Condition (condition.ts); fetches read a SampleTxn (sample.ts).
import type { SampleTxn } from './sample.ts';

/** A compiled `if COND` / `unless COND`. */
export interface Condition {
  /** True when the rule applies (the `unless` polarity is already folded in). */
  test(txn: SampleTxn): boolean;
  /**
   * Some term reads data that may still grow (`req.len`, payload fetches): under
   * `tcp-request inspect-delay` a failed test is retried until the delay ends.
   */
  readonly mayChange: boolean;
  /** The source text, for diagnostics and `show` output. */
  readonly text: string;
}

/** A condition that always holds (a rule written without `if`/`unless`). */
export const ALWAYS: Condition = Object.freeze({ test: () => true, mayChange: false, text: '' });
