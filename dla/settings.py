"""One place that reads the environment: the pipeline's settings."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings read from `DLA_*` environment variables, with embedded defaults."""

    model_config = SettingsConfigDict(env_prefix="DLA_", extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Dossier des données locales")
    database_url: str | None = Field(default=None, description="URL SQLAlchemy de la base")
    timezone: str = "Europe/Paris"
    max_case_file_bytes: int = 1_000_000

    @property
    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to a SQLite file under `var/`."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.var_dir / 'dla.db'}"


def normalise_database_url(url: str) -> str:
    """Make plain `postgresql://` URLs use psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def prefect_api_configured() -> bool:
    """Tell whether a Prefect server is configured (its own setting, read by Prefect's rules)."""
    import os

    # Prefect owns this variable; reading it here keeps the CLI from importing Prefect for nothing.
    return bool(os.environ.get("PREFECT_API_URL"))


def quiet_local_prefect() -> None:
    """Keep a temporary local Prefect server from printing its shutdown noise (CLI runs)."""
    import os

    # Without a configured server, Prefect starts a temporary one whose background services
    # log cancelled tasks as tracebacks when the CLI exits; they mean nothing to a user.
    if not prefect_api_configured():
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
