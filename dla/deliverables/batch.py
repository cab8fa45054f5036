"""Render a request of documents for many cases (and the synthesis) in one transaction."""

from pathlib import Path

from sqlalchemy import Engine

from dla.clock import Clock
from dla.db import transaction
from dla.deliverables.generate import generate, generate_synthesis
from dla.deliverables.produce import Generated, Progress


def generate_requested(
    engine: Engine,
    references: list[str],
    kinds: list[str] | None,
    formats: list[str],
    *,
    per_case: bool,
    with_synthesis: bool,
    var_dir: Path,
    clock: Clock,
    on_progress: Progress | None = None,
) -> list[Generated]:
    """Render what changed of each case's documents (`kinds`, None: all), then the synthesis."""
    with transaction(engine) as session:
        done = []
        if per_case and references:
            done = generate(
                references,
                kinds,
                formats,
                session=session,
                var_dir=var_dir,
                clock=clock,
                previews=True,
                on_progress=on_progress,
            )
        if with_synthesis:
            done += generate_synthesis(  # one document: its progress is the flow's end
                references,
                formats,
                session=session,
                var_dir=var_dir,
                clock=clock,
                previews=True,
            )
    return done
