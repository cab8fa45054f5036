"""Terminal table of reminders (what went, or what would go, to whom and why)."""

from rich.console import Console
from rich.table import Table

from dla.outbox.days import Line
from dla.shown import rich


def print_lines(lines: list[Line], title: str, console: Console | None = None) -> None:
    """Print one row per notification, then the count."""
    console = console or Console()
    table = Table(title=title)
    for header in ("Référence", "Relance", "Destinataire", "Objet", "Statut", "Motif"):
        table.add_column(header)
    for line in lines:
        cells = (line.reference, line.rule, line.recipient, line.subject, line.status, line.why)
        table.add_row(*(rich(c) for c in cells))
    console.print(table)
    console.print(f"{len(lines)} relance(s).")
