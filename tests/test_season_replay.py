"""Replaying a season (the season report's engine) on the mini season: one worker or two give the
same nights and the same warehouse, a refused night is reported with its reason, a failing worker
stops the replay. On nights of the mini season (six teams): a night costs about as much as a real one
(statements, not rows, take the time), so the tests replay a handful."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from mini_season import NIGHTS, load_mini_season
from processors.config import WarehouseSettings
from processors.season_replay import season_nights
from processors.season_report import night_row
from processors.season_shards import OUTPUT_DATASETS, ShardFailed, replay_season_rows
from processors.warehouse import Statement, schema
from processors.warehouse.local import LocalWarehouse

SEASON_YEAR = 2024
PGS = "nba_analytics.player_game_summary"


@pytest.fixture
def mini_file(tmp_path):
    """A warehouse file holding only the mini season's Phase 3 data."""
    path = tmp_path / "mini.duckdb"
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        warehouse.create_schema()
        load_mini_season(warehouse)
    return path


def _nights(path) -> list[dt.date]:
    with LocalWarehouse(WarehouseSettings(local_path=path), read_only=True) as warehouse:
        return season_nights(warehouse, SEASON_YEAR)


def _output_counts(path) -> dict[str, int]:
    with LocalWarehouse(WarehouseSettings(local_path=path), read_only=True) as warehouse:
        return {t.key: warehouse.table_row_count(t.key) for t in schema.all_tables().values()
                if t.dataset in OUTPUT_DATASETS}


@pytest.mark.slow  # two worker processes replay seven nights each way: about 15 s (30 s on a busy machine)
def test_two_workers_replay_the_same_season_as_one(mini_file, tmp_path):
    alone = tmp_path / "alone.duckdb"
    shutil.copy(mini_file, alone)
    nights = sorted(NIGHTS.values())  # one of each kind (bootstrap, off, regular ...): nights are independent
    earlier, nights = nights[:1], nights[1:]
    for path in (alone, mini_file):  # outputs already in the file: the copies carry them, the merge must not
        list(replay_season_rows(path, earlier, workers=1))
    by_one = list(replay_season_rows(alone, nights, workers=1))
    by_two = list(replay_season_rows(mini_file, nights, workers=2))
    assert [r.game_date for r in by_two] == nights  # in night order, whichever worker finished first
    assert by_two == by_one
    assert sum(r.p5_rows for r in by_two) > 0 and any(r.eligible for r in by_two)  # the nights did work
    counts = _output_counts(mini_file)
    assert counts == _output_counts(alone) and counts["nba_reference.processor_run_history"] > len(nights)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alone.duckdb", "mini.duckdb"]  # the copies are gone


def test_a_night_whose_inputs_break_a_contract_is_refused_and_reported_with_the_reason(mini_file):
    night = NIGHTS["regular"]
    with LocalWarehouse(WarehouseSettings(local_path=mini_file)) as warehouse:
        warehouse.execute_script(Statement("duplicate.sql", (
            f"INSERT INTO {PGS} SELECT * FROM {PGS} WHERE game_date = @d "
            f"QUALIFY ROW_NUMBER() OVER (ORDER BY player_lookup) = 1")), {"d": night - dt.timedelta(days=1)})
    [row] = replay_season_rows(mini_file, [night], workers=1)
    assert (row.p1_rows, row.p5_rows, row.phase5, row.sla) == (0, 0, "skipped", "missed")
    assert row.alerts_critical == 1
    assert row.note.startswith("Task phase3_readiness.check_input_contracts failed; Phase 5 skipped: "
                               f"the Phase 3 input contracts of {night} are broken")
    with LocalWarehouse(WarehouseSettings(local_path=mini_file), read_only=True) as warehouse:
        assert night_row(warehouse, night) == row  # read again from the file: what the warehouse records


def test_a_failing_worker_stops_the_replay_and_says_why(mini_file, tmp_path):
    nights = _nights(mini_file)
    outside = nights[-1] + dt.timedelta(days=30)  # no season there: the worker given it fails
    with pytest.raises(ShardFailed, match="NoScheduleError"):
        list(replay_season_rows(mini_file, [*nights[:3], outside], workers=2))
    assert not [p.name for p in tmp_path.iterdir() if ".shard" in p.name]  # the copies are removed all the same
