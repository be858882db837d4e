"""The sample season behaves like an NBA season (2024-25 levels, see the generator's docstring):
shared possessions, pace and ratings, opponent_pace, pace_differential, trades, and production
readiness on ordinary and designed nights."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter, defaultdict
from statistics import fmean, median, pstdev, quantiles

import pytest

from processors.cli.sample_season import load_season
from processors.config import PipelineSettings, WarehouseSettings
from processors.phase3_readiness import check_phase3
from processors.phase4.night import run_night
from processors.phase5.coordinator import check_readiness, player_sets
from processors.sample_season import DESIGNED_AS_OF, DESIGNED_DEGRADATION_NIGHTS, SampleSeason, generate_season
from processors.sample_season.availability import build_availability
from processors.sample_season.designed_nights import LATE_PHASE3_LOAD_NIGHT, MANY_PLAYERS_OUT_NIGHT
from processors.sample_season.randomness import derived_rng
from processors.sample_season.schedule import build_schedule
from processors.sample_season.teams_players import TEAM_ABBRS, build_league
from processors.sample_season.trades import Rosters, plan_trades, trade_window
from processors.warehouse.local import LocalWarehouse

SCHEDULE = "nba_raw.nbac_schedule"
PLAYER_GAMES = "nba_analytics.player_game_summary"
TEAM_DEFENSE = "nba_analytics.team_defense_game_summary"
TEAM_OFFENSE = "nba_analytics.team_offense_game_summary"
PLAYER_CONTEXT = "nba_analytics.upcoming_player_game_context"
REFERENCE_NIGHT = dt.date(2025, 1, 15)  # make run's night
MIN_MINUTES = 15  # the coordinator's default eligibility
EARLY_SEASON_DAYS = 21


@pytest.fixture(scope="module")
def tables(sample_season: SampleSeason) -> dict[str, list[dict]]:
    return sample_season.tables


def offense_by_game(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    games: dict[str, list[dict]] = defaultdict(list)
    for row in tables[TEAM_OFFENSE]:
        games[row["game_id"]].append(row)
    return games


def season_rate(rows: list[dict], numerator: str, denominator: str, scale: float) -> float:
    return scale * sum(row[numerator] for row in rows) / sum(row[denominator] for row in rows)


# --- possessions and pace --------------------------------------------------------------------


def test_both_teams_of_a_game_share_possessions_and_pace_follows_from_them(tables):
    differences = []
    for game_id, (first, second) in offense_by_game(tables).items():
        differences.append(abs(first["possessions"] - second["possessions"]))
        assert differences[-1] <= 2, game_id
        for row in (first, second):
            assert row["game_minutes"] == second["game_minutes"]
            assert row["pace"] == pytest.approx(row["possessions"] * 48 / row["game_minutes"], abs=0.051)
    assert median(differences) <= 1


def test_single_game_pace_is_nba_like(tables):
    paces = [row["pace"] for row in tables[TEAM_OFFENSE]]
    percentiles = quantiles(paces, n=100)
    assert 98 <= fmean(paces) <= 101
    assert 3 <= pstdev(paces) <= 6
    assert 86 <= percentiles[0] and percentiles[-1] <= 113
    assert sum(90 <= pace <= 110 for pace in paces) / len(paces) >= 0.95


def test_team_season_pace_spreads_like_the_league(tables):
    by_team: dict[str, list[dict]] = defaultdict(list)
    for row in tables[TEAM_OFFENSE]:
        by_team[row["team_abbr"]].append(row)
    paces = [season_rate(rows, "possessions", "game_minutes", 48) for rows in by_team.values()]
    league = season_rate(tables[TEAM_OFFENSE], "possessions", "game_minutes", 48)
    assert 98 <= league <= 100.5
    assert 95 <= min(paces) <= 98 and 101 <= max(paces) <= 104


def test_offensive_and_defensive_ratings_are_at_2024_25_levels(tables):
    offense = {(row["game_id"], row["team_abbr"]): row for row in tables[TEAM_OFFENSE]}
    by_team: dict[str, list[dict]] = defaultdict(list)
    allowed: dict[str, list[dict]] = defaultdict(list)
    for row in tables[TEAM_OFFENSE]:
        by_team[row["team_abbr"]].append(row)
    for row in tables[TEAM_DEFENSE]:
        opponent = offense[(row["game_id"], row["opponent_team_abbr"])]
        allowed[row["defending_team_abbr"]].append({**row, "opp_possessions": opponent["possessions"]})
    league_offense = season_rate(tables[TEAM_OFFENSE], "points_scored", "possessions", 100)
    league_defense = season_rate([row for rows in allowed.values() for row in rows],
                                 "points_allowed", "opp_possessions", 100)
    assert 113 <= league_offense <= 116
    assert league_defense == pytest.approx(league_offense)
    assert 110 <= fmean(row["points_scored"] for row in tables[TEAM_OFFENSE]) <= 118
    ratings = [season_rate(rows, "points_scored", "possessions", 100) for rows in by_team.values()]
    defense = [season_rate(rows, "points_allowed", "opp_possessions", 100) for rows in allowed.values()]
    assert 103 <= min(ratings) <= 109 and 119 <= max(ratings) <= 125
    assert 103 <= min(defense) <= 110 and 118 <= max(defense) <= 125


def test_opponent_pace_is_the_opponents_own_pace(tables):
    offense = {(row["game_id"], row["team_abbr"]): row for row in tables[TEAM_OFFENSE]}
    for row in tables[TEAM_DEFENSE]:
        assert row["opponent_pace"] == offense[(row["game_id"], row["opponent_team_abbr"])]["pace"]


def test_pace_differential_is_rarely_beyond_six(tables):
    first_night = min(row["game_date"] for row in tables[SCHEDULE])
    rows = [row for row in tables[PLAYER_CONTEXT] if row["pace_differential"] is not None]
    settled = [row for row in rows if (row["game_date"] - first_night).days >= EARLY_SEASON_DAYS]

    def share_beyond_six(selected: list[dict]) -> float:
        return sum(abs(row["pace_differential"]) >= 6 for row in selected) / len(selected)

    assert share_beyond_six(rows) <= 0.06  # the first weeks average few games: noisier
    assert share_beyond_six(settled) <= 0.04


# --- trades ----------------------------------------------------------------------------------


def teams_by_date(rows: list[dict]) -> dict[str, dict[dt.date, str]]:
    teams: dict[str, dict[dt.date, str]] = defaultdict(dict)
    for row in rows:
        assert row["game_date"] not in teams[row["player_lookup"]], "two rows for one player on one night"
        teams[row["player_lookup"]][row["game_date"]] = row["team_abbr"]
    return teams


def test_a_handful_of_mid_season_trades(sample_season):
    context = teams_by_date(sample_season.tables[PLAYER_CONTEXT])
    moved = {player: sorted(set(by_date.values())) for player, by_date in context.items()
             if len(set(by_date.values())) > 1}
    deals = {(trade.effective_date, *sorted((trade.from_team, trade.to_team))) for trade in sample_season.trades}
    assert 4 <= len(deals) <= 8
    assert set(moved) == {trade.player_lookup for trade in sample_season.trades}
    opens, deadline = trade_window(2024)
    for trade in sample_season.trades:
        assert opens <= trade.effective_date <= deadline
        assert moved[trade.player_lookup] == sorted((trade.from_team, trade.to_team))
        changes = sorted(context[trade.player_lookup].items())
        switches = [later for (_, a), (later, b) in zip(changes, changes[1:], strict=False) if a != b]
        assert len(switches) == 1  # one move, never back


def test_a_traded_players_rows_follow_his_team_before_and_after_the_trade(sample_season):
    tables = sample_season.tables
    schedule = {(game["game_id"]): game for game in tables[SCHEDULE]}
    for trade in sample_season.trades:
        for table in (PLAYER_CONTEXT, PLAYER_GAMES):
            rows = [row for row in tables[table] if row["player_lookup"] == trade.player_lookup]
            before = [row for row in rows if row["game_date"] < trade.effective_date]
            after = [row for row in rows if row["game_date"] >= trade.effective_date]
            assert len(before) >= 10 and len(after) >= 10, (trade, table)
            for team, selected in ((trade.from_team, before), (trade.to_team, after)):
                for row in selected:
                    game = schedule[row["game_id"]]
                    assert row["team_abbr"] == team, (trade, table, row["game_id"])
                    assert team in (game["home_team_abbr"], game["away_team_abbr"])
                    opponent = game["away_team_abbr"] if team == game["home_team_abbr"] else game["home_team_abbr"]
                    assert row["opponent_team_abbr"] == opponent and row["game_date"] == game["game_date"]


def test_rosters_stay_sensible_through_trades(sample_season):
    """A team's context lists players of its roster of 15 (16 once a late call-up joins: one-for-one
    swaps), each with a box-score row for the team in that game (played or DNP)."""
    listed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in sample_season.tables[PLAYER_CONTEXT]:
        listed[(row["game_id"], row["team_abbr"])].add(row["player_lookup"])
    boxed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in sample_season.tables[PLAYER_GAMES]:
        boxed[(row["game_id"], row["team_abbr"])].add(row["player_lookup"])
    call_ups = {player for player, by_date in teams_by_date(sample_season.tables[PLAYER_CONTEXT]).items()
                if min(by_date) > dt.date(2025, 2, 15)}
    for (game_id, team), players in listed.items():
        assert players <= boxed[(game_id, team)], (game_id, team)
        assert len(boxed[(game_id, team)] - call_ups) <= 15, (game_id, team)


# --- who the pre-game context lists -----------------------------------------------------------


def availability_plan(sample_season: SampleSeason):
    """The generator's injury report and rest plan (availability.py), rebuilt from the seed."""
    seed, year = sample_season.seed, sample_season.season_year
    league = build_league(derived_rng(seed, year, "league"))
    schedule = build_schedule(year, TEAM_ABBRS, derived_rng(seed, year, "schedule"))
    rosters = Rosters(league, plan_trades(league, year, derived_rng(seed, year, "trades")))
    return league, build_availability(league, schedule, rosters, derived_rng(seed, year, "availability"))


