// Wording of server state log lines, as src/server.c srv_append_status() builds them:
// ", reason: ..., code: ..., info: "...", check duration: Nms. 1 active and 0 backup servers left. ..."
import { checkStatusDesc, hasL7Code, type CheckStatus } from '../checks/check-status.ts';

/** chunk_asciiencode(): non-printable bytes, '<', '>' and the quote become "<XX>". */
export function asciiEncode(s: string, quote = '"'): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c >= 0x7f || ch === '<' || ch === '>' || ch === quote) {
      out += `<${(c & 0xff).toString(16).toUpperCase().padStart(2, '0')}>`;
    } else out += ch;
  }
  return out;
}

/** What a state change reports about its cause (op_st_chg, or a check's last result). */
export interface StatusCause {
  /** Undefined when the change has no check status (e.g. "changed from CLI"). */
  readonly status?: CheckStatus;
  readonly code: number;
  readonly desc: string;
  /** -1 when unknown. */
  readonly durationMs: number;
}

export interface StatusTail {
  readonly cause: StatusCause;
  /** Requeued sessions, or -1 to omit the server counts. */
  readonly xferred: number;
  /** The change was forced (admin flag), so no "via" is added. */
  readonly forced: boolean;
  /** "be/srv" of the tracked server, if any. */
  readonly via?: string;
  readonly goingDown: boolean;
  readonly active: number;
  readonly backup: number;
  readonly sessions: number;
  readonly queued: number;
}

export function appendStatus(t: StatusTail): string {
  const c = t.cause;
  let msg = '';
  if (c.status !== undefined) {
    msg += `, reason: ${checkStatusDesc(c.status)}`;
    if (hasL7Code(c.status)) msg += `, code: ${c.code}`;
    if (c.desc) msg += `, info: "${asciiEncode(c.desc)}"`;
    if (c.durationMs >= 0) msg += `, check duration: ${c.durationMs}ms`;
  } else if (c.desc) {
    msg += `, ${c.desc}`;
  } else if (!t.forced && t.via) {
    msg += ` via ${t.via}`;
  }
  if (t.xferred >= 0) {
    const onBackup = t.backup && !t.active ? ' Running on backup.' : '';
    msg += t.goingDown
      ? `. ${t.active} active and ${t.backup} backup servers left.${onBackup} ${t.sessions} sessions active, ${t.xferred} requeued, ${t.queued} remaining in queue`
      : `. ${t.active} active and ${t.backup} backup servers online.${onBackup} ${t.xferred} sessions requeued, ${t.queued} total in queue`;
  }
  return msg;
}

/** " (cause)" after an admin change when a cause was given (adm_st_chg_cause). */
export function causeSuffix(cause: string): string {
  return cause ? ` (${cause})` : '';
}
