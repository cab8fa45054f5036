"""Generate deliverables: gather, check, render only what changed, store a new version."""

from pathlib import Path

from sqlmodel import Session, col, select

from dla import lifecycle, timeline
from dla.clock import Clock
from dla.deliverables import store
from dla.deliverables.charts import Chart, indicators_chart
from dla.deliverables.data import gather
from dla.deliverables.findings import findings_of, report
from dla.deliverables.kinds import (
    FORMATS,
    KINDS,
    SYNTHESIS,
    DeliverableError,
    Kind,
    MissingFacts,
    check_format,
    kind,
    missing,
)
from dla.deliverables.pdf import check_available
from dla.deliverables.produce import Generated, Job, Progress, Sink, produce
from dla.deliverables.synthesis import synthesis_charts, synthesis_context
from models import Case, Stage, Step
from models.enums import StageStatus, StepStatus


def generate(
    references: list[str],
    kinds: list[str] | None = None,
    formats: list[str] | tuple[str, ...] = FORMATS,
    *,
    session: Session,
    var_dir: Path,
    clock: Clock,
    stage_key: str | None = None,
    previews: bool = False,
    on_progress: Progress | None = None,
) -> list[Generated]:
    """Generate documents of cases; nothing is written when a required fact is missing."""
    references = list(dict.fromkeys(references))
    specs = [kind(k) for k in dict.fromkeys(kinds or list(KINDS))]
    if SYNTHESIS in specs:
        raise DeliverableError("la synthèse porte sur plusieurs cas : utilisez generate_synthesis")
    fmts = _formats(formats)
    contexts = gather(references, session=session)
    if any(s.key == "fiche_vigilance" for s in specs):
        for context in contexts.values():
            context["vigilance"] = _vigilance(context, clock.today())
    problems = [p for ref in references for s in specs for p in missing(s, contexts[ref])]
    if problems:
        raise MissingFacts(problems)
    ids = {ref: c["_id"] for ref, c in contexts.items()}
    stages = _stage_ids(list(ids.values()), stage_key, session) if stage_key else {}
    latest = store.latest_versions(
        list(ids.values()), [s.key for s in specs], fmts, session=session
    )
    jobs = [
        Job(ref, s, data := {k: contexts[ref][k] for k in s.reads}, _charts_for(s, data))
        for ref in references
        for s in specs
    ]

    def existing(job, fmt):
        return latest.get((ids[job.owner], job.spec.key, fmt))

    def keep_versions(versions):
        at = clock.now()
        store.add_versions(
            session,
            [
                {
                    "case_id": ids[v.job.owner],
                    "stage_id": stages.get(ids[v.job.owner]),
                    "kind": v.job.spec.key,
                    "fmt": v.fmt,
                    "version": v.version,
                    "template_version": v.template_version,
                    "data_hash": v.data_hash,
                    "path": v.path,
                    "created_at": at,
                }
                for v in versions
            ],
        )

    def announce(job, created):
        # Only new versions are announced, so a re-run never repeats an event.
        formats = ", ".join(f"{d.fmt} v{d.version}" for d in created)
        timeline.add_event(
            session,
            case_id=ids[job.owner],
            at=clock.now(),
            kind="deliverable.generated",
            summary=f"Livrable généré : {job.spec.title} ({formats})",
            actor="livrables",
            data={"deliverable": job.spec.key, "versions": {d.fmt: d.version for d in created}},
        )

    def failed(job, failures):
        # Keyed on the reason and the data: a re-run that fails alike adds no event.
        reasons = "; ".join(dict.fromkeys(f.reason for f in failures))
        formats = ", ".join(f.fmt for f in failures)
        digest = store.data_hash({"reasons": reasons, "data": store.data_hash(job.data)})
        timeline.add_event(
            session,
            case_id=ids[job.owner],
            at=clock.now(),
            kind="deliverable.failed",
            summary=f"Livrable non généré : {job.spec.title} ({formats}) : {reasons}",
            actor="livrables",
            data={"deliverable": job.spec.key, "formats": [f.fmt for f in failures]},
            key=f"deliverable.failed:{job.spec.key}:{digest[:32]}",
        )

    sink = Sink(existing, keep_versions, announce, failed)
    return produce(jobs, fmts, sink, var_dir, clock, previews, on_progress)


