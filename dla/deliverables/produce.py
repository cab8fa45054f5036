"""Render what changed and store it: the loop shared by case documents and the synthesis."""

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateError

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


@dataclass(frozen=True)
class Failure:
    """A document that could not be rendered in one format: nothing was written for it."""

    owner: str
    kind: str
    title: str
    fmt: str
    reason: str  # French, names the template and its line when it is a template error


class Results(list):
    """The files generated (a list of Generated), plus the documents that failed to render."""

    def __init__(self, items=(), failures=()):
        super().__init__(items)
        self.failures: list[Failure] = list(failures)


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
    failed: Callable | None = None  # (job, [Failure]) → None, once per broken document


def produce(jobs, fmts, sink: Sink, var_dir, clock, previews, on_progress) -> Results:
    """Render each job in each format unless its stored version is current; record new ones.

    A document that fails to render (template error, converter error) is reported with its
    reason and skipped: the other documents are still generated.
    """
    results, total, templates = Results(), len(jobs) * len(fmts), {}
    done = 0
    for job in jobs:
        hash_ = store.data_hash(job.data)
        charts: dict[str, Chart] | None = None
        last_html = None
        failed: list[Failure] = []
        first = len(results)
        for fmt in fmts:
            done += 1
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
                footer = f"{job.spec.title} — {job.owner} — version {version}"
                try:
                    last_html = render_html(job.spec, job.data, charts=charts, meta=meta)
                    content = convert(
                        fmt, last_html, charts=charts, title=job.spec.title, footer=footer
                    )
                except Exception as exc:  # noqa: BLE001  (one broken document must not stop the others)
                    reason = failure_reason(job.spec, fmt, exc)
                    failed.append(Failure(job.owner, job.spec.key, job.spec.title, fmt, reason))
                    if on_progress:
                        on_progress(done, total)
                    continue
                if new:
                    sink.record(job, fmt, version, tv, hash_, relative)
                path = store.write_file(var_dir, relative, content)
            results.append(
                Generated(job.owner, job.spec.key, job.spec.title, fmt, version, path, new)
            )
            if on_progress:
                on_progress(done, total)
        created = [r for r in results[first:] if r.new]
        if created and sink.announce:
            sink.announce(job, created)
        if failed:
            results.failures += failed
            if sink.failed:
                sink.failed(job, failed)
        if previews and len(results) > first and (last_html or not failed):
            meta = {"version": version, "generated_on": clock.today(), "as_of": clock.today()}
            preview = to_markdown(
                last_html or render_html(job.spec, job.data, charts={}, meta=meta)
            )
            results[first:] = [
                Generated(**{**r.__dict__, "preview": preview}) for r in results[first:]
            ]
    return results


def failure_reason(spec: Kind, fmt: str, exc: Exception) -> str:
    """Say in French why a document failed: the template and its line, or the converter."""
    if isinstance(exc, TemplateError):
        where = getattr(exc, "name", None) or spec.template
        line = getattr(exc, "lineno", None)
        for frame in traceback.extract_tb(exc.__traceback__):
            # Jinja maps template code back to the template file in tracebacks.
            if "/templates/" in frame.filename and frame.filename.endswith(".html"):
                where = frame.filename.rsplit("/templates/", 1)[1]
                line = frame.lineno
        at = f", ligne {line}" if line else ""
        return f"erreur dans le modèle {where}{at} : {exc.message or exc}"
    return f"échec de la conversion en {fmt} : {type(exc).__name__} : {exc}"
