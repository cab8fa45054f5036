#!/usr/bin/env bash
# `make up`: a local Prefect server (SQLite under var/), every deployment served, the sample
# cases loaded. Idempotent: what already runs is left alone. `make down` stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
source deployments/env.sh
DLA_UP_UNTIL=${DLA_UP_UNTIL:-2011-12-31}

server_and_samples

start deployments "$BIN/python" -m deployments.serve
"$BIN/python" -m deployments.check 180 || { echo "ÉCHEC : voir $LOG/deployments.log" >&2; exit 1; }
# One example automation, through Prefect's API (kept as is when already there).
"$BIN/python" -m deployments.automations ||
  echo "Attention : l'automatisation d'exemple n'a pas pu être installée" >&2

# The desk answers (and its account exists) before the replay: it can be signed into at once,
# the samples appearing as they are replayed.
desk_and_account 1

# The samples are replayed once along their real dates (2005-2011), so the dashboard shows
# them mid-way or closed rather than "en préparation"; then a sweep on the replay's last day
# publishes the portfolio. `DLA_UP_REPLAY=0` skips both.
if [ "${DLA_UP_REPLAY:-1}" = 1 ] && [ ! -f "$DLA_VAR_DIR/.exemples-rejoues" ]; then
  echo "Rejeu des cas d'exemple jusqu'au $DLA_UP_UNTIL (une minute environ)…"
  PREFECT_LOGGING_LEVEL=WARNING "$BIN/dla" run --all --replay --today "$DLA_UP_UNTIL" \
    >"$LOG/rejeu.log" 2>&1 || { echo "ÉCHEC du rejeu : voir $LOG/rejeu.log" >&2; exit 1; }
  touch "$DLA_VAR_DIR/.exemples-rejoues"
  "$BIN/prefect" deployment run relances/relances-quotidiennes \
    --params "{\"demande\": {\"aujourdhui\": \"$DLA_UP_UNTIL\"}}" >>"$LOG/rejeu.log" 2>&1 ||
    echo "Attention : le balayage du $DLA_UP_UNTIL n'a pas pu être lancé (voir $LOG/rejeu.log)" >&2
fi
# The cases waiting for a decision wait as Suspended runs (the guide finds them under Runs ›
# Suspended); started once per case and day, so a second `make up` starts nothing.
if [ "${DLA_UP_REPLAY:-1}" = 1 ]; then
  PREFECT_LOGGING_LEVEL=WARNING "$BIN/python" -m deployments.runs attentes "$DLA_UP_UNTIL" \
    >>"$LOG/rejeu.log" 2>&1 ||
    echo "Attention : un cas en attente de validation n'attend pas en run suspendu (voir $LOG/rejeu.log)" >&2
fi

echo
echo "Bureau des chargé·es de mission : http://127.0.0.1:$DLA_DESK_PORT (compte ci-dessus)"
echo "Interface Prefect : http://127.0.0.1:$DLA_UI_PORT"
echo "Pour la ligne de commande (dla validate…) : source $RUN/env"
