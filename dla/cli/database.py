"""`dla init`, `dla backup`, `dla restore`: the base's schema, a checked archive, its restore."""

from pathlib import Path
from typing import Annotated

import typer

from dla.cli.common import fail, open_database

app = typer.Typer()

# Exit codes: 0 done; 1 could not be done (tool missing, base unreachable); 2 refused
# (damaged or newer archive, target not empty without --force, destination taken).
FAILED, REFUSED = 1, 2


@app.command()
def init() -> None:
    """Créer ou mettre à jour la base de données (migrations Alembic)."""
    from dla.db import upgrade

    engine = open_database(migrated=False)
    upgrade(engine)
    typer.echo(f"Base prête : {engine.url.render_as_string(hide_password=True)}")


@app.command()
def backup(
    dest: Annotated[
        Path | None,
        typer.Argument(help="Fichier ou dossier de l'archive (défaut : var/sauvegardes/)"),
    ] = None,
) -> None:
    """Sauvegarder la base et les documents (livrables, courriels déposés, fichiers de cas)."""
    from dla.backup.archive import ArchiveRefused, BackupError
    from dla.backup.run import backup as run_backup
    from dla.settings import get_settings

    try:
        done = run_backup(get_settings(), dest)
    except ArchiveRefused as exc:
        fail(f"Sauvegarde refusée : {exc}.", REFUSED)
    except BackupError as exc:
        fail(f"Sauvegarde impossible : {exc}. Aucune archive n'a été écrite.", FAILED)
    m = done.manifest
    documents = len(m.members) - 1
    typer.echo(
        f"Sauvegarde écrite et vérifiée : {done.archive}\n"
        f"  base {m.backend}, schéma {m.schema_revision}, {sum(m.rows.values())} ligne(s) "
        f"dans {len(m.rows)} table(s) ; {documents} document(s) ; sommes de contrôle relues.\n"
        "  Copiez-la hors de cette machine (un disque perdu emporte aussi ce dossier)."
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="Archive écrite par « dla backup »")],
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer une base et des documents non vides")
    ] = False,
) -> None:
    """Restaurer une sauvegarde : tout ou rien, après vérification complète de l'archive."""
    from dla.backup.archive import ArchiveRefused, BackupError
    from dla.backup.run import restore as run_restore
    from dla.settings import get_settings

    try:
        done = run_restore(get_settings(), archive, force=force)
    except ArchiveRefused as exc:
        fail(f"Restauration refusée : {exc}. Rien n'a été modifié.", REFUSED)
    except BackupError as exc:
        fail(f"Restauration impossible : {exc}. Rien n'a été modifié.", FAILED)
    m = done.manifest
    typer.echo(
        f"Sauvegarde du {m.created_at} restaurée : {sum(m.rows.values())} ligne(s), "
        f"{len(m.members) - 1} document(s)."
    )
    if done.upgraded_to:
        typer.echo(f"Schéma mis à jour de {m.schema_revision} à {done.upgraded_to}.")
