"""Terminal rendering: the portfolio, one case, the reminders of a sweep (rich tables)."""

from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from dla.frenchtext import case_status_label, fr_date, label
from dla.portfolio import CaseDetail, PortfolioRow
from dla.shown import rich

if TYPE_CHECKING:
    from dla.outbox.days import Line


def _console() -> Console:
    # Piped output (make demo, logs) gets a wide page rather than Rich's 80 columns.
    console = Console()
    return console if console.is_terminal else Console(width=160)


def print_portfolio(rows: list[PortfolioRow], today: date, console: Console | None = None) -> None:
    """Print one line per case."""
    console = console or _console()
    table = Table(title=f"Portefeuille des accompagnements — {fr_date(today)}")
    table.add_column("Référence", no_wrap=True)
    for header in (
        "Dép.",
        "Intitulé",
        "Modèle",
        "Statut",
        "Étape en cours",
        "Prochaine échéance",
        "En retard",
        "Validations attendues",
    ):
        table.add_column(header)
    for r in rows:
        table.add_row(
            rich(r.reference),
            rich(r.departement),
            rich(r.title),
            rich(label(r.journey)) if r.journey else "—",
            case_status_label(r.status),
            rich(r.current_stage or "—"),
            fr_date(r.next_due),
            str(r.overdue),
            str(r.awaiting),
        )
    console.print(table)
    console.print(f"{len(rows)} accompagnement(s).")


def print_case(d: CaseDetail, console: Console | None = None) -> None:
    """Print a case's header, members, stages and steps, validations, rhythm and timeline."""
    console = console or _console()
    c = d.case
    console.print(f"[bold]{rich(c.reference)}[/bold] — {rich(c.title)}")
    console.print(
        f"Département {rich(c.departement)} · portage DLA : {rich(d.host.name)} · coordination : "
        f"{rich(d.coordinator.email)} · origine : {label(c.origin)} · statut : {case_status_label(c.status)}"
    )
    kinds = rich(", ".join(label(k) for k in c.mutualisation_kinds))
    console.print(f"Périmètre : {rich(c.perimeter)} · mutualisation : {kinds}")
    members = Table(title="Membres")
    members.add_column("Organisation")
    members.add_column("Rôle")
    for member, org in d.members:
        members.add_row(
            rich(org.name + (f" ({org.siae_kind})" if org.siae_kind else "")), label(member.role)
        )
    console.print(members)
    steps = Table(title="Étapes et tâches")
    for header in ("Étape", "Tâche", "Responsable", "Échéance", "Statut"):
        steps.add_column(header)
    by_stage: dict[int, list] = {}
    for step in d.steps:
        by_stage.setdefault(step.stage_id, []).append(step)
    for stage in d.stages:
        steps.add_row(
            f"[bold]{rich(stage.title)}[/bold]",
            f"{fr_date(stage.planned_start)} → {fr_date(stage.planned_end)}",
            "",
            "",
            label(stage.status),
        )
        for step in by_stage.get(stage.id, []):
            steps.add_row(
                "", rich(step.title), rich(step.owner), fr_date(step.due_date), label(step.status)
            )
    console.print(steps)
    stages = {s.id: s for s in d.stages}
    for v in d.validations:
        org = d.organisations.get(v.organisation_id)
        console.print(
            f"Décision {fr_date(v.decided_on)} : {rich(stages[v.stage_id].title)} — "
            f"{rich(org.name) if org else 'coordination'} ({label(v.body)}) : {label(v.decision)}"
        )
    for p in d.periods:
        console.print(
            f"{label(p.kind).capitalize()} « {rich(p.key)} » : "
            f"{fr_date(p.start_on)} → {fr_date(p.end_on)}"
        )
    for f in d.follow_ups:
        console.print(f"Suivi à {f.months_after} mois : {fr_date(f.due_date)}")
    console.print("[bold]Journal[/bold]")
    for event in d.timeline[-20:]:
        console.print(f"{event.at:%d/%m/%Y %H:%M} · {rich(event.actor)} · {rich(event.summary)}")


def print_lines(lines: "list[Line]", title: str, console: Console | None = None) -> None:
    """Print one row per notification (what went, or would go, to whom and why), then the count."""
    console = console or Console()
    table = Table(title=title)
    for header in ("Référence", "Relance", "Destinataire", "Objet", "Statut", "Motif"):
        table.add_column(header)
    for line in lines:
        cells = (line.reference, line.rule, line.recipient, line.subject, line.status, line.why)
        table.add_row(*(rich(c) for c in cells))
    console.print(table)
    console.print(f"{len(lines)} relance(s).")
