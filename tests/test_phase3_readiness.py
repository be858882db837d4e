"""Phase 3 readiness for a night: hand-built leagues for each rule, then the sample season."""

from __future__ import annotations

import datetime as dt

import pytest

from phase4_fixtures import SEASON_YEAR, League, day, game_id
from processors.cli.sample_season import load_season
from processors.config import WarehouseSettings
from processors.phase3_readiness import (
    BOX_SCORE_TABLES,
    PHASE3_TABLES,
    Phase3Readiness,
    check_phase3,
    check_phase3_table,
)
from processors.sample_season import generate_season
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

NIGHT = day(4)
CONTEXT_TABLES = ("upcoming_player_game_context", "upcoming_team_game_context")
# (away, home) pairs; every team plays on day 0 and day 2, and again on the night.
GAMES = {
    day(0): [("BOS", "NYK"), ("DEN", "LAL")],
    day(2): [("LAL", "BOS"), ("NYK", "DEN")],
    NIGHT: [("BOS", "NYK"), ("DEN", "LAL")],
}


def final_game(league: League, date: dt.date, away: str, home: str) -> None:
    """A final game with box-score rows for both teams (two players each)."""
    gid = league.game(date, away, home)
    for team, opponent, home_game in ((home, away, True), (away, home, False)):
        for n in (1, 2):
            league.player_game(f"{team.lower()}player{n}", team, opponent, date, gid, home_game=home_game)


def night_game(league: League, date: dt.date, away: str, home: str, skip: dict[str, set[str]]) -> None:
    """A scheduled game on the night with its upcoming context, except the teams in skip[table]."""
    league.game(date, away, home, status=1)
    for team, opponent, home_game in ((home, away, True), (away, home, False)):
        if team not in skip.get("upcoming_team_game_context", set()):
            league.upcoming_team(team, opponent, date, game_id=game_id(date, away, home), home_game=home_game)
        if team not in skip.get("upcoming_player_game_context", set()):
            for n in (1, 2):
                league.upcoming_player(f"{team.lower()}player{n}", team, opponent, date,
                                       game_id=game_id(date, away, home), home_game=home_game)


def build(warehouse, skip: dict[str, set[str]] | None = None) -> None:
    league_for(skip).load(warehouse)


def league_for(skip: dict[str, set[str]] | None = None) -> League:
    """Day 0 and day 2 final with box scores, the night (day 4) scheduled with its context.

    skip[table] = teams whose rows of that table are left out: for a box-score
    table their rows of the latest game (day 2), for a context table the night's."""
    skip = skip or {}
    league = League()
    for away, home in GAMES[day(0)]:
        final_game(league, day(0), away, home)
    for table in BOX_SCORE_TABLES:
        skip.setdefault(table, set())
    for away, home in GAMES[day(2)]:
        gid = game_id(day(2), away, home)
        league.add("nba_raw.nbac_schedule", game_id=gid, game_date=day(2), season_year=SEASON_YEAR,
                   home_team_abbr=home, away_team_abbr=away, game_status=3)
        for team, opponent in ((home, away), (away, home)):
            if team not in skip["team_defense_game_summary"]:
                league.team_defense(day(2), team, opponent, gid)
            if team not in skip["team_offense_game_summary"]:
                league.team_offense(day(2), team, opponent, gid)
            if team not in skip["player_game_summary"]:
                league.player_game(f"{team.lower()}player1", team, opponent, day(2), gid)
    for away, home in GAMES[NIGHT]:
        night_game(league, NIGHT, away, home, skip)
    return league


def test_every_table_ready_when_every_team_has_its_rows(warehouse):
    build(warehouse)
    results = check_phase3(warehouse, NIGHT)
    assert [r.table for r in results] == list(PHASE3_TABLES)
    for r in results:
        assert r.ready and not r.off_night, r.message
        assert r.teams_expected == 4
        assert r.missing_teams == ()
        assert r.message == f"nba_analytics.{r.table} ready for {NIGHT.isoformat()} (4 teams)"


@pytest.mark.parametrize("table", PHASE3_TABLES)
def test_a_table_missing_some_teams_is_not_ready_and_names_them(warehouse, table):
    build(warehouse, {table: {"NYK", "BOS"}})
    result = check_phase3_table(warehouse, table, NIGHT)
    assert not result.ready
    assert result.teams_expected == 4
    assert result.missing_teams == ("BOS", "NYK")
    assert result.message.startswith(f"nba_analytics.{table} not ready for {NIGHT.isoformat()}: ")
    assert "BOS, NYK" in result.message
    others = [check_phase3_table(warehouse, t, NIGHT) for t in PHASE3_TABLES if t != table]
    assert all(r.ready for r in others), [r.message for r in others if not r.ready]


def test_box_score_message_says_what_is_missing(warehouse):
    build(warehouse, {"player_game_summary": {"NYK", "BOS"}})
    result = check_phase3_table(warehouse, "player_game_summary", NIGHT)
    assert result.message == (
        f"nba_analytics.player_game_summary not ready for {NIGHT.isoformat()}: "
        "no box score of the latest game before the date for BOS, NYK (2 of 4 teams)"
    )


def test_only_the_latest_game_counts_older_games_do_not_make_a_team_ready(warehouse):
    build(warehouse, {"team_defense_game_summary": {"LAL"}})
    # LAL's day-0 defense row is there; its day-2 (latest) row is not.
    older = Statement("test.sql", "SELECT COUNT(*) AS n FROM nba_analytics.team_defense_game_summary "
                                  "WHERE defending_team_abbr = 'LAL' AND game_date = @d")
    assert warehouse.query(older, {"d": day(0)})[0]["n"] == 1
    result = check_phase3_table(warehouse, "team_defense_game_summary", NIGHT)
    assert result.missing_teams == ("LAL",)


