"""Rendering: monographies in HTML, DOCX and PDF per second, and the HTML path against Jinja2.

The HTML path is the product's `generate` for a batch of distinct cases, as `dla deliver --all`
and the flows call it (gather the facts in a few set-based queries, check, hash, render, record
the versions in one insert, write the files); the floor renders the same template with the
same data in a bare Jinja2 environment. Each run writes into a fresh folder (removed after the
timings) and rolls its database writes back, so every run renders everything again.
"""

import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine
from sqlmodel import Session

from benchmarks.measure import side_by_side
from dla.clock import FixedClock
from dla.deliverables import generate
from dla.deliverables.data import gather
from dla.deliverables.kinds import kind
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


def run(engine: Engine, references: list[str], clock: FixedClock, *, runs: int, heavy: int) -> dict:
    """Measure HTML (and its floor) on all `references`, DOCX and PDF on the first `heavy`."""
    spec = kind(DOCUMENT)
    with Session(engine) as session:
        contexts = [
            {k: c[k] for k in spec.reads} for c in gather(references, session=session).values()
        ]
    env = bare_environment()
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
            runs=max(1, runs - 2),
        )
    return {"documents": len(references), "heavy": len(few), "timings": {**html, **heavy_runs}}
