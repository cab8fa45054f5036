"""A coordinator in a real browser: open a case from its form, then validate its gate.

On the way: a malformed e-mail is refused before any run exists, the case has its artifacts
at once, a refused decision re-asks the form with its reason first, and the valid decision
shows in Prefect's event feed. No raw code or English Python message reaches the pages.

`make up` (deployments/up.sh) starts the stack on a free port with its own var/ folder;
Playwright drives Debian's Chromium (Playwright's own browser download cannot work offline).
"""

import os
import shutil
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlmodel import Session, select

from dla.db import make_engine
from models import Case, Stage, Validation
from models.enums import StageStatus
from tests.ports import free_port
from tests.prefect_db import copy_migrated

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "var" / "captures"
REFERENCE = "DLA63-2026-10"
BAD_EMAIL = "claire.martin@dla63,org"
EMAIL = "E-mail du ou de la chargé·e de mission"
ASKED_AGAIN = "En attente (décision refusée)"
RUN_LOGGED = f"Beginning flow run '{REFERENCE}'"  # the run page has loaded its logs
# What must never reach a coordinator: the vocabularies' codes, Python's English messages,
# the type switch of a nullable field.
RAW = (
    "poste_partage",
    "injonction_institutionnelle",
    "coordination_dla",
    "validee",
    "Traceback",
    "ValidationError",
    "Field required",
    "Property is type",
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium absent (apt-get install chromium) : test navigateur ignoré"
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Run `make up` on a private port and folder; `make down` after, leaving no process."""
    var = tmp_path_factory.mktemp("up")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
    env |= {"DLA_VAR_DIR": str(var), "DLA_UI_PORT": str(free_port())}
    env["DLA_DESK_PORT"] = str(free_port())  # make up starts the desk too
    # The documents as HTML only: their other formats are the deliverables tests' subject, and
    # rendering the replayed samples' PDFs and Word files would double the replay's cost.
    env["DLA_STAGE_DELIVERABLE_FORMATS"] = '["html"]'
    # Its Prefect server starts on a migrated copy (its own migrations: tests/prefect_db.py).
    copy_migrated(tmp_path_factory, var / "prefect" / "prefect.db")
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
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # What the UI's error toast does not say: which of its calls failed.
        page.on("response", lambda r: r.status >= 500 and FAILED_CALLS.append(describe(r)))
        page.on("requestfailed", lambda r: FAILED_CALLS.append(f"{r.failure} {r.method} {r.url}"))
        yield page
        browser.close()
        FAILED_CALLS.clear()


FAILED_CALLS: list[str] = []


def describe(response) -> str:
    return f"{response.status} {response.request.method} {response.url}"


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
    wanted = page.get_by_role("option", name=value, exact=True)
    wanted.wait_for()
    listed = page.get_by_role("option").all_inner_texts()
    assert not [w for w in RAW if w in " ".join(listed)], f"« {label} » propose : {listed}"
    wanted.click()


def pick_date(page, label: str, day: date | None) -> None:
    after(page, label, "button", 2).click()
    if day is None:
        page.get_by_role("button", name="Today").click()
    else:
        after(page, "Selected Date", "input").fill(day.isoformat())
    page.get_by_role("button", name="Apply").click()


def fill_the_opening_form(page, url: str, email: str) -> None:
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
    type_in(page, EMAIL, email)
    page.get_by_role("button", name="Add item").click()
    type_in(page, "Clé (ex. aci-vallee)", "aci-livradois")
    type_in(page, "Nom", "ACI du Livradois")
    choose(page, "Type de SIAE", "ACI")


def open_case_through_its_form(page, url: str, env: dict) -> None:
    """Submit the form with a malformed e-mail (refused, no run), then corrected."""
    fill_the_opening_form(page, url, BAD_EMAIL)
    page.get_by_role("button", name="Submit").click()
    # The classic UI sends the form; Prefect's API checks it against the schema's pattern and
    # refuses to create the run, in its own English words, which name the field and the value.
    refused = page.get_by_text(f"'{BAD_EMAIL}' does not match").first
    refused.wait_for(timeout=30_000)
    assert "nouveau.coordination" in refused.inner_text()
    assert "/run" in page.url
    after(page, EMAIL, "textarea").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "formulaire-adresse-refusee.png", animations="disabled")
    # The field's French help says what is expected.
    shown_in_french(
        page, "le formulaire refusé", "Une adresse e-mail (ex. claire.martin@dla63.org)"
    )
    assert named_runs(env) == [], "un run a été créé pour une adresse mal formée"

    type_in(page, EMAIL, "coordination@dla63.example.org")
    page.screenshot(path=SHOTS / "formulaire-ouverture.png", full_page=True)
    send_the_form(page, env)
    idle(page)


def send_the_form(page, env: dict) -> None:
    """Submit the opening form: sent once the UI leaves it, or once the API shows the run.

    Under load the UI once answered "Oops. Something went wrong." (its toast for a failed API
    call) and stayed on the form. As a coordinator would, it is submitted once more, but only
    when the API shows no run for the case: a form is never sent twice.
    """
    for _ in range(2):
        page.get_by_role("button", name="Submit").click()
        try:
            page.wait_for_url(lambda url: not urlparse(url).path.endswith("/run"), timeout=60_000)
            return
        except PlaywrightTimeout:
            if named_runs(env):
                return  # sent; only the UI's move to the run's page was lost
    failed = "\n".join(FAILED_CALLS) or "aucun"
    pytest.fail(
        f"le formulaire n'a pas été envoyé (deux fois) ; appels en échec : {failed}\n"
        f"{page.locator('body').inner_text()}"
    )


def submit(page, dialog, still_waiting) -> None:
    """Submit the Resume dialog; click again while it stays open and the run still waits.

    Under load the UI lost a click: the dialog stayed open, complete and without an error,
    and nothing reached the server. `still_waiting()` reads the run's state from the API: a
    run that moved on got the answer, and no second answer is sent.
    """
    for _ in range(3):
        try:
            dialog.get_by_role("button", name="Submit").click(timeout=20_000)
            dialog.wait_for(state="hidden", timeout=20_000)
            break
        except PlaywrightTimeout:
            if not still_waiting():
                break
    else:
        pytest.fail(f"le formulaire de validation n'a pas été envoyé :\n{dialog.inner_text()}")
    idle(page)


def idle(page) -> None:
    """Leave Prefect's pages while the test waits on the API: they poll and redraw non-stop."""
    page.goto("about:blank")


def shown_in_french(page, where: str, *loaded: str) -> None:
    """Once the page shows each `loaded`, fail if it shows a raw code or an English Python message."""
    for text in loaded:
        page.get_by_text(text).first.wait_for(timeout=30_000)
    text = page.locator("body").inner_text()
    assert not [w for w in RAW if w in text], f"{where} montre : {text}"


def named_runs(env: dict):
    """Return the flow runs named after the case (opening and case runs), through the API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api(env)}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[REFERENCE]))
        )
        flows = {r.flow_id: client.read_flow(r.flow_id).name for r in runs}
    return [(flows[r.flow_id], r) for r in runs]


def api(env: dict) -> str:
    return f"http://127.0.0.1:{env['DLA_UI_PORT']}/api"


def case_runs(env: dict):
    """Return the case's "accompagnement" flow runs, read through Prefect's API."""
    return [r for flow, r in named_runs(env) if flow == "accompagnement"]


def error_logs(env: dict, run_id) -> list[str]:
    """Return the run's log lines at level ERROR or above."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api(env)}), get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])), limit=200
        )
    return [log.message for log in logs if log.level >= 40]


