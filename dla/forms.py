"""Field types of the forms drawn from a JSON Schema (the Prefect UI), and their French verdict.

The Prefect UI shows a choice list's raw values (it reads no title per value) and a type switch
for any field that may be null; it checks `pattern` and `format` before the form is sent. So a
form offers French words as values (the codes stay accepted, and the model holds the code), an
optional field as its own type only, and every pattern it can.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)
from pydantic.fields import FieldInfo

from dla.casefile.fields import Email
from dla.casefile.problems import from_validation_error, value_shown
from models.labels import label

# What the UI can check of an address before sending the form: one @, a dotted domain without
# commas or spaces ("claire.martin@dla63,org" is refused). The model then checks it in full.
EMAIL_PATTERN = r"^[^\s@,;<>()\[\]\"]+@[^\s@,;<>()\[\]\"._]+(\.[^\s@,;<>()\[\]\"._]+)+$"
EMAIL_HELP = "Une adresse e-mail (ex. claire.martin@dla63.org) : un @, un domaine avec un point."


def choice(vocabulary: type[StrEnum], shown: Callable[[str], str] | None = None) -> Any:
    """Return the form type of a vocabulary: French words in the form, the member in the model.

    The words are the catalogue's labels (or `shown(code)`); a code is accepted as well, so
    case files, the CLI and older run inputs keep working. JSON output gives the word back.
    """
    words = {m: (shown or (lambda code: label(code, vocabulary)))(m.value) for m in vocabulary}
    members = {w: m for m, w in words.items()} | {m.value: m for m in vocabulary}
    if len(set(words.values())) != len(words):
        raise ValueError(f"{vocabulary.__name__} : deux valeurs portent le même libellé")

    def parse(value: Any) -> Any:
        if isinstance(value, vocabulary):
            return value
        if isinstance(value, str) and value.strip() in members:
            return members[value.strip()]
        raise ValueError("choix inconnu ; attendu parmi : " + ", ".join(words.values()))

    return Annotated[
        vocabulary,
        BeforeValidator(parse),
        PlainSerializer(
            lambda member: words[vocabulary(member)], return_type=str, when_used="json"
        ),
        WithJsonSchema({"type": "string", "enum": list(words.values())}),
    ]


def word(vocabulary: type[StrEnum], code: str, shown: Callable[[str], str] | None = None) -> str:
    """Return the word a form shows for a code (what a schedule or an API call must send)."""
    return (shown or (lambda c: label(c, vocabulary)))(vocabulary(code).value)


# An e-mail field: checked roughly by the form (pattern), fully by the model.
FormEmail = Annotated[
    Email,
    WithJsonSchema(
        {"type": "string", "format": "email", "pattern": EMAIL_PATTERN, "description": EMAIL_HELP}
    ),
]


def optional(kind: Any) -> Any:
    """Return `kind | None` shown by the form as `kind` alone (no "None" type switch).

    Left empty, the field is not sent and the model reads None; give it `blank(...)`.
    """
    return Annotated[kind | None, _WithoutNull()]


def blank(**kwargs: Any) -> Any:
    """Return the Field of an `optional(...)` value: None by default, no default in the form."""
    return Field(default=None, json_schema_extra=_no_default, **kwargs)


class _WithoutNull:
    """Drop the null branch from a field's JSON Schema (the model still takes None)."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        branches = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
        if "anyOf" in schema and len(branches) == 1:
            del schema["anyOf"]
            schema.update(branches[0])
        return schema


def _no_default(schema: dict) -> None:
    # An empty field is left out of the values sent; a `null` default would be put back in by
    # the form and refused by a schema that no longer lists null.
    schema.pop("default", None)


M = TypeVar("M", bound=BaseModel)


class FormRefused(ValueError):
    """A form's values break its rules; the message is one French line naming each field."""


def checked(model: type[M], value: Any) -> M:
    """Return the form's values as `model`, or raise `FormRefused` naming the wrong fields."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise FormRefused(refusal(model, exc)) from None


def refusal(model: type[BaseModel], error: ValidationError) -> str:
    """Say in one French line what is wrong with each field, by its title as the form shows it."""
    parts = []
    for problem in from_validation_error(error, {}):
        loc = tuple(int(p) if p.isdigit() else p for p in _parts(problem.path))
        info = field_info(model, loc)
        title = (info.title if info else None) or problem.path or "formulaire"
        message = problem.message
        if message.startswith(_RAW_PATTERN) and info and info.description:
            message = f"attendu : {info.description}"  # the rule as the form words it
        shown = value_shown(message, problem.value)
        where = f"« {title} » ({problem.path})" if problem.path else title
        parts.append(f"{where} : {message}{shown}")
    return "Formulaire refusé : " + " ; ".join(parts)


# How dla.casefile.problems words a pattern it has no French description of.
_RAW_PATTERN = "attendu : le motif"


def field_info(model: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """Return the field at `loc` (nested forms and lists followed), if the model has it."""
    current: Any = model
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        info = fields[part]
        current = _inner_model(info.annotation)
    return info


def _inner_model(annotation: Any) -> Any:
    # list[StructureForm], StructureForm | None… → StructureForm
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) if get_origin(annotation) else ():
        if (found := _inner_model(arg)) is not None:
            return found
    return None


def _parts(path: str) -> list[str]:
    return [p for p in path.replace("[", ".").replace("]", "").split(".") if p]
