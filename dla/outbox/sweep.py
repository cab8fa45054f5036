"""The sweep: claim what is due, re-check it, build the messages, deliver, record outcomes.

Delivery guarantee: a key is claimed (one transaction) before its message is built and sent,
and its outcome is recorded right after the batch, fenced by the claim's attempt number. Two
sweeps never hold the same key. If the process dies between the server's acceptance and the
record, the row stays claimed; after the lease it is sent again with the same Message-ID
(at-least-once for that one message; mail clients that deduplicate by Message-ID show it
once, and the .eml outbox does not write a key twice).

The same holds when the server accepts a message and the connection drops before its reply
reaches us: the transport cannot know, the row is retried, and the server gets it a second
time with the same Message-ID; at most one duplicate per drop (docs/delivery-guarantees.md).

`clock` is the simulated day (what is due, what the messages say); `wall`, the real time,
protects the deliveries (claim leases, retry backoffs): see dla/outbox/claim.py.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from dla.clock import Clock, SystemClock
from dla.frenchtext import fr_date
from dla.mail.base import CalendarEvent, Delivery, Notice, Outcome, Outgoing, Transport
from dla.outbox.check import recheck
from dla.outbox.claim import LEASE, Claimed, claim
from dla.outbox.digest import digest_contexts, has_news
from dla.outbox.record import BACKOFF_FIRST, Verdict, record_verdicts
from dla.outbox.sendday import sending_context
from dla.outbox.store import from_json

Renderer = Callable[[Notice], Outgoing]
# Optional: the Prefect UI link of each row's suspended case run, by notification key.
Links = Callable[[list[Claimed]], dict[str, str]]
# Optional: the signed link of each awaited-validation reminder (dla.boardlinks.Signer).
Signer = Callable[[Engine, list[Claimed], datetime], dict]


def run_async(coroutine):
    """Run a coroutine to its end from sync code, even when an event loop runs in this thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class SweepReport:
    """Everything a sweep did, for the CLI table and the Prefect artifact."""

    verdicts: list[Verdict] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    batches: int = 0

    def count(self, status: str) -> int:
        return sum(1 for v in self.verdicts if v.status == status)


def notices(
    rows: list[Claimed],
    *,
    session: Session,
    now: datetime,
    links: dict[str, str] | None = None,
    signed: dict | None = None,
) -> tuple[list[tuple[Claimed, Notice]], list[Verdict]]:
    """Turn claimed rows into notices; digests get their fresh context (empty ones cancelled)."""
    digests = digest_contexts(
        [
            (r.key, r.payload["context"]["cases"], r.payload["context"]["role"])
            for r in rows
            if r.rule == "resume_hebdo"
        ],
        session=session,
        now=now,
    )
    # The reminder's number and the lateness, as of the sending day (one query for the batch).
    on_the_day = sending_context(rows, session=session, today=now.date())
    out, empty = [], []
    for row in rows:
        payload = from_json(row.payload)
        context = {**payload["context"], **on_the_day[row.key]}
        reference, subject = context.get("reference", ""), payload["subject"]
        if links and row.key in links:
            context["prefect_ui_url"] = links[row.key]
        if signed and row.key in signed:
            context["lien_decision"] = signed[row.key].url
            context["lien_expire"] = signed[row.key].expires_on
        if row.rule == "resume_hebdo":
            context = {**context, **digests[row.key]}
            if not has_news(context):
                empty.append(Verdict(row, "cancelled", "rien à signaler cette semaine"))
                continue
            reference = "Résumé DLA"
            subject = (
                f"Semaine du {fr_date(now.date())} : {len(context['cases'])} accompagnement(s)"
            )
        events = tuple(CalendarEvent(**e) for e in payload.get("events", []))
        notice = Notice(
            row.key,
            row.rule,
            reference,
            subject,
            row.recipient,
            payload.get("to_name"),
            context,
            events,
        )
        out.append((row, notice))
    return out, empty


