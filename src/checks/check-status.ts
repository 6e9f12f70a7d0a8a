// Health-check statuses as HAProxy names and numbers them (include/haproxy/check-t.h
// `enum healthcheck_status`, src/check.c `check_statuses[]`). Pure data: the checks and the
// server state machine (src/backend/server-state.ts) both read it.

/** A check status by its short name, as shown in the CSV `check_status` field and in logs. */
export type CheckStatus =
  | 'UNK'
  | 'INI'
  | 'CHECKED'
  | 'HANA'
  | 'SOCKERR'
  | 'L4OK'
  | 'L4TOUT'
  | 'L4CON'
  | 'L6OK'
  | 'L6TOUT'
  | 'L6RSP'
  | 'L7TOUT'
  | 'L7RSP'
  | 'L7OK'
  | 'L7OKC'
  | 'L7STS'
  | 'PROCERR'
  | 'PROCTOUT'
  | 'PROCOK';

/** `enum chk_result`: the meaning of a status for the rise/fall counter. */
export const CHK_RES = { UNKNOWN: 0, NEUTRAL: 1, FAILED: 2, PASSED: 3, CONDPASS: 4 } as const;
export type CheckResultCode = (typeof CHK_RES)[keyof typeof CHK_RES];

export interface CheckStatusInfo {
  /** Value of `enum healthcheck_status` (`show servers state` field `srv_check_status`). */
  readonly code: number;
  readonly result: CheckResultCode;
  /** Long description, e.g. "Layer4 connection problem" (log `reason:`, CSV `check_desc`). */
  readonly desc: string;
}

/** Statuses at or above this number carry a layer 5-7 code (HCHK_STATUS_L57DATA). */
export const L57DATA = 14;

export const CHECK_STATUSES: Readonly<Record<CheckStatus, CheckStatusInfo>> = {
  UNK: { code: 0, result: CHK_RES.UNKNOWN, desc: 'Unknown' },
  INI: { code: 1, result: CHK_RES.UNKNOWN, desc: 'Initializing' },
  CHECKED: { code: 3, result: CHK_RES.NEUTRAL, desc: 'No status change' },
  HANA: { code: 4, result: CHK_RES.FAILED, desc: 'Health analyze' },
  SOCKERR: { code: 5, result: CHK_RES.FAILED, desc: 'Socket error' },
  L4OK: { code: 6, result: CHK_RES.PASSED, desc: 'Layer4 check passed' },
  L4TOUT: { code: 7, result: CHK_RES.FAILED, desc: 'Layer4 timeout' },
  L4CON: { code: 8, result: CHK_RES.FAILED, desc: 'Layer4 connection problem' },
  L6OK: { code: 9, result: CHK_RES.PASSED, desc: 'Layer6 check passed' },
  L6TOUT: { code: 10, result: CHK_RES.FAILED, desc: 'Layer6 timeout' },
  L6RSP: { code: 11, result: CHK_RES.FAILED, desc: 'Layer6 invalid response' },
  L7TOUT: { code: 12, result: CHK_RES.FAILED, desc: 'Layer7 timeout' },
  L7RSP: { code: 13, result: CHK_RES.FAILED, desc: 'Layer7 invalid response' },
  L7OK: { code: 15, result: CHK_RES.PASSED, desc: 'Layer7 check passed' },
  L7OKC: { code: 16, result: CHK_RES.CONDPASS, desc: 'Layer7 check conditionally passed' },
  L7STS: { code: 17, result: CHK_RES.FAILED, desc: 'Layer7 wrong status' },
  PROCERR: { code: 18, result: CHK_RES.FAILED, desc: 'External check error' },
  PROCTOUT: { code: 19, result: CHK_RES.FAILED, desc: 'External check timeout' },
  PROCOK: { code: 20, result: CHK_RES.PASSED, desc: 'External check passed' },
};

/** True when the status carries a layer 5-7 code that logs and the CSV print. */
export function hasL7Code(status: CheckStatus): boolean {
  return CHECK_STATUSES[status].code >= L57DATA;
}

/** HAProxy's description of a status (`get_check_status_description`). */
export function checkStatusDesc(status: CheckStatus): string {
  return CHECK_STATUSES[status].desc;
}

const BY_CODE = new Map<number, CheckStatus>(
  (Object.keys(CHECK_STATUSES) as CheckStatus[]).map((s) => [CHECK_STATUSES[s].code, s]),
);

/** The status for an `enum healthcheck_status` number (server-state files), UNK when unknown. */
export function checkStatusFromCode(code: number): CheckStatus {
  return BY_CODE.get(code) ?? 'UNK';
}

/** Observed-traffic statuses for `observe layer4|layer7` (src/check.c `analyze_statuses[]`). */
export const HANA_STATUSES = {
  L4_OK: { desc: 'L4 successful connection', l4: 2, l7: 0 },
  L4_ERR: { desc: 'L4 unsuccessful connection', l4: 1, l7: 1 },
  HTTP_OK: { desc: 'Correct http response', l4: 0, l7: 2 },
  HTTP_STS: { desc: 'Wrong http response', l4: 0, l7: 1 },
  HTTP_HDRRSP: { desc: 'Invalid http response (headers)', l4: 0, l7: 1 },
  HTTP_RSP: { desc: 'Invalid http response', l4: 0, l7: 1 },
  HTTP_READ_ERROR: { desc: 'Read error (http)', l4: 0, l7: 1 },
  HTTP_READ_TIMEOUT: { desc: 'Read timeout (http)', l4: 0, l7: 1 },
  HTTP_BROKEN_PIPE: { desc: 'Close from server (http)', l4: 0, l7: 1 },
} as const;
export type HanaStatus = keyof typeof HANA_STATUSES;
