"""What a planning pass wrote."""

from dataclasses import dataclass


@dataclass
class PlanResult:
    """What one planning pass wrote: new rows (planned, held, cancelled), and cases planned."""

    inserted: list[str]
    held: list[str]
    cancelled: list[str]
    planned_cases: int = 0  # cases whose rules ran (an incremental pass skips the others)

    def __iadd__(self, other: "PlanResult") -> "PlanResult":
        self.inserted += other.inserted
        self.held += other.held
        self.cancelled += other.cancelled
        self.planned_cases += other.planned_cases
        return self
