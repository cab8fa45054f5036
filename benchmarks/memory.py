"""Peak memory of one daily reminder run (plan, then sweep) on a portfolio, in a child process.

`python -m benchmarks.memory URL DAY PORT` plans and sends everything due on DAY to the SMTP
server on PORT, then prints its peak resident set size (and the size right after imports).
"""

import json
import resource
import subprocess
import sys
from datetime import date
from pathlib import Path


def _peak_mb() -> float:
    """Return this process's peak RSS (VmHWM: ru_maxrss would inherit the parent's at exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(url: str, day: str, port: int) -> dict:
    from benchmarks.portfolio import sweep_now
    from dla.clock import FixedClock
    from dla.db import make_engine
    from dla.mail.config import Security, SmtpConfig
    from dla.mail.smtp import SmtpTransport
    from dla.outbox.days import remind
    from dla.outbox.sending import mail_renderer
    from dla.settings import Settings

    imports = _peak_mb()
    clock = FixedClock(sweep_now(date.fromisoformat(day)))
    engine = make_engine(url)
    config = SmtpConfig(
        host="127.0.0.1", port=port, security=Security.none, concurrency=2, max_attempts=1
    )
    planned, report = remind(
        engine=engine,
        transport=SmtpTransport(config),
        renderer=mail_renderer(Settings(), clock),
        clock=clock,
        digests=False,
    )
    return {
        "imports_mb": imports,
        "peak_mb": _peak_mb(),
        "sent": report.count("sent"),
        "decided": len(report.verdicts),
    }


def measure(url: str, day: date, port: int) -> dict:
    """Run `main` in a fresh interpreter; return what it printed."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", url, day.isoformat(), str(port)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