def sweep_now(env: dict) -> None:
    """Run the daily sweep deployment now and wait for it (it refreshes the portfolio)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api(env)}), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("relances/relances-quotidiennes")
        run = client.create_flow_run_from_deployment(deployment.id)
        state = wait_for(
            "le balayage quotidien",
            lambda: (s := client.read_flow_run(run.id).state).is_final() and s,
        )
    assert state.is_completed(), state


def wait_for(what: str, check, seconds: float = 180, env: dict | None = None):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if found := check():
            return found
        time.sleep(1)
    pytest.fail(f"délai dépassé : {what}" + (explain(env) if env else ""))


def explain(env: dict) -> str:
    """The case's runs as Prefect has them and the end of the runner's log: why it waits."""
    runs = "\n".join(
        f"  {flow} {r.name} : {r.state.type.value} {r.state.name!r} ({r.state.message})"
        for flow, r in named_runs(env)
    )
    log = Path(env["DLA_VAR_DIR"]) / "log" / "deployments.log"
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(pas de journal)"
    return f"\nruns du cas :\n{runs or '  aucun'}\njournal des déploiements :\n{tail}"


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
        page.get_by_role("button", name="Resume").click()
        dialog = page.get_by_role("dialog")
        try:
            dialog.get_by_text("Instance qui décide").wait_for(timeout=10_000)
            return dialog
        except PlaywrightTimeout:
            dialog.get_by_role("button", name="Close").click()
    pytest.fail(f"le formulaire de validation ne s'affiche pas :\n{dialog.inner_text()}")


def latest_artifact(page, url: str, key: str, shows: str) -> None:
    """Open the latest version of an artifact (its key's page lists the newest first)."""
    page.goto(f"{url}/artifacts/key/{key}")
    page.locator("a[href*='/artifacts/artifact/']").first.click()
    page.get_by_text(shows).first.wait_for(timeout=30_000)


def decide(page, day: date | None, comment: str = "") -> None:
    choose(page, "Instance qui décide", "coordination DLA")
    choose(page, "Décision", "validée")
    pick_date(page, "Date de la décision", day)
    if comment:
        type_in(page, "Commentaire (Optional)", comment)


def in_event_feed(page, url: str, event: str, resource: str):
    """Open the event feed filtered on an event and a resource; return the event's entries."""
    entries = page.locator("ol").get_by_text(event, exact=True)  # the feed, not its filter
    for _ in range(10):  # Prefect stores posted events a moment later; the page does not poll
        page.goto(f"{url}/events?events={event}&resource={resource}")
        try:
            entries.first.wait_for(timeout=10_000)
            return entries
        except PlaywrightTimeout:
            continue
    pytest.fail(f"{event} n'apparaît pas dans le flux d'événements de {resource}")


def test_a_coordinator_opens_a_case_and_validates_its_gate_in_the_prefect_ui(stack, page):
    var, url, env = stack
    open_case_through_its_form(page, url, env)
    run = wait_for(
        "le cas attend sa validation", lambda: suspended_on(env, "mobilisation-0"), env=env
    )
    assert run.name == REFERENCE
    # The case has its artifacts as soon as it exists, before any daily sweep.
    latest_artifact(page, url, f"journal-{REFERENCE.lower()}", f"Journal — {REFERENCE}")
    shown_in_french(page, "le journal du cas", "Page du cas dans le bureau")
    latest_artifact(page, url, f"cas-{REFERENCE.lower()}", "Mobilisation initiale du collectif")
    page.screenshot(path=SHOTS / "cas-des-son-ouverture.png", full_page=True)
    shown_in_french(page, "le tableau du cas", "en attente de validation")

    # A decision dated in the future is refused: the run waits again and the form says why.
    run_url = f"{url}/runs/flow-run/{run.id}"
    dialog = open_resume_form(page, run_url)
    assert "Validation attendue de : coordination" in dialog.inner_text()
    shown_in_french(page, "le formulaire de validation", "Date de la décision")
    decide(page, date.today() + timedelta(days=30))
    submit(page, dialog, lambda: suspended_on(env, "mobilisation-0"))
    again = wait_for(
        "le formulaire est redemandé",
        lambda: suspended_on(env, "mobilisation-1", ASKED_AGAIN),
        env=env,
    )
    assert again.id == run.id and again.state.is_paused()
    page.goto(run_url)
    shown_in_french(page, "le run en attente après un refus", ASKED_AGAIN, RUN_LOGGED)
    page.screenshot(path=SHOTS / "run-decision-refusee.png")
    dialog = open_resume_form(page, run_url)
    text = dialog.inner_text()
    assert text.startswith("Resume Flow Run\nDécision refusée, rien n'a été enregistré : "), text
    assert "date de décision dans le futur" in text.partition("Validation attendue de")[0], text
    page.screenshot(path=SHOTS / "formulaire-decision-refusee.png")
    shown_in_french(page, "le formulaire redemandé", "Date de la décision")

    decide(page, None, "Demande collective confirmée en réunion")
    page.screenshot(path=SHOTS / "formulaire-validation.png")
    submit(page, dialog, lambda: suspended_on(env, "mobilisation-1", ASKED_AGAIN))

    moved = wait_for(
        "le cas passe à l'étape suivante", lambda: suspended_on(env, "diagnostic-0"), env=env
    )
    assert moved.id == run.id
    # The refusal was handled: a warning in the log, never an error.
    assert error_logs(env, run.id) == []
    page.goto(run_url)
    shown_in_french(page, "le run suspendu à l'étape suivante", "Suspended", RUN_LOGGED)
    page.screenshot(path=SHOTS / "run-suspendu.png")
    # The decision is in Prefect's event feed, about the case, once.
    entries = in_event_feed(page, url, "dla.decision.enregistree", f"dla.cas.{REFERENCE}")
    assert entries.count() == 1
    page.screenshot(path=SHOTS / "evenements-decision.png")
    shown_in_french(page, "le flux d'événements", f"dla.cas.{REFERENCE}")

    sweep_now(env)
    latest_artifact(page, url, "portefeuille", REFERENCE)
    page.screenshot(path=SHOTS / "tableau-de-bord.png", full_page=True)
    # The replayed samples carry their documents: the case's artifact links each file.
    latest_artifact(page, url, "livrables-dla38-2006-01", "Cahier des charges de l'intervention")
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
