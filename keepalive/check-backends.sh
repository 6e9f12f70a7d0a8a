#!/bin/sh
# hapair keepalive check script (sample): fail when a backend has no server UP, e.g.
#     track-script "/etc/hapair/keepalive/check-backends.sh web" interval 2s weight -60
# Uses the runtime API's `show stat` CSV (HAProxy management.txt 9.1: field 18 is status;
# the BACKEND row aggregates its servers).
set -u
backend=${1:?usage: check-backends.sh BACKEND}
sock=${HAPAIR_PROXY_SOCKET:-/run/hapair/api.sock}
row=$(echo 'show stat' | socat -t 1 -T 1 - "UNIX-CONNECT:$sock" 2>/dev/null | awk -F, -v b="$backend" '$1 == b && $2 == "BACKEND"') || exit 1
status=$(printf '%s\n' "$row" | cut -d, -f18)
[ "$status" = UP ] || exit 1
exit 0
