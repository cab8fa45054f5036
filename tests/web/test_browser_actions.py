"""Working a case in a real browser, then its boards answering by the link of their e-mail.

A coordinator marks a task done, moves a deadline and records a measurement on the desk; the
daily reminders (`dla remind`) then write the awaited-validation e-mails to `var/outbox/`; each
board's president opens the link of their `.eml` without an account and records the decision;
the gate passes when the last board has answered, and a used link is refused.
"""

import email
import re
from email import policy
from pathlib import Path

import pytest

from tests.dla.outbox.conftest import outbox_case
from tests.factories import write_case
from tests.ports import free_port
from tests.prefect_db import copy_migrated
from tests.web.test_browser import CHROMIUM, accessible, desk_process, dla

REFERENCE = "DLA99-2024-01"
COORDINATOR = "coordination@dla-test.example.org"
PRESIDENTS = {
    "presidence@aci-un.example.org": "Marie Durand",
    "presidence@ai-deux.example.org": "Paul Martin",
}

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium absent (apt-get install chromium) : test navigateur ignoré"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A case whose diagnostic is open on Monday 15 January 2024, and a coordinator's account."""
    var = tmp_path_factory.mktemp("actions")
    port = free_port()
    data = outbox_case()
    for contact in data["contacts"]:
        if contact["email"] in PRESIDENTS:
            contact["nom"] = PRESIDENTS[contact["email"]]
    data["indicateurs"] = [
        {"cle": "heures", "libelle": "Heures salariées", "type": "quantitatif", "unite": "heures"}
    ]
    path = write_case(var, data)
    env = dla_env(var, port)
    # `dla run` and the desk start Prefect's local server on a migrated copy, in var/ (not in the
    # home folder): tests/prefect_db.py.
    copy_migrated(tmp_path_factory, var / "prefect" / "prefect.db")
    dla(env, "init")
    dla(env, "case", "load", str(path))
    dla(env, "run", REFERENCE, "--today", "2024-01-15")  # the daily pass opens the diagnostic
    made = dla(env, "user", "add", COORDINATOR, "--name", "Chargée Test", "--role",
               "charge_mission", "--generate-password")  # fmt: skip
    password = re.search(r"une seule fois\) : (\S+)", made).group(1)
    return env, var, port, password


def dla_env(var: Path, port: int) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
    return env | {
        "DLA_VAR_DIR": str(var),
        "DLA_DESK_PORT": str(port),
        "DLA_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PREFECT_HOME": str(var / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "COLUMNS": "200",  # the terminal tables on one line per row
    }


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


def links_in_outbox(var: Path) -> dict[str, str]:
    """Return the signed link of each awaited-validation e-mail, by recipient."""
    found = {}
    for path in sorted((var / "outbox").glob("validation_attendue*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = message.get_body(("plain",)).get_content()
        if match := re.search(r"http://127\.0\.0\.1:\d+/lien/[A-Za-z0-9_-]+", text):
            found[message["To"].addresses[0].addr_spec] = match.group(0)
    return found


def case_status(env) -> str:
    return dla(env, "case", "show", REFERENCE)


def test_a_coordinator_works_the_case_and_the_boards_answer_by_link(world, browser):
    env, var, port, password = world
    url = f"http://127.0.0.1:{port}"

    with desk_process(env | {"DLA_DESK_TODAY": "2024-01-15"}, port, url):
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(url)
        page.get_by_label("Adresse e-mail").fill(COORDINATOR)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("heading", name=re.compile("Aujourd'hui")).wait_for()
        page.goto(f"{url}/cas/{REFERENCE}")

        # The consultant's interviews were done on Friday.
        page.locator("#faite-diagnostic-entretiens-fait_le").fill("12/01/2024")
        page.locator("form[action$='/taches/entretiens/faite'] button").click()
        page.get_by_role("status").filter(has_text="Entretiens").wait_for()

        # The note slips by two days, with its reason.
        page.get_by_text("Déplacer l'échéance").first.click()
        page.locator("#echeance-diagnostic-note-diagnostic-echeance").fill("24/01/2024")
        page.locator("#echeance-diagnostic-note-diagnostic-motif").fill("Entretiens décalés")
        page.locator("form[action$='/taches/note-diagnostic/echeance'] button").click()
        page.get_by_role("status").filter(has_text="24 janvier 2024").wait_for()

        # A first measure of the hours worked.
        page.locator("#mesure-heures-valeur").fill("1 200")
        page.locator("#mesure-heures-mesure_le").fill("15/01/2024")
        page.locator("form[action$='/indicateurs/heures/mesure'] button").click()
        page.get_by_role("status").filter(has_text="Heures salariées").wait_for()
        accessible(page, "actions-page-du-cas")

        # The note is handed in: the stage goes to its gate at once.
        page.locator("form[action$='/taches/note-diagnostic/faite'] button").click()
        page.get_by_role("status").filter(has_text="Note de diagnostic").wait_for()
        assert "en attente" in page.content().lower()
        journal = page.locator("#journal, [id='t-journal']").first.inner_text()
        assert "Entretiens décalés" in journal and "bureau" in journal.lower()

    # The gate's deadline (26 January) passes: the boards get their reminders with a link.
    dla(env, "remind", "--today", "2024-01-29", "--no-digest")
    links = links_in_outbox(var)
    assert set(PRESIDENTS) <= set(links)

    with desk_process(env | {"DLA_DESK_TODAY": "2024-01-29"}, port, url):
        for address, decision in (
            ("presidence@aci-un.example.org", "validée avec réserves"),
            ("presidence@ai-deux.example.org", "validée"),
        ):
            board = browser.new_context().new_page()  # no account, no cookie
            board.goto(links[address])
            board.get_by_role("heading", name=re.compile("Décision attendue")).wait_for()
            if decision != "validée":
                accessible(board, "lien-instance")
            board.get_by_label("Date de la décision").fill("29/01/2024")
            board.get_by_label(decision, exact=True).check()
            board.get_by_label("Réserves ou commentaire").fill("Budget du poste à revoir")
            board.get_by_label("Signé par (nom et qualité)").fill(
                f"{PRESIDENTS[address]}, présidence"
            )
            board.get_by_role("button", name="Enregistrer la décision").click()
            board.get_by_role("heading", name="Décision enregistrée").wait_for()
            shown = case_status(env)
            if decision != "validée":
                # One board has answered: the gate still waits for the other.
                assert re.search(r"Diagnostic partagé[^\n]*en attente", shown, re.I), shown

        # The last board has answered: the diagnostic is closed; the timeline says « par lien ».
        shown = case_status(env)
        assert not re.search(r"Diagnostic partagé[^\n]*en attente", shown, re.I), shown
        assert "par lien" in shown

        # The link has served: opened again, it is refused and writes nothing.
        again = browser.new_context().new_page()
        response = again.goto(links["presidence@aci-un.example.org"])
        assert response.status == 410
        again.get_by_role("heading", name="Ce lien ne permet pas de saisir la décision").wait_for()
