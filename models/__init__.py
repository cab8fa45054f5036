"""SQLModel tables and schemas of the DLA pipeline (no Prefect import here)."""

from models import revision as _revision  # noqa: F401  (registers the hook)
from models.attachment import Attachment, BoardLink
from models.case import Case, CaseContact, CaseMember
from models.organisation import (
    Contact,
    Organisation,
)
from models.planning import FollowUp, Indicator, Period
from models.records import (
    Deliverable,
    ForgottenAddress,
    Notification,
    ReminderPlan,
    TimelineEvent,
)
from models.stage import Stage, Step, ValidationRequirement
from models.user import CaseAssignment, LoginThrottle, User, UserRole
from models.validation import Validation

__all__ = [
    "Attachment",
    "BoardLink",
    "Case",
    "CaseContact",
    "CaseAssignment",
    "CaseMember",
    "Contact",
    "Deliverable",
    "FollowUp",
    "ForgottenAddress",
    "Indicator",
    "LoginThrottle",
    "Notification",
    "Organisation",
    "Period",
    "ReminderPlan",
    "Stage",
    "Step",
    "TimelineEvent",
    "User",
    "UserRole",
    "Validation",
    "ValidationRequirement",
]
