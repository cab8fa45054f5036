"""`dla remind`: plan and send the reminders of the day, or show what would go (dry run)."""

from datetime import date, timedelta
from typing import Annotated

import typer

from dla.cli.common import Today, clock_on, day_option, fail, open_database

app = typer.Typer()


@app.command()
def remind(
    today: Today = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Afficher ce qui partirait, sans rien envoyer")
    ] = False,
    start: Annotated[
        date | None,
        day_option("--since", "Rejouer les relances jour par jour depuis cette date"),
    ] = None,
    no_digest: Annotated[
        bool, typer.Option("--no-digest", help="Ne pas planifier les résumés hebdomadaires")
    ] = False,
) -> None:
    """Envoyer les relances dues (échéances, validations, périodes, suivis, résumés)."""
    clock = clock_on(today)
    if start and start > clock.today():
        fail(f"--since : {start.isoformat()} est après la date du jour ; rien n'a été fait.")
    if start and dry_run:
        fail("--since et --dry-run ne vont pas ensemble ; rien n'a été fait.")
    engine = open_database()
    from dla.boardsigner import Signer
    from dla.cli.render import print_lines
    from dla.outbox.days import preview, remind, replay, report_lines
    from dla.outbox.sending import mail_renderer, mail_transport
    from dla.settings import get_settings

    settings = get_settings()
    digests = not no_digest
    if dry_run:
        lines = preview(engine=engine, clock=clock, digests=digests)
        print_lines(lines, f"Relances qui partiraient le {clock.today():%d/%m/%Y} (simulation)")
        return
    transport = mail_transport(settings)
    backoff = timedelta(seconds=settings.outbox_retry_backoff)
    # Awaited-validation reminders carry the board's signed link to the desk.
    signer = Signer.from_settings(settings)
    if start:
        from dla.mail.render import MailRenderer

        shared = MailRenderer()  # each template compiled once for the whole replay, not daily
        report = replay(
            engine=engine,
            transport=transport,
            renderer_for=lambda c: mail_renderer(settings, c, renderer=shared),
            start=start,
            end=clock.today(),
            digests=digests,
            backoff=backoff,
            signer=signer,
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
        signer=signer,
    )
    print_lines(report_lines(report), f"Relances du {clock.today():%d/%m/%Y}")
    if report.held:
        typer.echo(
            f"{len(report.held)} relance(s) au prestataire suspendue(s) pendant une période."
        )
