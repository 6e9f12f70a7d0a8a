// `monitor-uri` matching (HAProxy 2.6 http_ana.c http_wait_for_request, step 2): the request target
// as received equals the monitor URI, or, for a monitor URI starting with '/', its path does: the
// part after `scheme://authority` of an absolute target, query string included (http_parse_path).
// Case-sensitive; a query string or a trailing slash is no match.
import { pathStart } from '../acl/http-values.ts';

export function matchesMonitorUri(monitorUri: string, uri: string): boolean {
  if (uri === monitorUri) return true;
  if (monitorUri.charCodeAt(0) !== 0x2f || uri.charCodeAt(0) === 0x2f) return false;
  const start = pathStart(uri);
  return start > 0 && uri.length - start === monitorUri.length && uri.endsWith(monitorUri);
}
