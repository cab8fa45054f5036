"""Choose the transport from the settings: SMTP when configured, else the .eml outbox."""

from pathlib import Path

from dla.mail.base import Transport
from dla.mail.config import Security, SmtpConfig
from dla.mail.eml import OutboxTransport
from dla.mail.headers import MailError
from dla.mail.smtp import SmtpTransport
from dla.settings import Settings


def outbox_dir(settings: Settings) -> Path:
    """Return the folder where the embedded transport drops .eml files."""
    return settings.var_dir / "outbox"


def smtp_config_from_settings(settings: Settings, **server) -> SmtpConfig | None:
    """Return the SMTP configuration of the `DLA_SMTP_*` variables, or None when unset.

    `server` (host, port, security, username, password, concurrency, timeout: a Prefect block's
    fields) replaces the variables' server; retries and the CA file always come from settings.
    """
    fields = {
        "host": settings.smtp_host,
        "port": settings.smtp_port,
        "security": settings.smtp_security,
        "username": settings.smtp_username,
        "password": settings.smtp_password,
        "concurrency": settings.smtp_concurrency,
        "timeout": settings.smtp_timeout,
    } | server
    if not fields["host"]:
        return None
    return SmtpConfig(
        host=fields["host"],
        port=fields["port"],
        security=Security(fields["security"]),
        username=fields["username"] or None,
        password=fields["password"],
        concurrency=fields["concurrency"],
        timeout=fields["timeout"],
        max_attempts=settings.smtp_max_attempts,
        cert_bundle=str(settings.smtp_ca_file) if settings.smtp_ca_file else None,
    )


def transport_from_settings(settings: Settings, *, smtp: SmtpConfig | None = None) -> Transport:
    """Return the SMTP transport when a server is given or configured, else the .eml outbox.

    `smtp` is the configuration loaded from a Prefect block (flows/mail_blocks.py); this
    module never imports Prefect, so a configured block that was not loaded is an error
    rather than a silent fallback to files.
    """
    config = smtp or smtp_config_from_settings(settings)
    if config is not None:
        return SmtpTransport(config)
    if settings.smtp_block:
        raise MailError(
            f"DLA_SMTP_BLOCK={settings.smtp_block!r} : le bloc Prefect doit être chargé par "
            "flows.mail_blocks.aload_transport, pas par transport_from_settings"
        )
    return OutboxTransport(outbox_dir(settings))
