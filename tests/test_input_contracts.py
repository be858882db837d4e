"""Input contracts and stale outputs on copies of the sample season, through the processors command
line (`make phase4`): each bad input is named in one line and nothing is computed from it; a
rewritten upstream shows its stale downstream until recomputed."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_fixtures import phase4_counts, select
from processors.cli import phase4 as phase4_cli
from processors.config import WarehouseSettings
from processors.input_gate import GATE, InputContractsBroken, blocked_by_gate, gate_night
from processors.monitoring import phase4_status, render_night_status
from processors.phase3_contracts import CONTRACT_TABLES, Violation, check_input_contracts
from processors.phase4 import get_processor
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

NIGHT = dt.date(2025, 1, 15)
SEASON_YEAR = 2024
PGS = "nba_analytics.player_game_summary"


def run(path, sql: str, **params) -> None:
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        wh.execute_script(Statement("test.sql", sql), params)


def a_box_score(path, before: dt.date = NIGHT, days_back: int = 1) -> dict:
    """One active player's box score of a game days_back before the night."""
    return select(path, f"SELECT player_lookup, game_id, team_abbr FROM {PGS} WHERE game_date = @d AND is_active "
                        "ORDER BY player_lookup LIMIT 1", d=before - dt.timedelta(days=days_back))[0]


def gate_rows(path, night: dt.date = NIGHT) -> list[dict]:
    return select(path, "SELECT status, errors, warnings, summary FROM nba_reference.processor_run_history "
                        "WHERE processor_name = @p AND data_date = @d ORDER BY processed_at", p=GATE, d=night)


def duplicate_box_score(path) -> str:
    row = a_box_score(path)
    run(path, f"INSERT INTO {PGS} SELECT * FROM {PGS} WHERE player_lookup = @p AND game_id = @g",
        p=row["player_lookup"], g=row["game_id"])
    return f"{PGS} duplicate_key: 1 × more than one row per (player_lookup, game_id) " \
           f"(e.g. {row['player_lookup']} {row['game_id']})"


def negative_minutes(path) -> str:
    row = a_box_score(path, days_back=3)
    run(path, f"UPDATE {PGS} SET minutes_played = -12 WHERE player_lookup = @p AND game_id = @g",
        p=row["player_lookup"], g=row["game_id"])
    return f"{PGS} minutes_out_of_range: 1 × minutes_played outside 0-70 (e.g. {row['player_lookup']} {row['game_id']})"


def makes_above_attempts(path) -> str:
    row = a_box_score(path, days_back=2)
    run(path, f"UPDATE {PGS} SET fg_makes = fg_attempts + 1 WHERE player_lookup = @p AND game_id = @g",
        p=row["player_lookup"], g=row["game_id"])
    return f"{PGS} makes_above_attempts: 1 × makes > attempts (field goals, threes, free throws, paint or " \
           f"mid-range) (e.g. {row['player_lookup']} {row['game_id']})"


def team_not_playing_tonight(path) -> str:
    playing = {r["team_abbr"] for r in select(
        path, "SELECT team_abbr FROM nba_analytics.upcoming_team_game_context WHERE game_date = @d", d=NIGHT)}
    idle = sorted({r["team_abbr"] for r in select(path, "SELECT DISTINCT team_abbr FROM nba_raw.team_schedule")}
                  - playing)[0]
    fake_game = f"{NIGHT:%Y%m%d}_{idle}_XXX"
    for table in ("upcoming_player_game_context", "upcoming_team_game_context"):
        source = "player_lookup IN (SELECT MIN(player_lookup) FROM nba_analytics.upcoming_player_game_context " \
                 "WHERE game_date = @d)" if table.startswith("upcoming_player") else \
                 "team_abbr = (SELECT MIN(team_abbr) FROM nba_analytics.upcoming_team_game_context WHERE game_date = @d)"
        run(path, f"CREATE TEMP TABLE extra AS SELECT * FROM nba_analytics.{table} WHERE game_date = @d AND {source}",
            d=NIGHT)
        run(path, "UPDATE extra SET team_abbr = @t, game_id = @g", t=idle, g=fake_game)
        if table.startswith("upcoming_player"):
            run(path, "UPDATE extra SET player_lookup = CONCAT(player_lookup, 'ghost')")
        run(path, f"INSERT INTO nba_analytics.{table} SELECT * FROM extra; DROP TABLE extra")
    return "nba_analytics.upcoming_player_game_context not_on_schedule: 1 × no game scheduled that night"


def older_box_scores_missing(path) -> str:
    row = a_box_score(path, days_back=9)
    run(path, f"DELETE FROM {PGS} WHERE game_id = @g AND team_abbr = @t", g=row["game_id"], t=row["team_abbr"])
    return f"{PGS} final_game_missing: 1 × a final game of the season with no rows for one of its teams " \
           f"(e.g. {row['team_abbr']} {row['game_id']})"