def build(pairs: list[tuple[Claimed, Notice]], renderer: Renderer):
    """Build each message; a refused one (bad header, template error) fails for good."""
    built, refused = [], []
    for row, notice in pairs:
        try:
            built.append((row, renderer(notice)))
        except Exception as exc:  # noqa: BLE001  (one bad message must not stop the batch)
            refused.append(Verdict(row, "failed", f"message refusé : {exc}"))
    return built, refused


def deliver(transport: Transport, built: list[tuple[Claimed, Outgoing]]) -> list[Verdict]:
    """Hand the batch to the transport; a key without a result stays due (temporary)."""
    if not built:
        return []
    deliveries: list[Delivery] = run_async(transport.deliver([o for _, o in built]))
    by_key = {d.key: d for d in deliveries}
    status = {Outcome.sent: "sent", Outcome.temporary: "retry", Outcome.permanent: "failed"}
    verdicts = []
    for row, outgoing in built:
        d = by_key.get(row.key) or Delivery(row.key, Outcome.temporary, "aucun résultat")
        # The Message-ID travels with the built message: no parsing it back from the bytes.
        verdicts.append(Verdict(row, status[d.outcome], d.detail, outgoing.message_id))
    return verdicts


def send_batch(
    rows: list[Claimed],
    *,
    engine: Engine,
    transport: Transport,
    renderer: Renderer,
    now: datetime,
    links: Links | None = None,
    signer: Signer | None = None,
) -> list[Verdict]:
    """Re-check, build and deliver claimed rows; return one verdict per row (not yet recorded)."""
    with Session(engine) as session:
        keep, cancel = recheck(rows, session=session, today=now.date())
        found = links(keep) if links else None
        signed = signer(engine, keep, now) if signer else None
        pairs, empty = notices(keep, session=session, now=now, links=found, signed=signed)
    verdicts = [Verdict(r, "cancelled", why) for r, why in cancel] + empty
    built, refused = build(pairs, renderer)
    return verdicts + refused + deliver(transport, built)


def sweep_batch(
    *,
    engine: Engine,
    transport: Transport,
    renderer: Renderer,
    now: datetime,
    limit: int,
    lease: timedelta = LEASE,
    links: Links | None = None,
    wall: Clock | None = None,
    backoff: timedelta = BACKOFF_FIRST,
    started: datetime | None = None,
    signer: Signer | None = None,
) -> list[Verdict] | None:
    """Claim, re-check, build, deliver and record one batch; None when nothing is due."""
    wall = wall or SystemClock()
    rows = claim(engine, now=now, limit=limit, lease=lease, wall=wall.now(), started=started)
    if not rows:
        return None
    verdicts = send_batch(
        rows,
        engine=engine,
        transport=transport,
        renderer=renderer,
        now=now,
        links=links,
        signer=signer,
    )
    # The backoff runs from the end of the delivery, not from the claim.
    record_verdicts(engine, verdicts, now=now, wall=wall.now(), backoff=backoff)
    return verdicts


def sweep(
    *,
    engine: Engine,
    transport: Transport,
    renderer: Renderer,
    clock: Clock,
    limit: int = 200,
    lease: timedelta = LEASE,
    max_batches: int | None = None,
    links: Links | None = None,
    wall: Clock | None = None,
    backoff: timedelta = BACKOFF_FIRST,
    signer: Signer | None = None,
) -> SweepReport:
    """Send every due notification, batch after batch, until none is left.

    `wall` is the real clock (the system's unless a test injects one), `backoff` the first
    wait before a temporary failure is retried (real time); `signer` gives awaited-validation
    reminders the board's signed link.
    """
    report = SweepReport()
    wall = wall or SystemClock()
    started = wall.now()
    while max_batches is None or report.batches < max_batches:
        verdicts = sweep_batch(
            engine=engine,
            transport=transport,
            renderer=renderer,
            now=clock.now(),
            limit=limit,
            lease=lease,
            links=links,
            wall=wall,
            backoff=backoff,
            started=started,
            signer=signer,
        )
        if verdicts is None:
            break
        report.verdicts += verdicts
        report.batches += 1
    return report
