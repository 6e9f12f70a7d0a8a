// Who may see the stats page and who may act on it (src/http_ana.c: the `stats http-request`
// rules, `stats auth` turned into `auth unless { http_auth(...) }` by cfgparse.c, then the
// `stats admin if|unless` rules).
import { l4Txn, type SampleTxn } from '../acl/sample.ts';
import type { Condition } from '../acl/acl.ts';
import type { StatsSpec } from '../config/model.ts';
import type { AppletRequest, AppletResponse } from '../http/applet.ts';
import { STATS_DEFAULT_REALM } from '../config/parse-stats.ts';

type StatsCondition = (req: AppletRequest) => boolean;

/** The transaction a condition reads: the session's, or an L4 view of the request's source. */
function txnOf(req: AppletRequest): SampleTxn {
  return req.txn ?? l4Txn(req.src, req.srcPort, '', 0);
}

function test(c: Condition): StatsCondition {
  return (req) => c.test(txnOf(req));
}

interface CompiledRule {
  readonly action: 'allow' | 'deny' | 'auth';
  readonly realm?: string;
  readonly cond?: StatsCondition;
}

export interface StatsAccess {
  /** A 401/403 answer when the request may not see the page, else undefined. */
  check(req: AppletRequest): AppletResponse | undefined;
  isAdmin(req: AppletRequest): boolean;
}

function basicCredentials(req: AppletRequest): string | undefined {
  const h = req.header('authorization');
  const m = h === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  return m ? Buffer.from(m[1], 'base64').toString('latin1') : undefined;
}

/** HAProxy's built-in 401 and 403 pages (src/http_htx.c http_err_msgs). */
export function authRequired(realm: string): AppletResponse {
  return {
    status: 401,
    headers: [['content-type', 'text/html'], ['cache-control', 'no-cache'], ['www-authenticate', `Basic realm="${realm}"`]],
    body: '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n',
  };
}

export function forbidden(): AppletResponse {
  return {
    status: 403,
    headers: [['content-type', 'text/html'], ['cache-control', 'no-cache']],
    body: '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n',
  };
}

/** The page's access rules (conditions were compiled by the config parser, src/acl/). */
export function statsAccess(spec: StatsSpec): StatsAccess {
  const rules: CompiledRule[] = spec.httpRequest.map((r) => ({
    action: r.action,
    ...(r.realm !== undefined ? { realm: r.realm } : {}),
    ...(r.condition !== undefined ? { cond: test(r.condition) } : {}),
  }));
  if (spec.auth.length > 0) {
    const accounts = new Set(spec.auth.map((a) => `${a.user}:${a.password}`));
    const valid: StatsCondition = (req) => {
      const c = basicCredentials(req);
      return c !== undefined && accounts.has(c);
    };
    rules.push({ action: 'auth', ...(spec.realm !== undefined ? { realm: spec.realm } : {}), cond: (req) => !valid(req) });
  }
  const admin = spec.admin.map((a) => test(a.condition));
  return {
    check(req) {
      for (const r of rules) {
        if (r.cond !== undefined && !r.cond(req)) continue;
        if (r.action === 'allow') return undefined;
        if (r.action === 'deny') return forbidden();
        return authRequired(r.realm ?? STATS_DEFAULT_REALM);
      }
      return undefined;
    },
    isAdmin: (req) => admin.some((c) => c(req)),
  };
}
