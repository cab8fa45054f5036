"""A coordinator in a real browser: open a case from its form, then validate its gate.

`make up` (deployments/up.sh) starts the stack on a free port with its own var/ folder;
Playwright drives Debian's Chromium (Playwright's own browser download cannot work offline).
"""

import os
import re
import shutil
import socket
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dla.db import make_engine
from models import Case, Stage, Validation
from models.enums import StageStatus

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "var" / "captures"
REFERENCE = "DLA63-2026-10"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium absent (apt-get install chromium) : test navigateur ignoré"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Run `make up` on a private port and folder; `make down` after, leaving no process."""
    var = tmp_path_factory.mktemp("up")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
    env |= {"DLA_VAR_DIR": str(var), "DLA_UI_PORT": str(free_port())}
    env["DLA_DESK_PORT"] = str(free_port())  # make up starts the desk too
    up = subprocess.run(
        ["bash", "deployments/up.sh"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        yield var, f"http://127.0.0.1:{env['DLA_UI_PORT']}", env
    finally:
        pids = [int(p.read_text()) for p in (var / "run").glob("*.pid")]
        down = subprocess.run(
            ["bash", "deployments/down.sh"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert down.returncode == 0, down.stdout + down.stderr
        assert not [pid for pid in pids if alive(pid)], "make down a laissé des processus"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the skip below explains; keep the module importable
    PlaywrightTimeout = TimeoutError


@pytest.fixture
def page(stack):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


def type_in(page, label: str, value: str, where=None) -> None:
    (where or page).get_by_label(label, exact=True).fill(value)


def field(where, label: str):
    """A V2 form's control by its label (a choice list's button reads "Select <label>")."""
    return where.get_by_label(re.compile(rf"^(Select )?{re.escape(label)}$")).first


def choose(page, label: str, value: str, where=None) -> None:
    """Pick a value of a choice list (Prefect's V2 forms: a button, then a list box)."""
    field(where or page, label).click()
    page.get_by_role("option", name=value, exact=True).click()


def pick_date(page, label: str, day: date, where=None) -> None:
    field(where or page, label).click()
    page.get_by_role("dialog").last.get_by_label("Date (yyyy-MM-dd)").fill(day.isoformat())
    page.keyboard.press("Enter")
    if page.get_by_label("Date (yyyy-MM-dd)").count():
        page.keyboard.press("Escape")


def submit_until_gone(page, form_url_part: str) -> None:
    """Submit a form until the page leaves it (the V2 form checks a field again on blur)."""
    for _ in range(5):
        page.get_by_role("button", name="Submit").click()
        try:
            page.wait_for_url(lambda u: form_url_part not in u, timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    pytest.fail("le formulaire n'est pas parti")


BAD_EMAIL = "claire.martin@dla63,org"


def open_case_through_its_form(page, url: str, env: dict) -> None:
    page.goto(f"{url}/v2/deployments")
    page.get_by_role("link", name="ouvrir-un-cas").first.click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run", exact=True).click()
    type_in(page, "Référence du cas", REFERENCE)
    type_in(page, "Intitulé", "Poste partagé d'encadrant technique")
    choose(page, "Modèle de parcours", "poste partagé")
    type_in(page, "Département", "63")
    # Opened four months ago: its mobilisation is over and waits for the coordination.
    pick_date(page, "Début de l'accompagnement", date.today() - timedelta(days=120))
    choose(page, "Origine de la demande", "Demande d'un collectif de structures")
    choose(page, "Formes de mutualisation", "poste partagé")
    page.keyboard.press("Escape")
    type_in(page, "Périmètre", "Deux ACI du Livradois")
    type_in(page, "Organisme de portage DLA (nom)", "DLA du Puy-de-Dôme")
    type_in(page, "E-mail du ou de la chargé·e de mission", BAD_EMAIL)
    page.get_by_role("button", name="Add item").click()
    type_in(page, "Clé (ex. aci-vallee)", "aci-livradois")
    type_in(page, "Nom", "ACI du Livradois")
    choose(page, "Type de SIAE", "ACI")
    # A malformed address is refused by the form: nothing is run, the field says what it wants.
    page.get_by_role("button", name="Submit").click()
    page.get_by_text(f"'{BAD_EMAIL}' does not match").wait_for(timeout=15_000)
    assert "/run" in page.url
    assert page.get_by_text("Une adresse e-mail (ex. claire.martin@dla63.org)").first.is_visible()
    page.screenshot(path=SHOTS / "formulaire-adresse-refusee.png", full_page=True)
    assert not named_runs(env)
    type_in(page, "E-mail du ou de la chargé·e de mission", "coordination@dla63.example.org")
    page.keyboard.press("Tab")
    page.screenshot(path=SHOTS / "formulaire-ouverture.png", full_page=True)
    submit_until_gone(page, "/run")


def named_runs(env: dict):
    """Return the flow runs named after the case, read through Prefect's API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api = f"http://127.0.0.1:{env['DLA_UI_PORT']}/api"
    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[REFERENCE]))
        )
        flows = {r.flow_id: client.read_flow(r.flow_id).name for r in runs}
    return [(flows[r.flow_id], r) for r in runs]


def case_runs(env: dict):
    """Return the case's "accompagnement" flow runs (each named after the case from the start)."""
    return [r for flow, r in named_runs(env) if flow == "accompagnement"]


def sweep_now(env: dict) -> None:
    """Run the daily sweep deployment now and wait for it (it refreshes the portfolio)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api = f"http://127.0.0.1:{env['DLA_UI_PORT']}/api"
    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("relances/relances-quotidiennes")
        run = client.create_flow_run_from_deployment(deployment.id)
        state = wait_for(
            "le balayage quotidien",
            lambda: (s := client.read_flow_run(run.id).state).is_final() and s,
        )
    assert state.is_completed(), state


def wait_for(what: str, check, seconds: float = 180):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if found := check():
            return found
        time.sleep(1)
    pytest.fail(f"délai dépassé : {what}")


def suspended_on(env: dict, key: str, name: str = "Suspended"):
    return next(
        (
            r
            for r in case_runs(env)
            if r.state.name == name and r.state.state_details.pause_key == key
        ),
        None,
    )


def open_resume_form(page, run_url: str):
    """Open the run's Resume dialog once its form has loaded (a fresh page may lag behind)."""
    for _ in range(5):
        page.goto(run_url)
        page.get_by_role("button", name="Open menu").first.click()
        page.get_by_role("menuitem", name="Resume").click()
        dialog = page.get_by_role("dialog")
        try:
            dialog.get_by_text("Instance qui décide").wait_for(timeout=10_000)
            return dialog
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    pytest.fail(f"le formulaire de validation ne s'affiche pas :\n{dialog.inner_text()}")


def latest_artifact(page, url: str, key: str) -> None:
    """Open the latest version of an artifact (its key's page lists the newest first)."""
    page.goto(f"{url}/v2/artifacts/key/{key}")
    page.locator("a[href*='/artifacts/artifact/']").first.click()


def decide(page, dialog, day: date, comment: str = "") -> None:
    choose(page, "Instance qui décide", "coordination DLA", dialog)
    choose(page, "Décision", "validée", dialog)
    pick_date(page, "Date de la décision", day, dialog)
    if comment:
        type_in(page, "Commentaire (Optional)", comment, dialog)


def test_a_coordinator_opens_a_case_and_validates_its_gate_in_the_prefect_ui(stack, page):
    var, url, env = stack
    open_case_through_its_form(page, url, env)
    run = wait_for("le cas attend sa validation", lambda: suspended_on(env, "mobilisation-0"))
    assert run.name == REFERENCE
    # The case has its artifacts as soon as it exists (not at the next daily pass).
    latest_artifact(page, url, f"journal-{REFERENCE.lower()}")
    page.get_by_text(f"Journal — {REFERENCE}").first.wait_for(timeout=30_000)

    # A decision dated in the future is refused: the run waits again and says why.
    dialog = open_resume_form(page, f"{url}/v2/runs/flow-run/{run.id}")
    assert "Validation attendue de : coordination" in dialog.inner_text()
    decide(page, dialog, date.today() + timedelta(days=30))
    dialog.get_by_role("button", name="Submit").click()
    again = wait_for(
        "le formulaire est redemandé",
        lambda: suspended_on(env, "mobilisation-1", "En attente (décision refusée)"),
    )
    assert again.id == run.id
    dialog = open_resume_form(page, f"{url}/v2/runs/flow-run/{run.id}")
    text = dialog.inner_text()
    assert "Décision refusée, rien n'a été enregistré" in text, text
    assert text.index("Décision refusée") < text.index("Validation attendue de")
    page.screenshot(path=SHOTS / "formulaire-decision-refusee.png")

    decide(page, dialog, date.today(), "Demande collective confirmée en réunion")
    page.screenshot(path=SHOTS / "formulaire-validation.png")
    dialog.get_by_role("button", name="Submit").click()

    moved = wait_for("le cas passe à l'étape suivante", lambda: suspended_on(env, "diagnostic-0"))
    assert moved.id == run.id
    page.goto(f"{url}/v2/runs/flow-run/{run.id}")
    page.screenshot(path=SHOTS / "run-suspendu.png")
    # The decision is in Prefect's event feed, about the case.
    page.goto(f"{url}/v2/events?events=%5B%22dla.decision.enregistree%22%5D")
    page.get_by_text(f"{REFERENCE} · ").first.wait_for(timeout=30_000)
    page.screenshot(path=SHOTS / "evenements-decision.png")
    sweep_now(env)
    latest_artifact(page, url, "portefeuille")
    page.get_by_text(REFERENCE).first.wait_for(timeout=30_000)
    page.screenshot(path=SHOTS / "tableau-de-bord.png", full_page=True)
    # The replayed samples carry their documents: the case's artifact links each file.
    latest_artifact(page, url, "livrables-dla38-2006-01")
    page.get_by_text("Cahier des charges de l'intervention").first.wait_for(timeout=30_000)
    page.screenshot(path=SHOTS / "livrables-du-cas.png", full_page=True)

    engine = make_engine(f"sqlite:///{var / 'dla.db'}")
    with Session(engine) as session:
        case_id = session.exec(select(Case.id).where(Case.reference == REFERENCE)).one()
        (validation,) = session.exec(select(Validation).where(Validation.case_id == case_id))
        stages = {
            s.key: s.status for s in session.exec(select(Stage).where(Stage.case_id == case_id))
        }
    assert (validation.channel, validation.decided_on) == ("prefect-ui", date.today())
    assert validation.comment == "Demande collective confirmée en réunion"
    assert stages["mobilisation"] is StageStatus.close
    assert stages["diagnostic"] is StageStatus.en_attente_validation
