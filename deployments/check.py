"""Wait until every deployment of the catalogue is registered on the server (`make up`)."""

import sys
import time

from prefect.client.orchestration import get_client

from deployments.catalog import deployments


def missing(wanted: set[str]) -> set[str]:
    """Return the deployments of `wanted` the server does not know yet."""
    with get_client(sync_client=True) as client:
        return wanted - {d.name for d in client.read_deployments()}


def wait(seconds: float) -> set[str]:
    """Poll the server until nothing is missing or the time is up; return what is missing."""
    wanted = {d.name for d in deployments()}
    end = time.monotonic() + seconds
    while (left := missing(wanted)) and time.monotonic() < end:
        time.sleep(1)
    return left


if __name__ == "__main__":
    left = wait(float(sys.argv[1]) if len(sys.argv) > 1 else 180)
    if left:
        print("Déploiements absents : " + ", ".join(sorted(left)), file=sys.stderr)
    sys.exit(1 if left else 0)
