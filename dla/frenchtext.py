"""French wording shown to users: dates, labels (read from models.labels), elision."""

import unicodedata
from datetime import date
from functools import lru_cache

from babel.dates import format_date

from models.enums import CaseStatus, Standing
from models.labels import label


@lru_cache(maxsize=8192)  # the same few dates again and again (a portfolio's timelines)
def fr_date(day: date | None, *, weekday: bool = False) -> str:
    """Write a date the French way: 27 novembre 2006, 1er mars 2024 (mercredi 1er mai 2024)."""
    if day is None:
        return "—"
    # Babel writes "1 mars"; French writes the first of the month as an ordinal.
    first = "d'er'" if day.day == 1 else "d"
    return format_date(day, f"{'EEEE ' if weekday else ''}{first} MMMM y", locale="fr_FR")


def standing_label(value: str) -> str:
    """Return where a case stands after a drive (terminé, en attente de validation…)."""
    return label(value, Standing)


def case_status_label(value: str) -> str:
    """Return the French word of a case's status (en cours, terminé, clos…)."""
    return label(value, CaseStatus)


# Labels (of the catalogue, models.labels) that are feminine: "de la coordination", "de l'assemblée".
FEMININE = frozenset(
    {
        "assemblee_generale",
        "coordination_dla",
        "appropriation",
        "non_intervention",
        "mobilisation",
        "mise_en_oeuvre",
    }
)
FEMININE_LABELS = frozenset(label(k) for k in FEMININE)
ELIDED = {"de": "d'", "que": "qu'", "le": "l'", "la": "l'", "jusque": "jusqu'"}


def starts_with_vowel(text: str) -> bool:
    """Tell whether `text` starts with a vowel sound letter (a e i o u y, accented or not).

    A word starting with h is left alone: whether its h is mute ("l'habitat") or aspirated
    ("le hameau") cannot be told from its spelling, and the unelided form is the safer one.
    """
    first = str(text).lstrip()[:1].lower()
    if not first:
        return False
    return first in "æœ" or unicodedata.normalize("NFD", first)[0] in "aeiouy"


def elided(word: str, following: str) -> str:
    """Return `word` as written before `following`: "d'" before a vowel, else "de " (spaced)."""
    if word.lower() in ELIDED and starts_with_vowel(following):
        short = ELIDED[word.lower()]
        return short[0].upper() + short[1:] if word[:1].isupper() else short
    return f"{word} "


def elide(text: str, word: str = "de") -> str:
    """Put `word` before `text` the French way: "d'ACI Les Jardins", "du début", "de Brest".

    Elision before a vowel, and the contraction of "de" with a leading article ("de le
    début" → "du début", "de les" → "des").
    """
    text = str(text)
    if word == "de":
        for article, contracted in (("le ", "du "), ("les ", "des ")):
            if text.startswith(article):
                return contracted + text[len(article) :]
    return elided(word, text) + text


def count(n: int, singular: str, plural: str) -> str:
    """Write a number with its noun agreed: 1 jour ouvré, 3 jours ouvrés (0 is singular)."""
    return f"{n} {singular if abs(n) < 2 else plural}"


def with_article(value: str) -> str:
    """Return an enum value's label after "de" with its article: du, de la, de l'."""
    text = label(value)
    if starts_with_vowel(text):
        return f"de l'{text}"
    feminine = str(value) in FEMININE or text in FEMININE_LABELS
    return f"de la {text}" if feminine else f"du {text}"


def ordinal(n: int) -> str:
    """Write a French ordinal number in short form: 1er, 2e, 3e."""
    return "1er" if n == 1 else f"{n}e"
