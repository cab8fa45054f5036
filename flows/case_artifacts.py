"""Publish a case's state and timeline as Prefect artifacts keyed per case."""

from datetime import date

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlmodel import Session

from dla.frenchtext import fr_date, label
from dla.portfolio import case_detail


def artifact_key(prefix: str, reference: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return f"{prefix}-{reference.lower()}"


def publish_case_artifacts(engine, reference: str, today: date) -> None:
    """Create the case table (stages, deadlines, validations) and its timeline in markdown."""
    with Session(engine) as session:
        d = case_detail(reference, session=session)
    next_due: dict[int, date] = {}
    for step in d.steps:
        if step.status.value == "a_faire":
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
        rows,
        key=artifact_key("cas", reference),
        description=f"{reference} — {d.case.title} ({label(d.case.status.value)}, au {fr_date(today)})",
    )
    lines = [f"# Journal — {reference}", "", f"*{d.case.title}*", ""]
    lines += [f"- {e.at:%d/%m/%Y} · {e.summary}" for e in d.timeline]
    create_markdown_artifact(
        "\n".join(lines),
        key=artifact_key("journal", reference),
        description=f"Journal du cas {reference}",
    )
