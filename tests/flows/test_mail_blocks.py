"""The SMTP server block: saved once in Prefect, loaded into the transport's configuration."""

import uuid

from dla.mail.config import Security
from dla.mail.smtp import SmtpTransport
from dla.settings import Settings
from flows.mail_blocks import SmtpServer, aload_transport


async def test_a_saved_block_configures_the_smtp_transport(prefect_server, tmp_path):
    name = f"smtp-{uuid.uuid4().hex[:8]}"
    await SmtpServer(
        host="smtp.dla-isere.example.org",
        port=2525,
        security="starttls",
        username="rappels",
        password="s3cr3t-du-bloc",
        sender="DLA de l'Isère <rappels@dla-isere.example.org>",
        concurrency=3,
    ).asave(name)
    settings = Settings(var_dir=tmp_path, smtp_block=name, smtp_max_attempts=5)

    transport, sender = await aload_transport(settings)

    assert isinstance(transport, SmtpTransport)
    config = transport.config
    assert (config.host, config.port, config.security) == (
        "smtp.dla-isere.example.org",
        2525,
        Security.starttls,
    )
    assert config.username == "rappels"
    assert config.password.get_secret_value() == "s3cr3t-du-bloc"
    assert (config.concurrency, config.max_attempts) == (3, 5)
    assert sender == "DLA de l'Isère <rappels@dla-isere.example.org>"
    assert "s3cr3t-du-bloc" not in repr(config)


async def test_the_block_keeps_its_password_hidden(prefect_server):
    name = f"smtp-{uuid.uuid4().hex[:8]}"
    await SmtpServer(host="smtp.example.org", password="s3cr3t-du-bloc").asave(name)

    block = await SmtpServer.aload(name)

    assert "s3cr3t-du-bloc" not in repr(block)
    assert "s3cr3t-du-bloc" not in block.model_dump_json()


async def test_without_a_block_the_environment_decides(tmp_path):
    transport, sender = await aload_transport(Settings(var_dir=tmp_path))

    assert not isinstance(transport, SmtpTransport)
    assert sender == Settings().mail_sender