def test_the_context_lists_the_players_expected_to_play(sample_season):
    """Listed: not out injured, and took the floor in at least 6 of his last 10 team games in which he
    could play (fewer than 5 such games: listed on trust). The list is exactly that rule; rotation
    players back from an injury are listed at once, and the deep bench mostly is not."""
    league, plan = availability_plan(sample_season)
    tables = sample_season.tables
    played: dict[str, set[dt.date]] = defaultdict(set)
    for row in tables[PLAYER_GAMES]:
        if row["is_active"] and row["minutes_played"] > 0:
            played[row["player_lookup"]].add(row["game_date"])
    listed = {(row["player_lookup"], row["game_date"]) for row in tables[PLAYER_CONTEXT]}
    roles = Counter()
    returns = listed_returns = 0
    for player in league.players:
        slots = plan.by_player[player.player_lookup]
        dates = [day for day in slots if day >= plan.first_game_date[player.player_lookup]]
        for index, day in enumerate(dates):
            available = [earlier for earlier in dates[:index] if slots[earlier].can_play][-10:]
            expected = slots[day].listed and (
                len(available) < 5 or sum(d in played[player.player_lookup] for d in available) >= 0.6 * len(available))
            assert ((player.player_lookup, day) in listed) == expected, (player.player_lookup, day)
            if dt.date(2024, 12, 1) <= day <= dt.date(2025, 3, 31):
                roles[(player.role, expected)] += 1
            if index and not slots[dates[index - 1]].listed and slots[day].can_play and player.role != "deep_bench":
                returns += 1
                listed_returns += expected
    assert returns >= 20 and listed_returns == returns  # back from an injury stretch: listed
    assert roles[("deep_bench", True)] <= 0.2 * roles[("deep_bench", False)]
    assert all(roles[(role, False)] <= 0.1 * roles[(role, True)] for role in ("star", "starter", "rotation", "bench"))


