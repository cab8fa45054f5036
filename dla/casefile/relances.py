"""Reminder settings of a case: its case file's `relances:` block over the defaults."""

from pydantic import BaseModel, ConfigDict, Field


class Relances(BaseModel):
    """Reminder settings of a case; a case file's `relances:` block overrides these defaults."""

    model_config = ConfigDict(extra="forbid", title="Réglages des relances")

    echeance_proche: list[int] = Field(
        default=[7, 1], title="Rappels avant une échéance (jours ouvrés avant)"
    )
    retard_rappels: int = Field(
        default=8, ge=0, le=52, title="Nombre de rappels hebdomadaires après une échéance dépassée"
    )
    retard_coordination: int = Field(
        default=7, ge=1, title="Jours ouvrés de retard avant d'informer la coordination"
    )
    validation_rappels: int = Field(
        default=6, ge=0, le=52, title="Nombre de rappels hebdomadaires d'une validation attendue"
    )
    periode_avant: int = Field(
        default=3, ge=0, title="Annonce d'un début ou d'une fin de période (jours ouvrés avant)"
    )
    suivi_avant: int = Field(default=10, ge=0, title="Annonce d'un suivi (jours ouvrés avant)")
    resume_hebdo: bool = Field(default=True, title="Résumé hebdomadaire de la coordination")
    heure: int = Field(default=8, ge=0, le=23, title="Heure d'envoi (Europe/Paris)")


DEFAULTS = Relances()


def settings_for(document: dict | None) -> Relances:
    """Read a case's reminder settings: its case file's `relances:` block over the defaults."""
    block = (document or {}).get("relances")
    return Relances.model_validate(block) if block else DEFAULTS
