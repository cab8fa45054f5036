#!/usr/bin/env bash
# `make down`: stop what `make up` started, by PID and process group; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
source deployments/env.sh

stop() {  # name: SIGTERM (the runner and uvicorn shut down gracefully on it), then insist
  # Not SIGINT: a process a script starts in the background has SIGINT ignored (bash does so),
  # and Prefect's runner then waited for the next signal, 20 s later.
  local pidfile="$RUN/$1.pid"
  if ! alive "$pidfile"; then
    rm -f "$pidfile"
    echo "$1 : arrêté"
    return
  fi
  local pid
  pid=$(cat "$pidfile")
  for signal in TERM TERM KILL; do
    kill "-$signal" -- "-$pid" 2>/dev/null || true
    for _ in $(seq 20); do
      kill -0 "$pid" 2>/dev/null || break 2
      sleep 0.5
    done
  done
  rm -f "$pidfile"
  echo "$1 : arrêté (PID $pid)"
}

# Workers of `make up-pg` first, so that none takes a run while the server goes.
for pidfile in "$RUN"/worker-*.pid; do
  if [ -e "$pidfile" ]; then stop "$(basename "$pidfile" .pid)"; fi
done
stop desk
stop deployments
stop prefect-server
rm -f "$RUN/postgresql"
