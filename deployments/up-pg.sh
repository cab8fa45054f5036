#!/usr/bin/env bash
# `make up-pg`: the scale-out configuration on one machine. The Prefect server and the case
# database on PostgreSQL, every deployment registered to a `process` work pool, two workers
# taking the runs, the sample cases loaded and replayed by the workers. Idempotent: what already
# runs is left alone. `make down` stops it all (the databases stay).
set -euo pipefail
cd "$(dirname "$0")/.."
source deployments/env.sh
DLA_PG_URL=${DLA_PG_URL:-postgresql://postgres@127.0.0.1:5432}
DLA_PG_PREFECT_DB=${DLA_PG_PREFECT_DB:-dla_prefect}
DLA_PG_CASES_DB=${DLA_PG_CASES_DB:-dla_cases}
DLA_POOL=${DLA_POOL:-dla-processus}
DLA_WORKERS=${DLA_WORKERS:-2}
DLA_WORKER_LIMIT=${DLA_WORKER_LIMIT:-4}  # flow runs at once per worker (each is a process)
DLA_UP_UNTIL=${DLA_UP_UNTIL:-2011-12-31}
export PREFECT_API_DATABASE_CONNECTION_URL="postgresql+asyncpg://${DLA_PG_URL#*://}/$DLA_PG_PREFECT_DB"
export DLA_DATABASE_URL="$DLA_PG_URL/$DLA_PG_CASES_DB"

if alive "$RUN/prefect-server.pid" && [ ! -f "$RUN/postgresql" ]; then
  echo "ÉCHEC : un serveur Prefect sur SQLite (make up) tourne déjà ; arrêtez-le d'abord (make down)." >&2
  exit 1
fi
"$BIN/python" -m deployments.databases "$DLA_PG_URL/$DLA_PG_PREFECT_DB" "$DLA_DATABASE_URL"
echo "$DLA_DATABASE_URL" >"$RUN/postgresql"
echo "export DLA_DATABASE_URL=$DLA_DATABASE_URL" >>"$RUN/env"

server_and_samples

"$BIN/python" -m deployments.pool enregistrer "$DLA_POOL" >"$LOG/pool.log" 2>&1 ||
  { echo "ÉCHEC de l'enregistrement des déploiements : voir $LOG/pool.log" >&2; exit 1; }
echo "Déploiements enregistrés sur le pool de travail $DLA_POOL"
# The example automation, as with `make up` (kept as is when already there).
"$BIN/python" -m deployments.automations ||
  echo "Attention : l'automatisation d'exemple n'a pas pu être installée" >&2
for i in $(seq "$DLA_WORKERS"); do
  start "worker-$i" "$BIN/prefect" worker start --pool "$DLA_POOL" --type process \
    --name "dla-worker-$i" --limit "$DLA_WORKER_LIMIT"
done
wait_for "les $DLA_WORKERS workers" 180 "$BIN/python" -m deployments.pool workers "$DLA_POOL" \
  "$DLA_WORKERS"

# The samples are replayed once along their real dates by the workers (one run per case, shared
# between them), then swept on the replay's last day. `DLA_UP_REPLAY=0` skips both.
replayed="$DLA_VAR_DIR/.exemples-rejoues-$DLA_PG_CASES_DB"
if [ "${DLA_UP_REPLAY:-1}" = 1 ] && [ ! -f "$replayed" ]; then
  echo "Rejeu des cas d'exemple jusqu'au $DLA_UP_UNTIL par les workers (une minute environ)…"
  mapfile -t references < <(sed -n 's/^reference: *//p' samples/cases/*.yaml)
  PREFECT_LOGGING_LEVEL=WARNING "$BIN/python" -m deployments.runs rejouer "$DLA_UP_UNTIL" \
    "${references[@]}" >"$LOG/rejeu.log" 2>&1 ||
    { echo "ÉCHEC du rejeu : voir $LOG/rejeu.log et $LOG/worker-*.log" >&2; exit 1; }
  touch "$replayed"
fi

desk_and_account 2

echo
echo "Bureau des chargé·es de mission : http://127.0.0.1:$DLA_DESK_PORT (2 processus, compte ci-dessus)"
echo "Interface Prefect : http://127.0.0.1:$DLA_UI_PORT (pool de travail $DLA_POOL, $DLA_WORKERS workers)"
echo "Pour la ligne de commande (dla validate…) : source $RUN/env"
