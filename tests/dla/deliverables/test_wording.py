"""Documents write the small words of French as the mails do: "d'avril 2006", not "de avril"."""

from datetime import date
from html import unescape

from dla.deliverables.render import TEMPLATES_DIR, environment


def test_a_month_starting_with_a_vowel_is_elided_in_documents():
    month = environment().from_string("{{ day|mois|elide }} à {{ end|mois }}")
    april = month.render(day=date(2006, 4, 3), end=date(2007, 6, 1))
    january = month.render(day=date(2006, 1, 3), end=date(2007, 8, 1))
    assert unescape(april) == "d'avril 2006 à juin 2007"  # escaped in HTML: d&#39;avril
    assert unescape(january) == "de janvier 2006 à août 2007"


def test_the_monographie_writes_its_duration_with_the_elision_filter():
    template = (TEMPLATES_DIR / "documents" / "monographie.html").read_text(encoding="utf-8")
    assert "{{ duree.debut|mois|elide }} à" in template and "de {{ duree.debut" not in template
