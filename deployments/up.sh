#!/usr/bin/env bash
# `make up`: a local Prefect server (SQLite under var/), every deployment served, the sample
# cases loaded. Idempotent: what already runs is left alone. `make down` stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
source deployments/env.sh

start() {  # name, command…: start in its own process group, remember the PID
  local name=$1
  shift
  if alive "$RUN/$name.pid"; then
    echo "$name : déjà démarré (PID $(cat "$RUN/$name.pid"))"
    return
  fi
  setsid "$@" >"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  echo "$name : démarré (PID $!, journal $LOG/$name.log)"
}

wait_for() {  # what, seconds, command…
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "ÉCHEC : $what ne répond pas après ${seconds} s (voir $LOG/)" >&2
  exit 1
}

start prefect-server "$BIN/prefect" server start --host 127.0.0.1 --port "$DLA_UI_PORT"
wait_for "le serveur Prefect" 180 "$BIN/python" -c \
  "import urllib.request, sys; urllib.request.urlopen(sys.argv[1] + '/health', timeout=2)" \
  "$PREFECT_API_URL"

"$BIN/dla" init
mkdir -p "$DLA_VAR_DIR/cas"
cp -n samples/cases/*.yaml "$DLA_VAR_DIR/cas/" 2>/dev/null || true
"$BIN/dla" case load samples/cases/*.yaml

start deployments "$BIN/python" -m deployments.serve
"$BIN/python" -m deployments.check 180 || { echo "ÉCHEC : voir $LOG/deployments.log" >&2; exit 1; }

echo
echo "Interface Prefect : http://127.0.0.1:$DLA_UI_PORT"
echo "Pour la ligne de commande (dla validate…) : source $RUN/env"
