"""Case data in Prefect artifacts is shown as typed: no image, link or HTML from a title."""

import json
from datetime import date
from html import unescape

from markdown_it import MarkdownIt
from prefect.artifacts import Artifact

from dla.clock import FixedClock
from dla.db import make_engine, transaction
from dla.deliverables import generate
from dla.settings import get_settings
from flows.case_artifacts import artifact_key, publish_case_artifacts, publish_documents
from flows.portfolio_artifacts import PORTFOLIO_KEY, publish_portfolio
from tests.dla.outbox.conftest import open_stages
from tests.factories import case_data, save_case

REF = "DLA99-2024-01"
IMAGE = "![x](http://evil.example/x.png)"
TAG = "<img src=x onerror=alert(1)>"
LINK = "[a](javascript:alert(1))"
HOSTILE = [IMAGE, TAG, LINK]
# The Prefect UI renders markdown artifacts, descriptions and table cells with raw HTML allowed.
RENDERER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def hostile_case() -> dict:
    data = case_data(titre=f"Poste {IMAGE} {TAG}", perimetre=f"Deux SIAE {LINK} | x | y")
    data["contexte"] = {
        "demande_initiale": f"Partager un poste\n# Titre injecté\n| a | b |\n{IMAGE}\n- {LINK}"
    }
    data["organisations"][1]["nom"] = f"ACI {LINK}"
    data["etapes"][0]["titre"] = f"Diagnostic {TAG} | cellule"
    data["etapes"][0]["taches"][0]["titre"] = f"Note {IMAGE}"
    return data


def rendered(artifact: Artifact) -> str:
    """The HTML the UI would put in the page for an artifact (its data and description)."""
    parts = [RENDERER.render(artifact.description or "")]
    if artifact.type == "table":
        data = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
        cells = [v for row in data for v in row.values() if isinstance(v, str)]
        parts += [RENDERER.renderInline(cell) for cell in cells]
    else:
        parts.append(RENDERER.render(str(artifact.data)))
    return "\n".join(parts)


def hostile_markup(html: str) -> list[str]:
    """Return what an attacker's text turned into: images, script links, headings, rows."""
    found = ["<img", 'href="javascript', 'href="http://evil', "<h1>Titre", "<td>a</td>"]
    return [f for f in found if f in html]


def test_hostile_case_data_is_escaped_in_every_case_artifact(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path, hostile_case())
    open_stages(engine, date(2024, 1, 8))
    clock = FixedClock.on(date(2024, 1, 24))
    with transaction(engine) as session:
        done = generate(
            [REF],
            ["note_diagnostic"],
            ["html"],
            session=session,
            var_dir=get_settings().var_dir,
            clock=clock,
            previews=True,
        )

    publish_case_artifacts(engine, REF, clock.today())
    publish_portfolio.fn(engine, clock.today())
    publish_documents(done)

    keys = [artifact_key(p, REF) for p in ("cas", "journal", "livrables")]
    keys += [PORTFOLIO_KEY, f"livrable-{REF.lower()}-note-diagnostic"]
    pages = {key: rendered(Artifact.get(key)) for key in keys}
    assert {key: hostile_markup(html) for key, html in pages.items()} == dict.fromkeys(pages, [])
    text = unescape(pages[artifact_key("journal", REF)])
    assert f"Poste {IMAGE} {TAG}" in text  # shown as typed
    preview = unescape(pages[f"livrable-{REF.lower()}-note-diagnostic"])
    assert IMAGE in preview and LINK in preview
    engine.dispose()
