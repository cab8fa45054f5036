"""Send batches through an SMTP server: few connections, bounded retries, one result each."""

import asyncio
import base64
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPException,
    SMTPNotSupported,
    SMTPRecipientsRefused,
    SMTPResponseException,
)

from dla.mail.base import Delivery, Outcome, Outgoing, Wire
from dla.mail.config import Security, SmtpConfig

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[object]]
SERVER_CLOSING = 421  # the server is going away: reconnect before the next try


class _Unreachable(Exception):
    """The server could not be reached or refused the session (not the message's fault)."""


@dataclass
class _Batch:
    pending: deque[Outgoing]
    results: dict[str, Delivery] = field(default_factory=dict)
    down: str | None = None  # set once the server is given up on for this batch


class SmtpTransport:
    """Deliver each batch over at most `concurrency` connections, each reused for many messages."""

    def __init__(self, config: SmtpConfig, *, sleep: Sleep = asyncio.sleep) -> None:
        self.config = config
        self.sleep = sleep  # injectable so that tests do not wait for the backoff

    async def deliver(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        """Send `batch`; never raises for one message; results in batch order."""
        state = _Batch(pending=deque(batch))
        workers = min(max(1, self.config.concurrency), len(batch))
        await asyncio.gather(*(self._worker(state) for _ in range(workers)))
        deliveries = [state.results[item.key] for item in batch]
        counts = {o: sum(d.outcome is o for d in deliveries) for o in Outcome}
        log.info(
            "SMTP %s:%s : %d envoyé(s), %d à réessayer, %d en échec définitif",
            self.config.host,
            self.config.resolved_port,
            counts[Outcome.sent],
            counts[Outcome.temporary],
            counts[Outcome.permanent],
        )
        return deliveries

    async def _worker(self, state: _Batch) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while state.pending:
                item = state.pending.popleft()
                if state.down:
                    delivery = Delivery(item.key, Outcome.temporary, state.down)
                else:
                    delivery, client = await self._send(item, client, state)
                if delivery.outcome is not Outcome.sent:
                    log.warning("message %s : %s (%s)", item.key, delivery.outcome, delivery.detail)
                state.results[item.key] = delivery
        finally:
            await _close(client)

    async def _send(
        self, item: Outgoing, client: aiosmtplib.SMTP | None, state: _Batch
    ) -> tuple[Delivery, aiosmtplib.SMTP | None]:
        """Try one message up to max_attempts times, reconnecting as needed."""
        last = "aucune tentative"
        server_failures = 0
        for attempt in range(1, self.config.max_attempts + 1):
            if attempt > 1:
                await self.sleep(self._delay(attempt - 1))
            try:
                if client is None:
                    client = await self._connect()
                errors, reply = await _transmit(client, item)
                detail = self._scrub(reply) or "accepté"
                if errors:
                    detail += " ; refusés : " + "; ".join(f"{a} : {r}" for a, r in errors.items())
                return Delivery(item.key, Outcome.sent, detail), client
            except SMTPAuthenticationError as exc:
                # Bad credentials fail every message alike: keep them all due, stop trying.
                state.down = self._scrub(f"authentification refusée par le serveur : {_reply(exc)}")
                return Delivery(item.key, Outcome.temporary, state.down), await _close(client)
            except _Unreachable as exc:
                last, server_failures = str(exc), server_failures + 1
                client = await _close(client)
            except SMTPRecipientsRefused as exc:
                codes = [r.code for r in exc.recipients]
                last = self._scrub(
                    "; ".join(f"{r.recipient} : {_reply(r)}" for r in exc.recipients)
                )
                if all(code >= 500 for code in codes):
                    return Delivery(item.key, Outcome.permanent, last), client
                if SERVER_CLOSING in codes:
                    server_failures += 1
                    client = await _close(client)
            except SMTPResponseException as exc:
                last = self._scrub(_reply(exc))
                if exc.code >= 500:
                    return Delivery(item.key, Outcome.permanent, last), client
                if exc.code == SERVER_CLOSING or not client.is_connected:
                    server_failures += 1
                    client = await _close(client)
            except SMTPNotSupported as exc:
                # E.g. a non-ASCII address and no SMTPUTF8 on the server: retrying will not help.
                return Delivery(item.key, Outcome.permanent, self._scrub(str(exc))), client
            except (SMTPException, OSError) as exc:
                # Connection lost or timed out mid-transaction: start afresh on a new connection.
                last = self._scrub(f"connexion perdue : {exc}")
                server_failures += 1
                client = await _close(client)
            except ValueError as exc:
                # A message aiosmtplib cannot serialise or address: retrying will not help.
                return Delivery(item.key, Outcome.permanent, self._scrub(str(exc))), client
            except Exception as exc:  # the contract: one message never breaks the batch
                log.exception("message %s : erreur inattendue", item.key)
                detail = self._scrub(f"erreur inattendue : {type(exc).__name__}: {exc}")
                return Delivery(item.key, Outcome.temporary, detail), await _close(client)
        if server_failures == self.config.max_attempts:
            state.down = f"serveur SMTP indisponible : {last}"
        return Delivery(item.key, Outcome.temporary, last), client

    async def _connect(self) -> aiosmtplib.SMTP:
        """Open, secure and authenticate one connection."""
        cfg = self.config
        client = aiosmtplib.SMTP(
            hostname=cfg.host,
            port=cfg.resolved_port,
            use_tls=cfg.security is Security.tls,
            start_tls=cfg.security is Security.starttls,
            timeout=cfg.timeout,
            cert_bundle=cfg.cert_bundle,
            local_hostname=cfg.local_hostname,
        )
        try:
            await client.connect()
            if cfg.username:
                secret = cfg.password.get_secret_value() if cfg.password else ""
                await client.login(cfg.username, secret)
        except SMTPAuthenticationError:
            await _close(client)
            raise
        except (SMTPException, OSError) as exc:
            await _close(client)
            where = f"{cfg.host}:{cfg.resolved_port}"
            raise _Unreachable(self._scrub(f"connexion à {where} impossible : {exc}")) from None
        return client

    def _delay(self, retry: int) -> float:
        return min(self.config.backoff * 2 ** (retry - 1), self.config.backoff_max)

    def _scrub(self, text: str) -> str:
        """Mask the credentials should a server or library ever echo them (see `scrub`)."""
        secret = self.config.password.get_secret_value() if self.config.password else ""
        return scrub(text, secret)


# The argument of an AUTH command (PLAIN's base64 blob, LOGIN's steps, any mechanism).
_AUTH_ARGUMENT = re.compile(r"(\bAUTH\s+[A-Za-z0-9_-]+)\s+[^\s;,]+", re.IGNORECASE)
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/]{4,}={0,2}")