def generate_synthesis(
    references: list[str] | None = None,
    formats: list[str] | tuple[str, ...] = FORMATS,
    *,
    session: Session,
    var_dir: Path,
    clock: Clock,
    previews: bool = False,
) -> list[Generated]:
    """Generate the cross-case synthesis (all cases by default); versions live in a manifest."""
    fmts = _formats(formats)
    refs = references or sorted(session.exec(select(Case.reference)))
    if not refs:
        raise DeliverableError("aucun accompagnement à synthétiser : chargez d'abord des cas")
    data = synthesis_context(gather(refs, session=session), clock.today())
    versions = store.manifest_versions(var_dir, SYNTHESIS.key)
    job = Job(SYNTHESIS.key, SYNTHESIS, data, lambda: synthesis_charts(data))

    def existing(_job, fmt):
        rows = versions.get(fmt)
        return store.Existing(**rows[-1]) if rows else None

    def keep_versions(new):
        for v in new:
            versions.setdefault(v.fmt, []).append(
                {
                    "version": v.version,
                    "template_version": v.template_version,
                    "data_hash": v.data_hash,
                    "path": v.path,
                }
            )

    results = produce([job], fmts, Sink(existing, keep_versions), var_dir, clock, previews, None)
    if any(r.new for r in results):
        store.record_manifest(var_dir, SYNTHESIS.key, versions)
    return results


def generate_for_stage(
    reference: str,
    stage_key: str,
    *,
    session: Session,
    var_dir: Path,
    clock: Clock,
    formats: list[str] | tuple[str, ...] = FORMATS,
    previews: bool = False,
) -> list[Generated]:
    """Generate the deliverables the stage's steps produce (Step.deliverable), in every format."""
    case = lifecycle.get_case(reference, session=session)
    stage = session.exec(
        select(Stage).where(Stage.case_id == case.id, Stage.key == stage_key)
    ).first()
    if stage is None:
        raise DeliverableError(f"{reference} : étape inconnue {stage_key!r}")
    if stage.status is StageStatus.close:
        # Closed by another worker since this pass read the stages (the case row is locked
        # now): its documents were rendered before it closed; a late render would only add a
        # version whose count depends on which worker came second.
        return []
    kinds = sorted(
        set(
            session.exec(
                select(Step.deliverable).where(
                    Step.stage_id == stage.id,
                    col(Step.deliverable).is_not(None),
                    Step.status != StepStatus.annulee,
                )
            )
        )
    )
    if not kinds:
        return []
    return generate(
        [reference], kinds, formats, session=session, var_dir=var_dir, clock=clock,
        stage_key=stage_key, previews=previews,
    )  # fmt: skip


def _charts_for(spec: Kind, data: dict):
    def build() -> dict[str, Chart]:
        if spec.key != "rapport_suivi":
            return {}
        chart = indicators_chart([i for i in data["indicateurs"] if i["type"] == "quantitatif"])
        return {chart.name: chart} if chart else {}

    return build


def _vigilance(context: dict, today) -> dict:
    # The batched facts equal lifecycle.case_facts (tested): no query per case here.
    findings, moment = findings_of(context, today)
    return report(findings, moment)


def _stage_ids(case_ids: list[int], key: str, session: Session) -> dict[int, int]:
    query = select(Stage.case_id, Stage.id).where(
        col(Stage.case_id).in_(case_ids), Stage.key == key
    )
    return dict(session.exec(query).all())


def _formats(formats) -> list[str]:
    fmts = [check_format(f) for f in dict.fromkeys(formats)]
    if "pdf" in fmts:
        check_available()  # fail before writing anything when PDF cannot be produced here
    return fmts
