"""The task forms of the case page: done, back to do; CSRF, revision, errors kept in place."""

import re
from datetime import date

from sqlmodel import Session, select

from dla.clock import FixedClock
from dla.progress import advance, plain_steps
from models import Case, Stage, Step, TimelineEvent
from models.enums import StageStatus, StepStatus
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, OTHER_COORDINATOR, csrf_of

DONE = f"/cas/{MINE}/etapes/diagnostic/taches/note-diagnostic/faite"
UNDO = f"/cas/{MINE}/etapes/diagnostic/taches/note-diagnostic/a-faire"


def opened(desk):
    advance(desk.engine, MINE, FixedClock.on(date(2024, 1, 10)), plain_steps(desk.engine))
    return desk


def form_of(client, path=f"/cas/{MINE}") -> dict:
    html = client.get(path).text
    return {"csrf": csrf_of(html), "revision": re.search(r'name="revision" value="(\d+)"', html)[1]}


def mine(desk, model, key):
    """Return the row `key` of MINE (the other case has the same tasks and stages)."""
    with Session(desk.engine) as session:
        return session.exec(
            select(model).where(model.key == key, model.case_id == desk.case_id(MINE))
        ).first()


def step(desk) -> Step:
    return mine(desk, Step, "note-diagnostic")


def test_marking_a_task_done_from_the_case_page_records_it_and_moves_the_stage(desk):
    client = opened(desk).client(CHARGEE)
    response = client.post(DONE, data=form_of(client) | {"fait_le": "15/01/2024"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/cas/{MINE}#etapes"
    assert (step(desk).status, step(desk).done_on) == (StepStatus.faite, date(2024, 1, 15))
    with Session(desk.engine) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "task.done")).one()
    stage = mine(desk, Stage, "diagnostic")
    assert (event.actor, event.data["channel"]) == ("coordination", "bureau")
    assert stage.status is StageStatus.en_attente_validation
    page = client.get(f"/cas/{MINE}").text
    assert "marquée faite le 15 janvier 2024" in page  # the outcome, shown once
    assert "Remettre à faire" in page
    assert "(coordination, via le bureau)" in page  # who, and through which door


def test_a_refused_date_shows_the_error_next_to_the_field_with_the_typed_value(desk):
    client = opened(desk).client(CHARGEE)
    rows = all_rows(desk.engine)
    response = client.post(DONE, data=form_of(client) | {"fait_le": "31/02/2024"})
    assert response.status_code == 400
    assert 'value="31/02/2024"' in response.text
    assert re.search(
        r'aria-invalid="true" aria-describedby="(erreur-[^"]+)">\s*<span class="erreur" id="\1"'
        r" role=\"alert\">date de réalisation invalide : &#39;31/02/2024&#39; ; attendu : une "
        r"date JJ/MM/AAAA</span>",
        response.text,
    )
    assert all_rows(desk.engine) == rows


def test_a_form_drawn_before_another_change_is_refused_and_writes_nothing(desk):
    client = opened(desk).client(CHARGEE)
    stale = form_of(client)
    client.post(DONE, data=form_of(client) | {"fait_le": "15/01/2024"})
    rows = all_rows(desk.engine)
    response = client.post(UNDO, data=stale)
    assert response.status_code == 400
    assert "modifié entre-temps par coordination" in response.text
    assert all_rows(desk.engine) == rows


def test_undo_puts_the_task_back_to_do(desk):
    client = opened(desk).client(CHARGEE)
    client.post(DONE, data=form_of(client) | {"fait_le": ""})
    assert step(desk).done_on == date(2024, 3, 1)  # the desk's day
    assert client.post(UNDO, data=form_of(client)).status_code == 303
    assert step(desk).status is StepStatus.a_faire


def test_a_form_without_the_csrf_token_is_refused(desk):
    client = opened(desk).client(CHARGEE)
    data = form_of(client) | {"csrf": "faux"}
    assert client.post(DONE, data=data).status_code == 403
    assert step(desk).status is StepStatus.a_faire


def test_a_person_who_cannot_see_the_case_cannot_act_on_it(desk):
    opened(desk)
    client = desk.client(OTHER_COORDINATOR)
    data = {"csrf": csrf_of(client.get("/cas").text), "revision": "0"}
    rows = all_rows(desk.engine)
    assert client.post(DONE, data=data).status_code == 404
    assert all_rows(desk.engine) == rows


def test_a_signed_out_person_is_sent_to_the_login(desk):
    client = opened(desk).client()
    data = {"csrf": csrf_of(client.get("/connexion").text), "revision": "0"}
    response = client.post(DONE, data=data)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")
    assert step(desk).status is StepStatus.a_faire


def test_the_revision_field_is_the_case_s(desk):
    client = opened(desk).client(CHARGEE)
    with Session(desk.engine) as session:
        revision = session.exec(select(Case.revision).where(Case.reference == MINE)).one()
    assert form_of(client)["revision"] == str(revision)
