"""A benchmark's own copy of the sample season, so it never touches the local warehouse."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from processors.config import WarehouseSettings


def fresh_season_copy(home: Path) -> Path:
    """Empty `home`, copy the sample season into it and return the copy's path (exits if there is none)."""
    source = WarehouseSettings.from_env().local_path
    if not source.exists():
        sys.exit(f"no sample season at {source}: run `make sample-season` first")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    warehouse = home / "warehouse.duckdb"
    shutil.copy(source, warehouse)
    return warehouse
