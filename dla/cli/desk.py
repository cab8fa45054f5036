"""`dla desk`: run the coordinators' web desk (uvicorn); heavy imports inside."""

from typing import Annotated

import typer

from dla.cli.common import open_database

app = typer.Typer()


@app.command()
def desk(
    host: Annotated[
        str | None, typer.Option(help="Adresse d'écoute (défaut : DLA_DESK_HOST)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (défaut : DLA_DESK_PORT, 4201)")] = None,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Nombre de processus")] = 1,
) -> None:
    """Lancer le bureau des chargé·es de mission (application web)."""
    import uvicorn

    from dla.secret import secret_key
    from dla.settings import get_settings

    settings = get_settings()
    open_database()
    secret_key(settings)  # made once here, before the workers race for it
    host = host or settings.desk_host
    port = port or settings.desk_port
    typer.echo(f"Bureau : http://{host}:{port} (adresse publique {settings.resolved_public_url})")
    uvicorn.run(
        "web.app:asgi_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
