#!/bin/sh
# hapair keepalive check script (sample): an extra proxy check for `track-script`, e.g.
#     track-script "/etc/hapair/keepalive/check-proxy.sh" interval 2s timeout 1s weight -50
# Succeeds when the proxy's runtime API answers `show info` and reports it is not stopping.
# (The built-in `track-proxy` already probes the runtime API; use this to add your own criteria.)
set -u
sock=${HAPAIR_PROXY_SOCKET:-/run/hapair/api.sock}
info=$(echo 'show info' | socat -t 1 -T 1 - "UNIX-CONNECT:$sock" 2>/dev/null) || exit 1
printf '%s\n' "$info" | grep -q '^Name:' || exit 1
# HAProxy reports Stopping: 1 during a soft stop: do not stay master on a stopping proxy.
printf '%s\n' "$info" | grep -q '^Stopping: 1' && exit 1
exit 0
