"""A coordinator in a real browser: open a case from its form, then validate its gate.

`make up` (deployments/up.sh) starts the stack on a free port with its own var/ folder;
Playwright drives Debian's Chromium (Playwright's own browser download cannot work offline).
"""

import os
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


def after(page, label: str, what: str, n: int = 1):
    """The n-th `what` element after the last label with this text (Prefect's forms)."""
    return page.locator(
        f'xpath=(//*[normalize-space(text())="{label}"])[last()]/following::{what}[{n}]'
    )


def type_in(page, label: str, value: str) -> None:
    after(page, label, "*[self::textarea or self::input]").fill(value)


def choose(page, label: str, value: str) -> None:
    select = after(page, label, "button", 2)  # the first button is the field's menu
    select.click()
    select.press("ArrowDown")
    page.get_by_role("option", name=value, exact=True).click()


def pick_date(page, label: str, day: date | None) -> None:
    after(page, label, "button", 2).click()
    if day is None:
        page.get_by_role("button", name="Today").click()
    else:
        after(page, "Selected Date", "input").fill(day.isoformat())
    page.get_by_role("button", name="Apply").click()


def open_case_through_its_form(page, url: str) -> None:
    page.goto(f"{url}/deployments")
    page.get_by_role("link", name="ouvrir-un-cas").click()
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
    type_in(page, "E-mail du ou de la chargé·e de mission", "coordination@dla63.example.org")
    page.get_by_role("button", name="Add item").click()
    type_in(page, "Clé (ex. aci-vallee)", "aci-livradois")
    type_in(page, "Nom", "ACI du Livradois")
    choose(page, "Type de SIAE", "ACI")
    page.screenshot(path=SHOTS / "formulaire-ouverture.png", full_page=True)
    page.get_by_role("button", name="Submit").click()


def case_runs(env: dict):
    """Return the case's "accompagnement" flow runs, read through Prefect's API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api = f"http://127.0.0.1:{env['DLA_UI_PORT']}/api"
    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[REFERENCE]))
        )
        flows = {r.flow_id: client.read_flow(r.flow_id).name for r in runs}
    return [r for r in runs if flows[r.flow_id] == "accompagnement"]


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


def suspended_on(env: dict, key: str):
    return next(
        (
            r
            for r in case_runs(env)
            if r.state.name == "Suspended" and r.state.state_details.pause_key == key
        ),
        None,
    )


def open_resume_form(page, run_url: str):
    """Open the run's Resume dialog once its form has loaded (a fresh page may lag behind)."""
    for _ in range(5):
        page.goto(run_url)
        page.get_by_role("button", name="Resume").click()
        dialog = page.get_by_role("dialog")
        try:
            dialog.get_by_text("Instance qui décide").wait_for(timeout=10_000)
            return dialog
        except PlaywrightTimeout:
            dialog.get_by_role("button", name="Close").click()
    pytest.fail(f"le formulaire de validation ne s'affiche pas :\n{dialog.inner_text()}")


def test_a_coordinator_opens_a_case_and_validates_its_gate_in_the_prefect_ui(stack, page):
    var, url, env = stack
    open_case_through_its_form(page, url)
    run = wait_for("le cas attend sa validation", lambda: suspended_on(env, "mobilisation-0"))

    dialog = open_resume_form(page, f"{url}/runs/flow-run/{run.id}")
    assert "Validation attendue de : coordination" in dialog.inner_text()
    choose(page, "Instance qui décide", "coordination DLA")
    choose(page, "Décision", "validée")
    pick_date(page, "Date de la décision", None)
    page.screenshot(path=SHOTS / "formulaire-validation.png")
    type_in(page, "Commentaire (Optional)", "Demande collective confirmée en réunion")
    dialog.get_by_role("button", name="Submit").click()

    moved = wait_for("le cas passe à l'étape suivante", lambda: suspended_on(env, "diagnostic-0"))
    assert moved.id == run.id
    page.goto(f"{url}/runs/flow-run/{run.id}")
    page.screenshot(path=SHOTS / "run-suspendu.png")
    sweep_now(env)
    page.goto(f"{url}/artifacts/key/portefeuille")
    page.locator("a[href*='/artifacts/artifact/']").first.click()  # the latest version
    page.get_by_text(REFERENCE).first.wait_for(timeout=30_000)
    page.screenshot(path=SHOTS / "tableau-de-bord.png", full_page=True)
    # The replayed samples carry their documents: the case's artifact links each file.
    page.goto(f"{url}/artifacts/key/livrables-dla38-2006-01")
    page.locator("a[href*='/artifacts/artifact/']").first.click()
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
