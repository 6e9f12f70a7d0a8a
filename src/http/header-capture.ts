// `capture request|response header NAME len N` (configuration.txt 4.2): HAProxy 2.6 takes the
// values when the head arrives, before any http-request / http-response rule edits it
// (http_ana.c http_wait_for_request / http_wait_for_response -> http_capture_headers): the last
// occurrence of each name, whole line value, cut to `len` bytes; an absent header stays null
// (`-` in %hrl / %hsl, empty in the `{...}` block).
import type { HeaderCapture } from './rules/rules.ts';

/** The captured values of `caps` from a head's flat [name, value, ...] list (lower-case names). */
export function captureHeaders(caps: readonly HeaderCapture[], flat: readonly string[]): (string | null)[] {
  const out: (string | null)[] = [];
  for (const c of caps) {
    let v: string | null = null;
    for (let i = flat.length - 2; i >= 0; i -= 2) {
      if (flat[i] === c.name) {
        v = flat[i + 1].slice(0, c.len);
        break;
      }
    }
    out.push(v);
  }
  return out;
}
