"""Phase deliverables: documents rendered from case data in HTML, Word and PDF, versioned."""

from dla.deliverables.generate import generate, generate_for_stage, generate_synthesis
from dla.deliverables.kinds import (
    FORMATS,
    KINDS,
    SYNTHESIS,
    DeliverableError,
    MissingFacts,
)
from dla.deliverables.produce import Failure, Generated

__all__ = [
    "FORMATS",
    "KINDS",
    "SYNTHESIS",
    "DeliverableError",
    "Failure",
    "Generated",
    "MissingFacts",
    "generate",
    "generate_for_stage",
    "generate_synthesis",
]
