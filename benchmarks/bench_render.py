"""Rendering: monographies in HTML, DOCX and PDF per second, and the HTML path against Jinja2.

The HTML path is the product's `generate` for a batch of distinct cases, as `dla deliver --all`
and the flows call it (gather the facts in a few set-based queries, check, hash, render, record
the versions in one insert, write the files); the floor renders the same template with the
same data in a bare Jinja2 environment. Each run writes into a fresh folder (removed after the
timings) and rolls its database writes back, so every run renders everything again.

The PDF engine is loaded before the timings (import, fonts: once per process, timed apart) and
measured over at least three runs; its CPU cost per page and Chromium's print of the same HTML,
compared page by page, say what bounds it (benchmarks/pdf_engines.py).
"""

import tempfile
import time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine
from sqlmodel import Session

from benchmarks import pdf_engines
from benchmarks.measure import side_by_side
from dla.clock import FixedClock
from dla.deliverables import generate
from dla.deliverables.data import gather
from dla.deliverables.kinds import kind
from dla.deliverables.pdf import to_pdf
from dla.deliverables.render import TEMPLATES_DIR, environment, render_html

DOCUMENT = "monographie"


def produce(
    engine: Engine, references: list[str], fmt: str, clock: FixedClock, scratch: Path | None = None
) -> int:
    """Generate the monographie of each case in one format into a new folder; roll back."""
    if scratch is None:
        with tempfile.TemporaryDirectory() as folder:
            return produce(engine, references, fmt, clock, Path(folder))
    var = Path(tempfile.mkdtemp(dir=scratch))  # removed with `scratch`, outside the timings
    with Session(engine) as session:
        made = generate(references, [DOCUMENT], [fmt], session=session, var_dir=var, clock=clock)
        session.flush()  # what a commit would write (the timeline events), then undo it
        session.rollback()
    if len(made) != len(references) or made.failures:
        raise RuntimeError(f"{fmt}: {len(made)} documents, failures: {made.failures}")
    return len(made)


def bare_environment() -> Environment:
    """A Jinja2 environment with the same options and filters, none of the product around it."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(environment().filters)
    return env


def bare(env: Environment, contexts: list[dict], clock: FixedClock) -> int:
    """Render the monographie template for each prepared context (the floor)."""
    spec = kind(DOCUMENT)
    template = env.get_template(spec.template)
    meta = {"version": 1, "generated_on": clock.today(), "as_of": None}
    for data in contexts:
        template.render(**data, charts={}, meta=meta, document=spec)
    return len(contexts)


def product_render(contexts: list[dict], clock: FixedClock) -> int:
    """Render the same contexts with the product's environment (sandboxed), nothing else."""
    spec = kind(DOCUMENT)
    meta = {"version": 1, "generated_on": clock.today(), "as_of": None}
    for data in contexts:
        render_html(spec, data, charts={}, meta=meta)
    return len(contexts)


def pdf_start() -> float:
    """Load the PDF engine and this thread's fonts (a one-page document); return the seconds."""
    started = time.perf_counter()
    to_pdf("<p>Démarrage</p>", title="Démarrage")
    return time.perf_counter() - started


def engines(contexts: list[dict], clock: FixedClock, *, heavy: int, runs: int) -> dict:
    """WeasyPrint's CPU per document (the first `heavy`), Chromium's print of the same HTML."""
    spec = kind(DOCUMENT)
    meta = {"version": 1, "generated_on": clock.today(), "as_of": None}
    htmls = [render_html(spec, data, charts={}, meta=meta) for data in contexts]
    reference = [to_pdf(html, title=spec.title) for html in htmls]  # every one, page by page
    return {
        "weasyprint": pdf_engines.weasyprint_cost(htmls[:heavy], runs=runs),
        "chromium": pdf_engines.chromium(htmls, reference, timed=heavy, runs=runs),
    }


def run(engine: Engine, references: list[str], clock: FixedClock, *, runs: int, heavy: int) -> dict:
    """Measure HTML (and its floor) on all `references`, DOCX and PDF on the first `heavy`."""
    spec = kind(DOCUMENT)
    with Session(engine) as session:
        contexts = [
            {k: c[k] for k in spec.reads} for c in gather(references, session=session).values()
        ]
    env = bare_environment()
    slow_runs = 1 if runs == 1 else max(3, runs - 2)  # one run: the tests
    start = pdf_start()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        html = side_by_side(
            {
                "html": lambda: produce(engine, references, "html", clock, scratch),
                "render": lambda: product_render(contexts, clock),
                "floor": lambda: bare(env, contexts, clock),
            },
            runs=runs,
        )
        few = references[:heavy]
        heavy_runs = side_by_side(
            {
                "docx": lambda: produce(engine, few, "docx", clock, scratch),
                "pdf": lambda: produce(engine, few, "pdf", clock, scratch),
            },
            runs=slow_runs,
        )
    return {
        "documents": len(references),
        "heavy": len(few),
        "timings": {**html, **heavy_runs},
        "pdf_start": start,
        "engines": engines(contexts, clock, heavy=len(few), runs=slow_runs),
    }


def pdf_limit(engines_: dict, rate: float) -> str:
    """Say, from this run's figures, what bounds the PDF rate and what was tried."""
    cost, chromium = engines_["weasyprint"], engines_["chromium"]
    cpu, pages = cost["layout_ms"] + cost["write_ms"], cost["pages"]
    note = (
        f"Monographie PDF: WeasyPrint lays out and draws each page in Python (Pango shapes and "
        f"breaks each line): {cpu:.0f} ms of CPU per document of {pages:.1f} pages in this run "
        f"({cost['layout_ms'] / pages:.0f} ms of layout and {cost['write_ms'] / pages:.0f} ms of "
        f"PDF writing per page), so one core prints at most {1000 / cpu:.1f} documents/s at this "
        f"cost, even when it is free; {rate:.1f}/s were measured under the load average above. Tried: one "
        "font configuration per thread instead of one per document (fontconfig and Pango's font "
        "map loaded once: about a tenth of the CPU, the same PDF bytes); font subsets already go "
        "through HarfBuzz (libharfbuzz-subset0), no image to optimise, no hyphenation asked. "
        "Reaching 10/s takes documents printed in parallel processes (at most the number of "
        "free cores times a core's ceiling) or another engine."
    )
    if chromium:
        note += (
            f" Chromium prints the same HTML faster; given WeasyPrint's page-break rules for "
            f"headings and lists, {chromium['same_pages']} of the {chromium['pages']} pages of "
            f"{chromium['documents']} monographies hold the same text as WeasyPrint's (a row or a "
            "list item on either side of a page break is where they part), and it needs a "
            "browser process beside each worker. Typst would need every template written again "
            "in its own language, a second layout to keep faithful."
        )
    return note
