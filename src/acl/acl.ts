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
  /**
   * The three-valued result on data that is not final yet (HAProxy acl_exec_cond without
   * SMP_OPT_FINAL, `unless` folded in): MISS when a term failed on data that may still change.
   * On final data `test` is the answer. Absent: the condition reads nothing that may change.
   */
  readonly evaluate?: (txn: SampleTxn) => AclResult;
  /** The source text, for diagnostics and `show` output. */
  readonly text: string;
}

/** HAProxy's enum acl_test_res: AND is `&`, OR is `|`. */
export const ACL_FAIL = 0;
export const ACL_MISS = 1;
export const ACL_PASS = 3;
export type AclResult = typeof ACL_FAIL | typeof ACL_MISS | typeof ACL_PASS;

/** acl_neg(): PASS and FAIL swap, MISS stays. */
export function aclNeg(r: AclResult): AclResult {
  return r === ACL_MISS ? ACL_MISS : r === ACL_PASS ? ACL_FAIL : ACL_PASS;
}

/** A condition that always holds (a rule written without `if`/`unless`). */
export const ALWAYS: Condition = Object.freeze({ test: () => true, mayChange: false, text: '' });
