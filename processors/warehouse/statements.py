"""SQL statements from include/sql: loaded by name, identifiers templated, values never.

Files use `{{ name }}` for identifiers only (project, dataset, table, column
lists); every value is a named query parameter (`@game_date`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from processors.config import SQL_ROOT
from processors.warehouse.errors import WarehouseError

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_SAFE_IDENTIFIER = re.compile(r"^[A-Za-z0-9_\-]+$")


@dataclass(frozen=True)
class Statement:
    """A rendered SQL text and the name errors are reported under (its file)."""

    name: str
    text: str


@cache
def _read(path: Path) -> str:
    return path.read_text()


def render(
    name: str, text: str, identifiers: dict[str, str], fragments: dict[str, str] | None = None
) -> Statement:
    """Fill `{{ placeholders }}`: identifiers must be plain names; fragments are trusted SQL."""
    fragments = fragments or {}

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in fragments:
            return fragments[key]
        if key not in identifiers:
            raise WarehouseError(name, f"unknown template identifier {{{{ {key} }}}}")
        value = identifiers[key]
        if not _SAFE_IDENTIFIER.match(value):
            raise WarehouseError(name, f"identifier {key}={value!r} is not a plain name")
        return value

    return Statement(name=name, text=_PLACEHOLDER.sub(fill, text))


def load(
    name: str, identifiers: dict[str, str], fragments: dict[str, str] | None = None, root: Path = SQL_ROOT
) -> Statement:
    """Load `include/sql/<name>` and render it."""
    path = root / name
    if not path.is_file():
        raise WarehouseError(name, f"no such SQL file under {root}")
    return render(name, _read(path), identifiers, fragments)
