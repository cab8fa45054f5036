"""The desk in a real browser: log in, read the inbox, open a case, download its PDF; axe-core
finds no serious or critical accessibility violation on any page.

`dla desk` runs as its own process on a free port over a SQLite file holding one sample case and
its monograph rendered in PDF; Playwright drives Debian's Chromium (no browser download offline).
"""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "var" / "captures"
REFERENCE = "DLA38-2006-01"
COORDINATOR = "coordination@mcae.example.org"  # the case's coordinator contact
DLA = [str(Path(sys.executable).parent / "dla")]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium absent (apt-get install chromium) : test navigateur ignoré"
)


def dla(env, *args) -> str:
    done = subprocess.run([*DLA, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A database with one case and its PDF, an account, and `dla desk` answering."""
    var = tmp_path_factory.mktemp("bureau")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
    env |= {"DLA_VAR_DIR": str(var), "DLA_DESK_PORT": str(port), "DLA_DESK_TODAY": "2006-12-15"}
    dla(env, "init")
    dla(env, "case", "load", "samples/cases/isere-2006.yaml")
    dla(env, "deliver", REFERENCE, "--kind", "monographie", "--format", "pdf", "--today",
        "2006-12-15")  # fmt: skip
    made = dla(env, "user", "add", COORDINATOR, "--name", "Chargée Isère", "--role",
               "charge_mission", "--generate-password")  # fmt: skip
    password = re.search(r"une seule fois\) : (\S+)", made).group(1)
    with desk_process(env, port, f"http://127.0.0.1:{port}") as url:
        yield url, password, var


@contextmanager
def desk_process(env: dict, port: int, url: str):
    """Run `dla desk` on `port` until the block ends; fail when it does not answer."""
    server = subprocess.Popen(
        [*DLA, "desk", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/sante", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("le bureau ne répond pas")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def page(desk):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        yield context.new_page()
        browser.close()


def accessible(page, name: str) -> None:
    """Run axe-core on the page; fail on any serious or critical violation; keep a capture."""
    from axe_playwright_python.sync_playwright import Axe

    page.screenshot(path=SHOTS / f"bureau-{name}.png", full_page=True)
    results = Axe().run(page)
    grave = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not grave, f"{name}: " + "; ".join(grave)


def test_a_coordinator_runs_her_day_from_the_desk(desk, page):
    url, password, var = desk
    page.goto(url)
    accessible(page, "connexion")
    page.get_by_label("Adresse e-mail").fill(COORDINATOR)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("heading", name=re.compile("Aujourd'hui")).wait_for()
    assert re.search(r"Aujourd'hui \(\d+ en retard", page.title())
    accessible(page, "aujourdhui")

    page.get_by_role("link", name="Cas", exact=True).click()
    page.get_by_role("heading", name=re.compile(r"Cas \(1\)")).wait_for()
    accessible(page, "cas")

    page.get_by_role("link", name=REFERENCE).first.click()
    page.get_by_role("heading", name=re.compile(REFERENCE)).wait_for()
    accessible(page, "page-du-cas")
    with page.expect_download() as download:
        page.get_by_role("link", name="v1 PDF").first.click()
    saved = Path(download.value.path())
    (stored,) = (var / "livrables" / "dla38-2006-01").glob("monographie-v1.pdf")
    assert saved.read_bytes() == stored.read_bytes()
    assert saved.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == f"{REFERENCE}-monographie-v1.pdf"

    page.get_by_role("link", name="Calendrier").click()
    page.get_by_role("heading", name=re.compile("Calendrier")).wait_for()
    accessible(page, "calendrier")
