"""Each point of vigilance fires on its defect and clears when the fact is recorded."""

from dataclasses import replace
from datetime import date

import pytest

from dla.vigilance import RULES, Facts, Level, blocking, evaluate
from models.enums import DemandOrigin, MemberRole, Moment

GOOD_CONTEXT = {
    "injonction": "La DDTEFP demandait une comptabilité analytique.",
    "demande_partagee": {"collectif": True, "conseils_administration": True, "partenaires": True},
    "elargissement_avant_diagnostic": True,
    "demande_initiale": "Structurer un pôle insertion.",
    "enjeux": ["Pérennité de l'ACI"],
    "socle_strategique": "Un pôle insertion sur trois intercommunalités.",
    "valeurs": ["Primauté du parcours des salariés"],
    "points_de_blocage": ["Statut des salariés permanents"],
    "gouvernance": "Comité de pilotage mensuel ; validation par les deux CA.",
    "gouvernance_validee_le": "2006-06-15",
    "entretiens_individuels": True,
    "criteres_choix_prestataire": ["Expérience de fusions associatives"],
    "livrables_attendus": ["Rapport de préconisations"],
    "charte_signee_le": "2007-01-10",
    "partenaires_informes": ["Comité de suivi DDTEFP, 2007-06"],
}


def good_facts(**changes) -> Facts:
    facts = Facts(
        origin=DemandOrigin.injonction_institutionnelle,
        context=dict(GOOD_CONTEXT),
        strategic_goals=["Fusionner les deux structures"],
        member_roles=[MemberRole.porteur, MemberRole.membre, MemberRole.reseau],
        period_kinds=["appropriation"],
        indicators=[(True, date(2006, 9, 1))],
        follow_ups=3,
        implementation_start=date(2007, 4, 2),
        today=date(2007, 6, 1),
    )
    return replace(facts, **changes)


def without(*keys: str) -> dict:
    return {k: v for k, v in GOOD_CONTEXT.items() if k not in keys}


DEFECTS = {
    "origine-injonction": good_facts(context=without("injonction")),
    "demande-partagee-collectif": good_facts(
        context={
            **GOOD_CONTEXT,
            "demande_partagee": {"conseils_administration": True, "partenaires": True},
        }
    ),
    "demande-partagee-ca": good_facts(
        context={**GOOD_CONTEXT, "demande_partagee": {"collectif": True, "partenaires": True}}
    ),
    "demande-partagee-partenaires": good_facts(
        context={
            **GOOD_CONTEXT,
            "demande_partagee": {"collectif": True, "conseils_administration": True},
        }
    ),
    "elargissement-demande-unique": good_facts(
        origin=DemandOrigin.structure_unique, context=without("elargissement_avant_diagnostic")
    ),
    "diagnostic-demande-objectifs-enjeux": good_facts(strategic_goals=[]),
    "socle-strategique-valeurs": good_facts(context=without("valeurs")),
    "reseaux-iae": good_facts(member_roles=[MemberRole.porteur, MemberRole.membre]),
    "points-de-blocage": good_facts(context=without("points_de_blocage")),
    "gouvernance-avant-intervention": good_facts(
        context={**GOOD_CONTEXT, "gouvernance_validee_le": "2007-05-01"}
    ),
    "rythme-appropriation-entretiens": good_facts(period_kinds=[]),
    "criteres-choix-prestataire": good_facts(context=without("criteres_choix_prestataire")),
    "cahier-des-charges-livrables": good_facts(context=without("livrables_attendus")),
    "indicateurs-avant-mise-en-oeuvre": good_facts(
        indicators=[(True, date(2007, 5, 1)), (False, date(2006, 1, 1))]
    ),
    "charte-engagements": good_facts(context=without("charte_signee_le")),
    "suivis-planifies": good_facts(follow_ups=0),
    "partenaires-informes": good_facts(context=without("partenaires_informes")),
}


def test_every_rule_has_a_defect_case():
    assert set(DEFECTS) == {r.code for r in RULES}


def test_a_well_documented_case_raises_no_finding():
    assert evaluate(good_facts(), Moment.suivi) == []


@pytest.mark.parametrize("code", sorted(DEFECTS))
def test_the_rule_fires_on_its_defect_alone(code):
    findings = evaluate(DEFECTS[code], Moment.suivi)
    assert [f.code for f in findings] == [code]
    assert findings[0].section.startswith("4.") and findings[0].message


@pytest.mark.parametrize("code", sorted(DEFECTS))
def test_the_rule_clears_once_the_fact_is_recorded(code):
    rule = next(r for r in RULES if r.code == code)
    assert rule.holds(good_facts()) and not rule.holds(DEFECTS[code])


def test_rules_apply_only_from_their_moment_on():
    facts = good_facts(context=without("charte_signee_le"))
    assert evaluate(facts, Moment.plan) == []
    assert [f.code for f in evaluate(facts, Moment.mise_en_oeuvre)] == ["charte-engagements"]


def test_governance_and_indicators_are_the_blocking_rules():
    codes = {r.code for r in RULES if r.level is Level.bloquant}
    assert codes == {"gouvernance-avant-intervention", "indicateurs-avant-mise-en-oeuvre"}
    findings = evaluate(DEFECTS["gouvernance-avant-intervention"], Moment.plan)
    assert [f.code for f in blocking(findings)] == ["gouvernance-avant-intervention"]


def test_governance_agreed_after_today_does_not_yet_clear_its_rule():
    facts = good_facts(today=date(2006, 5, 1))  # agreed on 15 June 2006, checked in May

    assert "gouvernance-avant-intervention" in {f.code for f in evaluate(facts, Moment.plan)}


def test_targets_set_after_today_do_not_yet_clear_their_rule():
    facts = good_facts(today=date(2006, 8, 1))  # targets set on 1 September 2006

    assert "indicateurs-avant-mise-en-oeuvre" in {f.code for f in evaluate(facts, Moment.plan)}
