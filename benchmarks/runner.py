"""Run every benchmark and write BENCHMARKS.md (`python -m benchmarks`, `make bench`)."""

import argparse
import gc
import tempfile
import time
from pathlib import Path

from benchmarks import sections, sections_cycle, sections_interactive
from benchmarks.databases import copy_sqlite, postgres_answers, postgres_database, sqlite_database
from benchmarks.portfolio import build, write
from benchmarks.report import Report, log, machine, markdown
from dla.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = (
    "generated",
    "planning",
    "sweep",
    "prefect",
    "cycle",
    "memory",
    "sending",
    "latency",
    "rendering",
    "desk",
    "loading",
    "cli",
    "interactive",
)


def main(argv: list[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="portfolio sizes (active cases)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--messages", type=int, default=1000, help="messages of the send test")
    parser.add_argument(
        "--latency-messages",
        type=int,
        default=120,
        help="messages of the send test against a relay 20 ms away",
    )
    parser.add_argument("--files", type=int, default=1000, help="case files of the load test")
    parser.add_argument("--documents", type=int, default=20, help="monographies in HTML")
    parser.add_argument("--heavy", type=int, default=5, help="monographies in DOCX and PDF")
    parser.add_argument(
        "--requests", type=int, default=600, help="page requests of the desk's load loop"
    )
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-prefect", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--only", type=_only, default=SECTIONS, help=f"sections to run: {','.join(SECTIONS)}"
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started, info = time.monotonic(), machine()
    report = Report()
    report.settings = {
        "portfolio sizes": ", ".join(f"{s:,}".replace(",", " ") for s in sizes),
        "runs per figure": str(args.runs),
    }
    pg_down = "--no-postgresql" if args.no_postgresql else postgres_answers()
    if pg_down:
        report.notes.append(f"PostgreSQL skipped: {pg_down}")
    with tempfile.TemporaryDirectory(prefix="dla-bench-") as tmp:
        work = Path(tmp)
        for size in sizes if _needs_portfolio(args.only) else ():
            _portfolio(
                report,
                work,
                size,
                args,
                pg_down,
                largest=size == sizes[-1],
                smallest=size == sizes[0],
            )
            gc.collect()
        if "loading" in args.only:
            sections.loading(report, work / "files", args.files, args.runs)
        if "cli" in args.only:
            sections.cli(report, args.runs)
        if "interactive" in args.only and not args.no_prefect:
            sections_interactive.interactive(report, work, args.runs)
    text = markdown(report, info, time.monotonic() - started)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output} : {time.monotonic() - started:.0f} s")
    return report


def _only(value: str) -> tuple[str, ...]:
    """Parse `--only`: comma-separated section names, each one of SECTIONS."""
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown section(s) {unknown}; choose from {SECTIONS}")
    return names


def _needs_portfolio(only: tuple[str, ...]) -> bool:
    """Tell whether any selected section needs the generated portfolio."""
    return any(n not in ("loading", "cli", "interactive") for n in only)


def _portfolio(report, work: Path, size: int, args, pg_down, *, largest: bool, smallest: bool):
    log(f"portfolio of {size} cases: building")
    portfolio = build(cases=size)
    # Its millions of rows stay alive until the PostgreSQL copy: without this, every garbage
    # collection (one before each timed run, others inside them) walks them all.
    gc.freeze()
    try:
        _measure(report, work, size, args, pg_down, portfolio, largest=largest, smallest=smallest)
    finally:
        gc.unfreeze()


def _measure(report, work, size, args, pg_down, portfolio, *, largest: bool, smallest: bool):
    only = args.only
    with sqlite_database(work, f"portfolio-{size}") as url:
        engine = make_engine(url)
        log("writing it to SQLite")
        write(portfolio, engine)
        if "generated" in only:
            sections.generated(report, "SQLite", portfolio)
        if largest and "planning" in only:
            sections.planning(report, work, url, portfolio, min(args.runs, 3))
        if "sweep" in only:
            sections.sweep(report, "SQLite", portfolio, engine, args.runs, profile=largest)
        if smallest and not args.no_prefect and "prefect" in only:
            sections.prefect(report, work, portfolio, url, args.runs)
        if largest and not args.no_prefect and "cycle" in only:
            sections_cycle.cycle(report, work, portfolio, url, args.runs, sections.profile_text)
        if largest and "memory" in only:
            copy = copy_sqlite(url, work / "memory.db")
            sections.memory(report, copy, portfolio)
            (work / "memory.db").unlink()
        if largest and "sending" in only:
            sections.sending(report, engine, portfolio, args.messages, args.runs)
        if largest and "latency" in only:
            sections.latency(report, engine, portfolio, args.latency_messages, min(args.runs, 2))
        if largest and "rendering" in only:
            sections.rendering(report, engine, portfolio, args.documents, args.heavy, args.runs)
        desk = largest and "desk" in only
        if desk:
            _desk(report, work, portfolio, url, engine, args.requests)
        if not pg_down and ("sweep" in only or desk):
            with postgres_database() as pg_url:
                pg = make_engine(pg_url)
                log("writing it to PostgreSQL")
                write(portfolio, pg, planned_from=engine)
                if "sweep" in only:
                    sections.sweep(report, "PostgreSQL", portfolio, pg, args.runs, profile=False)
                if desk:
                    log("desk under load, PostgreSQL")
                    sections.desk(report, work, "PostgreSQL", portfolio, pg_url, pg, args.requests)
                pg.dispose()
        engine.dispose()


def _desk(report, work: Path, portfolio, url: str, engine, requests: int) -> None:
    """The desk on SQLite, its query counts compared with a portfolio a tenth the size."""
    small = build(cases=max(12, portfolio.cases // 10), seed=8, today=portfolio.today)
    with sqlite_database(work, "desk-small") as small_url:
        small_engine = make_engine(small_url)
        write(small, small_engine)
        small_engine.dispose()
        log("desk under load, SQLite")
        sections.desk(
            report, work, "SQLite", portfolio, url, engine, requests, small=(small, small_url)
        )