def test_last_nights_games_count_even_while_the_schedule_still_says_scheduled(warehouse):
    """The schedule lags: yesterday's game is still status 1 and its box scores have not landed."""
    league = League()
    for away, home in GAMES[day(0)]:
        final_game(league, day(0), away, home)
    league.game(day(3), "LAL", "BOS", status=1)   # played last night, schedule not updated yet
    for away, home in GAMES[NIGHT]:
        night_game(league, NIGHT, away, home, {})
    league.load(warehouse)
    for table in BOX_SCORE_TABLES:
        assert check_phase3_table(warehouse, table, NIGHT).missing_teams == ("BOS", "LAL")
    for table in CONTEXT_TABLES:
        assert check_phase3_table(warehouse, table, NIGHT).ready


def test_an_off_night_is_ready_with_nothing_to_wait_for(warehouse):
    build(warehouse)
    for r in check_phase3(warehouse, day(3)):
        assert r.ready and r.off_night
        assert r.teams_expected == 0 and r.missing_teams == ()
        assert r.message == f"nba_analytics.{r.table} ready for {day(3).isoformat()} (off night: no games scheduled)"


def test_empty_warehouse_is_an_off_night(warehouse):
    assert all(r.ready and r.off_night for r in check_phase3(warehouse, NIGHT))


def test_opening_night_needs_no_box_scores_but_needs_its_context(warehouse):
    league = League()
    # Last season's final game of BOS has no box score here: it is not this season's.
    league.add("nba_raw.nbac_schedule", game_id="20240415_BOS_NYK", game_date=dt.date(2024, 4, 15),
               season_year=SEASON_YEAR - 1, home_team_abbr="NYK", away_team_abbr="BOS", game_status=3)
    for away, home in GAMES[day(0)]:
        night_game(league, day(0), away, home, {"upcoming_player_game_context": {"DEN"}})
    league.load(warehouse)
    results = {r.table: r for r in check_phase3(warehouse, day(0))}
    for table in BOX_SCORE_TABLES:
        assert results[table].ready and results[table].teams_expected == 4, results[table].message
    assert results["upcoming_team_game_context"].ready
    assert results["upcoming_player_game_context"].missing_teams == ("DEN",)


def test_a_team_with_no_earlier_game_needs_no_box_score_while_others_do(warehouse):
    league = league_for()
    night_game(league, NIGHT, "MIA", "ORL", {})   # their first game of the season
    league.load(warehouse)
    result = check_phase3_table(warehouse, "player_game_summary", NIGHT)
    assert result.ready and result.teams_expected == 6


def test_unknown_table_is_an_error_naming_the_known_ones(warehouse):
    with pytest.raises(ValueError, match="player_game_summary.*upcoming_team_game_context"):
        check_phase3_table(warehouse, "nbac_schedule", NIGHT)


def test_readiness_properties():
    r = Phase3Readiness("upcoming_team_game_context", NIGHT, 2, ("BOS",))
    assert not r.ready and not r.off_night and r.table_key == "nba_analytics.upcoming_team_game_context"
    assert "no team row for the date for BOS (1 of 2 teams)" in r.message


# --- the sample season ---------------------------------------------------------------

def test_sample_season_every_table_ready_mid_season(season_warehouse):
    results = check_phase3(season_warehouse, dt.date(2025, 1, 15))
    assert all(r.ready and r.teams_expected > 0 for r in results), [r.message for r in results]


# Games from AS_OF on stay scheduled, without box scores. Not 2025-01-15: in seed 42 none of
# the six teams playing 2025-01-16 played on 2025-01-15, so that night is (rightly) ready; eight
# teams play both 2025-01-10 and 2025-01-11.
AS_OF = dt.date(2025, 1, 10)


@pytest.fixture(scope="module")
def season_as_of(tmp_path_factory):
    """The sample season as it stands before the games of AS_OF are played."""
    season = generate_season(2024, 42, as_of=AS_OF)
    wh = LocalWarehouse(WarehouseSettings(local_path=tmp_path_factory.mktemp("as_of") / "as_of.duckdb"))
    load_season(wh, season)
    yield wh, season
    wh.close()


def teams_on(season, date: dt.date) -> set[str]:
    return {team for g in season.tables["nba_raw.nbac_schedule"] if g["game_date"] == date
            for team in (g["home_team_abbr"], g["away_team_abbr"])}


def test_sample_season_box_scores_not_landed_for_the_next_night(season_as_of):
    """The night after AS_OF: teams that played on AS_OF (a back-to-back) wait for those box
    scores; the context tables, built before the games, are ready."""
    wh, season = season_as_of
    night = AS_OF + dt.timedelta(days=1)
    back_to_back = teams_on(season, night) & teams_on(season, AS_OF)
    assert len(back_to_back) == 8   # seed 42: eight teams play both nights
    results = {r.table: r for r in check_phase3(wh, night)}
    for table in BOX_SCORE_TABLES:
        result = results[table]
        assert not result.ready, result.message
        assert result.missing_teams == tuple(sorted(back_to_back))
        assert result.teams_expected == len(teams_on(season, night))
        assert f"nba_analytics.{table} not ready for {night.isoformat()}" in result.message
    for table in CONTEXT_TABLES:
        assert results[table].ready, results[table].message
    # AS_OF itself has everything it needs: its teams' previous games are final with box scores.
    assert all(r.ready for r in check_phase3(wh, AS_OF))
