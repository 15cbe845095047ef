"""The only code that writes generated files. Output is deterministic: same input, same bytes."""

from ._files import dump_yaml, write_text, write_yaml

__all__ = ["dump_yaml", "write_text", "write_yaml"]
