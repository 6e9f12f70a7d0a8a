// Compile ACL expressions and conditions in unit tests (no userlists, warnings collected).
import type { AclParseContext } from './acl-expr.ts';
import { parseAclExpr } from './acl-expr.ts';
import { compileCondition, type AclScope } from './condition.ts';
import type { Userlist } from './userlist.ts';
import type { SampleTxn } from './sample.ts';

export function testContext(warnings: string[] = [], userlists: Record<string, Userlist> = {}): AclParseContext {
  return { warn: (m) => warnings.push(m), userlist: (name) => userlists[name] };
}

/** `acl x WORDS...` evaluated on `txn`; throws the parse error. */
export function aclMatches(words: string, txn: SampleTxn): boolean {
  const e = parseAclExpr(words.split(' '), testContext());
  if (typeof e === 'string') throw new Error(e);
  return e.test(txn);
}

export function aclError(words: string): string | undefined {
  const e = parseAclExpr(words.split(' '), testContext());
  return typeof e === 'string' ? e : undefined;
}

export function condMatches(words: string, txn: SampleTxn, scope: AclScope = new Map()): boolean {
  const c = compileCondition(words.split(' '), scope, testContext());
  if (typeof c === 'string') throw new Error(c);
  return c.test(txn);
}
