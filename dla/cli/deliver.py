"""`dla deliver`: generate phase deliverables on demand (heavy imports stay inside)."""

from pathlib import Path
from typing import Annotated

import typer

from dla.cli.common import Today, clock_on, fail, open_database
from dla.shown import plain

app = typer.Typer()


@app.command()
def deliver(
    references: Annotated[
        list[str] | None, typer.Argument(help="Références des cas (vide avec --all)")
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            help="Document : note_diagnostic, cahier_des_charges, plan_accompagnement, "
            "compte_rendu_validation, charte_cooperation, rapport_suivi, monographie, "
            "fiche_vigilance, synthese (défaut : tous)",
        ),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="html, docx ou pdf (défaut : les trois)"),
    ] = None,
    all_cases: Annotated[
        bool, typer.Option("--all", help="Tous les cas de la base, plus la synthèse")
    ] = False,
    synthesis: Annotated[
        bool, typer.Option("--synthesis", help="Produire aussi la synthèse de ces cas")
    ] = False,
    today: Today = None,
) -> None:
    """Générer les livrables d'accompagnements (HTML, Word, PDF), versionnés sous var/livrables/."""
    from sqlmodel import select

    from dla.db import transaction
    from dla.deliverables import (
        FORMATS,
        DeliverableError,
        MissingFacts,
        generate,
        generate_synthesis,
    )
    from dla.deliverables.data import UnknownCase
    from dla.deliverables.pdf import PdfUnavailable, check_available
    from dla.settings import get_settings
    from models import Case

    if not references and not all_cases:
        fail("Indiquez au moins une référence de cas, ou --all pour tous les cas.")
    clock = clock_on(today)
    fmts = formats or list(FORMATS)
    if kinds and "synthese" in kinds:
        kinds = [k for k in kinds if k != "synthese"]
        synthesis, only_synthesis = True, not kinds
    else:
        only_synthesis = False
    settings = get_settings()
    engine = open_database()
    try:
        if "pdf" in fmts:
            check_available()
        with transaction(engine) as session:
            refs = references or sorted(session.exec(select(Case.reference)))
            done = (
                []
                if only_synthesis
                else generate(
                    refs, kinds, fmts, session=session, var_dir=settings.var_dir, clock=clock
                )
            )
            failures = list(getattr(done, "failures", []))
            if all_cases or synthesis:
                synth = generate_synthesis(
                    refs, fmts, session=session, var_dir=settings.var_dir, clock=clock
                )
                failures += synth.failures
                done += synth
    except MissingFacts as exc:
        fail("\n".join(map(plain, exc.problems)) + "\nAucun livrable n'a été généré.")
    except (DeliverableError, UnknownCase) as exc:
        fail(f"{plain(exc.args[0])} ; aucun livrable n'a été généré.")
    except PdfUnavailable as exc:
        fail(str(exc), 1)
    for d in done:
        state = "nouvelle version" if d.new else "inchangé"
        typer.echo(
            f"{plain(d.owner)} · {plain(d.title)} · {d.fmt} · v{d.version} ({state}) → "
            f"{plain(_shown(d.path))}"
        )
    new = sum(1 for d in done if d.new)
    folder = _shown(settings.var_dir / "livrables")
    typer.echo(f"{len(done)} fichier(s) dans {folder}/ dont {new} nouvelle(s) version(s).")
    if failures:
        # The other documents are kept: only the broken ones are to be fixed and re-run.
        for f in failures:
            typer.echo(
                f"{plain(f.owner)} · {plain(f.title)} · {f.fmt} : non généré, {plain(f.reason)}",
                err=True,
            )
        typer.echo(f"{len(failures)} fichier(s) non généré(s).", err=True)
        raise typer.Exit(1)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
