"""SQL statements from include/sql: loaded by name, identifiers templated, values never.

Files use `{{ name }}` for identifiers only (project, dataset, table, column
lists); every value is a named query parameter (`@game_date`). A piece of SQL
several statements share lives in its own file and is pulled in with
`{{ include phase4/shared/<file>.sql }}` (rendered with the same identifiers).
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
_INCLUDE = re.compile(r"\{\{\s*include\s+([\w/.\-]+\.sql)\s*\}\}")
_MAX_INCLUDE_DEPTH = 4


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
    return render(name, _with_includes(name, _read(path), root), identifiers, fragments)


def _with_includes(name: str, text: str, root: Path, depth: int = 0) -> str:
    """Replace each `{{ include <file> }}` by that file's text (its own includes expanded)."""

    def include(match: re.Match[str]) -> str:
        included = match.group(1)
        if depth >= _MAX_INCLUDE_DEPTH:
            raise WarehouseError(name, f"includes nest deeper than {_MAX_INCLUDE_DEPTH} at {included} (a cycle?)")
        if not (root / included).is_file():
            raise WarehouseError(name, f"includes {included}: no such SQL file under {root}")
        return _with_includes(name, _read(root / included), root, depth + 1).strip().rstrip(";")

    return _INCLUDE.sub(include, text)
