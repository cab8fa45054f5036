"""What recipients read, through real planning and sweeps: numbers count what they received."""

from datetime import date, timedelta
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import Session

from dla import progress
from dla.casefile.loader import load_case_file
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import transaction
from dla.frenchtext import fr_date as fr
from dla.mail.base import Outgoing
from dla.mail.config import Security, SmtpConfig
from dla.mail.smtp import SmtpTransport
from dla.outbox.days import remind
from dla.outbox.plan import plan_due_window
from dla.outbox.sendday import sending_context
from models import Notification
from models.enums import NotificationStatus
from tests.dla.outbox.conftest import (
    COORDINATION,
    CountingTransport,
    open_stages,
    outbox_case,
    rows,
)
from tests.dla.outbox.test_recheck import statements
from tests.dla.outbox.test_sample_replay import SAMPLES
from tests.dla.outbox.test_smtp_end_to_end import Inbox
from tests.factories import save_case
from tests.ports import free_port

# The diagnostic ended on Friday 26 January 2024 (decision due by 9 February): the case is
# loaded and its reminders sent for the first time on 19 February, the fourth week.
LATE = date(2024, 2, 19)
ACI = "presidence@aci-un.example.org"


@pytest.fixture
def smtp():
    """A real SMTP server on loopback (aiosmtpd) and the transport that reaches it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    config = SmtpConfig(host="127.0.0.1", port=port, security=Security.none, max_attempts=1)
    try:
        yield inbox, SmtpTransport(config)
    finally:
        controller.stop()


def remind_on(engine, transport, renderer_for, day: date, digests: bool = False):
    clock = FixedClock.on(day)
    return remind(
        engine=engine,
        transport=transport,
        renderer=renderer_for(clock),
        clock=clock,
        digests=digests,
    )


def awaited_texts(inbox, recipient: str) -> list[tuple[str, str]]:
    """Return (Message-ID, text) of each awaited-validation message the server got for one."""
    return [
        (m["Message-ID"], " ".join(m.get_body(("plain",)).get_content().split()))
        for to, m in inbox.received
        if to == [recipient] and m["Subject"].startswith("[DLA99-2024-01] Validation attendue")
    ]


@pytest.fixture
def late_case(engine, tmp_path):
    save_case(engine, tmp_path, outbox_case())
    open_stages(engine, date(2024, 1, 8))


def test_a_president_s_first_reminder_has_no_number_and_says_the_deadline_is_past(
    engine, late_case, smtp, renderer_for
):
    inbox, transport = smtp
    remind_on(engine, transport, renderer_for, LATE)
    ((_, first),) = awaited_texts(inbox, ACI)
    assert "rappel" not in first and "n°" not in first
    assert "au plus tard le : 9 février 2024 (délai dépassé : la décision est en retard)" in first
    assert "la décision du conseil d'administration d'ACI Un." in first
    remind_on(engine, transport, renderer_for, LATE + timedelta(weeks=1))
    (_, _), (_, second) = awaited_texts(inbox, ACI)
    assert "Ceci est notre 2e rappel au sujet de cette décision." in second


class DiesAfterDelivery:
    """Deliver the batch, then die before the outcome is recorded (a killed process)."""

    def __init__(self, inner):
        self.inner = inner

    async def deliver(self, batch: list[Outgoing]):
        await self.inner.deliver(batch)
        raise SystemExit("process killed after the server accepted the batch")


def test_a_reminder_sent_again_after_a_crash_keeps_its_message_id_and_its_words(
    engine, late_case, smtp, renderer_for
):
    inbox, transport = smtp
    remind_on(engine, transport, renderer_for, LATE)
    with pytest.raises(SystemExit):
        remind_on(engine, DiesAfterDelivery(transport), renderer_for, LATE + timedelta(weeks=1))
    # What the lease recovery does with rows a dead sweep still holds: due again.
    with engine.begin() as conn:
        conn.execute(
            update(Notification.__table__)
            .where(Notification.__table__.c.status == NotificationStatus.claimed)
            .values(status=NotificationStatus.planned, not_before=None)
        )
    remind_on(engine, transport, renderer_for, LATE + timedelta(weeks=1))
    _, before_crash, after_crash = awaited_texts(inbox, ACI)
    assert before_crash == after_crash
    assert "Ceci est notre 2e rappel" in after_crash[1]


TASKS = {  # key: due date; on Monday 22 April 2024 all seven are overdue
    "t1": date(2024, 1, 10),
    "t2": date(2024, 1, 17),
    "t3": date(2024, 1, 24),
    "t4": date(2024, 2, 7),
    "t5": date(2024, 2, 14),
    "t6": date(2024, 3, 6),
    "t7": date(2024, 4, 3),
}
DAY = date(2024, 4, 22)


def seven_overdue_tasks() -> dict:
    data = outbox_case()
    diagnostic = data["etapes"][0]
    diagnostic["fin"] = date(2024, 6, 28)
    diagnostic["taches"] = [
        {"cle": key, "titre": f"Tâche {key}", "responsable": "porteur", "echeance": due}
        for key, due in TASKS.items()
    ]
    data["periodes"] = []
    return data


def test_of_seven_overdue_tasks_those_past_their_reminders_still_reach_the_coordinator(
    engine, tmp_path, renderer_for
):
    save_case(engine, tmp_path, seven_overdue_tasks())
    open_stages(engine, date(2024, 1, 8))
    out = CountingTransport(tmp_path / "out")
    remind_on(engine, out, renderer_for, DAY, digests=True)
    reminded = {
        r.payload["target"].rsplit("/", 1)[1]
        for r in rows(engine, status=NotificationStatus.sent, rule="echeance_depassee")
    }
    # Eight weekly reminders per task (retard_rappels): the five oldest series are over.
    assert reminded == {"t6", "t7"}
    (digest,) = (tmp_path / "out").glob("resume_hebdo_coordination*")
    text = plain(digest)
    for key in ("t1", "t2", "t3", "t4", "t5"):
        assert f"Tâche {key} (échéance du" in text
        assert f"Tâche {key} (échéance du {fr(TASKS[key])} ; plus de relance automatique)" in text
    for key in ("t6", "t7"):
        assert f"Tâche {key} (échéance du {fr(TASKS[key])})" in text
    assert any(k.startswith("resume_hebdo:coordination") and COORDINATION in k for k in out.handed)


def test_overdue_tasks_of_a_stage_not_yet_open_show_in_the_digest(engine, tmp_path, renderer_for):
    save_case(engine, tmp_path, outbox_case())  # the diagnostic is never opened
    out = CountingTransport(tmp_path / "out")
    remind_on(engine, out, renderer_for, date(2024, 1, 29), digests=True)
    assert not rows(engine, status=NotificationStatus.sent, rule="echeance_depassee")
    (digest,) = (tmp_path / "out").glob("resume_hebdo_coordination*")
    text = plain(digest)
    assert (
        "Note de diagnostic remise (échéance du 22 janvier 2024 ; "
        "étape pas encore ouverte : pas de relance)"
    ) in text


def plain(eml) -> str:
    """Return the text part of an .eml file, its whitespace collapsed."""
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    return " ".join(message.get_body(("plain",)).get_content().split())


def test_the_bouches_du_rhone_sample_loaded_late_lists_all_its_late_steps_to_the_coordinator(
    engine, tmp_path, renderer_for
):
    with transaction(engine) as session:
        plan = load_case_file(SAMPLES / "bouches-du-rhone-2005.yaml")
        save_plan(
            plan, session=session, clock=FixedClock.on(date(2005, 1, 3)), actor="t", reason="t"
        )
    monday = date(2006, 7, 10)  # the plan stage awaits its gate; four of its steps are late
    progress.replay(engine, plan.case.reference, monday, progress.plain_steps(engine))
    out = CountingTransport(tmp_path / "out")
    remind_on(engine, out, renderer_for, monday, digests=True)
    sent = rows(engine, status=NotificationStatus.sent, rule="echeance_depassee")
    # The two steps due in April are past their eight weekly reminders; May's and June's are not.
    assert {r.payload["target"].rsplit("/", 1)[1] for r in sent} == {
        "choix-prestataire",
        "plan-accompagnement",
    }
    for eml in (tmp_path / "out").glob("echeance_depassee_*.eml"):
        assert "rappel" not in plain(eml)  # the first ones anybody receives: no number
    (digest,) = (tmp_path / "out").glob("resume_hebdo_coordination*")
    late = plain(digest).split("En retard :")[1]
    assert late.count("(échéance du") == 4
    assert late.count("plus de relance automatique") == 2


def test_a_batch_s_numbers_are_read_in_two_queries_whatever_its_size(
    engine, tmp_path, renderer_for
):
    save_case(engine, tmp_path, seven_overdue_tasks())
    open_stages(engine, date(2024, 1, 8))
    remind_on(engine, CountingTransport(tmp_path / "out"), renderer_for, DAY)
    with transaction(engine) as session:
        plan_due_window(session=session, today=DAY + timedelta(weeks=1), digests=False)
    due = [
        SimpleNamespace(
            key=r.key, case_id=r.case_id, rule=r.rule, recipient=r.recipient, payload=r.payload
        )
        for r in rows(engine, status=NotificationStatus.planned, rule="echeance_depassee")
        if r.due_at.date() <= DAY + timedelta(weeks=1)
    ]
    counts = []
    for batch in (due[:1], due):
        with statements(engine) as seen, Session(engine) as session:
            numbers = sending_context(batch, session=session, today=DAY + timedelta(weeks=1))
        counts.append(len(seen))
    assert len(due) > 3 and counts == [2, 2]
    # t6's and t7's owners were reminded last week: this is their second message.
    assert {numbers[r.key]["reminder"] for r in due if "/t7:" in r.key} == {2}
