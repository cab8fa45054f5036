"""Register the catalogue's deployments to a `process` work pool: what `make up-pg` runs.

Next to `deployments/serve.py` (one process serves everything), this is the scale-out path: the
same deployments, run by as many `prefect worker start --pool …` processes as wanted, on any
machine that has this folder and reaches the Prefect server and the case database. Registering
twice changes nothing; the pool is created when absent.

Usage, from the project's root:
  python -m deployments.pool enregistrer [POOL]   create the pool, register the deployments
  python -m deployments.pool workers POOL N       exit 0 once N workers of POOL are online
"""

import sys
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import WorkerStatus
from prefect.exceptions import ObjectAlreadyExists
from prefect.runner.storage import LocalStorage
from prefect.workers.process import ProcessWorker

from deployments.catalog import deployments

ROOT = Path(__file__).resolve().parents[1]
POOL = "dla-processus"


def ensure_pool(name: str) -> bool:
    """Create the `process` work pool if absent; return whether it was created."""
    pool = WorkPoolCreate(
        name=name,
        type="process",
        description="Exécution des flux DLA par les workers (make up-pg).",
        base_job_template=ProcessWorker.get_default_base_job_template(),
    )
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(pool)
        except ObjectAlreadyExists:
            return False
    return True


def register(pool: str) -> list[str]:
    """Create or update every deployment of the catalogue on `pool`; return their names."""
    names = []
    for deployment in deployments():
        # Entrypoints are file paths relative to the project's root: each flow run starts there
        # (pull step `set_working_directory`), so a worker needs this folder, not an image.
        deployment.storage = LocalStorage(str(ROOT))
        deployment.apply(work_pool_name=pool)
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names


def online_workers(pool: str) -> list[str]:
    """Return the names of the pool's workers that the server sees online."""
    with get_client(sync_client=True) as client:
        workers = client.read_workers_for_work_pool(pool)
    return sorted(w.name for w in workers if w.status == WorkerStatus.ONLINE)


def main(args: list[str]) -> int:
    if args[:1] == ["enregistrer"] and len(args) <= 2:
        name = args[1] if len(args) == 2 else POOL
        print(f"Pool de travail {name} : {'créé' if ensure_pool(name) else 'déjà présent'}")
        for registered in register(name):
            print(f"  déploiement {registered}")
        return 0
    if args[:1] == ["workers"] and len(args) == 3 and args[2].isdigit():
        return 0 if len(online_workers(args[1])) >= int(args[2]) else 1
    print(__doc__.split("Usage, ")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
