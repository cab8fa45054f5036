"""Render what changed and store it: the loop shared by case documents and the synthesis."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dla.deliverables import store
from dla.deliverables.charts import Chart
from dla.deliverables.convert import convert
from dla.deliverables.kinds import SYNTHESIS, Kind
from dla.deliverables.preview import to_markdown
from dla.deliverables.render import render_html, template_version

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Generated:
    owner: str  # the case reference, or "synthese"
    kind: str
    title: str
    fmt: str
    version: int
    path: Path
    new: bool  # False: the stored version was still current
    preview: str | None = None  # markdown, when asked for


@dataclass
class Job:
    owner: str
    spec: Kind
    data: dict
    charts: Callable[[], dict[str, Chart]]


@dataclass
class Sink:
    """Where versions are read and recorded: the database for cases, a manifest otherwise."""

    existing: Callable
    record: Callable
    announce: Callable | None = None


def produce(jobs, fmts, sink: Sink, var_dir, clock, previews, on_progress) -> list[Generated]:
    """Render each job in each format unless its stored version is current; record new ones."""
    results, total, templates = [], len(jobs) * len(fmts), {}
    for job in jobs:
        hash_ = store.data_hash(job.data)
        charts: dict[str, Chart] | None = None
        last_html = None
        for fmt in fmts:
            if (job.spec.key, fmt) not in templates:  # read the templates once per run
                templates[job.spec.key, fmt] = template_version(job.spec, fmt)
            tv = templates[job.spec.key, fmt]
            prev = sink.existing(job, fmt)
            current = prev is not None and (prev.template_version, prev.data_hash) == (tv, hash_)
            version = prev.version if current else (prev.version + 1 if prev else 1)
            relative = store.relative_path(job.owner, job.spec.key, version, fmt)
            new = not current
            if current and (var_dir / prev.path).exists():
                path = var_dir / prev.path
            else:  # a new version, or a current one whose file was deleted: render it
                charts = charts if charts is not None else job.charts()
                meta = {"version": version, "generated_on": clock.today(), "as_of": None}
                if job.spec.key in ("fiche_vigilance", SYNTHESIS.key):
                    meta["as_of"] = clock.today()
                last_html = render_html(job.spec, job.data, charts=charts, meta=meta)
                footer = f"{job.spec.title} — {job.owner} — version {version}"
                content = convert(
                    fmt, last_html, charts=charts, title=job.spec.title, footer=footer
                )
                if new:
                    sink.record(job, fmt, version, tv, hash_, relative)
                path = store.write_file(var_dir, relative, content)
            results.append(
                Generated(job.owner, job.spec.key, job.spec.title, fmt, version, path, new)
            )
            if on_progress:
                on_progress(len(results), total)
        created = [r for r in results[-len(fmts) :] if r.new]
        if created and sink.announce:
            sink.announce(job, created)
        if previews:
            meta = {"version": version, "generated_on": clock.today(), "as_of": clock.today()}
            preview = to_markdown(
                last_html or render_html(job.spec, job.data, charts={}, meta=meta)
            )
            results[-len(fmts) :] = [
                Generated(**{**r.__dict__, "preview": preview}) for r in results[-len(fmts) :]
            ]
    return results
