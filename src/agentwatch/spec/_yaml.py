"""YAML files read for the spec and the SLO importers: PyYAML's safe loader, with the limits a
hostile file needs. Everything that goes wrong is a ``SpecError`` naming the file, the line and
the column; PyYAML's own ValueError, KeyError, RecursionError... never escape.

Limits (far above any real config file): nesting deeper than ``MAX_DEPTH`` levels, more than
``MAX_NODES`` values once aliases are expanded (a "billion laughs" file), a recursive alias,
and an integer of more than ``MAX_INT_BITS`` bits are refused.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._errors import SpecError, shown

__all__ = ["MAX_DEPTH", "MAX_INT_BITS", "MAX_NODES", "read_yaml"]

MAX_DEPTH = 100
MAX_NODES = 100_000
# 4096 bits is about 1233 decimal digits; Python refuses to print more than 4300 digits.
MAX_INT_BITS = 4096
# Errors from PyYAML's constructors on scalars they cannot read (a 30th of February, a
# `!!bool maybe`, an integer too long to convert): each is the file's fault, not ours.
_CONSTRUCTOR_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


class _LimitError(yaml.MarkedYAMLError):
    pass


# libyaml's parser (C) when PyYAML has it: several times faster than PyYAML's own, and, like
# it, iterative. Nodes are composed here from its events, never by a recursive composer.
_Parser: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Parser):  # type: ignore[valid-type,misc]
    """Events from the parser, nodes composed by ``_compose``, values by SafeConstructor."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except _CONSTRUCTOR_ERRORS as exc:
            kind = str(node.tag).rsplit(":", 1)[-1]
            # A ValueError says what is wrong ("month must be in 1..12"); the others do not.
            why = f": {shown(str(exc), 120)}" if isinstance(exc, ValueError) else ""
            raise ConstructorError(
                None, None, f"cannot read {shown(node.value)} as {kind}{why}", node.start_mark
            ) from None

    def construct_yaml_int(self, node: ScalarNode) -> int:
        value: int = super().construct_yaml_int(node)
        if value.bit_length() > MAX_INT_BITS:
            raise ConstructorError(
                None, None, f"an integer of more than {MAX_INT_BITS} bits", node.start_mark
            )
        return value


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: Node) -> None:
    """Refuse a recursive alias, and a tree that aliases expand past the limits.

    Aliases share nodes, so the expanded size and depth are computed once per node.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if size[key] > MAX_NODES:
                raise _LimitError(
                    None,
                    None,
                    f"aliases expand this to more than {MAX_NODES} values",
                    node.start_mark,
                )
            if depth[key] > MAX_DEPTH:
                raise _LimitError(
                    None,
                    None,
                    f"aliases nest this deeper than {MAX_DEPTH} levels",
                    node.start_mark,
                )
            continue
        if key in size:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                raise _LimitError(
                    None, None, "an alias refers to a node that contains it", child.start_mark
                )
            if id(child) not in size:
                stack.append((child, False))


def _compose(loader: _Loader) -> Node:
    """The nodes of one document, from its events (the DocumentStartEvent is consumed), as
    PyYAML's composer builds them but with a stack instead of recursion, so nesting past
    ``MAX_DEPTH`` is refused as soon as it is read."""
    anchors: dict[str, Node] = {}
    open_nodes: list[Node] = []
    # Per open mapping: its key waiting for a value.
    keys: list[Node | None] = []
    root: Node | None = None
    while True:
        event = loader.get_event()
        mark: Any = event.start_mark
        node: Node
        if isinstance(event, yaml.DocumentEndEvent):
            assert root is not None
            return root
        if isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            node = open_nodes.pop()
            node.end_mark = event.end_mark
            keys.pop()
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise ComposerError(
                    None, None, f"found undefined alias {shown(event.anchor)}", mark
                )
            node = anchors[event.anchor]
        else:
            node = _new_node(loader, event)
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise ComposerError(
                        f"found duplicate anchor {shown(event.anchor)}; first occurrence",
                        anchors[event.anchor].start_mark,
                        "second occurrence",
                        mark,
                    )
                anchors[event.anchor] = node
            if not isinstance(node, ScalarNode):
                if len(open_nodes) >= MAX_DEPTH:
                    raise _LimitError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
                open_nodes.append(node)
                keys.append(None)
                continue
        if not open_nodes:
            root = node
        elif isinstance(open_nodes[-1], SequenceNode):
            open_nodes[-1].value.append(node)
        elif keys[-1] is None:
            keys[-1] = node
        else:
            open_nodes[-1].value.append((keys[-1], node))
            keys[-1] = None


def _new_node(loader: _Loader, event: yaml.Event) -> Node:
    """The node a scalar or collection start event opens, its tag resolved as PyYAML does."""
    tag = getattr(event, "tag", None)
    # libyaml's marks are its own class, with the same fields as PyYAML's.
    start: Any = event.start_mark
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(ScalarNode, event.value, event.implicit)
        end: Any = event.end_mark
        return ScalarNode(tag, event.value, start, end, style=event.style)
    if isinstance(event, yaml.SequenceStartEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(SequenceNode, None, event.implicit)
        return SequenceNode(tag, [], start, None, flow_style=event.flow_style)
    assert isinstance(event, yaml.MappingStartEvent), event
    if tag is None or tag == "!":
        tag = loader.resolve(MappingNode, None, event.implicit)
    return MappingNode(tag, [], start, None, flow_style=event.flow_style)


def _documents(raw: bytes) -> list[Any]:
    loader = _Loader(raw)
    try:
        documents = []
        loader.get_event()  # StreamStartEvent
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # DocumentStartEvent
            node = _compose(loader)
            _check_expansion(node)
            documents.append(loader.construct_document(node))
        return documents
    finally:
        loader.dispose()


def _decoded(raw: bytes) -> str:
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    return raw.decode("utf-16" if utf16 else "utf-8", "replace")


def _line_column(before: str) -> str:
    """Where the text that ends with ``before`` ends."""
    line_start = before.rfind("\n") + 1
    return f"line {before.count(chr(10)) + 1}, column {len(before) - line_start + 1}"


def _where(raw: bytes, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}"
    if isinstance(exc, yaml.reader.ReaderError) and exc.encoding == "unicode":
        # PyYAML's reader, on a character YAML forbids: the position counts characters.
        return _line_column(_decoded(raw)[: exc.position])
    if isinstance(exc, yaml.reader.ReaderError):
        # Bytes that do not decode (either reader), or libyaml on a forbidden character:
        # the position counts bytes of the file.
        return _line_column(_decoded(raw[: exc.position]))
    return ""


def _problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        reason = str(exc.reason)
        if exc.encoding == "unicode" or "control characters" in reason:
            return f"not valid YAML: character U+{exc.character:04X} is not allowed in YAML"
        encoding = "UTF-16" if "UTF-16" in reason or "surrogate" in reason else "UTF-8"
        return f"not valid {encoding} text: {reason}"
    if isinstance(exc, yaml.MarkedYAMLError):
        # The location is given apart; PyYAML's own text would repeat it over several lines.
        said = [str(part) for part in (exc.context, exc.problem) if part]
        return f"not valid YAML: {'; '.join(said) or type(exc).__name__}"
    return f"not valid YAML: {' '.join(str(exc).split())}"


def read_yaml(path: Path) -> list[Any]:
    """The YAML documents in ``path`` (UTF-8, or UTF-16 with a BOM); SpecError if it cannot be
    read, is not text, is not YAML, or passes the limits."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(source, [("", f"cannot read the file: {exc.strerror}")]) from None
    try:
        return _documents(raw)
    except yaml.YAMLError as exc:
        raise SpecError(source, [(_where(raw, exc), _problem(exc))]) from None
