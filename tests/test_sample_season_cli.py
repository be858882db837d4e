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
def test_rebuilt_only_when_season_seed_or_generator_code_change(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NBA_WAREHOUSE_BACKEND", "local")
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(tmp_path / "nba.duckdb"))

    def build() -> str:
        assert cli.main(["--season", "2024", "--seed", "7", "--if-missing"]) == 0
        return capsys.readouterr().out.splitlines()[0]

    assert build().startswith("Sample season 2024-25 (seed 7) -> ")        # nothing there yet: built
    assert build().endswith("kept (make sample-season rebuilds it)")        # same inputs: kept
    monkeypatch.setattr(cli, "generator_digest", lambda: "0123456789abcdef")  # the generator code changed
    assert build().startswith("Sample season 2024-25 (seed 7) -> ")
    assert build().endswith("kept (make sample-season rebuilds it)")


@pytest.mark.slow
def test_a_rebuild_from_other_inputs_clears_what_was_computed_from_the_old_ones(tmp_path, monkeypatch, capsys):
    """Phase 4 rows and run history of a previous generator or seed describe inputs that are gone: a rebuild
    with other inputs deletes them (and says so); a rebuild with the same inputs keeps them."""
    path = tmp_path / "nba.duckdb"
    monkeypatch.setenv("NBA_WAREHOUSE_BACKEND", "local")
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(path))
    assert cli.main(["--season", "2024", "--seed", "7"]) == 0
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        get_processor("team_defense_zone_analysis").run(warehouse, NIGHT)

    def derived_rows() -> tuple[int, int]:
        with LocalWarehouse(WarehouseSettings(local_path=path), read_only=True) as warehouse:
            return (warehouse.partition_row_count("nba_precompute.team_defense_zone_analysis", NIGHT),
                    warehouse.table_row_count("nba_reference.processor_run_history"))

    assert derived_rows()[0] == 30
    capsys.readouterr()
    assert cli.main(["--season", "2024", "--seed", "7"]) == 0          # same inputs: outputs still describe them
    assert "cleared" not in capsys.readouterr().out and derived_rows()[0] == 30
    monkeypatch.setattr(cli, "generator_digest", lambda: "0123456789abcdef")
    assert cli.main(["--season", "2024", "--seed", "7"]) == 0
    assert "cleared 32 rows computed from the previous build of this season" in capsys.readouterr().out
    assert derived_rows() == (0, 0)


def test_the_generator_digest_follows_its_source_files(tmp_path):
    copy = tmp_path / "sample_season"
    shutil.copytree(cli.GENERATOR_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cli.generator_digest(copy) == cli.generator_digest()
    with (copy / "box_scores.py").open("a") as source:
        source.write("# one more line\n")
    assert cli.generator_digest(copy) != cli.generator_digest()
