// Serialises heads for the wire as HAProxy 2.6's H1 mux does: lower-case names as stored, one
// latin1 string per head (written in one call), and the `connection` header chosen by the
// proxy's connection mode instead of the one received (src/mux_h1.c h1_update_req_conn_value).
import type { H1Message } from './h1-message.ts';

/** What the `connection` header of an outgoing head says. */
export const CONN_NONE = 0;
export const CONN_CLOSE = 1;
export const CONN_KEEP_ALIVE = 2;

/**
 * The header lines. `added`: lines the proxy appends to the message (x-forwarded-for,
 * x-original-to), after the received ones and before a `connection` header the writer adds, as
 * HAProxy's HTX holds them before the H1 mux writes its own at the end of the head; `last`: the
 * mux's `http-send-name-header` line, after everything, whose name `skip` drops from the rest.
 */
function fields(msg: H1Message, conn: number, added: string, last: string, skip: string): string {
  const h = msg.flat;
  const token = conn === CONN_CLOSE ? 'close' : conn === CONN_KEEP_ALIVE ? 'keep-alive' : '';
  let out = '';
  // A head with an `upgrade` token keeps its connection header as is (h1_update_*_conn_value).
  let done = token === '' || msg.connUpgrade;
  for (let i = 0; i < h.length; i += 2) {
    if (h[i] === skip) continue;
    if (h[i] === 'connection') {
      // Tokens other than close/keep-alive (e.g. `upgrade`) stay where they were, after ours.
      out += 'connection: ' + (done ? h[i + 1] : token + ', ' + h[i + 1]) + '\r\n';
      done = true;
      continue;
    }
    out += h[i] + ': ' + h[i + 1] + '\r\n';
  }
  out += added;
  if (!done) out += 'connection: ' + token + '\r\n';
  return out + last + '\r\n';
}

/**
 * Request head towards a server. `added`: header lines appended after the received ones
 * (`name: value\r\n` each); `last`/`skip`: see fields().
 */
export function writeRequestHead(req: H1Message, conn: number, added = '', last = '', skip = ''): string {
  // HAProxy writes the version it understood: HTTP/1.1 for 1.1 and later, else HTTP/1.0.
  return req.method + ' ' + req.uri + (req.version11 ? ' HTTP/1.1\r\n' : ' HTTP/1.0\r\n') + fields(req, conn, added, last, skip);
}

/** Response head towards the client. */
export function writeResponseHead(res: H1Message, conn: number): string {
  return res.version + ' ' + res.status + (res.reason !== '' ? ' ' + res.reason : ' ') + '\r\n' + fields(res, conn, '', '', '');
}
