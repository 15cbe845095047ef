"""The only code that writes generated files. Output is deterministic: same input, same bytes."""

from ._files import append_text, dump_yaml, write_text, write_yaml
from ._tree import serialise, write_tree

__all__ = ["append_text", "dump_yaml", "serialise", "write_text", "write_tree", "write_yaml"]
