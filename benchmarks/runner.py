"""Run every benchmark and write BENCHMARKS.md (`python -m benchmarks`, `make bench`)."""

import argparse
import gc
import tempfile
import time
from pathlib import Path

from benchmarks import sections
from benchmarks.databases import copy_sqlite, postgres_answers, postgres_database, sqlite_database
from benchmarks.portfolio import build, write
from benchmarks.report import Report, log, machine, markdown
from dla.db import make_engine

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="portfolio sizes (active cases)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--messages", type=int, default=1000, help="messages of the send test")
    parser.add_argument("--files", type=int, default=1000, help="case files of the load test")
    parser.add_argument("--documents", type=int, default=20, help="monographies in HTML")
    parser.add_argument("--heavy", type=int, default=5, help="monographies in DOCX and PDF")
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-prefect", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
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
        for size in sizes:
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
        sections.loading(report, work / "files", args.files, args.runs)
        sections.cli(report, args.runs)
    text = markdown(report, info, time.monotonic() - started)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output} : {time.monotonic() - started:.0f} s")
    return report


def _portfolio(report, work: Path, size: int, args, pg_down, *, largest: bool, smallest: bool):
    log(f"portfolio of {size} cases: building")
    portfolio = build(cases=size)
    with sqlite_database(work, f"portfolio-{size}") as url:
        engine = make_engine(url)
        log("writing it to SQLite")
        write(portfolio, engine)
        sections.generated(report, "SQLite", portfolio)
        sections.sweep(report, "SQLite", portfolio, engine, args.runs, profile=largest)
        if smallest and not args.no_prefect:
            sections.prefect(report, work, portfolio, url, args.runs)
        if largest:
            copy = copy_sqlite(url, work / "memory.db")
            sections.memory(report, copy, portfolio)
            (work / "memory.db").unlink()
            sections.sending(report, engine, portfolio, args.messages, args.runs)
            sections.rendering(report, engine, portfolio, args.documents, args.heavy, args.runs)
        if not pg_down:
            with postgres_database() as pg_url:
                pg = make_engine(pg_url)
                log("writing it to PostgreSQL")
                write(portfolio, pg, planned_from=engine)
                sections.sweep(report, "PostgreSQL", portfolio, pg, args.runs, profile=False)
                pg.dispose()
        engine.dispose()
