from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._files import dump_yaml

__all__ = ["serialise", "write_tree"]


def serialise(relative: str, content: Any) -> str:
    """File text for ``content``, by the file's extension."""
    if isinstance(content, str):
        return content
    if relative.endswith((".yml", ".yaml")):
        return dump_yaml(content)
    if relative.endswith(".json"):
        return json.dumps(content, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"no serialiser for {relative} ({type(content).__name__})")


def write_tree(root: Path, tree: Mapping[str, Any]) -> list[Path]:
    """Write every file of ``tree`` under ``root``.

    Everything is serialised and staged first, so an error leaves ``root`` untouched; files are
    then moved in one by one with atomic renames.
    """
    texts = {relative: serialise(relative, content) for relative, content in tree.items()}
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.staging-", dir=root.parent))
    try:
        for relative, text in texts.items():
            staged = staging / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(text, encoding="utf-8")
        written = []
        for relative in texts:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
