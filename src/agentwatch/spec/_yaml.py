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


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: bytes) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        # PyYAML composes nested nodes recursively: past the limit it would hit Python's
        # recursion limit instead.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _LimitError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

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
        value = super().construct_yaml_int(node)
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


def _documents(raw: bytes) -> list[Any]:
    loader = _Loader(raw)
    try:
        documents = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
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
        # A character YAML forbids: the position counts characters of the decoded text.
        return _line_column(_decoded(raw)[: exc.position])
    if isinstance(exc, yaml.reader.ReaderError):
        # Bytes that do not decode: the position counts bytes of the file.
        return _line_column(_decoded(raw[: exc.position]))
    return ""


def _problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError) and exc.encoding == "unicode":
        return f"not valid YAML: character U+{exc.character:04X} is not allowed in YAML"
    if isinstance(exc, yaml.reader.ReaderError):
        return f"not valid {str(exc.encoding).upper()} text: {exc.reason}"
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
