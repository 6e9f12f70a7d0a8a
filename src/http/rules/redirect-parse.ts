// Arguments of `redirect` and `http-request redirect` (configuration.txt 4.2 "redirect";
// HAProxy 2.6 http_rules.c http_parse_redirect_rule, whose error texts these are).
import type { Format } from './format.ts';
import type { RedirectSpec, RedirectType } from './replies.ts';

export type FormatOf = (text: string) => { ok: true; f: Format } | { ok: false; error: string };

const CODES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Parse from `words[i]` up to `if`/`unless` or the end. */
export function parseRedirectArgs(words: readonly string[], i: number, formatOf: FormatOf): { spec: RedirectSpec; next: number } | string {
  let type: RedirectType | undefined;
  let target: Format = '';
  let code: RedirectSpec['code'] = 302;
  let dropQuery = false;
  let appendSlash = false;
  let ignoreEmpty = false;
  let cookie: string | undefined;
  for (; i < words.length && words[i] !== 'if' && words[i] !== 'unless'; i++) {
    const w = words[i];
    if (w === 'location' || w === 'prefix' || w === 'scheme') {
      if (words[i + 1] === undefined) return `missing argument for '${w}'`;
      const f = formatOf(words[++i]);
      if (!f.ok) return f.error;
      type = w;
      target = f.f;
    } else if (w === 'code') {
      const c = Number(words[i + 1]);
      if (words[i + 1] === undefined) return "missing argument for 'code'";
      if (!CODES.has(c)) return `'code': unsupported HTTP code '${words[i + 1]}' (must be one of 301, 302, 303, 307 or 308)`;
      code = c as RedirectSpec['code'];
      i++;
    } else if (w === 'set-cookie' || w === 'clear-cookie') {
      if (words[i + 1] === undefined) return `missing argument for '${w}'`;
      cookie = `${words[++i]}${w === 'set-cookie' ? '; path=/;' : '; path=/; Max-Age=0;'}`;
    } else if (w === 'drop-query') dropQuery = true;
    else if (w === 'append-slash') appendSlash = true;
    else if (w === 'ignore-empty') ignoreEmpty = true;
    else {
      return "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' " +
        `(was '${w}')`;
    }
  }
  if (type === undefined) return "redirection type expected ('prefix', 'location', or 'scheme')";
  return { spec: { type, target, code, dropQuery, appendSlash, ignoreEmpty, cookie }, next: i };
}
