"""SQLModel tables and schemas of the DLA pipeline (no Prefect import here)."""

from models import revision as _revision  # noqa: F401  (registers the hook)
from models.case import Case, CaseContact, CaseCreate, CaseMember, CasePublic
from models.organisation import (
    Contact,
    ContactCreate,
    ContactPublic,
    Organisation,
    OrganisationCreate,
    OrganisationPublic,
)
from models.planning import FollowUp, Indicator, IndicatorPublic, Period
from models.records import (
    Deliverable,
    ForgottenAddress,
    Notification,
    TimelineEvent,
    TimelineEventPublic,
)
from models.stage import Stage, StagePublic, Step, StepPublic, ValidationRequirement
from models.user import CaseAssignment, LoginThrottle, User, UserRole
from models.validation import Validation, ValidationPublic

__all__ = [
    "Case",
    "CaseContact",
    "CaseAssignment",
    "CaseCreate",
    "CaseMember",
    "CasePublic",
    "Contact",
    "ContactCreate",
    "ContactPublic",
    "Deliverable",
    "FollowUp",
    "ForgottenAddress",
    "Indicator",
    "IndicatorPublic",
    "LoginThrottle",
    "Notification",
    "Organisation",
    "OrganisationCreate",
    "OrganisationPublic",
    "Period",
    "Stage",
    "StagePublic",
    "Step",
    "StepPublic",
    "TimelineEvent",
    "TimelineEventPublic",
    "User",
    "UserRole",
    "Validation",
    "ValidationPublic",
    "ValidationRequirement",
]
