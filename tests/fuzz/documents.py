"""Strategies for hostile YAML files made from valid ones.

A fuzz input starts as a valid document (a Python object) and is damaged in two ways:

- on the object: a value replaced by a hostile one, a key deleted or added, a value wrapped in
  a list... Each damaged place is recorded as a field path, so a test can check that the error
  names it;
- on the text: truncation, stray YAML syntax, duplicated lines (duplicate keys), tags, anchors
  and aliases (a small billion-laughs bomb, a recursive alias), huge numbers, deep nesting,
  BOMs, CRLF, other encodings and invalid UTF-8. The field is then unknown; the error must
  still name the file and say where.
"""

from __future__ import annotations

import copy
import datetime
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = [
    "FieldPath",
    "Mutated",
    "hostile_values",
    "mutated_yaml",
    "paths_of",
    "related",
    "render_path",
]

FieldPath = tuple[str | int, ...]
# libyaml's emitter writes the same YAML several times faster than PyYAML's own.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class Mutated:
    """A damaged document: its bytes and, for damage done on the object, where it was done."""

    data: bytes
    # Field paths of the object-level damage; None once the text was damaged too.
    damaged: list[FieldPath] | None = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    # Nothing damaged: a valid document in an encoding YAML allows (UTF-8, or with a BOM).
    intact: bool = False


