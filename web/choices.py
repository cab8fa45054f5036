"""The choices the case page's forms offer, in French: a vocabulary's labels, a case's
organisations, follow-ups and tasks (read by the templates as globals)."""

from dla.frenchtext import fr_date
from models.enums import StepStatus
from models.labels import CATALOGUE


def choices(vocabulary: str) -> list[tuple[str, str]]:
    """Return a vocabulary's (code, French label) pairs, as a form's list offers them."""
    return next(
        [(str(code), text) for code, text in labels.items()]
        for vocab, labels in CATALOGUE.items()
        if vocab.__name__ == vocabulary
    )


def case_choices(detail, contacts) -> dict[str, list[tuple[str, str]]]:
    """Return the case's own choices: its organisations (DLA host, members, those of its
    contacts), its follow-ups and its tasks not cancelled, as (code, French label) pairs."""
    orgs = {o.key: o.name for o in detail.organisations.values()}
    orgs |= {org.key: org.name for _, org, _ in contacts}
    return {
        "organisations": sorted(orgs.items(), key=lambda pair: pair[1].lower()),
        "follow_ups": [
            (
                str(f.months_after),
                f"à {f.months_after} mois (prévu le {fr_date(f.due_date)}"
                + (f", fait le {fr_date(f.done_on)})" if f.done_on else ")"),
            )
            for f in detail.follow_ups
        ],
        "tasks": [(s.key, s.title) for s in detail.steps if s.status is not StepStatus.annulee],
    }
