// Serialises heads for the wire as HAProxy 2.6's H1 mux does: lower-case names as stored, one
// latin1 string per head (written in one call), and the `connection` header chosen by the
// proxy's connection mode instead of the one received (src/mux_h1.c h1_update_req_conn_value).
import type { H1Message } from './h1-message.ts';

/** What the `connection` header of an outgoing head says. */
export const CONN_NONE = 0;
export const CONN_CLOSE = 1;
export const CONN_KEEP_ALIVE = 2;

function fields(msg: H1Message, conn: number, extraName: string, extraValue: string): string {
  const h = msg.flat;
  const token = conn === CONN_CLOSE ? 'close' : conn === CONN_KEEP_ALIVE ? 'keep-alive' : '';
  let out = '';
  // A head with an `upgrade` token keeps its connection header as is (h1_update_*_conn_value).
  let done = token === '' || msg.connUpgrade;
  for (let i = 0; i < h.length; i += 2) {
    if (h[i] === 'connection') {
      // Tokens other than close/keep-alive (e.g. `upgrade`) stay where they were, after ours.
      out += 'connection: ' + (done ? h[i + 1] : token + ', ' + h[i + 1]) + '\r\n';
      done = true;
      continue;
    }
    out += h[i] + ': ' + h[i + 1] + '\r\n';
  }
  if (!done) out += 'connection: ' + token + '\r\n';
  if (extraName !== '') out += extraName + ': ' + extraValue + '\r\n';
  return out + '\r\n';
}

/** Request head towards a server. `extraName`: a header added last (x-forwarded-for), or ''. */
export function writeRequestHead(req: H1Message, conn: number, extraName = '', extraValue = ''): string {
  // HAProxy writes the version it understood: HTTP/1.1 for 1.1 and later, else HTTP/1.0.
  return req.method + ' ' + req.uri + (req.version11 ? ' HTTP/1.1\r\n' : ' HTTP/1.0\r\n') + fields(req, conn, extraName, extraValue);
}

/** Response head towards the client. */
export function writeResponseHead(res: H1Message, conn: number): string {
  return res.version + ' ' + res.status + (res.reason !== '' ? ' ' + res.reason : ' ') + '\r\n' + fields(res, conn, '', '');
}
