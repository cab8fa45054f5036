"""Refusals every door shows alike: French problems, each about a form field, nothing written.

Kept apart from `dla.actions` so that the decision check (`dla.validations`), which the
actions package re-exports, can raise them too.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One reason for a refusal: the form field it is about (None: the whole action), in French.

    The message names the field, the value and what was expected; every door shows it as is.
    """

    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


class ActionRefused(Exception):
    """An action failed its checks; nothing was written."""

    # How a refusal starts when shown as one line or as a list (CLI, a failed Prefect run).
    header = "Action refusée, rien n'a été enregistré"

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))

    def messages(self) -> list[str]:
        """Return the French reasons, one a problem."""
        return [p.message for p in self.problems]

    def by_field(self) -> dict[str | None, list[str]]:
        """Return the messages grouped by form field (None: about the whole form)."""
        grouped: dict[str | None, list[str]] = {}
        for p in self.problems:
            grouped.setdefault(p.field, []).append(p.message)
        return grouped

    def one_line(self) -> str:
        """Return the refusal as one French line (a failed Prefect run's message)."""
        return f"{self.header} : " + " ; ".join(self.messages())


def shown(value) -> str:
    """Quote a typed value in a message, cut when long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
