"""Orchestration: league -> schedule -> trades -> availability -> night-by-night context and box scores.

Calibrated to the NBA's 2024-25 regular season. Reference values (rounded; league
averages from Basketball-Reference's "2024-25 NBA Season Summary",
https://www.basketball-reference.com/leagues/NBA_2025.html, team ratings and pace from
NBA.com team advanced stats, https://www.nba.com/stats/teams/advanced?Season=2024-25;
rounded, and not re-read from the build machine, which cannot reach those pages: treat
the decimals as approximate):
- pace about 99 possessions per 48 minutes; single games mostly 90-110; team
  season averages roughly 96 to 103;
- league offensive (= defensive) rating about 114.5 points per 100 possessions; team
  offensive ratings roughly 106 to 122, defensive ratings roughly 106.5 to 120;
- per team and game: 113.8 points, about 89 field-goal attempts (3PA 37.6, 3PM 13.5),
  about 21.5 free-throw attempts, about 11 offensive rebounds and 14.5 turnovers.
Possessions here are the spec's FGA + 0.44 x FTA + TOV - ORB, which runs about 3 above
the references' estimate for the same box score; the sample season therefore takes a
couple of field-goal attempts fewer a game (about 87) so that pace and ratings, the
figures the processors read, match the references.

What the generator does for each property (tests/test_sample_season_realism.py checks them):
- One game, one possession count: the game's pace comes from both teams' tempos plus
  noise (possessions.py); both offenses play to that count, so the two teams' possessions
  agree within 2 and each team's pace is its own possessions x 48 / game minutes.
  team_defense_game_summary.opponent_pace is the opponent's own pace in that game.
- Team tempos are spread evenly over 99.5 +- 3 (teams_players.py), so
  upcoming_player_game_context.pace_differential (last-10 pace, team minus opponent) is
  rarely beyond +-6 once teams have played a few games.
- Five mid-season trades (trades.py), one-for-one swaps between December 15 and the
  trade deadline: from the trade's date the player's box scores and context rows follow
  his new team.
- upcoming_player_game_context lists the players expected to play (rotation.py): not out
  injured, and in the rotation (took the floor in at least 6 of his last 10 team games in
  which he could play; listed on trust before 5 such games). Deep-bench players the coach
  rarely uses drop off the list (they keep their box-score rows), a rotation player back
  from injury is listed at once. So most feature rows are production ready, as on the
  platform (420 of 450): about 90 % on ordinary mid-season nights (2025-01-15: 173 of 198),
  and small nights (1-3 games) pass Phase 5's 80 % rule.
- Injuries and rest (availability.py) leave about 95 % of the eligible players production
  ready on a typical night (2025-01-15: 106 of 115). Designed degradation nights
  (designed_nights.py, DESIGNED_DEGRADATION_NIGHTS): 2025-04-13, many players out the game
  before (the last night's ten teams rest their two leading players and their leading bench
  player in their previous game, 2025-04-09 to 2025-04-12; 55 of 79 eligible ready, SLA
  missed), and 2025-01-11, a late Phase 3 load (build --as-of 2025-01-10).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from itertools import groupby

from processors.sample_season.availability import Availability, AvailabilityPlan, build_availability
from processors.sample_season.box_scores import GameBox, simulate_game
from processors.sample_season.context import SeasonFrame, player_context_rows, team_context_rows
from processors.sample_season.history import PlayedGame, SeasonHistory, TeamGame
from processors.sample_season.randomness import derived_rng
from processors.sample_season.rotation import Rotation
from processors.sample_season.schedule import ScheduledGame, build_schedule
from processors.sample_season.summary import summarize
from processors.sample_season.table_names import (
    PLAYER_CONTEXT,
    PLAYER_GAMES,
    SCHEDULE,
    TABLE_NAMES,
    TEAM_CONTEXT,
    TEAM_DEFENSE,
    TEAM_OFFENSE,
)
from processors.sample_season.teams_players import TEAM_ABBRS, League, Player, build_league
from processors.sample_season.trades import Rosters, Trade, plan_trades

STATUS_SCHEDULED, STATUS_FINAL = 1, 3
SORT_KEYS: dict[str, tuple[str, ...]] = {
    SCHEDULE: ("game_date", "game_id"),
    PLAYER_GAMES: ("game_date", "game_id", "team_abbr", "player_lookup"),
    TEAM_DEFENSE: ("game_date", "game_id", "defending_team_abbr"),
    TEAM_OFFENSE: ("game_date", "game_id", "team_abbr"),
    PLAYER_CONTEXT: ("game_date", "game_id", "team_abbr", "player_lookup"),
    TEAM_CONTEXT: ("game_date", "game_id", "team_abbr"),
}


@dataclass(frozen=True)
class SampleSeason:
    season_year: int
    seed: int
    tables: dict[str, list[dict]]
    trades: tuple[Trade, ...] = ()

    def summary(self) -> dict[str, object]:
        return summarize(self.tables)


def generate_season(season_year: int = 2024, seed: int = 42, as_of: dt.date | None = None) -> SampleSeason:
    """A full regular season; games on or after `as_of` stay scheduled and have no box scores."""
    league = build_league(derived_rng(seed, season_year, "league"))
    schedule = build_schedule(season_year, TEAM_ABBRS, derived_rng(seed, season_year, "schedule"))
    trades = plan_trades(league, season_year, derived_rng(seed, season_year, "trades"))
    rosters = Rosters(league, trades)
    plan = build_availability(league, schedule, rosters, derived_rng(seed, season_year, "availability"))
    tables: dict[str, list[dict]] = {name: [] for name in TABLE_NAMES}
    tables[SCHEDULE] = [_schedule_row(game, season_year, as_of) for game in schedule]
    _play_season(league, rosters, schedule, plan, season_year, seed, as_of, tables)
    for name, key_columns in SORT_KEYS.items():
        tables[name].sort(key=lambda row, columns=key_columns: tuple(row[column] for column in columns))
    return SampleSeason(season_year=season_year, seed=seed, tables=tables, trades=trades)


def _is_final(game_date: dt.date, as_of: dt.date | None) -> bool:
    return as_of is None or game_date < as_of


def _schedule_row(game: ScheduledGame, season_year: int, as_of: dt.date | None) -> dict:
    return {
        "game_id": game.game_id,
        "game_date": game.game_date,
        "season_year": season_year,
        "home_team_abbr": game.home_team_abbr,
        "away_team_abbr": game.away_team_abbr,
        "game_status": STATUS_FINAL if _is_final(game.game_date, as_of) else STATUS_SCHEDULED,
        "game_start_time_et": game.start_time_utc,
        "is_all_star_break": False,  # the break has no games; every scheduled game is outside it
    }


def _play_season(
    league: League,
    rosters: Rosters,
    schedule: list[ScheduledGame],
    plan: AvailabilityPlan,
    season_year: int,
    seed: int,
    as_of: dt.date | None,
    tables: dict[str, list[dict]],
) -> None:
    """Night by night: context first (from history before the night), then the night's games.

    Every game is simulated even after `as_of`, so the context tables do not depend on it.
    """
    frame = SeasonFrame(season_year, schedule[0].game_date, schedule[-1].game_date)
    history = SeasonHistory()
    rotation = Rotation(plan, history)
    for game_date, night in groupby(schedule, key=lambda game: game.game_date):
        night_games = []
        for game in night:
            listed = {
                abbr: _listed_roster(rosters.roster(abbr, game_date), plan, game_date)
                for abbr in (game.home_team_abbr, game.away_team_abbr)
            }
            context_rng = derived_rng(seed, season_year, "context", game.game_id)
            tables[TEAM_CONTEXT] += team_context_rows(game, league.teams, history, frame, context_rng)
            for abbr, roster in listed.items():
                expected = partial(rotation.expected_to_play, game_date=game_date)
                tables[PLAYER_CONTEXT] += player_context_rows(game, abbr, roster, history, frame, context_rng, expected)
            night_games.append((game, listed))
        lines = _current_lines(tables[PLAYER_CONTEXT], game_date)
        for game, listed in night_games:
            box = simulate_game(
                game, season_year, league.teams, listed, lines, derived_rng(seed, season_year, "game", game.game_id)
            )
            _record(box, history, game_date)
            if _is_final(game_date, as_of):
                tables[PLAYER_GAMES] += box.player_rows
                tables[TEAM_OFFENSE] += box.offense_rows
                tables[TEAM_DEFENSE] += box.defense_rows


def _listed_roster(
    roster: list[Player], plan: AvailabilityPlan, game_date: dt.date
) -> list[tuple[Player, Availability]]:
    return [(player, plan.for_date(player, game_date)) for player in roster if plan.on_roster(player, game_date)]


def _current_lines(context_rows: list[dict], game_date: dt.date) -> dict[str, float | None]:
    """The night's current lines become the box scores' points_line."""
    lines: dict[str, float | None] = {}
    for row in reversed(context_rows):
        if row["game_date"] != game_date:
            break
        lines[row["player_lookup"]] = row["current_points_line"]
    return lines


def _record(box: GameBox, history: SeasonHistory, game_date: dt.date) -> None:
    for row in box.player_rows:
        if row["is_active"] and row["minutes_played"] > 0:
            history.record_player(
                row["player_lookup"], PlayedGame(game_date, row["minutes_played"], row["usage_rate"], row["points"])
            )
    for team_abbr, pace in sorted(box.paces.items()):
        history.record_team(team_abbr, TeamGame(game_date, round(pace, 1)))  # as in team_offense
