"""Publish a case's state, timeline and deliverables as Prefect artifacts keyed per case."""

from datetime import date

from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from dla.deliverables import KINDS
from dla.deliverables.store import slug
from dla.frenchtext import case_status_label, fr_date, label
from dla.links import case_link, document_link, documents_link
from dla.portfolio import case_with_documents
from dla.shown import md, md_rows
from models import Deliverable
from models.enums import StepStatus

# Past this many documents, the per-document artifacts give way to the table alone.
MAX_DOCUMENT_ARTIFACTS = 60


def artifact_key(prefix: str, reference: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return f"{prefix}-{slug(reference)}"


def publish_case_artifacts(engine, reference: str, today: date) -> None:
    """Create the case table (stages, deadlines, validations), its timeline and its documents."""
    d, documents = case_with_documents(engine, reference)
    next_due: dict[int, date] = {}
    for step in d.steps:
        if step.status is StepStatus.a_faire:
            next_due.setdefault(step.stage_id, step.due_date)
    rows = [
        {
            "étape": s.title,
            "statut": label(s.status.value),
            "début": fr_date(s.planned_start),
            "fin prévue": fr_date(s.planned_end),
            "prochaine échéance": fr_date(next_due.get(s.id)),
            "décisions": sum(1 for v in d.validations if v.stage_id == s.id),
        }
        for s in d.stages
    ]
    create_table_artifact(
        md_rows(rows),
        key=artifact_key("cas", reference),
        description=f"{md(reference)} — {md(d.case.title)} "
        f"({case_status_label(d.case.status)}, au {fr_date(today)})",
    )
    lines = [f"# Journal — {md(reference)}", "", f"*{md(d.case.title)}*", ""]
    lines += [f"[Page du cas dans le bureau]({case_link(reference)})", ""]
    lines += [f"- {e.at:%d/%m/%Y} · {md(e.summary)}" for e in d.timeline]
    create_markdown_artifact(
        "\n".join(lines),
        key=artifact_key("journal", reference),
        description=f"Journal du cas {reference}",
    )
    create_markdown_artifact(
        documents_markdown(reference, documents),
        key=artifact_key("livrables", reference),
        description=f"Livrables du cas {reference}",
    )


def documents_markdown(reference: str, documents: list[Deliverable]) -> str:
    """List the documents with their version, date and a link to each file."""
    if not documents:
        return f"# Livrables — {md(reference)}\n\nAucun document produit pour l'instant.\n"
    lines = [f"# Livrables — {md(reference)}", "", "| document | version | produit le | fichiers |"]
    lines.append("| --- | --- | --- | --- |")
    by_kind: dict[str, list[Deliverable]] = {}
    for doc in documents:
        by_kind.setdefault(doc.kind, []).append(doc)
    for kind, docs in by_kind.items():
        files = " · ".join(f"[{d.fmt}]({document_link(reference, d.id)})" for d in docs)
        title = md(KINDS[kind].title if kind in KINDS else kind)
        newest = max(docs, key=lambda d: d.created_at)
        lines.append(f"| {title} | v{newest.version} | {fr_date(newest.created_at)} | {files} |")
    lines += ["", "Aperçu de chaque document : artefacts « livrable-… » du cas."]
    return "\n".join(lines) + "\n"


def publish_documents(done: list) -> None:
    """Publish a markdown preview per document and a link per file (dla.deliverables.Generated)."""
    documents = {(d.owner, d.kind): d for d in done}
    if not documents or len(documents) > MAX_DOCUMENT_ARTIFACTS:
        return
    for (owner, kind), d in documents.items():
        create_markdown_artifact(
            d.preview or f"# {md(d.title)}\n\n{md(owner)}",
            key=f"livrable-{slug(owner)}-{slug(kind)}",
            description=f"{md(d.title)} — {md(owner)}",
        )
    for d in done:
        create_link_artifact(
            documents_link(d.owner),
            link_text=f"{d.title} — {d.owner} (v{d.version}, {d.fmt})",
            key=f"livrable-{slug(d.owner)}-{slug(d.kind)}-{d.fmt}",
            description=f"{md(d.title)} — {md(d.owner)}, version {d.version} ({d.fmt})",
        )
