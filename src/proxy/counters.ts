// Per-proxy and per-server session counters, named as HAProxy's stats fields (management.txt
// 9.1: scur smax stot bin bout econ eresp wretr wredis cli_abrt srv_abrt ...). Plain number
// fields: the session updates them directly, the stats views read them.

export class ProxyCounters {
  /** Current sessions (frontend: feconn; backend: beconn; server: connections). */
  scur = 0;
  /** Highest scur seen. */
  smax = 0;
  /** Cumulative sessions (server: connection attempts, as HAProxy's cum_sess). */
  stot = 0;
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

  /** A session starts here: scur, smax and stot move together. */
  enter(): void {
    this.stot++;
    if (++this.scur > this.smax) this.smax = this.scur;
  }

  leave(bytesIn: number, bytesOut: number): void {
    this.scur--;
    this.bin += bytesIn;
    this.bout += bytesOut;
  }
}