def render_path(path: FieldPath) -> str:
    """``("slos", 0, "sli")`` as the loaders write it: ``slos[0].sli``; a key that is not
    plain (a space, a dot, a newline) as ``ports['a b']``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not re.fullmatch(r"[A-Za-z0-9_-]+", part):
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text


def related(named: str, damaged: str) -> bool:
    """True when the field an error names is the damaged one, contains it, or is inside it."""

    def within(inner: str, outer: str) -> bool:
        return not outer or inner == outer or inner.startswith((outer + ".", outer + "["))

    return within(named, damaged) or within(damaged, named)


def paths_of(document: Any, path: FieldPath = ()) -> list[FieldPath]:
    """Every place in ``document``: the root, each value of a mapping, each list item."""
    found = [path]
    if isinstance(document, dict):
        for key, child in document.items():
            if isinstance(key, str):
                found += paths_of(child, (*path, key))
    elif isinstance(document, list):
        for index, child in enumerate(document):
            found += paths_of(child, (*path, index))
    return found


def _at(document: Any, path: FieldPath) -> Any:
    for part in path:
        document = document[part]
    return document


_SCALAR_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "5m",
            "0s",
            "-1m",
            "1e3s",
            "15s ",
            "١٥s",
            "99999999999999999999999d",
            "http://127.0.0.1:1",
            "ftp://x",
            "0.0.0.0",
            "::1",
            "localhost",
            "rate(x_total[{{.window}}])",
            "{{.window}}",
            "UTC",
            "Europe/Berlin",
            "../../etc/passwd",
            "/etc/passwd",
            "Etc/../UTC",
            "a" * 300,
            "25:00",
            "24:00",
            "prometheus/v1",
            "openslo/v1",
            "\x00",
            "\ud7ff\ue000\U0010ffff",
            "é",
            "null",
            "true",
        ]
    ),
)
_NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from(
        [0, 1, -1, 65535, 65536, 2**63, 10**400, math.nan, math.inf, -math.inf, -0.0, 1e-320]
    ),
    st.floats(),
)
_OTHER_SCALARS = st.sampled_from(
    [
        None,
        True,
        False,
        b"",
        b"\x00\xff",
        datetime.date(2026, 1, 1),
        datetime.datetime(1, 1, 1, 0, 0),
        datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
    ]
)
_SCALARS = st.one_of(_OTHER_SCALARS, _NUMBERS, _SCALAR_TEXT)
_KEYS = st.one_of(st.text(max_size=8), st.integers(-3, 3))
# Flat containers only: nesting comes from the documents themselves and from the text damage
# ("structure"), and a recursive strategy would cost more than the parsing under test.
hostile_values = st.one_of(
    _SCALARS,
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(_KEYS, _SCALARS, max_size=3),
)


# Strategies are built once: building one per draw costs more than the parsing under test.
_INDEX = st.integers(0, 2**24)
_COUNT = st.integers(0, 3)
_BOOL = st.booleans()
_OBJECT_DAMAGE = st.sampled_from(
    ["replace", "replace", "delete", "add key", "wrap", "unwrap", "duplicate"]
)
_NEW_KEY = st.one_of(st.text(max_size=12), st.sampled_from(["version", "name"]))
_TEXT_DAMAGE = st.sampled_from(
    [
        "truncate",
        "noise",
        "duplicate line",
        "delete line",
        "indent",
        "tag",
        "huge scalar",
        "structure",
        "crlf",
        "cr",
        "tabs",
    ]
)
_INDENT = st.sampled_from([" ", "  ", "\t", ""])
_ENCODING = st.sampled_from(
    ["utf-8"] * 6 + ["utf-8 BOM", "utf-16", "utf-16-le", "latin-1", "bad byte", "cut"]
)
_BAD_BYTES = st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])
_FLOW = st.sampled_from([False, None, True])


def _pick(data: st.DataObject, options: list[Any] | str | bytes) -> Any:
    """One of ``options`` (a list that changes with the input, so no strategy is cached)."""
    return options[data.draw(_INDEX) % len(options)]


def _position(data: st.DataObject, size: int) -> int:
    """A place in a text of ``size`` characters, both ends included."""
    return int(data.draw(_INDEX) % (size + 1))


def _damage_object(data: st.DataObject, document: Any, mutated: Mutated) -> Any:
    """One damage done on the object; the damaged path goes in ``mutated.damaged``."""
    path: FieldPath = _pick(data, paths_of(document))
    target = _at(document, path)
    how = data.draw(_OBJECT_DAMAGE)
    damaged: FieldPath = path
    if how == "delete" and path:
        parent = _at(document, path[:-1])
        del parent[path[-1]]
        damaged = path[:-1]
    elif how == "add key" and isinstance(target, dict):
        key = data.draw(_NEW_KEY)
        target[key] = data.draw(hostile_values)
        damaged = (*path, key)
    elif how == "wrap":
        document = _replace(document, path, [target])
    elif how == "unwrap" and isinstance(target, list | dict) and target:
        inner = next(iter(target.values())) if isinstance(target, dict) else target[0]
        document = _replace(document, path, inner)
    elif how == "duplicate" and isinstance(target, list) and target:
        target.append(copy.deepcopy(_pick(data, target)))
    else:
        how = "replace"
        document = _replace(document, path, data.draw(hostile_values))
    assert mutated.damaged is not None
    mutated.damaged.append(damaged)
    mutated.steps.append(f"{how} {render_path(path) or '(top level)'}")
    return document


def _replace(document: Any, path: FieldPath, new: Any) -> Any:
    if not path:
        return new
    _at(document, path[:-1])[path[-1]] = new
    return document


_YAML_NOISE = st.sampled_from(
    [
        ":",
        ": ",
        "- ",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "*nowhere",
        "!",
        "!!",
        "!foo ",
        "|",
        ">",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "@",
        "`",
        "#",
        "\t",
        "\n",
        "  ",
        '"',
        "'",
        "\\",
        "<<: ",
        "\x00",
        "\x85",
        "\u2028",
        "\ufeff",
        "\x1b[0m",
        "\U0001f600",
    ]
)
_TAGGED = st.sampled_from(
    [
        "!!python/object:os.system {}",
        "!!python/name:os.system",
        "!!int x",
        "!!int 0x",
        "!!float abc",
        "!!bool maybe",
        "!!timestamp tuesday",
        "!!timestamp 2001-02-30",
        "!!binary '@@'",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [{a: 1}, {a: 2}]",
        "!!pairs [[a, 1]]",
        "!!str [1]",
        "!!map [1]",
        "!!null x",
        "!custom thing",
        "2001-13-45",
        "2001-02-29",
        "2001-02-28 25:61:61",
        "1:60:60",
        ".nan",
        "-.inf",
        "0o777",
        "0b102",
        "0x_",
        "1_000",
        "+12",
        "~",
        "[*a, *a]",
    ]
)


_HUGE_SIZE = st.sampled_from([300, 4301, 5000, 20_000])
_STRUCTURE_KIND = st.sampled_from(["deep list", "deep map", "bomb", "recursive", "alias chain"])
_DEPTH = st.sampled_from([10, 99, 101, 500, 5000])
_BOMB_LEVELS = st.integers(2, 7)
_BOMB_WIDTH = st.integers(2, 10)
_RECURSIVE = st.sampled_from(["&r [*r]", "&r {a: *r}", "&r [1, [2, *r]]"])


@st.composite
def _huge_scalar(draw: st.DrawFn) -> str:
    size = draw(_HUGE_SIZE)
    return draw(
        st.sampled_from(
            [
                "9" * size,
                "-" + "9" * size,
                "0x" + "f" * size,
                "0b" + "1" * size,
                "0" + "7" * size,
                "1" + ":59" * (size // 10),
                "1" + "0" * size + ".5",
                "1e" + "9" * 10,
                "'" + "x" * size + "'",
            ]
        )
    )


def _bomb(levels: int, width: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "{" + ", ".join(line for line in lines) + "}"


@st.composite
def _structure(draw: st.DrawFn) -> str:
    """Nesting, anchors and aliases: deep, recursive, exponential (within reason)."""
    kind = draw(_STRUCTURE_KIND)
    depth = draw(_DEPTH)
    if kind == "deep list":
        return "[" * depth + "1" + "]" * depth
    if kind == "deep map":
        return "{a: " * depth + "1" + "}" * depth
    if kind == "bomb":
        return _bomb(draw(_BOMB_LEVELS), draw(_BOMB_WIDTH))
    if kind == "recursive":
        return draw(_RECURSIVE)
    return "{" + ", ".join(f"k{i}: &k{i} [*k{i - 1}]" for i in range(1, depth)) + ", k0: &k0 1}"


_NOISE = st.one_of(_YAML_NOISE, st.text(max_size=6))
_INSERTED = {"tag": _TAGGED, "huge scalar": _huge_scalar(), "structure": _structure()}


def _damage_text(data: st.DataObject, text: str, mutated: Mutated) -> str:
    how = data.draw(_TEXT_DAMAGE)
    lines = text.split("\n")
    line = _position(data, len(lines) - 1)
    if how == "truncate":
        text = text[: _position(data, len(text))]
    elif how == "noise":
        at = _position(data, len(text))
        text = text[:at] + data.draw(_NOISE) + text[at:]
    elif how == "duplicate line":
        lines.insert(line, lines[line])
        text = "\n".join(lines)
    elif how == "delete line":
        del lines[line]
        text = "\n".join(lines)
    elif how == "indent":
        lines[line] = data.draw(_INDENT) + lines[line].lstrip()
        text = "\n".join(lines)
    elif how in _INSERTED:
        value = data.draw(_INSERTED[how])
        # After a "key:" on some line, or as the value of a new top-level key.
        colon = lines[line].find(": ")
        if colon >= 0 and data.draw(_BOOL):
            lines[line] = lines[line][: colon + 2] + value
        else:
            lines.append(f"fuzz_{how.replace(' ', '_')}: {value}")
        text = "\n".join(lines)
    elif how == "crlf":
        text = text.replace("\n", "\r\n")
    elif how == "cr":
        text = text.replace("\n", "\r")
    elif how == "tabs":
        text = text.replace("  ", "\t")
    mutated.steps.append(f"text: {how}")
    return text


def _encode(data: st.DataObject, text: str, how: str) -> bytes:
    if how == "utf-8 BOM":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if how in ("utf-16", "utf-16-le"):
        return text.encode(how, "surrogatepass")
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    raw = text.encode("utf-8", "surrogatepass")
    if how == "bad byte":
        at = _position(data, len(raw))
        return raw[:at] + data.draw(_BAD_BYTES) + raw[at:]
    if how == "cut":
        return raw[: _position(data, len(raw))]
    return raw


@st.composite
def mutated_yaml(draw: st.DrawFn, seeds: list[Any]) -> Mutated:
    """A valid document from ``seeds``, damaged on the object, on the text, or both."""
    data = draw(st.data())
    seed = _pick(data, seeds)
    document = copy.deepcopy(seed)
    mutated = Mutated(b"")
    for _ in range(draw(_COUNT)):
        document = _damage_object(data, document, mutated)
    try:
        text = yaml.dump(
            document,
            Dumper=_DUMPER,
            sort_keys=False,
            default_flow_style=draw(_FLOW),
            allow_unicode=draw(_BOOL),
        )
    except yaml.representer.RepresenterError:
        # An object PyYAML cannot write (a key of a type it cannot represent): write the seed.
        text = yaml.dump(seed, Dumper=_DUMPER, sort_keys=False)
        mutated.damaged = None
    for _ in range(draw(_COUNT)):
        text = _damage_text(data, text, mutated)
        mutated.damaged = None
    encoding = draw(_ENCODING)
    mutated.steps.append(f"encoding: {encoding}")
    mutated.data = _encode(data, text, encoding)
    mutated.intact = mutated.damaged == [] and encoding in ("utf-8", "utf-8 BOM", "utf-16")
    if encoding != "utf-8":
        mutated.damaged = None
    return mutated
