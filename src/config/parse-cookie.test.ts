import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';
import { parseCookie } from './parse-cookie.ts';

describe('cookie line', () => {
  it('parses every option', () => {
    const r = parseCookie('SRV insert indirect nocache postonly preserve httponly secure domain .a.com domain b.org maxidle 30m maxlife 2h attr SameSite=Lax attr x'.split(' '));
    expect(r).toEqual({
      ok: true,
      warnings: [],
      spec: {
        name: 'SRV', mode: 'insert', indirect: true, nocache: true, postonly: true, preserve: true, httponly: true, secure: true,
        domains: ['.a.com', 'b.org'], maxidle: 1800, maxlife: 7200, dynamic: false, attrs: ['SameSite=Lax', 'x'],
      },
    });
  });

  it('defaults to passive mode, maxidle in seconds', () => {
    const r = parseCookie(['JSESSIONID', 'maxidle', '90']);
    expect(r.ok && r.spec.mode).toBe('passive');
    expect(r.ok && r.spec.maxidle).toBe(90);
    expect(parseCookie(['X', 'prefix']).ok).toBe(true);
    expect(parseCookie(['X', 'rewrite']).ok).toBe(true);
  });

  it('warns about a domain without a dot', () => {
    const r = parseCookie(['X', 'insert', 'domain', 'localhost']);
    expect(r.ok && r.warnings).toEqual(["domain 'localhost' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3)"]);
  });

  it.each([
    [[], "'cookie' expects <cookie_name> as argument"],
    [['X', 'insert', 'rewrite'], "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible"],
    [['X', 'prefix', 'insert'], "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible"],
    [['X', 'rewrite', 'indirect'], "cookie 'rewrite' and 'indirect' modes are incompatible"],
    [['X', 'preserve'], "cookie 'preserve' requires at least 'insert' or 'indirect'"],
    [['X', 'insert', 'domain'], "'domain' expects <domain> as argument"],
    [['X', 'insert', 'domain', 'a b.com'], "character ' ' is not permitted in domain name 'a b.com'"],
    [['X', 'insert', 'maxidle'], "'maxidle' expects <idletime> in seconds as argument"],
    [['X', 'insert', 'maxlife', '3x'], "invalid argument <3x> to <maxlife>: unexpected character 'x'"],
    [['X', 'insert', 'attr', 'a;b'], "character '%x3B' is not permitted in attribute value"],
    [['X', 'insret'], "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options"],
  ])('refuses %j', (words, error) => {
    expect(parseCookie(words)).toEqual({ ok: false, error });
  });

  it('accepts preserve with indirect alone', () => {
    expect(parseCookie(['X', 'indirect', 'preserve']).ok).toBe(true);
  });
});

describe('cookie in a configuration', () => {
  const parse = (text: string) => {
    const r = parseConfigText(text, 't.cfg');
    return { config: r.config, messages: r.diagnostics.map(formatDiagnostic) };
  };

  it('is inherited from defaults by backends, with option persist', () => {
    const { config, messages } = parse('defaults\n  mode http\n  cookie SRV insert indirect\n  option persist\nbackend be\n  server s1 127.0.0.1:1 cookie a\n');
    expect(messages.filter((m) => m.includes('cookie'))).toEqual([]);
    const be = config!.proxies[0];
    expect(be.cookie).toMatchObject({ name: 'SRV', mode: 'insert', indirect: true });
    expect(be.options.persist).toBe(true);
    expect(be.servers[0].cookie).toBe('a');
  });

  it('is ignored with HAProxy warnings outside mode http', () => {
    const { config, messages } = parse('backend be\n  mode tcp\n  cookie SRV insert\n  server s1 127.0.0.1:1 cookie a\n');
    expect(config!.proxies[0].cookie).toBeUndefined();
    expect(messages).toContain("t.cfg:1: backend 'be': cookie will be ignored for backend 'be' (needs 'mode http').");
  });

  it('reports a bad cookie line with file and line', () => {
    expect(parse('backend be\n  mode http\n  cookie SRV insert rewrite\n').messages).toContain(
      "t.cfg:3: backend 'be': cookie 'rewrite', 'insert' and 'prefix' modes are incompatible",
    );
  });

  it('parses force-persist and ignore-persist rules in order', () => {
    const { config, messages } = parse('backend be\n  mode http\n  force-persist if { path_beg /a }\n  ignore-persist unless TRUE\n  server s1 127.0.0.1:1\n');
    expect(messages.filter((m) => m.includes('persist'))).toEqual([]);
    expect(config!.proxies[0].rules?.persistRules?.map((r) => r.type)).toEqual(['force', 'ignore']);
  });

  it('requires a condition on force-persist / ignore-persist', () => {
    expect(parse('backend be\n  mode http\n  ignore-persist\n').messages).toContain(
      "t.cfg:3: backend 'be': 'ignore-persist' requires either 'if' or 'unless' followed by a condition.",
    );
  });
});
