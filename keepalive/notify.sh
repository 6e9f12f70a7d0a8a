#!/bin/sh
# hapair keepalive notify hook (sample): `notify /etc/hapair/keepalive/notify.sh`.
# Called on every state transition, one at a time and in order, as
#     notify.sh INSTANCE STATE PRIORITY
# with STATE one of BACKUP MASTER FAULT STOP, and in the environment HAPAIR_INSTANCE,
# HAPAIR_STATE, HAPAIR_PREVIOUS_STATE, HAPAIR_PRIORITY, HAPAIR_REASON, HAPAIR_NODE.
# Keep it quick: it runs under `notify-timeout` (default 10s) and delays the next hook.
set -u
instance=$1 state=$2 priority=$3
line="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) ${HAPAIR_NODE:-?} $instance ${HAPAIR_PREVIOUS_STATE:-?} -> $state priority $priority (${HAPAIR_REASON:-})"

# Syslog, when available.
command -v logger >/dev/null 2>&1 && logger -t hapair-keepalive -- "$line"

# A state file per instance for monitoring (opt-in: set HAPAIR_STATE_DIR in the service environment).
if [ -n "${HAPAIR_STATE_DIR:-}" ]; then
    printf '%s\n' "$state" > "$HAPAIR_STATE_DIR/$instance.state.tmp" && mv "$HAPAIR_STATE_DIR/$instance.state.tmp" "$HAPAIR_STATE_DIR/$instance.state"
fi

# An append-only transition log (opt-in: HAPAIR_NOTIFY_LOG=/var/log/hapair/transitions.log).
if [ -n "${HAPAIR_NOTIFY_LOG:-}" ]; then
    printf '%s\n' "$line" >> "$HAPAIR_NOTIFY_LOG"
fi

case "$state" in
    MASTER) : ;;  # e.g. re-assert a cloud secondary IP, warm caches, page nobody
    BACKUP) : ;;
    FAULT)  : ;;  # e.g. alert: this node cannot serve
    STOP)   : ;;
esac
exit 0