def empty_player_lookup(path) -> str:
    run(path, "UPDATE nba_analytics.upcoming_player_game_context SET player_lookup = '' WHERE game_date = @d "
              "AND player_lookup = (SELECT MIN(player_lookup) FROM nba_analytics.upcoming_player_game_context "
              "WHERE game_date = @d)", d=NIGHT)
    return "nba_analytics.upcoming_player_game_context empty_key: 1 × player_lookup, game_id, team_abbr or " \
           "opponent_team_abbr NULL or empty (e.g. ''"


BAD_INPUTS = [duplicate_box_score, negative_minutes, makes_above_attempts, team_not_playing_tonight,
              older_box_scores_missing, empty_player_lookup]


def test_clean_nights_meet_every_contract(season_warehouse):
    for night in (dt.date(2024, 10, 22), dt.date(2024, 10, 29), NIGHT, dt.date(2025, 2, 20), dt.date(2025, 4, 13)):
        report = check_input_contracts(season_warehouse, night, SEASON_YEAR)
        assert report.holds, report.lines
    assert len(CONTRACT_TABLES) == 6


@pytest.mark.parametrize("corrupt", BAD_INPUTS, ids=lambda f: f.__name__)
def test_bad_input_stops_the_night_naming_the_rule(corrupt, night_warehouse, capsys):
    expected = corrupt(night_warehouse)
    assert phase4_cli.main(["--date", NIGHT.isoformat()]) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "nothing computed" in err and "input_checks=warn" in err
    assert not any(phase4_counts(night_warehouse, NIGHT).values())
    assert not select(night_warehouse, "SELECT 1 FROM nba_reference.processor_run_history "
                                       "WHERE data_date = @d AND phase = 'phase4'", d=NIGHT)
    [gate] = gate_rows(night_warehouse)
    assert gate["status"] == "failed" and any(expected.split(" (e.g.")[0] in e for e in gate["errors"])
    assert gate["summary"]["input_checks"] == "enforce" and gate["summary"]["waived"] is False
    with LocalWarehouse(WarehouseSettings(local_path=night_warehouse)) as wh:
        assert "input contracts" in blocked_by_gate(wh, NIGHT)  # Phase 5 will not predict this night
        status = render_night_status(wh, NIGHT)  # make status
    assert "Input contracts: failed — Phase 3 inputs of 2025-01-15 break" in status and expected in status


