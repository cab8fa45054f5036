"""Prefect's environment for the CLI's local runs, set in one place before Prefect is imported."""

import os

from dla.settings import Settings, prefect_api_configured, prefect_ui_url

# What Prefect raises when its temporary local server did not answer in time.
STARTUP_TIMEOUT_TEXT = "Timed out while attempting to connect to ephemeral Prefect API server"


def prefect_env_defaults(settings: Settings) -> dict[str, str]:
    """Return the Prefect variables the product sets when the user has not set them."""
    defaults = {
        # Prefect waits 20 s for its temporary server by default: too short on a busy machine
        # (the first start also migrates Prefect's database).
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": str(settings.prefect_startup_timeout),
        # Prefect's own data (its database, with flow runs and artifacts) stays under var/,
        # not in ~/.prefect: it is the product's data, found and forgotten with the rest.
        "PREFECT_HOME": str((settings.var_dir / "prefect").resolve()),
        # The temporary server's telemetry heartbeat calls Prefect's servers (these machines
        # are offline) and, on a busy machine, logs "database is locked" tracebacks.
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    if prefect_api_configured() and (ui := prefect_ui_url()):
        # Prefect's own links (url_for, run pages in e-mails) to the UI that keeps accents.
        defaults["PREFECT_UI_URL"] = ui
    if not prefect_api_configured():
        # The temporary server's background services log cancelled tasks as tracebacks when
        # the CLI exits; they mean nothing to a user.
        defaults["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
    return defaults


def apply_prefect_env(settings: Settings) -> dict[str, str]:
    """Set the defaults the environment lacks (call before importing Prefect); return them."""
    applied = {k: v for k, v in prefect_env_defaults(settings).items() if k not in os.environ}
    os.environ.update(applied)
    if "PREFECT_HOME" in applied:
        # Prefect makes its home without parents: var/ may not exist yet (database elsewhere).
        os.makedirs(applied["PREFECT_HOME"], exist_ok=True)
    return applied


def startup_failure(exc: BaseException, settings: Settings) -> str | None:
    """Return the French explanation of a local server that did not start, else None."""
    if not isinstance(exc, RuntimeError) or STARTUP_TIMEOUT_TEXT not in str(exc):
        return None
    waited = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "?")
    return (
        f"Le serveur Prefect local n'a pas répondu dans le délai ({waited} s) : la machine est "
        "sans doute trop chargée. Rien n'a été modifié pour ce cas. Relancez la commande, "
        "allongez le délai (DLA_PREFECT_STARTUP_TIMEOUT=900, en secondes) ou démarrez un "
        "serveur durable (« make up », puis « source var/run/env »)."
    )
