// `cookie <name> [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve] [httponly]
// [secure] [domain <d>]* [maxidle <t>] [maxlife <t>] [dynamic] [attr <v>]*` (configuration.txt
// 4.2 "cookie"; cfgparse-listen.c). Messages follow HAProxy's.
import type { CookieSpec } from './model.ts';
import type { Mutable } from './proxy-draft.ts';
import { parseDuration } from './units.ts';

export type CookieParse =
  | { readonly ok: true; readonly spec: CookieSpec; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: string };

const FLAGS = ['indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'dynamic'] as const;
const MODES = ['rewrite', 'insert', 'prefix'] as const;

/** Characters HAProxy refuses in a cookie domain (tools.c invalid_domainchar). */
function invalidDomainChar(domain: string): string | undefined {
  return [...domain].find((c) => !/[A-Za-z0-9.\-_]/.test(c));
}

/** Parse the words after `cookie`. */
export function parseCookie(words: readonly string[]): CookieParse {
  const [name, ...rest] = words;
  if (name === undefined || name === '') return { ok: false, error: "'cookie' expects <cookie_name> as argument" };
  const spec: Mutable<CookieSpec> & { domains: string[]; attrs: string[] } = {
    name, mode: 'passive', indirect: false, nocache: false, postonly: false, preserve: false,
    httponly: false, secure: false, domains: [], maxidle: 0, maxlife: 0, dynamic: false, attrs: [],
  };
  const modes = new Set<string>();
  const warnings: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    const value = rest[i + 1];
    if ((MODES as readonly string[]).includes(w)) {
      modes.add(w);
      spec.mode = w as CookieSpec['mode'];
    } else if ((FLAGS as readonly string[]).includes(w)) {
      spec[w as (typeof FLAGS)[number]] = true;
    } else if (w === 'domain') {
      if (value === undefined || value === '') return { ok: false, error: "'domain' expects <domain> as argument" };
      if (!value.includes('.')) warnings.push(`domain '${value}' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3)`);
      const bad = invalidDomainChar(value);
      if (bad !== undefined) return { ok: false, error: `character '${bad}' is not permitted in domain name '${value}'` };
      spec.domains.push(value);
      i++;
    } else if (w === 'maxidle' || w === 'maxlife') {
      if (value === undefined || value === '') return { ok: false, error: `'${w}' expects <${w === 'maxidle' ? 'idletime' : 'lifetime'}> in seconds as argument` };
      const t = parseDuration(value, 's');
      if (!t.ok) return { ok: false, error: `invalid argument <${value}> to <${w}>: ${t.error}` };
      spec[w] = t.value;
      i++;
    } else if (w === 'attr') {
      if (value === undefined || value === '') return { ok: false, error: "'attr' expects <value> as argument" };
      const bad = [...value].find((c) => c === ';' || c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);
      if (bad !== undefined) return { ok: false, error: `character '%x${bad.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}' is not permitted in attribute value` };
      spec.attrs.push(value);
      i++;
    } else {
      return { ok: false, error: "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options" };
    }
  }
  if (modes.has('rewrite') && spec.indirect) return { ok: false, error: "cookie 'rewrite' and 'indirect' modes are incompatible" };
  if (modes.size > 1) return { ok: false, error: "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible" };
  if (spec.preserve && spec.mode !== 'insert' && !spec.indirect) return { ok: false, error: "cookie 'preserve' requires at least 'insert' or 'indirect'" };
  return { ok: true, spec, warnings };
}
