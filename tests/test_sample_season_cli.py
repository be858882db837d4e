"""`make season-if-missing` (make airflow-up): the season is rebuilt only when its inputs change."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from processors.cli import sample_season as cli
from processors.config import WarehouseSettings
from processors.phase4 import get_processor
from processors.warehouse.local import LocalWarehouse

NIGHT = dt.date(2025, 1, 15)


@pytest.mark.slow
def test_rebuilt_only_when_its_inputs_change_and_then_without_the_old_outputs(tmp_path, monkeypatch, capsys):
    """--if-missing keeps a season built from the same seed and generator code. A rebuild from other inputs
    (here: the generator code) also deletes what was computed from the old ones and says so; a rebuild from
    the same inputs keeps those outputs (they still describe their inputs)."""
    path = tmp_path / "nba.duckdb"
    monkeypatch.setenv("NBA_WAREHOUSE_BACKEND", "local")
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(path))

    def build(*flags: str) -> str:
        assert cli.main(["--season", "2024", "--seed", "7", *flags]) == 0
        return capsys.readouterr().out

    def derived_rows() -> tuple[int, int]:
        with LocalWarehouse(WarehouseSettings(local_path=path), read_only=True) as warehouse:
            return (warehouse.partition_row_count("nba_precompute.team_defense_zone_analysis", NIGHT),
                    warehouse.table_row_count("nba_reference.processor_run_history"))

    assert build("--if-missing").startswith("Sample season 2024-25 (seed 7) -> ")  # nothing there yet: built
    assert build("--if-missing").splitlines()[0].endswith("kept (make sample-season rebuilds it)")
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        get_processor("team_defense_zone_analysis").run(warehouse, NIGHT)
    assert derived_rows()[0] == 30
    assert "cleared" not in build()                      # rebuilt from the same inputs: outputs kept
    assert derived_rows()[0] == 30
    monkeypatch.setattr(cli, "generator_digest", lambda: "0123456789abcdef")  # the generator code changed
    out = build("--if-missing")
    assert out.startswith("Sample season 2024-25 (seed 7) -> ")
    assert "cleared 32 rows computed from the previous build of this season" in out
    assert derived_rows() == (0, 0)
    assert build("--if-missing").splitlines()[0].endswith("kept (make sample-season rebuilds it)")


def test_the_generator_digest_follows_its_source_files(tmp_path):
    copy = tmp_path / "sample_season"
    shutil.copytree(cli.GENERATOR_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cli.generator_digest(copy) == cli.generator_digest()
    with (copy / "box_scores.py").open("a") as source:
        source.write("# one more line\n")
    assert cli.generator_digest(copy) != cli.generator_digest()
