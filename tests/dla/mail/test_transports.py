"""Choosing the transport: SMTP when configured, the .eml outbox otherwise."""

import pytest

from dla.mail.config import Security, SmtpConfig
from dla.mail.eml import OutboxTransport
from dla.mail.headers import MailError
from dla.mail.smtp import SmtpTransport
from dla.mail.transports import transport_from_settings
from dla.settings import Settings


def test_without_smtp_messages_go_to_the_var_outbox(tmp_path):
    transport = transport_from_settings(Settings(var_dir=tmp_path))

    assert isinstance(transport, OutboxTransport)
    assert transport.directory == tmp_path / "outbox"


def test_smtp_variables_select_the_smtp_transport(tmp_path, monkeypatch):
    monkeypatch.setenv("DLA_SMTP_HOST", "smtp.dla.example.org")
    monkeypatch.setenv("DLA_SMTP_SECURITY", "tls")
    monkeypatch.setenv("DLA_SMTP_USERNAME", "rappels")
    monkeypatch.setenv("DLA_SMTP_PASSWORD", "s3cr3t")
    monkeypatch.setenv("DLA_SMTP_CONCURRENCY", "3")

    settings = Settings(var_dir=tmp_path)
    transport = transport_from_settings(settings)

    assert isinstance(transport, SmtpTransport)
    config = transport.config
    assert (config.host, config.resolved_port, config.security) == (
        "smtp.dla.example.org",
        465,
        Security.tls,
    )
    assert config.password.get_secret_value() == "s3cr3t"
    assert config.concurrency == 3
    assert "s3cr3t" not in repr(settings) and "s3cr3t" not in repr(config)


def test_a_loaded_block_configuration_wins(tmp_path):
    config = SmtpConfig(host="bloc.example.org")

    transport = transport_from_settings(Settings(var_dir=tmp_path, smtp_block="dla"), smtp=config)

    assert isinstance(transport, SmtpTransport) and transport.config is config


def test_a_block_that_was_not_loaded_is_an_error_not_a_silent_fallback(tmp_path):
    with pytest.raises(MailError, match="bloc Prefect"):
        transport_from_settings(Settings(var_dir=tmp_path, smtp_block="dla"))
