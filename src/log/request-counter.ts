// %rt, the stream counter (HAProxy global.req_count, src/stream.c stream_new): one per process,
// from 0; each HTTP request and each TCP connection takes the next number when its stream
// begins, and a request the H1 layer refused takes one when it is logged (log.c, s == NULL).
let next = 0;

export function nextRequestCounter(): number {
  return next++;
}
