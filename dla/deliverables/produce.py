"""Render what changed and store it: the loop shared by case documents and the synthesis."""

import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import TemplateError

from dla.deliverables import store
from dla.deliverables.charts import Chart
from dla.deliverables.convert import convert
from dla.deliverables.kinds import SYNTHESIS, Kind
from dla.deliverables.preview import to_markdown
from dla.deliverables.render import environment, render_html, template_version

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


@dataclass(frozen=True)
class Version:
    """A new version to record: its document, format, number, template and data hashes, path."""

    job: Job
    fmt: str
    version: int
    template_version: str
    data_hash: str
    path: str  # relative to var_dir


@dataclass
class Sink:
    """Where versions are read and recorded: the database for cases, a manifest otherwise."""

    existing: Callable  # (job, fmt) → store.Existing | None
    record: Callable  # ([Version]) → None, once per batch, before its files are written
    announce: Callable | None = None
    failed: Callable | None = None  # (job, [Failure]) → None, once per broken document


@dataclass
class Draft:
    """One job rendered in memory: its results, the files to write, what failed."""

    job: Job
    # (result, relative path, content); no content: the current file is kept as it is.
    results: list[tuple[Generated, str, bytes | None]]
    versions: list[Version]
    failures: list[Failure]
    html: str | None  # the last HTML rendered, for the preview
    version: int


# Documents rendered before their versions are recorded in one insert and their files written:
# one insert per batch instead of one flush per file, and a bounded share of files in memory.
BATCH = 50


def produce(jobs, fmts, sink: Sink, var_dir, clock, previews, on_progress) -> Results:
    """Render each job in each format unless its stored version is current; record new ones.

    A document that fails to render (template error, converter error) is reported with its
    reason and skipped: the other documents are still generated. The versions of a batch are
    recorded before any of its files is written, so a concurrent run that recorded the same
    version first makes this one fail (unique key) without overwriting its files.
    """
    results, total, templates = Results(), len(jobs) * len(fmts), {}
    files = store.Files(var_dir)
    done = 0
    for start in range(0, len(jobs), BATCH):
        drafts = [
            _draft(job, fmts, sink, var_dir, clock, templates)
            for job in jobs[start : start + BATCH]
        ]
        if versions := [v for d in drafts for v in d.versions]:
            sink.record(versions)
        for draft in drafts:
            first = len(results)
            for generated, relative, content in draft.results:
                if content is not None:
                    generated = replace(generated, path=files.write(relative, content))
                results.append(generated)
            job, created = draft.job, [r for r in results[first:] if r.new]
            if created and sink.announce:
                sink.announce(job, created)
            if draft.failures:
                results.failures += draft.failures
                if sink.failed:
                    sink.failed(job, draft.failures)
            if previews and len(results) > first and (draft.html or not draft.failures):
                today = clock.today()
                meta = {"version": draft.version, "generated_on": today, "as_of": today}
                preview = to_markdown(
                    draft.html or render_html(job.spec, job.data, charts={}, meta=meta)
                )
                results[first:] = [replace(r, preview=preview) for r in results[first:]]
            for _ in fmts:
                done += 1
                if on_progress:
                    on_progress(done, total)
    return results


def _draft(job: Job, fmts, sink: Sink, var_dir: Path, clock, templates: dict) -> Draft:
    """Render a job in each format whose stored version is not current (or lost its file)."""
    draft = Draft(job, [], [], [], None, 0)
    hash_ = store.data_hash(job.data)
    charts: dict[str, Chart] | None = None
    for fmt in fmts:
        if (job.spec.key, fmt) not in templates:  # read the templates once per run
            templates[job.spec.key, fmt] = template_version(job.spec, fmt)
        tv = templates[job.spec.key, fmt]
        prev = sink.existing(job, fmt)
        current = prev is not None and (prev.template_version, prev.data_hash) == (tv, hash_)
        version = prev.version if current else (prev.version + 1 if prev else 1)
        draft.version = version
        relative = store.relative_path(job.owner, job.spec.key, version, fmt)
        spec, new = job.spec, not current
        generated = Generated(job.owner, spec.key, spec.title, fmt, version, var_dir, new)
        if current and (var_dir / prev.path).exists():
            draft.results.append((replace(generated, path=var_dir / prev.path), prev.path, None))
            continue
        # A new version, or a current one whose file was deleted: render it.
        charts = charts if charts is not None else job.charts()
        meta = {"version": version, "generated_on": clock.today(), "as_of": None}
        if spec.key in ("fiche_vigilance", SYNTHESIS.key):
            meta["as_of"] = clock.today()
        footer = f"{spec.title} — {job.owner} — version {version}"
        try:
            if spec.key not in templates:  # loaded once per run, like its version
                templates[spec.key] = environment().get_template(spec.template)
            template = templates[spec.key]
            draft.html = render_html(spec, job.data, charts=charts, meta=meta, template=template)
            content = convert(fmt, draft.html, charts=charts, title=spec.title, footer=footer)
        except Exception as exc:  # noqa: BLE001  (one broken document must not stop the others)
            reason = failure_reason(spec, fmt, exc)
            draft.failures.append(Failure(job.owner, spec.key, spec.title, fmt, reason))
            continue
        if new:
            draft.versions.append(Version(job, fmt, version, tv, hash_, relative))
        draft.results.append((generated, relative, content))  # its path: once written
    return draft


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
