import { describe, expect, it } from 'vitest';
import { matchesMonitorUri } from './monitor-uri.ts';

describe('matchesMonitorUri (http_ana.c http_wait_for_request step 2)', () => {
  it('a URI starting with / is compared with the path, query string included', () => {
    expect(matchesMonitorUri('/mon', '/mon')).toBe(true);
    expect(matchesMonitorUri('/mon', 'http://example.com/mon')).toBe(true);
    expect(matchesMonitorUri('/mon', 'https://u@example.com:8443/mon')).toBe(true);
    for (const miss of ['/mon?x', '/mon/', '/MON', '/mo', 'http://example.com/mon?x', 'http://example.com', 'example.com:80', '*']) {
      expect(matchesMonitorUri('/mon', miss), miss).toBe(false);
    }
  });

  it('another URI is compared with the whole target', () => {
    expect(matchesMonitorUri('*', '*')).toBe(true);
    expect(matchesMonitorUri('http://example.com/mon', 'http://example.com/mon')).toBe(true);
    expect(matchesMonitorUri('http://example.com/mon', '/mon')).toBe(false);
  });
});
