"""A benchmark's own copy of the sample season, so it never touches the local warehouse."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from processors.config import WarehouseSettings


def fresh_season_copy(home: Path, source: Path | None = None, make_it: str = "make sample-season") -> Path:
    """Empty `home`, copy the sample season (or `source`) into it and return the copy's path
    (exits, naming the command `make_it` that builds the source, if there is none)."""
    source = source or WarehouseSettings.from_env().local_path
    if not source.exists():
        sys.exit(f"no season at {source}: run `{make_it}` first")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    warehouse = home / "warehouse.duckdb"
    shutil.copy(source, warehouse)
    return warehouse
