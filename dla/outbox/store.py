"""The outbox rows' JSON payloads, with their dates."""

import re
from datetime import date, datetime

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def to_json(value):
    """Make a payload JSON-ready: dates become ISO strings (revived by `from_json`)."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def from_json(value):
    """Turn the ISO days of a stored payload back into dates (templates format them)."""
    if isinstance(value, dict):
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, str) and _DAY.match(value):
        return date.fromisoformat(value)
    return value
