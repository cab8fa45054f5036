# Shared by up.sh and down.sh: where things live, on embedded defaults (override by environment).
BIN=${BIN:-.venv/bin}
export DLA_VAR_DIR=${DLA_VAR_DIR:-var}
export DLA_UI_PORT=${DLA_UI_PORT:-4200}
export DLA_DESK_PORT=${DLA_DESK_PORT:-4201}
# The address every link the product writes uses (e-mails, Prefect artifacts): the desk's.
export DLA_PUBLIC_URL=${DLA_PUBLIC_URL:-http://127.0.0.1:$DLA_DESK_PORT}
VAR_ABS=$(realpath -m "$DLA_VAR_DIR")
export DLA_VAR_DIR=$VAR_ABS
RUN=$VAR_ABS/run
LOG=$VAR_ABS/log
mkdir -p "$RUN" "$LOG"
export PREFECT_HOME=$VAR_ABS/prefect
export PREFECT_API_URL=http://127.0.0.1:$DLA_UI_PORT/api
# Links the product writes (artifacts, e-mails, the desk) open the current UI (/v2): the older
# one, where a link without /v2 leads, drops accents from the run graph ("dcision saisie").
export PREFECT_UI_URL=http://127.0.0.1:$DLA_UI_PORT/v2
export PREFECT_SERVER_ANALYTICS_ENABLED=false
# A run started from a form waits for the runner's (or worker's) next look for scheduled runs;
# opening a case takes two runs (the opening, then the case's own). Prefect's 10 s between
# looks made that 10-20 s of waiting; a look a second costs one small query on loopback.
export PREFECT_RUNNER_POLL_FREQUENCY=${PREFECT_RUNNER_POLL_FREQUENCY:-1}
export PREFECT_WORKER_QUERY_SECONDS=${PREFECT_WORKER_QUERY_SECONDS:-2}
export PREFECT_SERVER_LOGGING_LEVEL=${PREFECT_SERVER_LOGGING_LEVEL:-WARNING}
cat >"$RUN/env" <<END
export DLA_VAR_DIR=$VAR_ABS
export PREFECT_HOME=$PREFECT_HOME
export PREFECT_API_URL=$PREFECT_API_URL
export PREFECT_UI_URL=$PREFECT_UI_URL
export DLA_PUBLIC_URL=$DLA_PUBLIC_URL
END

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Shared by up.sh and up-pg.sh (up.sh still carries its own copies, identical).
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
  wait_up "" "$@"
}

wait_up() {  # name given to start (or ""), what, seconds, command…: as wait_for, but says so at
  # once when the process has stopped (a port taken, a database refused) instead of waiting it out.
  local name=$1 what=$2 seconds=$3
  shift 3
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$name" ] && ! alive "$RUN/$name.pid"; then
      echo "ÉCHEC : $what s'est arrêté au démarrage ; fin de $LOG/$name.log :" >&2
      tail -n 5 "$LOG/$name.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "ÉCHEC : $what ne répond pas après ${seconds} s (voir $LOG/)" >&2
  exit 1
}

server_and_samples() {  # the Prefect server up and answering, the case database with the samples
  start prefect-server "$BIN/prefect" server start --host 127.0.0.1 --port "$DLA_UI_PORT"
  wait_up prefect-server "le serveur Prefect" 180 "$BIN/python" -c \
    "import urllib.request, sys; urllib.request.urlopen(sys.argv[1] + '/health', timeout=2)" \
    "$PREFECT_API_URL"

  "$BIN/dla" init
  mkdir -p "$DLA_VAR_DIR/cas"
  cp -n samples/cases/*.yaml "$DLA_VAR_DIR/cas/" 2>/dev/null || true
  "$BIN/dla" case load samples/cases/*.yaml
}

desk_and_account() {  # workers: the desk started and answering, the demo account made once
  # The desk counts from the replay's last day, so the samples show what is late "today".
  export DLA_DESK_TODAY=${DLA_DESK_TODAY:-$DLA_UP_UNTIL}
  "$BIN/dla" user add "${DLA_DEMO_EMAIL:-demo@dla.example.org}" --name "Compte de démonstration" \
    --role admin --generate-password --if-absent
  # Its artifact refreshes are task runs outside any flow run: their logs stay in its journal.
  PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW=ignore \
    start desk "$BIN/dla" desk --host 127.0.0.1 --port "$DLA_DESK_PORT" --workers "$1"
  wait_up desk "le bureau" 60 "$BIN/python" -c \
    "import urllib.request, sys; urllib.request.urlopen(sys.argv[1] + '/sante', timeout=2)" \
    "http://127.0.0.1:$DLA_DESK_PORT"
}
