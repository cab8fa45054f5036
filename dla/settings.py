"""One place that reads the environment: the pipeline's settings."""

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from dla.mail.config import CONNECTIONS


class Settings(BaseSettings):
    """Settings read from `DLA_*` environment variables, with embedded defaults."""

    model_config = SettingsConfigDict(env_prefix="DLA_", extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Dossier des données locales")
    database_url: str | None = Field(default=None, description="URL SQLAlchemy de la base")
    timezone: str = "Europe/Paris"
    max_case_file_bytes: int = 1_000_000
    cases_dir: Path | None = Field(
        default=None, description="Dossier des fichiers de cas ouverts depuis l'interface"
    )
    # Formats the case flow renders a stage's deliverables in (dla deliver makes any on demand).
    stage_deliverable_formats: list[Literal["html", "docx", "pdf"]] = ["html", "docx", "pdf"]
    # The deployment that runs a case, started when a case is opened from the UI.
    case_deployment: str = "accompagnement/suivre-un-cas"

    # The desk (web/): where it listens, the address people outside the machine use (every link
    # the product writes: e-mails, Prefect artifacts), and the key that signs its cookies
    # (generated once under var/ when unset).
    desk_host: str = Field(default="127.0.0.1", description="Adresse d'écoute du bureau")
    desk_port: int = Field(default=4201, ge=1, le=65535, description="Port du bureau")
    public_url: str | None = Field(default=None, description="Adresse publique du bureau")
    secret_key: SecretStr | None = Field(default=None, description="Clé de signature des sessions")
    # The day the desk counts from (a replayed demo lives in its replay's last day).
    desk_today: date | None = Field(default=None, description="Jour de référence du bureau")

    # Desk passwords: argon2id's cost per hash (argon2-cffi's defaults, RFC 9106's second
    # choice). Only the test suite lowers them (tests/conftest.py); a stored hash keeps its own.
    password_time_cost: int = Field(default=3, ge=1, le=20, description="Passes d'argon2")
    password_memory_cost: int = Field(
        default=65_536, ge=32, le=4_194_304, description="Mémoire d'argon2 (Kio)"
    )

    # Mail: with no smtp_host and no smtp_block, messages land as .eml files in var/outbox/.
    mail_sender: str = Field(
        default="Pilotage DLA <ne-pas-repondre@dla.example.org>",
        description="Expéditeur des rappels : « Nom <adresse> » ou adresse",
    )
    smtp_host: str | None = Field(default=None, description="Serveur SMTP (vide : fichiers .eml)")
    smtp_port: int | None = Field(default=None, ge=1, le=65535, description="Port SMTP")
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_concurrency: int = Field(
        default=CONNECTIONS, ge=1, le=20, description="Connexions par lot"
    )
    smtp_timeout: float = Field(default=30.0, gt=0, description="Délai de réponse SMTP (s)")
    smtp_max_attempts: int = Field(default=4, ge=1, le=10, description="Essais par message")
    smtp_ca_file: Path | None = Field(default=None, description="Autorité de certification")
    smtp_block: str | None = Field(default=None, description="Nom du bloc Prefect SmtpServer")
    # Real time a temporary failure waits before the next sweep retries it (doubled each time).
    outbox_retry_backoff: float = Field(
        default=600, ge=0, le=21600, description="Premier délai avant un nouvel essai (s, réel)"
    )

    # Documents attached to a case (a signed convention, minutes, a report): the largest accepted.
    max_attachment_bytes: int = Field(
        default=10_000_000, ge=1, le=200_000_000, description="Taille maximale d'une pièce jointe"
    )
    # A board's signed link stays valid this many days after the gate's deadline.
    board_link_grace_days: int = Field(
        default=15, ge=0, le=365, description="Jours de validité d'un lien après l'échéance"
    )

    # Prefect: how long the CLI waits for its temporary local server (dla/prefect_env.py).
    prefect_startup_timeout: int = Field(
        default=300, ge=1, description="Délai de démarrage du serveur Prefect local (s)"
    )
    # Backups (dla backup): the folder of archives when no destination is given.
    backup_dir: Path | None = Field(default=None, description="Dossier des sauvegardes")

    @property
    def resolved_cases_dir(self) -> Path:
        """Return the folder of case files the UI may open (default: var/cas)."""
        return self.cases_dir or self.var_dir / "cas"

    @property
    def resolved_backup_dir(self) -> Path:
        """Return the folder of backup archives (default: var/sauvegardes)."""
        return self.backup_dir or self.var_dir / "sauvegardes"

    @property
    def resolved_public_url(self) -> str:
        """Return the desk's public address without a trailing slash (default: local port)."""
        return (self.public_url or f"http://127.0.0.1:{self.desk_port}").rstrip("/")

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


# The Prefect UI the product links to: the current one. Prefect 3.9 serves both at one address,
# and a deep link without /v2 opens the older UI, whose run graph draws task names with an
# ASCII-only font ("décision saisie" shows as "dcision saisie"); the current one draws them all.
PREFECT_UI_PATH = "/v2"


def prefect_ui_url() -> str | None:
    """Return the Prefect UI's address (PREFECT_UI_URL, else PREFECT_API_URL's server + /v2)."""
    import os

    # Prefect owns these variables; read here so the desk does not import Prefect for a link.
    ui = os.environ.get("PREFECT_UI_URL")
    if ui:
        return ui.rstrip("/")
    api = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    return api.removesuffix("/api") + PREFECT_UI_PATH if api.endswith("/api") else None


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
