"""The coordination told of a blocking point of vigilance: what the example automation runs.

`make up` installs an automation (deployments/automations.py) that runs this flow on each
`dla.vigilance.bloquant` event, with the case and the timeline row the event mirrors.
"""

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field

from dla.alerts import blocking_notices, record_alerts
from dla.casefile.fields import Reference
from dla.clock import SystemClock
from dla.db import make_engine
from dla.mail.base import Notice, Outcome
from dla.outbox.sending import mail_renderer
from dla.outbox.sweep import run_async
from dla.settings import get_settings
from flows.forms import named_after, refuse, refuse_bad_forms
from flows.mail_blocks import aload_transport


class AlertRequest(BaseModel):
    """Form of the "prévenir la coordination" deployment (filled in by the automation)."""

    model_config = ConfigDict(
        title="Alerte à la coordination",
        json_schema_extra={"description": "Un point de vigilance bloquant d'un cas."},
    )

    reference: Reference = Field(
        title="Référence du cas",
        description="Majuscules, chiffres et tirets, 3 à 40 caractères (ex. DLA38-2006-01)",
    )
    cle: str = Field(
        title="Clé de la revue des points de vigilance (journal du cas)",
        description="ex. vigilance:diagnostic:0a1b2c3d4e5f6a7b ; l'automatisation la donne",
        min_length=1,
        max_length=300,
    )


@task(cache_policy=NO_CACHE, task_run_name="alerte · envoi")
def send(notices: list[Notice]) -> tuple[list[Notice], list[str]]:
    """Send the messages; return those sent and what went wrong with the others."""
    settings = get_settings()
    transport, sender = run_async(aload_transport(settings))
    render = mail_renderer(settings, SystemClock(), sender)
    deliveries = {d.key: d for d in run_async(transport.deliver([render(n) for n in notices]))}
    sent = [n for n in notices if n.key in deliveries and deliveries[n.key].outcome is Outcome.sent]
    failed = [
        f"{n.to} : {deliveries[n.key].detail if n.key in deliveries else 'aucun résultat'}"
        for n in notices
        if n not in sent
    ]
    return sent, failed


# A message not sent (the SMTP server down) is tried again; one sent is not sent twice.
@flow(
    name="alerte",
    flow_run_name=named_after("alerte", "reference", fallback="alerte"),
    retries=2,
    retry_delay_seconds=300,
    validate_parameters=False,
)
@refuse_bad_forms
def alert_coordination(alerte: AlertRequest) -> str:
    """E-mail the case's coordination the blocking points of vigilance of a review, once."""
    engine = make_engine(get_settings().resolved_database_url)
    try:
        try:
            notices = blocking_notices(engine, alerte.reference, alerte.cle)
        except LookupError as exc:
            return refuse(f"Formulaire refusé : {exc}")
        if not notices:
            return "aucune alerte à envoyer (déjà envoyée, ou plus rien de bloquant)"
        sent, failed = send(notices)
        record_alerts(engine, alerte.reference, sent, datetime.now(UTC))
        if failed:
            raise RuntimeError("alerte non envoyée à " + " ; ".join(failed))
        message = f"alerte envoyée à {', '.join(n.to for n in sent)}"
        get_run_logger().info(message)
        return message
    finally:
        engine.dispose()
