// `show errors [<px>] [request|response]` (management.txt 9.3, src/proxy.c
// cli_io_handler_show_errors): the event total, then per proxy in config order its last invalid
// request and its last invalid response, each with HAProxy's header lines and a text dump of the
// bytes. hapair has no mux-specific details to add (HAProxy's `es->show` block is optional).
import { formatDateLog } from '../log/log-time.ts';
import { capturedErrorEvents, SNAPSHOT_BUFSIZE, type ErrorSnapshot } from '../proxy/error-snapshot.ts';
import type { ApiTarget } from './api-target.ts';
import type { CommandContext } from './commands.ts';

/** b_wrap - b_peek of a request read at the start of the H1 mux's buffer, as HAProxy 2.6 reports it. */
const SNAPSHOT_WRAP = 16336;

/** proxy_find_by_name (`#<id>` or a name), else atoi(); 0 is "No such proxy.". */
function proxyFilter(target: ApiTarget, arg: string): number {
  const proxies = target.config.proxies;
  const found = arg.startsWith('#') ? proxies.find((p) => p.id === Number.parseInt(arg.slice(1), 10)) : proxies.find((p) => p.name === arg);
  if (found !== undefined) return found.id;
  const n = Number.parseInt(arg, 10);
  return Number.isNaN(n) ? 0 : n;
}

const peer = (p: { name: string; id: number } | null) => (p === null ? '<NONE> (#-1)' : `${p.name} (#${p.id})`);

/** tools.c dump_text_line: one line of at most 80 characters; longer lines continue with '+'. */
export function dumpTextLines(buf: Buffer): string {
  let out = '';
  let ptr = 0;
  let bol = 0;
  const len = Math.min(buf.length, SNAPSHOT_BUFSIZE);
  while (ptr < len) {
    let line = `  ${String(ptr).padStart(5, '0')}${ptr === bol ? ' ' : '+'} `;
    const limit = 80;
    while (ptr < len) {
      const c = buf[ptr]!;
      let text: string;
      if (c >= 0x20 && c < 0x7f && c !== 0x5c) text = String.fromCharCode(c);
      else if (c === 0x09) text = '\\t';
      else if (c === 0x0a) text = '\\n';
      else if (c === 0x0d) text = '\\r';
      else if (c === 0x1b) text = '\\e';
      else if (c === 0x5c) text = '\\\\';
      else text = `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
      if (line.length > limit - 1 - text.length) break;
      line += text;
      ptr++;
      if (c === 0x0a) {
        bol = ptr;
        break;
      }
    }
    out += `${line}\n`;
  }
  return out;
}

function snapshotText(es: ErrorSnapshot, px: { name: string; id: number }, response: boolean): string {
  const src = `${es.src}:${es.srcPort}`;
  const head = response
    ? ` backend ${px.name} (#${px.id}): invalid response\n  frontend ${peer(es.otherEnd)}`
    : ` frontend ${px.name} (#${px.id}): invalid request\n  backend ${peer(es.otherEnd)}`;
  return (
    ` \n[${formatDateLog(es.when)}]${head}, server ${peer(es.server)}, event #${es.evId}, src ${src}\n` +
    `  buffer starts at 0 (including 0 out), ${SNAPSHOT_BUFSIZE - es.buf.length} free,\n` +
    `  len ${es.buf.length}, wraps at ${SNAPSHOT_WRAP}, error at position ${es.errPos}\n` +
    '  \n' +
    dumpTextLines(es.buf)
  );
}

export function showErrors(args: readonly string[], { target }: CommandContext): string {
  let iid = -1;
  if (args[2]) {
    iid = proxyFilter(target, args[2]);
    if (iid === 0) return 'No such proxy.\n';
  }
  const wantReq = args[3] !== 'response';
  const wantRes = args[3] !== 'request';
  let out = `Total events captured on [${formatDateLog(Date.now())}] : ${capturedErrorEvents()}\n`;
  for (const spec of target.config.proxies) {
    const px = { name: spec.name, id: spec.id };
    const fe = target.frontends.get(spec.name);
    const be = target.backends.get(spec.name);
    const req = fe?.spec === spec ? fe.invalidReq : null;
    const res = be?.spec === spec ? be.invalidRep : null;
    const keep = (es: ErrorSnapshot | null): es is ErrorSnapshot => es !== null && (iid < 0 || spec.id === iid || es.otherEnd?.id === iid);
    if (wantReq && keep(req)) out += snapshotText(req, px, false);
    if (wantRes && keep(res)) out += snapshotText(res, px, true);
  }
  return out;
}
