"""All five processors together on the sample season: a month of nights, reruns,
no leakage end to end, the command line."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from processors.cli import phase4 as command
from processors.cli.sample_season import load_season
from processors.config import WarehouseSettings
from processors.phase4 import PROCESSOR_NAMES
from processors.phase4.calendar import NoScheduleError
from processors.phase4.night import dates_between, run_night
from processors.sample_season import generate_season
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

MONTH = (dt.date(2025, 1, 1), dt.date(2025, 1, 31))
NIGHT = dt.date(2025, 1, 15)
VOLATILE = {"processed_at", "created_at", "feature_generation_time_ms"}


def copy_of(settings: WarehouseSettings, tmp_path, name: str) -> LocalWarehouse:
    path = tmp_path / name
    shutil.copy(settings.local_path, path)
    return LocalWarehouse(WarehouseSettings(local_path=path))


def select(wh, sql: str, **params) -> list[dict]:
    return wh.query(Statement("test.sql", sql), params)


def stable(rows: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in VOLATILE} for r in rows), key=repr)


def night_outputs(wh, night: dt.date) -> dict[str, list[dict]]:
    tables = {
        "team_defense_zone_analysis": ("nba_precompute", "analysis_date"),
        "player_shot_zone_analysis": ("nba_precompute", "analysis_date"),
        "player_composite_factors": ("nba_precompute", "game_date"),
        "player_daily_cache": ("nba_precompute", "cache_date"),
        "ml_feature_store_v2": ("nba_predictions", "game_date"),
    }
    return {name: stable(select(wh, f"SELECT * FROM {ds}.{name} WHERE {col} = @d", d=night))
            for name, (ds, col) in tables.items()}


@pytest.fixture(scope="module")
def january(season_warehouse_settings, tmp_path_factory):
    """Every night of January 2025 processed once, on a copy of the sample season."""
    wh = copy_of(season_warehouse_settings, tmp_path_factory.mktemp("january"), "january.duckdb")
    results = {night: run_night(wh, night) for night in dates_between(*MONTH)}
    yield wh, results
    wh.close()


def test_every_night_of_a_month_succeeds(january):
    _, results = january
    game_nights = [n for n, rs in results.items() if rs[0].decision != "no_games_scheduled"]
    assert len(game_nights) >= 25
    for night in game_nights:
        statuses = {r.processor: r.status for r in results[night]}
        assert set(statuses.values()) <= {"success", "partial"}, (night, statuses)


def test_month_invariants_on_every_row(january):
    wh, _ = january
    p1 = select(wh, """SELECT analysis_date, COUNT(*) AS teams FROM nba_precompute.team_defense_zone_analysis
                       WHERE analysis_date BETWEEN @a AND @b GROUP BY analysis_date""", a=MONTH[0], b=MONTH[1])
    assert p1 and all(r["teams"] == 30 for r in p1)
    bad_rates = select(wh, """
        SELECT COUNT(*) AS n FROM nba_precompute.player_shot_zone_analysis
        WHERE analysis_date BETWEEN @a AND @b AND (
          paint_rate_last_10 NOT BETWEEN 0 AND 100 OR three_pt_rate_last_10 NOT BETWEEN 0 AND 100
          OR paint_pct_last_10 NOT BETWEEN 0 AND 1 OR three_pt_pct_last_10 NOT BETWEEN 0 AND 1
          OR ABS(paint_rate_last_10 + mid_range_rate_last_10 + three_pt_rate_last_10 - 100) > 0.01)""",
                       a=MONTH[0], b=MONTH[1])
    assert bad_rates[0]["n"] == 0
    bad_factors = select(wh, """
        SELECT COUNT(*) AS n FROM nba_precompute.player_composite_factors
        WHERE game_date BETWEEN @a AND @b AND (fatigue_score NOT BETWEEN 0 AND 100
          OR ABS(shot_zone_mismatch_score) > 10 OR ABS(pace_score) > 3 OR ABS(usage_spike_score) > 3)""",
                         a=MONTH[0], b=MONTH[1])
    assert bad_factors[0]["n"] == 0
    features = select(wh, """
        SELECT COUNT(*) AS n_rows,
               COUNTIF(ARRAY_LENGTH(features) != 25 OR ARRAY_LENGTH(feature_names) != 25) AS bad_length,
               COUNTIF(feature_quality_score < 0 OR feature_quality_score > 97) AS bad_quality,
               MAX(feature_quality_score) AS max_quality,
               AVG(IF(is_production_ready, 1.0, 0.0)) AS ready_share
        FROM nba_predictions.ml_feature_store_v2 WHERE game_date BETWEEN @a AND @b""", a=MONTH[0], b=MONTH[1])[0]
    assert features["n_rows"] > 2000 and features["bad_length"] == 0 and features["bad_quality"] == 0
    assert float(features["max_quality"]) <= 97.0
    print(f"January 2025 feature rows: {features['n_rows']}, production-ready share {features['ready_share']:.1%}")
    assert 0.4 <= features["ready_share"] <= 0.98  # injuries and rest keep some players below 90 %


def test_rerunning_a_night_gives_identical_rows_and_touches_no_other_night(january, season_warehouse_settings, tmp_path):
    wh, _ = january
    before, neighbour = night_outputs(wh, NIGHT), night_outputs(wh, NIGHT - dt.timedelta(days=1))
    run_night(wh, NIGHT)
    assert night_outputs(wh, NIGHT) == before  # same rows, same data_hash, no duplicates
    assert night_outputs(wh, NIGHT - dt.timedelta(days=1)) == neighbour


def test_every_run_is_in_the_history_started_then_finished(january):
    wh, results = january
    runs = select(wh, """SELECT processor_name, COUNT(DISTINCT run_id) AS runs,
                                STRING_AGG(status, ',' ORDER BY processed_at) AS statuses
                         FROM nba_reference.processor_run_history
                         WHERE data_date = @d GROUP BY processor_name""", d=dt.date(2025, 1, 20))
    assert {r["processor_name"]: (r["runs"], r["statuses"]) for r in runs} == dict.fromkeys(
        PROCESSOR_NAMES, (1, "running,success"))


def test_no_leakage_end_to_end(season_warehouse_settings, tmp_path):
    """The night computed with the whole season loaded equals the night computed when
    nothing on or after game_date exists yet."""
    full = copy_of(season_warehouse_settings, tmp_path, "full.duckdb")
    truncated = LocalWarehouse(WarehouseSettings(local_path=tmp_path / "truncated.duckdb"))
    load_season(truncated, generate_season(2024, 42, as_of=NIGHT))
    run_night(full, NIGHT)
    run_night(truncated, NIGHT)
    assert night_outputs(full, NIGHT) == night_outputs(truncated, NIGHT)


def test_command_line_runs_a_night_and_prints_the_table(season_warehouse_settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(copy_of(season_warehouse_settings, tmp_path, "cli.duckdb").path))
    assert command.main(["--date", "2024-11-20"]) == 0
    out = capsys.readouterr().out
    for name in PROCESSOR_NAMES:
        assert name in out
    assert "Phase 4, game_date 2024-11-20" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2025-02-30"], "expected an ISO date YYYY-MM-DD, got '2025-02-30'"),
    (["--date", "2025-01-15", "--processor", "nope"], "invalid choice: 'nope'"),
    (["--date", "2025-01-15", "--end", "2025-01-10"], "end date 2025-01-10 is before start date 2025-01-15"),
])
def test_command_line_rejects_bad_input(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        command.main(args)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_a_date_without_phase3_data_is_a_clear_error_and_writes_nothing(season_warehouse_settings, tmp_path):
    wh = copy_of(season_warehouse_settings, tmp_path, "empty.duckdb")
    with pytest.raises(NoScheduleError, match="no Phase 3 data for 2025-07-01"):
        run_night(wh, dt.date(2025, 7, 1))
    assert not wh.has_rows("nba_reference.processor_run_history")
    with pytest.raises(ValueError, match="unknown processor 'p9'"):
        run_night(wh, NIGHT, ["p9"])
    assert not wh.has_rows("nba_precompute.team_defense_zone_analysis")


def test_a_missing_upstream_table_fails_its_processor_and_stops_its_dependents(season_warehouse_settings, tmp_path):
    wh = copy_of(season_warehouse_settings, tmp_path, "dropped.duckdb")
    wh.execute_script(Statement("drop.sql", "DROP TABLE nba_precompute.player_shot_zone_analysis"))
    results = {r.processor: r for r in run_night(wh, NIGHT)}
    assert results["team_defense_zone_analysis"].status == "success"
    assert results["player_shot_zone_analysis"].status == "failed"
    assert "player_shot_zone_analysis" in results["player_shot_zone_analysis"].message
    for dependent in ("player_composite_factors", "player_daily_cache", "ml_feature_store_v2"):
        assert (results[dependent].status, results[dependent].decision) == ("skipped", "upstream_failed")
    assert not wh.has_rows("nba_predictions.ml_feature_store_v2", NIGHT)


def test_first_nights_after_the_bootstrap_run_without_a_player_cache(season_warehouse_settings, tmp_path):
    """Day 7: nobody has 5 games yet, so P4 has nothing to compute; P5 falls back to Phase 3."""
    wh = copy_of(season_warehouse_settings, tmp_path, "day7.duckdb")
    results = {r.processor: r for r in run_night(wh, dt.date(2024, 10, 29))}
    assert (results["player_daily_cache"].status, results["player_daily_cache"].decision) == \
        ("skipped", "no_eligible_rows")
    assert results["ml_feature_store_v2"].status in ("success", "partial")
    assert results["ml_feature_store_v2"].rows_written > 0
    assert all(r.status != "failed" for r in results.values())


def test_bootstrap_night_writes_only_placeholders(season_warehouse_settings, tmp_path):
    wh = copy_of(season_warehouse_settings, tmp_path, "day2.duckdb")
    results = {r.processor: r for r in run_night(wh, dt.date(2024, 10, 24))}
    for name in PROCESSOR_NAMES[:4]:
        assert (results[name].status, results[name].decision) == ("skipped", "early_season_bootstrap")
    p5 = results["ml_feature_store_v2"]
    assert p5.status in ("success", "partial") and p5.rows_written > 0
    assert (p5.decision, p5.production_ready) == ("early_season_placeholders", 0)
    sources = select(wh, "SELECT DISTINCT data_source FROM nba_predictions.ml_feature_store_v2")
    assert sources == [{"data_source": "early_season"}]