def test_an_operator_waives_the_checks_and_the_history_says_so(night_warehouse, capsys):
    expected = duplicate_box_score(night_warehouse)
    assert phase4_cli.main(["--date", NIGHT.isoformat(), "--input-checks", "warn", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "waived (input_checks=warn)" in err and expected in err
    assert all(phase4_counts(night_warehouse, NIGHT).values())
    [gate] = gate_rows(night_warehouse)
    assert gate["status"] == "partial" and gate["summary"]["waived"] is True
    assert gate["summary"]["decision"] == "input_checks_waived"
    assert gate["summary"]["violations"][0]["rule"] == "duplicate_key" and expected in gate["warnings"][0]
    with LocalWarehouse(WarehouseSettings(local_path=night_warehouse)) as wh:
        assert blocked_by_gate(wh, NIGHT) is None


def test_checks_off_skip_the_gate_and_record_it(night_warehouse):
    duplicate_box_score(night_warehouse)
    assert phase4_cli.main(["--date", NIGHT.isoformat(), "--input-checks", "off", "--quiet"]) == 0
    [gate] = gate_rows(night_warehouse)
    assert gate["status"] == "skipped" and gate["summary"]["decision"] == "input_checks_off"


def test_the_command_line_waits_for_nothing_but_refuses_a_night_not_ready(night_warehouse, capsys):
    run(night_warehouse, "DELETE FROM nba_analytics.upcoming_team_game_context WHERE game_date = @d", d=NIGHT)
    assert phase4_cli.main(["--date", NIGHT.isoformat()]) == 1
    err = capsys.readouterr().err
    assert "Phase 3 not ready for 2025-01-15: nothing computed" in err
    assert "nba_analytics.upcoming_team_game_context not ready for 2025-01-15" in err
    assert not any(phase4_counts(night_warehouse, NIGHT).values())


def test_a_violation_line_names_table_rule_count_and_examples():
    violation = Violation(table=PGS, rule="duplicate_key", description="more than one row per (player_lookup, game_id)",
                          count=2, example_keys=("a 1", "'' 2"))
    assert violation.line == f"{PGS} duplicate_key: 2 × more than one row per (player_lookup, game_id) (e.g. a 1; '' 2)"


def test_gate_enforce_raises_with_one_line_per_rule(night_warehouse):
    duplicate_box_score(night_warehouse)
    negative_minutes(night_warehouse)
    with LocalWarehouse(WarehouseSettings(local_path=night_warehouse)) as wh, \
            pytest.raises(InputContractsBroken) as caught:
        gate_night(wh, NIGHT)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("Phase 3 inputs of 2025-01-15 break 2 contract rule(s) in "
                               "nba_analytics.player_game_summary: nothing computed")
    assert [line.split(":")[0] for line in lines[1:]] == [f"{PGS} duplicate_key", f"{PGS} minutes_out_of_range"]


# --- stale outputs ----------------------------------------------------------------------

def stale_of(path, night: dt.date = NIGHT) -> dict[str, str | None]:
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        return {r["processor_name"]: r["stale_reason"] for r in phase4_status(wh, night)}


def test_a_processor_rerun_alone_leaves_its_downstream_stale_until_recomputed(night_warehouse, capsys):
    night = NIGHT.isoformat()
    assert phase4_cli.main(["--date", night, "--quiet"]) == 0
    assert set(stale_of(night_warehouse).values()) == {None}
    row = a_box_score(night_warehouse, days_back=2)  # a box-score correction, then P2 alone
    run(night_warehouse, f"UPDATE {PGS} SET points = points + 2, ft_makes = ft_makes + 2, "
                         "ft_attempts = ft_attempts + 2 WHERE player_lookup = @p AND game_id = @g",
        p=row["player_lookup"], g=row["game_id"])
    assert phase4_cli.main(["--date", night, "--processor", "player_shot_zone_analysis", "--quiet"]) == 0
    err = capsys.readouterr().err
    stale = stale_of(night_warehouse)
    assert stale["player_shot_zone_analysis"] is None  # recomputed on the corrected inputs
    assert stale["team_defense_zone_analysis"] is None  # it does not read player box scores
    for downstream in ("player_composite_factors", "player_daily_cache", "ml_feature_store_v2"):
        assert stale[downstream] == "Phase 3 player_game_summary changed since it was computed; " \
                                    "player_shot_zone_analysis rewritten after it"
        assert f"{downstream} for {night} is stale" in err
    alerts = select(night_warehouse, "SELECT severity, title, message FROM nba_reference.pipeline_alerts "
                                     "WHERE game_date = @d", d=NIGHT)
    assert [(a["severity"], a["title"]) for a in alerts] == [("warning", f"Phase 4 outputs stale for {night}")]
    assert phase4_cli.main(["--date", night, "--quiet"]) == 0  # the whole night: everything current again
    assert set(stale_of(night_warehouse).values()) == {None}


def test_outputs_record_what_they_were_computed_from(night_warehouse):
    assert phase4_cli.main(["--date", NIGHT.isoformat(), "--quiet"]) == 0
    rows = select(night_warehouse, "SELECT processor_name, run_id, summary FROM nba_reference.processor_run_history "
                                   "WHERE data_date = @d AND phase = 'phase4' AND status != 'running'", d=NIGHT)
    run_ids = {r["processor_name"]: r["run_id"] for r in rows}
    lineage = {r["processor_name"]: r["summary"]["lineage"] for r in rows}
    for name, recorded in lineage.items():
        assert set(recorded["phase3_fingerprints"]) == set(get_processor(name).phase3_inputs)
    assert len({lin["phase3_fingerprints"]["nbac_schedule"] for lin in lineage.values()}) == 1
    assert lineage["player_daily_cache"]["upstream_runs"] == {
        "player_shot_zone_analysis": run_ids["player_shot_zone_analysis"]}
    assert lineage["ml_feature_store_v2"]["upstream_runs"] == {
        name: run_ids[name] for name in ("team_defense_zone_analysis", "player_shot_zone_analysis",
                                         "player_composite_factors", "player_daily_cache")}
    assert lineage["team_defense_zone_analysis"]["upstream_runs"] == {}


def test_each_processor_declares_the_phase3_tables_its_sql_reads():
    """Lineage follows the declared inputs: a table read but not declared would never make it stale."""
    import re

    from processors.config import SQL_ROOT
    from processors.phase4 import PROCESSOR_NAMES
    from processors.warehouse.statements import _with_includes

    for name in PROCESSOR_NAMES:
        files = [f"phase4/{name}.sql"] + (["phase4/ml_feature_store_v2_placeholders.sql"]
                                          if name == "ml_feature_store_v2" else [])
        read = set()
        for file in files:
            text = _with_includes(file, (SQL_ROOT / file).read_text(), SQL_ROOT)
            read |= set(re.findall(r"\{\{ nba_analytics \}\}\.(\w+)", text))
        assert read | {"nbac_schedule"} == set(get_processor(name).phase3_inputs), name


def test_the_status_sql_knows_the_processor_graph():
    """monitoring/phase4_status.sql spells out each processor's upstreams (BigQuery has no
    parameter for a map): they must be the DAG's."""
    import re

    from processors.config import SQL_ROOT
    from processors.phase4 import UPSTREAM

    text = (SQL_ROOT / "monitoring/phase4_status.sql").read_text()
    declared = {name: tuple(re.findall(r"'(\w+)'", upstream)) for name, upstream in re.findall(
        r"'(\w+)' AS processor_name,\s*(CAST\(\[\] AS ARRAY<STRING>\)|\[[^\]]*\]) AS upstream", text)}
    assert declared == UPSTREAM
