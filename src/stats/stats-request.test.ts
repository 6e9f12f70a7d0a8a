// Stats URI matching and the `;flag` / `scope=` options (src/http_ana.c http_handle_stats).
import { describe, expect, it } from 'vitest';
import { matchesStatsUri, parseStatsQuery } from './stats-request.ts';

describe('stats request', () => {
  it('matches GET, HEAD and POST whose path starts with the prefix', () => {
    expect(matchesStatsUri('/stats', 'GET', '/stats;csv')).toBe(true);
    expect(matchesStatsUri('/stats', 'POST', 'http://lb/stats')).toBe(true);
    expect(matchesStatsUri('/stats', 'PUT', '/stats')).toBe(false);
    expect(matchesStatsUri('/stats', 'GET', '/other/stats')).toBe(false);
    expect(matchesStatsUri('/haproxy?stats', 'GET', '/haproxy?stats;csv')).toBe(true);
  });

  it('reads the format, display flags, result code and scope', () => {
    expect(parseStatsQuery('/stats', '/stats', true)).toEqual({ format: 'html', hideDown: false, hideMaint: false, noRefresh: false, scope: '' });
    expect(parseStatsQuery('/stats;csv;up;norefresh?scope=web', '/stats', true)).toEqual({ format: 'csv', hideDown: true, hideMaint: false, noRefresh: true, scope: 'web' });
    expect(parseStatsQuery('/stats;json;no-maint', '/stats', false)).toMatchObject({ format: 'json', hideMaint: true, noRefresh: false });
    expect(parseStatsQuery('/stats;st=DONE', '/stats', false).st).toBe('DONE');
    expect(parseStatsQuery('/stats;st=WHAT', '/stats', false).st).toBe('UNKN');
    // `;norefresh` only counts when a refresh is configured; an invalid scope is dropped.
    expect(parseStatsQuery('/stats;norefresh', '/stats', false).noRefresh).toBe(false);
    expect(parseStatsQuery('/stats?scope=<x>', '/stats', false).scope).toBe('');
    expect(parseStatsQuery(`/stats?scope=${'a'.repeat(30)}`, '/stats', false).scope).toHaveLength(20);
  });
});
