// Per-proxy and per-server session counters, named as HAProxy's stats fields (management.txt
// 9.1: scur smax stot bin bout econ eresp wretr wredis cli_abrt srv_abrt ...). Plain number
// fields: the session updates them directly, the stats views read them.
import { FreqCtr, nowMs, TimeStats } from '../stats/freq-ctr.ts';

export class ProxyCounters {
  /** Sessions per second (stats `rate`; a frontend's `conn_rate` too) and the highest seen (`rate_max`). */
  readonly sessRate = new FreqCtr();
  spsMax = 0;
  /** Backend and server: qtime/ctime/rtime/ttime averages over the last sessions. */
  readonly times = new TimeStats();

  /** When the last session entered (nowMs), -1 before the first (stats `lastsess`, HAProxy last_sess). */
  lastSess = -1;
  /** Current sessions (frontend: feconn; backend: beconn; server: connections). */
  scur = 0;
  /** Highest scur seen. */
  smax = 0;
  /** Cumulative sessions (server: connection attempts, as HAProxy's cum_sess). */
  stot = 0;
  /** Frontend: connections accepted (conn_tot, HAProxy cum_conn); stot once a TLS handshake succeeded. */
  connTot = 0;
  /** Bytes received from clients (bin) and sent to them (bout). */
  bin = 0;
  bout = 0;
  /** Connections refused by `maxconn` overflow (frontend: dcon); request errors (ereq). */
  dcon = 0;
  ereq = 0;
  /** Failed connections to servers, after retries (econ); server read errors in data (eresp). */
  econ = 0;
  eresp = 0;
  /** Connection retries on the same server (wretr) and redispatches elsewhere (wredis). */
  wretr = 0;
  wredis = 0;
  /** Data transfers aborted by the client (cli_abrt) or the server (srv_abrt). */
  cliAbrt = 0;
  srvAbrt = 0;

  /** HTTP requests (req_tot), responses by status class (hrsp_1xx..hrsp_5xx, hrsp_other), denied requests (dreq). */
  reqTot = 0;
  hrsp1xx = 0;
  hrsp2xx = 0;
  hrsp3xx = 0;
  hrsp4xx = 0;
  hrsp5xx = 0;
  hrspOther = 0;
  denied = 0;
  /** Responses denied by http-response rules (dresp). */
  deniedResp = 0;
  /** Frontend: HTTP requests per second (req_rate) and the highest seen (req_rate_max). */
  readonly reqRate = new FreqCtr();
  rpsMax = 0;
  /** Frontend: requests answered by the proxy itself (stats page, redirects, return, auth, services). */
  intercepted = 0;
  /**
   * HTTP compression (flt_http_comp.c): body bytes given to a compressing algorithm (comp_in) and
   * what came out of it (comp_out), bytes that went through `identity` (comp_byp), responses
   * compressed or passed through an algorithm, counted at their end (comp_rsp).
   */
  compIn = 0;
  compOut = 0;
  compByp = 0;
  compRsp = 0;

  /** One HTTP transaction ended with `status` (-1: no response at all). */
  countHttp(status: number): void {
    this.reqTot++;
    if (status >= 100 && status < 200) this.hrsp1xx++;
    else if (status >= 200 && status < 300) this.hrsp2xx++;
    else if (status >= 300 && status < 400) this.hrsp3xx++;
    else if (status >= 400 && status < 500) this.hrsp4xx++;
    else if (status >= 500 && status < 600) this.hrsp5xx++;
    else this.hrspOther++;
  }

  /** proxy_inc_fe_req_ctr: one more request for a frontend's request rate. */
  countRequestRate(): void {
    const rate = this.reqRate.update(nowMs());
    if (rate > this.rpsMax) this.rpsMax = rate;
  }

  /** A session starts here: scur, smax and stot move together. */
  enter(): void {
    this.enterEmbryonic();
    this.completeSession();
  }

  /** A frontend connection accepted before its session exists (TLS handshake): counted in scur and conn_tot. */
  enterEmbryonic(): void {
    this.connTot++;
    if (++this.scur > this.smax) this.smax = this.scur;
  }

  /** session_count_new: the embryonic session became one (stot, rate, lastsess). */
  completeSession(): void {
    this.stot++;
    const now = nowMs();
    this.lastSess = now;
    const rate = this.sessRate.update(now);
    if (rate > this.spsMax) this.spsMax = rate;
  }

  leave(bytesIn: number, bytesOut: number): void {
    this.scur--;
    this.bin += bytesIn;
    this.bout += bytesOut;
  }
}
