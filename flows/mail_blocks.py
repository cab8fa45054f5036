"""The SMTP server as a Prefect block: credentials kept by Prefect, never in a flow parameter."""

from typing import Literal

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from dla.mail.base import Transport
from dla.mail.config import CONNECTIONS, SmtpConfig
from dla.mail.transports import smtp_config_from_settings, transport_from_settings
from dla.settings import Settings


class SmtpServer(Block):
    """Serveur SMTP d'envoi des rappels DLA (le mot de passe est masqué dans l'interface)."""

    _block_type_name = "Serveur SMTP DLA"
    _block_type_slug = "dla-smtp-server"
    _description = "Serveur SMTP d'envoi des rappels DLA (aiosmtplib)."

    host: str = Field(description="Nom ou adresse du serveur SMTP")
    port: int | None = Field(
        default=None, ge=1, le=65535, description="Port (vide : 587, 465 en TLS, 25 sans)"
    )
    security: Literal["none", "starttls", "tls"] = Field(
        default="starttls", description="Chiffrement : starttls, tls (implicite) ou none"
    )
    username: str | None = Field(default=None, description="Identifiant")
    password: SecretStr | None = Field(default=None, description="Mot de passe")
    sender: str | None = Field(
        default=None, description="Expéditeur « Nom <adresse> » (vide : DLA_MAIL_SENDER)"
    )
    concurrency: int = Field(default=CONNECTIONS, ge=1, le=20, description="Connexions par lot")
    timeout: float = Field(default=30.0, gt=0, description="Délai de réponse (secondes)")

    def smtp_config(self, settings: Settings) -> SmtpConfig:
        """Return the transport configuration; retries and CA file come from the settings."""
        return smtp_config_from_settings(
            settings,
            host=self.host,
            port=self.port,
            security=self.security,
            username=self.username,
            password=self.password,
            concurrency=self.concurrency,
            timeout=self.timeout,
        )


async def aload_transport(settings: Settings) -> tuple[Transport, str]:
    """Return the transport and the sender: from the block named in DLA_SMTP_BLOCK, else env."""
    if not settings.smtp_block:
        return transport_from_settings(settings), settings.mail_sender
    block = await SmtpServer.aload(settings.smtp_block)
    config = block.smtp_config(settings)
    return transport_from_settings(settings, smtp=config), block.sender or settings.mail_sender
