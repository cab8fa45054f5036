# Shared by up.sh and down.sh: where things live, on embedded defaults (override by environment).
BIN=${BIN:-.venv/bin}
export DLA_VAR_DIR=${DLA_VAR_DIR:-var}
export DLA_UI_PORT=${DLA_UI_PORT:-4200}
VAR_ABS=$(realpath -m "$DLA_VAR_DIR")
export DLA_VAR_DIR=$VAR_ABS
RUN=$VAR_ABS/run
LOG=$VAR_ABS/log
mkdir -p "$RUN" "$LOG"
export PREFECT_HOME=$VAR_ABS/prefect
export PREFECT_API_URL=http://127.0.0.1:$DLA_UI_PORT/api
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_SERVER_LOGGING_LEVEL=${PREFECT_SERVER_LOGGING_LEVEL:-WARNING}
cat >"$RUN/env" <<END
export DLA_VAR_DIR=$VAR_ABS
export PREFECT_HOME=$PREFECT_HOME
export PREFECT_API_URL=$PREFECT_API_URL
END

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