# --- production readiness on ordinary and designed nights --------------------------------------


def team_schedules(tables: dict[str, list[dict]]) -> dict[str, list[tuple[dt.date, str]]]:
    """Team -> its (game_date, game_id) in date order."""
    games: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for game in tables[SCHEDULE]:
        for team in (game["home_team_abbr"], game["away_team_abbr"]):
            games[team].append((game["game_date"], game["game_id"]))
    return games


def eligible_rows(tables: dict[str, list[dict]]) -> list[dict]:
    """The coordinator's eligible players: projected minutes >= 15, not out or doubtful."""
    return [row for row in tables[PLAYER_CONTEXT]
            if row["avg_minutes_per_game_last_7"] is not None and row["avg_minutes_per_game_last_7"] >= MIN_MINUTES
            and row["player_status"] not in ("out", "doubtful")]


def ready_shares(tables: dict[str, list[dict]]) -> dict[dt.date, tuple[int, int]]:
    """Night -> (eligible, ready) under the processors' window rules: 10 games played; the team's
    last 5 and 10 games and last 7 and 14 days each >= 90 % played (an empty window misses nothing)."""
    team_games = team_schedules(tables)
    played: dict[str, dict[str, dt.date]] = defaultdict(dict)
    for row in tables[PLAYER_GAMES]:
        if row["is_active"] and row["minutes_played"] > 0:
            played[row["player_lookup"]][row["game_id"]] = row["game_date"]
    shares: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for row in eligible_rows(tables):
        night, games = row["game_date"], played[row["player_lookup"]]
        before = [(day, game_id) for day, game_id in team_games[row["team_abbr"]] if day < night]
        windows = [before[-5:], before[-10:]] + [
            [(day, game_id) for day, game_id in before if day >= night - dt.timedelta(days=days)] for days in (7, 14)
        ]
        complete = all(sum(game_id in games for _, game_id in window) >= 0.9 * len(window) for window in windows)
        shares[night][0] += 1
        shares[night][1] += complete and sum(day < night for day in games.values()) >= 10
    return {night: (eligible, ready) for night, (eligible, ready) in shares.items()}


