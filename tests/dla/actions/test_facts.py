"""Editing the case's facts and the consultant's days: the core functions."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor
from dla.actions.budget import set_budget_days
from dla.actions.facts import edit_facts
from dla.casefile.form import NewCaseForm
from dla.casefile.schema import ContextIn
from dla.clock import FixedClock
from dla.db import transaction
from dla.deliverables import MissingFacts, generate
from dla.opening import open_from_form
from dla.privacy.forgotten import remember_forgotten
from models import Case, TimelineEvent
from tests.factories import REFERENCE, all_rows

PREFECT = Actor("interface Prefect", "prefect")
DAY = FixedClock.on(date(2024, 1, 15))
DEMAND = "Deux ACI veulent partager un encadrant technique."


def edit(engine, changes: dict, reference=REFERENCE, clock=DAY, **kwargs):
    with transaction(engine) as session:
        return edit_facts(reference, changes, session=session, clock=clock, actor=PREFECT, **kwargs)


def budget(engine, task="note-diagnostic", terrain="2", cabinet="1,5"):
    with transaction(engine) as session:
        return set_budget_days(
            REFERENCE, task, terrain=terrain, cabinet=cabinet, session=session, clock=DAY,
            actor=PREFECT,
        )  # fmt: skip


def refusal(call) -> list[tuple[str | None, str]]:
    with pytest.raises(ActionRefused) as caught:
        call()
    return [(p.field, p.message) for p in caught.value.problems]


def case(engine, reference=REFERENCE) -> Case:
    with Session(engine) as session:
        return session.exec(select(Case).where(Case.reference == reference)).one()


def test_the_demand_filled_in_makes_the_note_of_a_case_opened_from_the_form_producible(
    engine, tmp_path
):
    form = NewCaseForm.model_validate(
        {
            "reference": "DLA63-2026-02",
            "titre": "Poste partagé d'encadrant technique",
            "modele": "poste_partage",
            "departement": "63",
            "debut": date(2026, 12, 1),
            "origine": "collectif",
            "mutualisations": ["poste_partage"],
            "perimetre": "Deux ACI du Livradois",
            "porteur_dla": "DLA du Puy-de-Dôme",
            "coordination": "coordination@dla63.example.org",
            "structures": [{"cle": "aci-un", "nom": "ACI Un", "siae": "ACI"}],
        }
    )
    clock = FixedClock.on(date(2026, 12, 2))
    with transaction(engine) as session:
        open_from_form(form, session=session, clock=clock, actor="t")

    def note():
        with transaction(engine) as session:
            return generate(
                [form.reference], ["note_diagnostic"], ["html"], session=session,
                var_dir=tmp_path / "var", clock=clock,
            )  # fmt: skip

    with pytest.raises(MissingFacts):
        note()
    edit(engine, {"contexte.demande_initiale": DEMAND}, reference=form.reference, clock=clock)
    (done,) = note()
    assert DEMAND in done.path.read_text(encoding="utf-8")


def test_facts_are_written_as_a_case_file_says_them_and_logged_once(opened):
    outcome = edit(
        opened,
        {
            "titre": " Poste partagé  ",
            "contexte.demande_initiale": DEMAND,
            "contexte.enjeux": "Stabiliser le poste\n\nPartager les coûts\n",
            "objectifs_strategiques": ["Mutualiser"],
        },
    )
    assert outcome.summary == (
        "Faits du cas modifiés : intitulé, objectifs stratégiques, demande initiale, enjeux"
    )
    row = case(opened)
    assert (row.title, row.strategic_goals) == ("Poste partagé", ["Mutualiser"])
    assert row.context["enjeux"] == ["Stabiliser le poste", "Partager les coûts"]
    ContextIn.model_validate(row.context)  # still a valid case file's context
    with Session(opened) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "case.facts")).one()
    assert event.data["channel"] == "prefect" and event.data["before"]["titre"] == (
        "Poste partagé de chargé·e de relations entreprises"
    )


def test_an_empty_text_clears_a_fact(opened):
    edit(opened, {"contexte.analyse": "Une analyse."})
    outcome = edit(opened, {"contexte.analyse": "  "})
    assert outcome.summary == "Faits du cas modifiés : analyse de la demande (effacé)"
    assert "analyse" not in case(opened).context


def test_the_same_facts_again_change_nothing(opened):
    edit(opened, {"contexte.demande_initiale": DEMAND})
    rows = all_rows(opened)
    assert not edit(opened, {"contexte.demande_initiale": DEMAND}).changed
    assert all_rows(opened) == rows


def test_an_empty_title_an_unknown_field_and_a_control_character_are_refused(opened):
    rows = all_rows(opened)
    problems = refusal(
        lambda: edit(opened, {"titre": "", "contexte.budget": "x", "perimetre": "a\x1bb"})
    )
    assert problems[0] == ("titre", "intitulé : champ vide ; attendu : un texte")
    assert problems[1][0] == "contexte.budget" and problems[1][1].startswith(
        "champ inconnu : 'contexte.budget' ; attendu parmi : titre, perimetre,"
    )
    assert problems[2] == (
        "perimetre",
        "périmètre : caractère de contrôle refusé dans 'a\\x1bb' ; attendu : une seule ligne "
        "de texte",
    )
    assert all_rows(opened) == rows


def test_a_text_bringing_back_an_erased_address_is_refused(opened):
    with transaction(opened) as session:
        remember_forgotten("ancien@aci-un.example.org", session=session, at=DAY.now())
    problems = refusal(
        lambda: edit(opened, {"contexte.analyse": "Voir ancien@aci-un.example.org."})
    )
    assert problems[0][0] == "contexte.analyse"
    assert "effacée à sa demande" in problems[0][1]


def test_a_task_s_days_go_to_the_budget_of_the_plan(opened):
    outcome = budget(opened)
    assert outcome.summary == (
        "Budget de « Note de diagnostic remise » : 2 jour(s) terrain, 1,5 jour(s) cabinet"
    )
    assert case(opened).context["budget_jours"] == {
        "note-diagnostic": {"terrain": 2.0, "cabinet": 1.5}
    }
    ContextIn.model_validate(case(opened).context)
    assert budget(opened, terrain="", cabinet="").summary.endswith("retiré")
    assert case(opened).context["budget_jours"] == {}


def test_days_of_an_unknown_task_or_out_of_range_are_refused(opened):
    rows = all_rows(opened)
    assert refusal(lambda: budget(opened, task="fantome"))[0][1].startswith(
        "tâche inconnue : 'fantome' ; attendu parmi : note-diagnostic, recrutement"
    )
    assert refusal(lambda: budget(opened, terrain="-1", cabinet="600")) == [
        ("terrain", "jours terrain : '-1' ; attendu : entre 0 et 500 jours"),
        ("cabinet", "jours cabinet : '600' ; attendu : entre 0 et 500 jours"),
    ]
    assert all_rows(opened) == rows
