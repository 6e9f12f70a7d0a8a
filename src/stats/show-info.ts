// `show info` (HAProxy management.txt 9.3 "show info"): the process fields HAProxy 2.6.12
// prints, in its order, with its positions and tags (`typed`, `json`). Values hapair does not
// track (SSL, pipes, compression, pools) are 0, as HAProxy prints them when unused.
import { hostname } from 'node:os';
import type { ApiTarget } from '../api/api-target.ts';
import { HAPAIR_VERSION } from '../cli/help.ts';
import { decodeTags, jsonValue, type StatValue } from './stat-format.ts';

/** "pos|name|tags:type", from HAProxy 2.6.12 `show info typed`. */
const INFO_FIELDS: readonly string[] = [
  "0|Name|POS:str",
  "1|Version|POS:str",
  "2|Release_date|POS:str",
  "3|Nbthread|CGS:u32",
  "4|Nbproc|CGS:u32",
  "5|Process_num|KGP:u32",
  "6|Pid|SGP:u32",
  "7|Uptime|MDP:str",
  "8|Uptime_sec|MDP:u32",
  "9|Memmax_MB|CLP:u32",
  "10|PoolAlloc_MB|MGP:u32",
  "11|PoolUsed_MB|MGP:u32",
  "12|PoolFailed|MCP:u32",
  "13|Ulimit-n|CLP:u32",
  "14|Maxsock|CLP:u32",
  "15|Maxconn|CLP:u32",
  "16|Hard_maxconn|CLP:u32",
  "17|CurrConns|MGP:u32",
  "18|CumConns|MCP:u32",
  "19|CumReq|MCP:u32",
  "20|MaxSslConns|MMP:u32",
  "21|CurrSslConns|MGP:u32",
  "22|CumSslConns|MCP:u32",
  "23|Maxpipes|CLP:u32",
  "24|PipesUsed|MGP:u32",
  "25|PipesFree|MGP:u32",
  "26|ConnRate|MRP:u32",
  "27|ConnRateLimit|CLP:u32",
  "28|MaxConnRate|MMP:u32",
  "29|SessRate|MRP:u32",
  "30|SessRateLimit|CLP:u32",
  "31|MaxSessRate|MRP:u32",
  "32|SslRate|MRP:u32",
  "33|SslRateLimit|CLP:u32",
  "34|MaxSslRate|MMP:u32",
  "35|SslFrontendKeyRate|MGP:u32",
  "36|SslFrontendMaxKeyRate|MMP:u32",
  "37|SslFrontendSessionReuse_pct|MGP:u32",
  "38|SslBackendKeyRate|MRP:u32",
  "39|SslBackendMaxKeyRate|MMP:u32",
  "40|SslCacheLookups|MCP:u32",
  "41|SslCacheMisses|MCP:u32",
  "42|CompressBpsIn|MRP:u32",
  "43|CompressBpsOut|MRP:u32",
  "44|CompressBpsRateLim|CLP:u32",
  "47|Tasks|MGP:u32",
  "48|Run_queue|MGP:u32",
  "49|Idle_pct|MaP:u32",
  "50|node|COS:str",
  "52|Stopping|MGP:u32",
  "53|Jobs|MGP:u32",
  "54|Unstoppable Jobs|MGP:u32",
  "55|Listeners|MGP:u32",
  "56|ActivePeers|MGP:u32",
  "57|ConnectedPeers|MGP:u32",
  "58|DroppedLogs|MGP:u32",
  "59|BusyPolling|MGP:u32",
  "60|FailedResolutions|MGP:u32",
  "61|TotalBytesOut|MGP:u64",
  "62|TotalSplicdedBytesOut|MGP:u64",
  "63|BytesOutRate|MRP:u64",
  "64|DebugCommandsIssued|MGP:u32",
  "65|CumRecvLogs|MCP:u32",
  "66|Build info|POS:str",
  "67|Memmax_bytes|CLP:u32",
  "68|PoolAlloc_bytes|MGP:u64",
  "69|PoolUsed_bytes|MGP:u64",
  "70|Start_time_sec|MDP:u32",
  "71|Tainted|SGP:str",
];

interface InfoField {
  readonly pos: number;
  readonly name: string;
  readonly tags: string;
  readonly type: string;
}

const FIELDS: readonly InfoField[] = INFO_FIELDS.map((f) => {
  const [pos, name, tt] = f.split('|');
  const [tags, type] = tt.split(':');
  return { pos: Number(pos), name, tags, type };
});

/** "0d 0h00m09s" (src/tools.c human_time for the Uptime field). */
function uptimeText(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

export function infoValues(target: ApiTarget): Map<string, StatValue> {
  const uptime = Math.floor((Date.now() - target.startedAt) / 1000);
  let bytesOut = 0;
  let listeners = 0;
  for (const fe of target.frontends.values()) {
    bytesOut += fe.counters.bout;
    listeners += fe.listeners.length;
  }
  const mem = process.memoryUsage();
  const v = new Map<string, StatValue>();
  for (const f of FIELDS) v.set(f.name, f.type === 'str' ? '' : 0);
  const set: [string, StatValue][] = [
    ['Name', 'hapair'],
    ['Version', HAPAIR_VERSION],
    ['Nbthread', 1],
    ['Nbproc', 1],
    ['Process_num', 1],
    ['Pid', process.pid],
    ['Uptime', uptimeText(uptime)],
    ['Uptime_sec', uptime],
    ['PoolAlloc_MB', Math.floor(mem.rss / 1048576)],
    ['PoolUsed_MB', Math.floor(mem.heapUsed / 1048576)],
    ['Maxconn', target.maxconn],
    ['Hard_maxconn', target.config.global.maxconn],
    ['CurrConns', target.actconn],
    ['CumConns', target.cumConns],
    ['CumReq', target.cumConns],
    // One session per connection in TCP mode: the session rates are the connection rates.
    ['ConnRate', target.connRate],
    ['MaxConnRate', target.cpsMax],
    ['SessRate', target.connRate],
    ['MaxSessRate', target.cpsMax],
    ['Idle_pct', 100],
    ['node', hostname()],
    ['Jobs', target.actconn + listeners],
    ['Listeners', listeners],
    ['TotalBytesOut', bytesOut],
    ['Build info', HAPAIR_VERSION],
    ['PoolAlloc_bytes', mem.rss],
    ['PoolUsed_bytes', mem.heapUsed],
    ['Start_time_sec', Math.floor(target.startedAt / 1000)],
    ['Tainted', '0'],
  ];
  for (const [k, val] of set) v.set(k, val);
  return v;
}

/** `show info [typed|json]`. */
export function showInfo(target: ApiTarget, args: readonly string[]): string {
  const v = infoValues(target);
  if (args.includes('json')) {
    const items = FIELDS.map((f) => JSON.stringify({ field: { pos: f.pos, name: f.name }, processNum: 1, tags: decodeTags(f.tags), value: jsonValue(f.type, v.get(f.name)!) }));
    return `[${items.join(',')}]\n`;
  }
  if (args.includes('typed')) return FIELDS.map((f) => `${f.pos}.${f.name}.1:${f.tags}:${f.type}:${v.get(f.name)}\n`).join('');
  return FIELDS.map((f) => `${f.name}: ${v.get(f.name)}\n`).join('');
}
