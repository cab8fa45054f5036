"""The fields of a board's decision, shared by the Resume form and the validation deployment."""

from datetime import date

from pydantic import BaseModel, Field

from dla.casefile.fields import SLUG_PATTERN
from dla.forms import blank, choice, optional
from dla.validations import DecisionInput
from models.enums import Body, Decision


class DecisionFields(BaseModel):
    """What a coordinator enters about one decision (French titles: the UI shows them)."""

    structure: str = Field(
        default="",
        title="Structure (clé)",
        description="La clé de la structure qui décide (ex. aci-vallee) ; vide pour la "
        "coordination DLA",
        max_length=80,
        # Empty, or a key: lower case, digits, - or _ (the case file's keys).
        pattern=f"^$|{SLUG_PATTERN}",
    )
    instance: choice(Body) = Field(title="Instance qui décide")
    decision: choice(Decision) = Field(title="Décision")
    date_decision: date = Field(title="Date de la décision")
    commentaire: str = Field(default="", title="Commentaire", max_length=2000)
    report_au: optional(date) = blank(
        title="Reporté au (si reportée)", description="Vide sauf pour une décision reportée"
    )

    def decision_for(self, reference: str, stage: str) -> DecisionInput:
        """Return the decision on the case's stage, as `dla.validations` records it."""
        return DecisionInput(
            reference,
            stage,
            self.structure or None,
            self.instance,
            self.decision,
            self.date_decision,
            self.commentaire or None,
            self.report_au,
        )


def decision_answer(entry: DecisionInput) -> dict:
    """Return a decision as the input of the case flow's Resume form."""
    return DecisionFields(
        structure=entry.structure or "",
        instance=entry.body,
        decision=entry.decision,
        date_decision=entry.decided_on,
        commentaire=entry.comment or "",
        report_au=entry.postponed_to,
    ).model_dump(mode="json")
