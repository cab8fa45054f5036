"""Figures and BENCHMARKS.md: each figure with its target, its ratios and pass or miss."""

import contextlib
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class Figure:
    """One line of the report; `ok` is None when the figure has no target."""

    section: str
    name: str
    value: str
    target: str = "—"
    ok: bool | None = None
    detail: str = ""


STARTED = time.monotonic()


def log(message: str) -> None:
    """Say on stderr what the run is doing (a full run takes minutes)."""
    print(f"[{time.monotonic() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # title → pyinstrument text
    settings: dict[str, str] = field(default_factory=dict)

    def add(self, *figures: Figure) -> None:
        self.figures += figures
        for f in figures:
            log(f"{f.section} · {f.name} : {f.value}")

    def sections(self) -> list[str]:
        return list(dict.fromkeys(f.section for f in self.figures))


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def runs_of(timing) -> str:
    return "runs: " + ", ".join(seconds(s) for s in timing.runs)


def machine() -> dict[str, str]:
    """Describe the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    pg = ""
    with contextlib.suppress(OSError):
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": f"{cpu} × {os.cpu_count()}",
        "memory": memory,
        "load average at start": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql client": pg or "—",
    }


def markdown(report: Report, info: dict[str, str], total: float) -> str:
    """Render the report as BENCHMARKS.md."""
    passed = [f for f in report.figures if f.ok is True]
    missed = [f for f in report.figures if f.ok is False]
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks`); do not edit by hand. Each time is the",
        "median of several runs (listed); each ratio compares medians measured side by side, in",
        "the same run, interleaved. See `benchmarks/` for what each figure measures.",
        "",
        "| machine | |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in {**info, **report.settings}.items()],
        f"| load average at end | {', '.join(f'{x:.2f}' for x in os.getloadavg())} |",
        f"| total time of `make bench` | {total:.0f} s |",
        "",
        f"**{len(passed)} targets met, {len(missed)} missed.**"
        + (" Missed: " + "; ".join(f.name for f in missed) + "." if missed else ""),
        "",
    ]
    for section in report.sections():
        out += [
            f"## {section}",
            "",
            "| figure | value | target | result | detail |",
            "| --- | --- | --- | --- | --- |",
        ]
        for f in (f for f in report.figures if f.section == section):
            result = {True: "pass", False: "**miss**", None: "—"}[f.ok]
            out.append(f"| {f.name} | {f.value} | {f.target} | {result} | {f.detail} |")
        out.append("")
    if report.notes:
        out += ["## Notes", "", *[f"- {n}" for n in report.notes], ""]
    for title, text in report.profiles.items():
        out += [f"## Profile: {title}", "", "```", text.rstrip(), "```", ""]
    return "\n".join(out)
