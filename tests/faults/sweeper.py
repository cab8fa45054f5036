"""Run the outbox sweep in this process, as the daily job does (the process the tests kill).

`python -m tests.faults.sweeper --at ISO --limit N [--wall ISO]`: the real settings, SMTP
transport and message builder; a fixed simulated clock, and optionally a fixed real clock
(`--wall`) so that a re-run can come after the claim lease without waiting an hour.
"""

import argparse
import json
from datetime import datetime

from dla.clock import FixedClock
from dla.db import make_engine
from dla.outbox.sending import mail_renderer, mail_transport
from dla.outbox.sweep import sweep
from dla.settings import get_settings


def main() -> None:
    """Sweep every due notification, batch after batch, and print the counts."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--at", required=True, help="the sweep's now, ISO with offset")
    parser.add_argument("--limit", type=int, required=True, help="rows per batch")
    parser.add_argument("--wall", help="the real time, ISO with offset (default: the system's)")
    args = parser.parse_args()
    wall = FixedClock(datetime.fromisoformat(args.wall)) if args.wall else None
    settings = get_settings()
    clock = FixedClock(datetime.fromisoformat(args.at))
    engine = make_engine(settings.resolved_database_url)
    report = sweep(
        engine=engine,
        transport=mail_transport(settings),
        renderer=mail_renderer(settings, clock),
        clock=clock,
        limit=args.limit,
        wall=wall,
    )
    counts = {s: report.count(s) for s in ("sent", "retry", "failed", "cancelled")}
    print(json.dumps({**counts, "batches": report.batches}))


if __name__ == "__main__":
    main()
