// A proxy's error pages from its lines (http_htx.c proxy_check_errors) and the errorloc page bytes.
import { describe, expect, it } from 'vitest';
import type { HttpErrorsSection } from '../config/model.ts';
import { ErrorPages, errorlocPage, errorPagesOf } from './error-pages.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const section: HttpErrorsSection = { name: 'he', pages: new Map([[403, b('S403')], [503, b('S503')]]) };

describe('errorPagesOf', () => {
  it('the last line for a code wins; errorfiles without codes takes every page of the section', () => {
    const pages = errorPagesOf([{ code: 403, page: b('F403') }, { section, codes: null }, { code: 503, page: b('F503') }]);
    expect(pages.get(403)?.toString()).toBe('S403');
    expect(pages.get(503)?.toString()).toBe('F503');
  });

  it('errorfiles with codes takes only those; a code the section lacks keeps the page set before', () => {
    const pages = errorPagesOf([{ code: 404, page: b('F404') }, { code: 503, page: b('F503') }, { section, codes: [403, 404] }]);
    expect([...pages].map(([c, p]) => `${c}=${p.toString()}`).sort()).toEqual(['403=S403', '404=F404', '503=F503']);
  });
});

describe('errorloc pages', () => {
  it('are an empty 302 or 303 with cache-control and the location, sent in lower case', () => {
    const r = new ErrorPages(new Map([[503, errorlocPage(303, '/x')], [403, errorlocPage(302, 'http://h/')]]));
    expect(r.get(503).toString()).toBe('HTTP/1.1 303 See Other\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: /x\r\n\r\n');
    const reply = r.reply(403);
    expect(reply.head).toBe('HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: http://h/\r\n');
    expect(reply.body.length).toBe(0);
    expect(reply.close).toBe(false);
    expect(r.get(404).toString()).toContain('404 Not Found');
  });
});
