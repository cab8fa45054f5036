"""`dla remind`: what would go (dry run, nothing written), what went, and bad input refused."""

from datetime import date

from sqlmodel import Session, func, select
from typer.testing import CliRunner

from dla.cli import app
from dla.db import make_engine
from models import Notification, TimelineEvent
from tests.dla.outbox.conftest import CONSULTANT, open_stages, outbox_case
from tests.factories import save_case

runner = CliRunner(env={"COLUMNS": "300"})


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def counts(engine):
    with Session(engine) as session:
        return [
            session.exec(select(func.count()).select_from(m)).one()
            for m in (Notification, TimelineEvent)
        ]


def loaded(url, tmp_path):
    engine = make_engine(url)
    save_case(engine, tmp_path, outbox_case())
    open_stages(engine, date(2024, 1, 8))
    return engine


def test_a_dry_run_says_what_would_go_to_whom_and_writes_nothing(dla_env, tmp_path):
    engine = loaded(dla_env, tmp_path)
    before = counts(engine)
    result = run("remind", "--today", "2024-01-04", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "simulation" in result.output and CONSULTANT in result.output
    assert "début de période" in result.output and "prévue" in result.output
    assert counts(engine) == before
    assert not (tmp_path / "var" / "outbox").exists()


def test_remind_sends_then_a_second_run_sends_nothing(dla_env, tmp_path):
    loaded(dla_env, tmp_path)
    first = run("remind", "--today", "2024-01-04", "--no-digest")
    files = list((tmp_path / "var" / "outbox").glob("*.eml"))
    assert first.exit_code == 0 and "envoyée" in first.output and files
    second = run("remind", "--today", "2024-01-04", "--no-digest")
    assert "0 relance(s)" in second.output
    assert list((tmp_path / "var" / "outbox").glob("*.eml")) == files


def test_a_replay_sends_along_the_days_and_holds_the_consultant(dla_env, tmp_path):
    engine = loaded(dla_env, tmp_path)
    result = run("remind", "--since", "2024-01-03", "--today", "2024-01-31", "--no-digest")
    assert result.exit_code == 0, result.output
    # The consultant's J-7 (10 January) falls in the period: held to Monday 15.
    assert "1 suspendue(s)" in result.output
    with Session(engine) as session:
        sent = session.exec(
            select(Notification).where(
                Notification.recipient == CONSULTANT, Notification.status == "sent"
            )
        ).all()
    # Nothing reaches the consultant during the non-intervention period (9–12 January).
    assert sent and not [
        n for n in sent if date(2024, 1, 9) <= n.sent_at.date() <= date(2024, 1, 12)
    ]


def test_a_bad_date_is_refused_in_french_and_changes_nothing(dla_env, tmp_path):
    engine = loaded(dla_env, tmp_path)
    before = counts(engine)
    result = run("remind", "--today", "04/01/2024")
    assert result.exit_code == 2
    assert "--today : date invalide '04/01/2024' ; attendu : AAAA-MM-JJ." in result.output
    later = run("remind", "--today", "2024-01-04", "--since", "2024-02-01")
    assert later.exit_code == 2 and "après la date du jour" in later.output
    assert counts(engine) == before