def test_ordinary_mid_season_nights_are_at_least_90_percent_production_ready(tables):
    shares = ready_shares(tables)
    mid_season = {night: ready / eligible for night, (eligible, ready) in shares.items()
                  if dt.date(2024, 12, 1) <= night <= dt.date(2025, 3, 31)}
    assert mid_season[REFERENCE_NIGHT] >= 0.90
    assert median(mid_season.values()) >= 0.93
    assert sum(share >= 0.90 for share in mid_season.values()) / len(mid_season) >= 0.85
    assert min(mid_season.values()) >= 0.75


def test_designed_nights_are_the_only_collapses_after_the_early_season(tables):
    shares = ready_shares(tables)
    first_night = min(shares)
    # Day 21 is the first night P2 wants 10 games of a player; teams have played 9 to 11 by then.
    low = {night for night, (eligible, ready) in shares.items()
           if (night - first_night).days > EARLY_SEASON_DAYS and ready < 0.7 * eligible}
    assert low == {MANY_PLAYERS_OUT_NIGHT}
    assert set(DESIGNED_DEGRADATION_NIGHTS) == {MANY_PLAYERS_OUT_NIGHT, LATE_PHASE3_LOAD_NIGHT}
    assert MANY_PLAYERS_OUT_NIGHT == max(row["game_date"] for row in tables[SCHEDULE])


