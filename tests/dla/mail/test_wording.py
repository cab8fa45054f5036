"""What a reminder says, through the real message builder: elision, lateness, its number."""

from datetime import date

import pytest

from dla.clock import FixedClock
from dla.mail.base import Notice
from dla.mail.message import build_outgoing
from tests.dla.mail.conftest import SENDER

DEADLINE = date(2024, 2, 9)


def validation(**context) -> Notice:
    """A notice of the awaited-validation template, as the sweep builds it."""
    values = {
        "title": "Diagnostic partagé",
        "case_title": "Poste partagé",
        "reference": "DLA38-2024-01",
        "coordinator_email": "coordination@dla-test.example.org",
        "coordinator_name": "Coordination",
        "recipient_name": "Présidence",
        "stage_key": "diagnostic",
        "stage_end": date(2024, 1, 26),
        "deadline": DEADLINE,
        "body": "conseil d'administration",
        "organisation": "ACI Les Jardins",
        "prefect_ui_url": None,
        "today": date(2024, 1, 29),
        "reminder": 1,
    }
    return Notice(
        key="validation_attendue:DLA38-2024-01/validation/diagnostic/aci:v1@2024-01-26:p@aci.org",
        template="validation_attendue",
        reference="DLA38-2024-01",
        subject="Validation attendue : Diagnostic partagé",
        to="p@aci.org",
        to_name="Présidence",
        context=values | context,
    )


def overdue(**context) -> Notice:
    values = {
        "title": "Note de diagnostic remise",
        "case_title": "Poste partagé",
        "reference": "DLA38-2024-01",
        "coordinator_email": "coordination@dla-test.example.org",
        "coordinator_name": "Coordination",
        "recipient_name": "Présidence",
        "step_key": "note",
        "stage_title": "Diagnostic",
        "due_on": date(2024, 1, 22),
        "owner": "porteur",
        "working_days_late": 1,
        "escalated": False,
        "today": date(2024, 1, 23),
        "reminder": 1,
    }
    return Notice(
        key="echeance_depassee:DLA38-2024-01/tache/note:r1@2024-01-22:p@aci.org",
        template="echeance_depassee",
        reference="DLA38-2024-01",
        subject="Échéance dépassée : Note de diagnostic remise",
        to="p@aci.org",
        to_name="Présidence",
        context=values | context,
    )


def bodies(notice: Notice, renderer) -> tuple[str, str]:
    out = build_outgoing(
        notice, sender=SENDER, renderer=renderer, clock=FixedClock.on(date(2024, 1, 29))
    )
    message = out.message
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("ACI Les Jardins", "d'ACI Les Jardins"),
        ("Émeraude Insertion", "d'Émeraude Insertion"),
        ("Oasis", "d'Oasis"),
        ("Union locale", "d'Union locale"),
        ("Yvelines Actives", "d'Yvelines Actives"),
        ("Brest Insertion", "de Brest Insertion"),
    ],
)
def test_the_structure_s_name_is_elided_in_text_and_html(renderer, name, written):
    text, html = bodies(validation(organisation=name), renderer)
    assert f"attend la décision du conseil d'administration {written}." in " ".join(text.split())
    word = "d&#39;" if written.startswith("d'") else "de "
    assert f"{word}<strong>{name}</strong>" in html


def test_a_feminine_or_vowel_body_gets_its_own_article(renderer):
    text, _ = bodies(validation(body="assemblée générale", organisation="Oasis"), renderer)
    assert "la décision de l'assemblée générale d'Oasis." in " ".join(text.split())


def test_a_deadline_already_past_on_the_sending_day_is_said_to_be_overdue(renderer):
    text, html = bodies(validation(today=date(2024, 2, 19)), renderer)
    assert "au plus tard le : 9 février 2024 (délai dépassé : la décision est en retard)" in text
    assert "délai dépassé" in html
    for day in (DEADLINE, date(2024, 1, 29)):
        text, _ = bodies(validation(today=day), renderer)
        assert "dépassé" not in text


def test_the_first_reminder_carries_no_number_and_later_ones_their_rank(renderer):
    first, _ = bodies(validation(reminder=1), renderer)
    assert "rappel" not in first and "n°" not in first
    third, html = bodies(validation(reminder=3), renderer)
    assert "Ceci est notre 3e rappel au sujet de cette décision." in third
    assert "3e rappel" in html


def test_an_overdue_step_says_its_deadline_is_past_and_its_rank_from_the_second(renderer):
    text, _ = bodies(overdue(), renderer)
    assert "était le 22 janvier 2024 : elle est dépassée de 1 jour ouvré." in text
    assert "rappel" not in text.replace("dernier rappel", "")
    text, html = bodies(overdue(reminder=2, working_days_late=6), renderer)
    assert "elle est dépassée de 6 jours ouvrés (2e rappel)." in text
    assert "(2e rappel)" in html


def test_the_last_automatic_reminder_says_so(renderer):
    text, html = bodies(overdue(final=True), renderer)
    assert "C'est le dernier rappel automatique pour cette tâche" in text
    assert "dernier rappel automatique" in html
    text, _ = bodies(validation(final=True), renderer)
    assert "C'est le dernier rappel automatique" in text
