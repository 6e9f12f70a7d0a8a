// The per-check part of a server's state (HAProxy `struct check`): enable/pause flags, the
// rise/fall health counter and the last status. One for the health check, one for the agent.
import { CHK_RES, type CheckResultCode, type CheckStatus } from '../checks/check-status.ts';

/** `check->state` bits (include/haproxy/check-t.h), as `show servers state` prints them. */
export const CHK_ST = { INPROGRESS: 0x01, CONFIGURED: 0x02, ENABLED: 0x04, PAUSED: 0x08, AGENT: 0x10 } as const;

/** HAProxy's defaults: inter 2s, rise 2, fall 3; the agent always uses rise 1, fall 1. */
export const DEFAULT_INTER = 2000;
export const DEFAULT_RISE = 2;
export const DEFAULT_FALL = 3;

export interface CheckTiming {
  readonly inter: number;
  readonly fastinter?: number;
  readonly downinter?: number;
}

export interface HealthCheckSettings extends CheckTiming {
  readonly rise: number;
  readonly fall: number;
}

/** Longest description HAProxy keeps (HCHK_DESC_LEN - 1). */
const DESC_MAX = 127;

export class CheckCounter {
  readonly agent: boolean;
  state: number;
  rise: number;
  fall: number;
  /** 0..rise-1 = DOWN side, rise..rise+fall-1 = UP side. */
  health: number;
  inter: number;
  fastinter: number;
  downinter: number;
  status: CheckStatus = 'INI';
  code = 0;
  desc = '';
  /** Milliseconds of the last check, -1 when unknown (HANA). */
  durationMs = -1;
  result: CheckResultCode = CHK_RES.UNKNOWN;
  /** Failed checks while the server was up (CSV `chkfail`). */
  failedChecks = 0;

  constructor(agent: boolean, settings: HealthCheckSettings | CheckTiming | undefined) {
    this.agent = agent;
    const hs = settings as Partial<HealthCheckSettings> | undefined;
    this.rise = agent ? 1 : (hs?.rise ?? DEFAULT_RISE);
    this.fall = agent ? 1 : (hs?.fall ?? DEFAULT_FALL);
    // "health: up, but will fall down at first failure" (server.c srv_settings_cpy)
    this.health = this.rise;
    this.inter = settings?.inter ?? DEFAULT_INTER;
    this.fastinter = settings?.fastinter ?? 0;
    this.downinter = settings?.downinter ?? 0;
    // HAProxy sets AGENT with CONFIGURED when `agent-check` is parsed: an absent agent's state is 0.
    this.state = settings ? (agent ? CHK_ST.AGENT : 0) | CHK_ST.CONFIGURED | CHK_ST.ENABLED : 0;
  }

  get configured(): boolean {
    return (this.state & CHK_ST.CONFIGURED) !== 0;
  }

  get enabled(): boolean {
    return (this.state & CHK_ST.ENABLED) !== 0;
  }

  /** Enabled and not paused by maintenance: the CSV shows its fields, the scheduler runs it. */
  get active(): boolean {
    return (this.state & (CHK_ST.ENABLED | CHK_ST.PAUSED)) === CHK_ST.ENABLED;
  }

  get inProgress(): boolean {
    return (this.state & CHK_ST.INPROGRESS) !== 0;
  }

  get maxHealth(): number {
    return this.rise + this.fall - 1;
  }

  isFull(): boolean {
    return this.health === this.maxHealth;
  }

  setFlag(flag: number, on: boolean): void {
    this.state = on ? this.state | flag : this.state & ~flag;
  }

  setDesc(desc: string): void {
    this.desc = desc.length > DESC_MAX ? desc.slice(0, DESC_MAX) : desc;
  }

  /** "2/3 DOWN", "1/2 UP", "2/2 DRAIN" as `option log-health-checks` prints it. */
  progress(uweight: number): string {
    const up = this.health >= this.rise;
    const a = up ? this.health - this.rise + 1 : this.health;
    const b = up ? this.fall : this.rise;
    return `${a}/${b} ${up ? (uweight ? 'UP' : 'DRAIN') : 'DOWN'}`;
  }
}