def scrub(text: str, secret: str) -> str:
    """Mask the password in `text`: raw, as an AUTH argument, or in any base64 token.

    AUTH PLAIN sends base64("\\0user\\0password"): where the password starts in it depends
    on the user name's length, so no fixed encoding of the password can be searched for.
    Every base64 token is decoded instead, and masked whole if it holds the password.
    """
    if not secret:
        return text
    text = _AUTH_ARGUMENT.sub(r"\1 ***", text.replace(secret, "***"))
    needle = secret.encode()

    def mask(match: re.Match) -> str:
        token = match.group(0)
        try:
            decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        except ValueError:
            return token
        return "***" if needle in decoded else token

    return _BASE64_TOKEN.sub(mask, text)


async def _transmit(client: aiosmtplib.SMTP, item: Outgoing):
    """Send the prepared bytes as they are (7-bit: no extension needed), else the message."""
    if isinstance(item.content, Wire):
        wire = item.content
        return await client.sendmail(wire.sender, list(wire.recipients), wire.data)
    return await client.send_message(item.content)


def _reply(exc: SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


async def _close(client: aiosmtplib.SMTP | None) -> None:
    """Say goodbye when the server still listens, else just drop the socket; return None."""
    if client is None:
        return None
    try:
        if client.is_connected:
            await asyncio.wait_for(client.quit(), timeout=5)
    except (SMTPException, OSError, TimeoutError):
        pass
    finally:
        client.close()
    return None
