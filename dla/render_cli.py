"""Terminal rendering of the portfolio and of one case (rich tables)."""

from datetime import date

from rich.console import Console
from rich.table import Table

from dla.frenchtext import case_status_label, fr_date, label
from dla.portfolio import CaseDetail, PortfolioRow


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
            r.reference,
            r.departement,
            r.title,
            r.journey or "—",
            case_status_label(r.status),
            r.current_stage or "—",
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
    console.print(f"[bold]{c.reference}[/bold] — {c.title}")
    console.print(
        f"Département {c.departement} · portage DLA : {d.host.name} · coordination : "
        f"{d.coordinator.email} · origine : {label(c.origin)} · statut : {case_status_label(c.status)}"
    )
    console.print(f"Périmètre : {c.perimeter} · mutualisation : {', '.join(c.mutualisation_kinds)}")
    members = Table(title="Membres")
    members.add_column("Organisation")
    members.add_column("Rôle")
    for member, org in d.members:
        members.add_row(
            f"{org.name}" + (f" ({org.siae_kind})" if org.siae_kind else ""), label(member.role)
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
            f"[bold]{stage.title}[/bold]",
            f"{fr_date(stage.planned_start)} → {fr_date(stage.planned_end)}",
            "",
            "",
            label(stage.status),
        )
        for step in by_stage.get(stage.id, []):
            steps.add_row("", step.title, step.owner, fr_date(step.due_date), label(step.status))
    console.print(steps)
    stages = {s.id: s for s in d.stages}
    for v in d.validations:
        org = d.organisations.get(v.organisation_id)
        console.print(
            f"Décision {fr_date(v.decided_on)} : {stages[v.stage_id].title} — "
            f"{org.name if org else 'coordination'} ({label(v.body)}) : {label(v.decision)}"
        )
    for p in d.periods:
        console.print(
            f"{label(p.kind).capitalize()} « {p.key} » : {fr_date(p.start_on)} → {fr_date(p.end_on)}"
        )
    for f in d.follow_ups:
        console.print(f"Suivi à {f.months_after} mois : {fr_date(f.due_date)}")
    console.print("[bold]Journal[/bold]")
    for event in d.timeline[-20:]:
        console.print(f"{event.at:%d/%m/%Y %H:%M} · {event.actor} · {event.summary}", markup=False)
