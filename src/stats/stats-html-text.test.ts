// Number and time formats of the stats page, as HAProxy's ulltoh_r / human_time / limit_r print them.
import { describe, expect, it } from 'vitest';
import { escapeHtml, humanTime, lim2a, u2h } from './stats-html-text.ts';

describe('stats page formats', () => {
  it('u2h letter-spaces the digit before each group of three', () => {
    expect(u2h(0)).toBe('0');
    expect(u2h(999)).toBe('999');
    expect(u2h(9983)).toBe('<span class="rls">9</span>983');
    expect(u2h(1234567)).toBe('<span class="rls">1</span>23<span class="rls">4</span>567');
  });

  it('humanTime prints two units at most, 0s for zero and ? for negative', () => {
    expect([humanTime(0), humanTime(59), humanTime(61), humanTime(3600), humanTime(3661), humanTime(90061), humanTime(-1)]).toEqual(
      ['0s', '59s', '1m1s', '1h', '1h1m', '1d1h', '?'],
    );
  });

  it('lim2a shows the alternative for an unset limit; escapeHtml escapes markup', () => {
    expect([lim2a(0, '-'), lim2a(10, '-'), lim2a(undefined)]).toEqual(['-', '10', '']);
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
