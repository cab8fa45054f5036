"""Personal data of contacts (RGPD): export what is held about a person, or erase it."""

from dla.privacy.export import export_contact
from dla.privacy.forget import ForgetReport, forget_contact
from dla.privacy.scrub import PrivacyRefused, is_pseudonym

__all__ = ["ForgetReport", "PrivacyRefused", "export_contact", "forget_contact", "is_pseudonym"]