def returning_players(tables: dict[str, list[dict]]) -> dict[dt.date, int]:
    """Night -> eligible players who did not play in their team's previous game (a game out)."""
    previous_game: dict[tuple[str, dt.date], str] = {}
    for team, games in team_schedules(tables).items():
        for (_, earlier), (day, _) in zip(games, games[1:], strict=False):
            previous_game[(team, day)] = earlier
    played = {(row["player_lookup"], row["game_id"]) for row in tables[PLAYER_GAMES]
              if row["is_active"] and row["minutes_played"] > 0}
    returning: dict[dt.date, int] = defaultdict(int)
    for row in eligible_rows(tables):
        earlier = previous_game.get((row["team_abbr"], row["game_date"]))
        returning[row["game_date"]] += earlier is not None and (row["player_lookup"], earlier) not in played
    return returning


def test_on_the_many_players_out_night_many_eligible_players_sat_out_the_game_before(tables):
    returning = returning_players(tables)
    others = [count for night, count in returning.items() if night != MANY_PLAYERS_OUT_NIGHT]
    assert returning[MANY_PLAYERS_OUT_NIGHT] >= 20
    assert returning[MANY_PLAYERS_OUT_NIGHT] >= 4 * median(others)
    assert returning[MANY_PLAYERS_OUT_NIGHT] == max(returning.values())


@pytest.fixture(scope="module")
def computed_nights(season_warehouse_settings, tmp_path_factory):
    """The reference night and the many-players-out night through the five processors."""
    path = tmp_path_factory.mktemp("realism") / "nights.duckdb"
    shutil.copy(season_warehouse_settings.local_path, path)
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        nights = {}
        for night in (REFERENCE_NIGHT, MANY_PLAYERS_OUT_NIGHT):
            run_night(warehouse, night)
            nights[night] = (player_sets(warehouse, night, MIN_MINUTES),
                             check_readiness(warehouse, night, PipelineSettings()))
    return nights


def test_the_reference_night_meets_the_predictions_sla(computed_nights):
    sets, readiness = computed_nights[REFERENCE_NIGHT]
    assert sets.eligible >= 100
    assert sets.ready >= 0.90 * sets.eligible  # the platform's example: 420 of 450
    assert readiness.ready  # Phase 5 starts at once


def test_the_reference_night_has_most_feature_rows_production_ready(computed_nights, tables):
    """The context lists the players expected to play (rotation.py), so most feature rows are
    production ready, as on the platform (420 of 450): small nights pass Phase 5's 80 % rule."""
    _, readiness = computed_nights[REFERENCE_NIGHT]
    assert readiness.players_total == sum(row["game_date"] == REFERENCE_NIGHT for row in tables[PLAYER_CONTEXT])
    assert readiness.ready_pct >= 85.0


def test_the_many_players_out_night_proceeds_on_partial_data_and_misses_the_sla(computed_nights):
    sets, readiness = computed_nights[MANY_PLAYERS_OUT_NIGHT]
    assert not readiness.ready  # Phase 5 waits for Phase 4 until the backup deadline
    assert sets.ready >= 50  # then proceeds on partial data (the minimum is 50 ready players)
    assert sets.ready < 0.7 * sets.eligible  # far below the 90 % SLA


def test_the_late_phase3_load_night_waits_for_yesterdays_box_scores(season_warehouse, tmp_path):
    night = LATE_PHASE3_LOAD_NIGHT
    assert all(result.ready for result in check_phase3(season_warehouse, night))  # the full season: landed
    with LocalWarehouse(WarehouseSettings(local_path=tmp_path / "late.duckdb")) as warehouse:
        load_season(warehouse, generate_season(2024, 42, as_of=DESIGNED_AS_OF[night]))
        box_scores = [result for result in check_phase3(warehouse, night) if not result.ready]
    assert {result.table for result in box_scores} == {
        "player_game_summary", "team_defense_game_summary", "team_offense_game_summary"}
    assert all(len(result.missing_teams) >= 4 for result in box_scores)
