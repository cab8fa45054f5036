"""`dla remind`: plan and send the reminders of the day, or show what would go (dry run)."""

from datetime import timedelta
from typing import Annotated

import typer


def remind(
    today: Annotated[
        str | None, typer.Option("--today", help="Date du jour simulée (AAAA-MM-JJ)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Afficher ce qui partirait, sans rien envoyer")
    ] = False,
    depuis: Annotated[
        str | None,
        typer.Option("--depuis", help="Rejouer les relances jour par jour depuis cette date"),
    ] = None,
    sans_resume: Annotated[
        bool, typer.Option("--sans-resume", help="Ne pas planifier les résumés hebdomadaires")
    ] = False,
) -> None:
    """Envoyer les relances dues (échéances, validations, périodes, suivis, résumés)."""
    from dla.cli import _engine, _fail, _parse_day, _require_schema
    from dla.clock import FixedClock, SystemClock

    clock = FixedClock.on(_parse_day(today, "--today")) if today is not None else SystemClock()
    start = _parse_day(depuis, "--depuis") if depuis is not None else None
    if start and start > clock.today():
        raise _fail(
            f"--depuis : {start.isoformat()} est après la date du jour ; rien n'a été fait."
        )
    if start and dry_run:
        raise _fail("--depuis et --dry-run ne vont pas ensemble ; rien n'a été fait.")
    engine = _engine()
    _require_schema(engine)
    from dla.outbox.days import preview, remind, replay, report_lines
    from dla.outbox.render_cli import print_lines
    from dla.outbox.sending import mail_renderer, mail_transport
    from dla.settings import get_settings

    settings = get_settings()
    digests = not sans_resume
    if dry_run:
        lines = preview(engine=engine, clock=clock, digests=digests)
        print_lines(lines, f"Relances qui partiraient le {clock.today():%d/%m/%Y} (simulation)")
        return
    transport = mail_transport(settings)
    backoff = timedelta(seconds=settings.outbox_retry_backoff)
    if start:
        report = replay(
            engine=engine,
            transport=transport,
            renderer_for=lambda c: mail_renderer(settings, c),
            start=start,
            end=clock.today(),
            digests=digests,
            backoff=backoff,
        )
        typer.echo(
            f"Rejeu du {start:%d/%m/%Y} au {clock.today():%d/%m/%Y} : "
            f"{report.count('sent')} envoyée(s), {report.count('cancelled')} annulée(s), "
            f"{len(report.held)} suspendue(s), {report.count('retry')} à réessayer, "
            f"{report.count('failed')} en échec."
        )
        return
    _, report = remind(
        engine=engine,
        transport=transport,
        renderer=mail_renderer(settings, clock),
        clock=clock,
        digests=digests,
        backoff=backoff,
    )
    print_lines(report_lines(report), f"Relances du {clock.today():%d/%m/%Y}")
    if report.held:
        typer.echo(
            f"{len(report.held)} relance(s) au prestataire suspendue(s) pendant une période."
        )
