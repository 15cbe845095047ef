"""Reading an SLO file field by field: each problem is raised at the path the file wrote it
(``slos[0].sli.events``), and a file's problems are gathered into one ``SpecError``.

Shared by the Sloth and OpenSLO importers (``_sloth.py``, ``_openslo.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ._load import _PLAIN_KEY, _describe, _field_path
from ._model import LabelName, Slo, SloName

__all__ = [
    "SLO_NAME",
    "InvalidFieldError",
    "Problems",
    "ProblemsError",
    "checked",
    "collect",
    "join",
    "labels",
    "mapping",
    "optional_mapping",
    "string",
    "validate",
]

Problems = list[tuple[str, str]]


class InvalidFieldError(Exception):
    """One problem at one field; collected into the file's SpecError."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class ProblemsError(Exception):
    """Every problem of one file, which the entry point raises as a SpecError naming it."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(problems)
        self.problems = problems


def join(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    if not _PLAIN_KEY.fullmatch(key):
        return f"{base}[{key!r}]"
    return f"{base}.{key}" if base else key


def mapping(value: object, path: str, what: str = "a mapping") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidFieldError(path, f"expected {what}, got {type(value).__name__}")
    return value


def optional_mapping(parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = parent.get(key)
    return {} if value is None else mapping(value, join(path, key))


def string(parent: Mapping[str, Any], key: str, path: str) -> str:
    value = parent.get(key)
    if value is None:
        raise InvalidFieldError(join(path, key), "required key is missing")
    if not isinstance(value, str):
        raise InvalidFieldError(join(path, key), f"expected a string, got {type(value).__name__}")
    return value


_LABEL_NAME: TypeAdapter[str] = TypeAdapter(LabelName)
SLO_NAME: TypeAdapter[str] = TypeAdapter(SloName)


def checked(adapter: TypeAdapter[str], value: str, path: str) -> str:
    """``value`` as the model will check it, refused here where the file says it."""
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise InvalidFieldError(path, _describe(exc.errors()[0])) from None


def labels(value: object, path: str) -> dict[str, str]:
    """A labels mapping, each name and value checked at its own place in the file (the
    model sees them merged: the file's, the SLO's and the alert's)."""
    if value is None:
        return {}
    found = {}
    for key, given in mapping(value, path).items():
        label_path = join(path, str(key))
        if not isinstance(key, str):
            raise InvalidFieldError(label_path, f"expected a label name, got {type(key).__name__}")
        checked(_LABEL_NAME, key, label_path)
        if isinstance(given, Mapping | list | set | bytes):
            raise InvalidFieldError(
                label_path, f"expected a label value (a string), got {type(given).__name__}"
            )
        # YAML reads `tier: 2` as a number, and `tier:` as null (Sloth: an empty string); a
        # Prometheus label value is always a string.
        found[key] = "" if given is None else str(given)
    return found


def validate(data: dict[str, Any], path: str, fields: Mapping[str, str]) -> Slo:
    try:
        return Slo.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = _field_path(error["loc"])
        source = fields.get(field, field)
        where = (
            source if not path else f"{path}{source}" if source[:1] == "[" else f"{path}.{source}"
        )
        raise InvalidFieldError(where if source else path, _describe(error)) from None


def collect(items: Iterable[tuple[str, Mapping[str, Any]]], convert: Any) -> list[Slo]:
    """Convert every item, gathering every item's problem before raising."""
    slos: list[Slo] = []
    problems: Problems = []
    for path, item in items:
        try:
            slos.append(convert(item, path))
        except InvalidFieldError as exc:
            problems.append((exc.path, exc.message))
    if problems:
        raise ProblemsError(problems)
    return slos
