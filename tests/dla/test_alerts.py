"""A blocking point of vigilance told to the case's coordination, once per person and review."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from dla.alerts import blocking_notices, record_alerts
from dla.db import transaction
from dla.mail.message import build_outgoing
from dla.mail.render import MailRenderer
from dla.timeline import add_event
from models import Case
from tests.factories import save_case

REF = "DLA99-2024-01"
NOW = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)


def review(engine, key: str, findings: list[str]) -> str:
    with transaction(engine) as session:
        case_id = session.exec(select(Case.id).where(Case.reference == REF)).one()
        add_event(
            session,
            case_id=case_id,
            at=NOW,
            kind="vigilance.reviewed",
            summary="Points de vigilance",
            actor="test",
            data={"stage": "diagnostic", "findings": findings},
            key=key,
        )
    return key


def test_the_coordination_is_told_the_blocking_points_once(engine, tmp_path):
    save_case(engine, tmp_path)
    key = review(
        engine, "vigilance:diagnostic:1", ["gouvernance-avant-intervention", "points-de-blocage"]
    )

    (notice,) = blocking_notices(engine, REF, key)
    assert notice.to == "coordination@dla-test.example.org"
    assert [p["message"] for p in notice.context["points"]] == [
        "Les règles de gouvernance et de validation doivent être validées avant l'intervention."
    ]
    message = build_outgoing(notice, sender="DLA <dla@example.org>", renderer=MailRenderer())
    text = " ".join(message.message.get_body(("plain",)).get_content().split())
    assert "point de vigilance bloquant à l'étape « Diagnostic partagé »" in text
    assert "/cas/DLA99-2024-01" in text

    record_alerts(engine, REF, [notice], NOW)
    assert blocking_notices(engine, REF, key) == []


def test_a_review_superseded_by_a_later_one_of_its_stage_tells_nobody(engine, tmp_path):
    save_case(engine, tmp_path)
    first = review(engine, "vigilance:diagnostic:1", ["gouvernance-avant-intervention"])
    review(engine, "vigilance:diagnostic:2", [])

    assert blocking_notices(engine, REF, first) == []


def test_a_review_without_a_blocking_point_tells_nobody_and_an_unknown_one_is_refused(
    engine, tmp_path
):
    save_case(engine, tmp_path)
    assert blocking_notices(engine, REF, review(engine, "v:2", ["points-de-blocage"])) == []
    with pytest.raises(LookupError, match="revue des points de vigilance inconnue"):
        blocking_notices(engine, REF, "vigilance:inconnue")
