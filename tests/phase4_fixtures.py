"""Hand-built Phase 3 (and Phase 4) rows for processor tests.

A `League` collects rows with sensible defaults that satisfy the box-score
invariants; tests override only the fields a formula reads, then `load()` them.
Season 2024 starts on SEASON_START; a date N days in is `day(N)`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from processors.warehouse import Warehouse, schema

SEASON_YEAR = 2024
SEASON_START = dt.date(2024, 10, 22)


def day(n: int) -> dt.date:
    """The date n days into the fixture season (day 0 = opening night)."""
    return SEASON_START + dt.timedelta(days=n)


def game_id(date: dt.date, away: str, home: str) -> str:
    return f"{date:%Y%m%d}_{away}_{home}"


class League:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, table_key: str, **values: Any) -> dict[str, Any]:
        columns = schema.table(table_key).columns
        unknown = set(values) - set(columns)
        assert not unknown, f"{table_key} has no columns {unknown}"
        row = {c: values.get(c) for c in columns}
        self.rows[table_key].append(row)
        return row

    def load(self, warehouse: Warehouse) -> None:
        for key, rows in self.rows.items():
            warehouse.load_rows(key, rows)
        self.rows.clear()

    # --- schedule and team games ---------------------------------------------------
    def game(self, date: dt.date, away: str, home: str, status: int = 3, box_scores: bool = True,
             home_defense: dict | None = None, away_defense: dict | None = None,
             home_offense: dict | None = None, away_offense: dict | None = None) -> str:
        """A scheduled game; when final with box_scores, both teams' defense and offense rows."""
        gid = game_id(date, away, home)
        self.add("nba_raw.nbac_schedule", game_id=gid, game_date=date, season_year=SEASON_YEAR,
                 home_team_abbr=home, away_team_abbr=away, game_status=status)
        if status == 3 and box_scores:
            self.team_defense(date, home, away, gid, home_game=True, **(home_defense or {}))
            self.team_defense(date, away, home, gid, home_game=False, **(away_defense or {}))
            self.team_offense(date, home, away, gid, home_game=True, **(home_offense or {}))
            self.team_offense(date, away, home, gid, home_game=False, **(away_offense or {}))
        return gid

    def team_defense(self, date: dt.date, team: str, opponent: str, gid: str, **overrides: Any) -> dict:
        values = dict(
            game_id=gid, game_date=date, season_year=SEASON_YEAR, defending_team_abbr=team,
            opponent_team_abbr=opponent, points_allowed=110, opp_fg_attempts=88, opp_fg_makes=41,
            opp_three_pt_attempts=35, opp_three_pt_makes=12, opp_ft_attempts=20, opp_ft_makes=16,
            opp_paint_attempts=35, opp_paint_makes=20, opp_mid_range_attempts=18, opp_mid_range_makes=9,
            points_in_paint_allowed=40, blocks_paint=4, blocks_mid_range=1, blocks_three_pt=0, steals=7,
            defensive_rebounds=33, turnovers_forced=13, defensive_rating=112.0, opponent_pace=100.0,
            home_game=False, win_flag=False,
        )
        values.update(overrides)
        return self.add("nba_analytics.team_defense_game_summary", **values)

    def team_offense(self, date: dt.date, team: str, opponent: str, gid: str, **overrides: Any) -> dict:
        values = dict(
            game_id=gid, game_date=date, season_year=SEASON_YEAR, team_abbr=team, opponent_team_abbr=opponent,
            points_scored=110, fg_attempts=88, fg_makes=41, three_pt_attempts=35, three_pt_makes=12,
            ft_attempts=20, ft_makes=16, offensive_rebounds=10, turnovers=13, assists=25,
            possessions=99.8, pace=100.0, offensive_rating=110.2, game_minutes=48, home_game=False, win_flag=False,
        )
        values.update(overrides)
        return self.add("nba_analytics.team_offense_game_summary", **values)

    # --- players -----------------------------------------------------------------------
    def player_game(self, player: str, team: str, opponent: str, date: dt.date, gid: str | None = None,
                    **overrides: Any) -> dict:
        """A box-score row; defaults: 30 minutes, 20 points from 6 paint + 2 mid + 2 three makes + 0 FT."""
        values = dict(
            player_lookup=player, universal_player_id=f"{player}_001", player_full_name=player,
            game_id=gid or game_id(date, opponent, team), game_date=date, season_year=SEASON_YEAR,
            team_abbr=team, opponent_team_abbr=opponent, home_game=True, is_active=True, minutes_played=30.0,
            points=22, assists=4, offensive_rebounds=1, defensive_rebounds=4, steals=1, blocks=0, turnovers=2,
            personal_fouls=2, fg_attempts=20, fg_makes=10, three_pt_attempts=6, three_pt_makes=2,
            ft_attempts=0, ft_makes=0, paint_attempts=10, paint_makes=6, mid_range_attempts=4, mid_range_makes=2,
            assisted_fg_makes=6, unassisted_fg_makes=4, usage_rate=25.0, starter_flag=True, win_flag=True,
            points_line=None,
        )
        values.update(overrides)
        return self.add("nba_analytics.player_game_summary", **values)

    def upcoming_player(self, player: str, team: str, opponent: str, date: dt.date, **overrides: Any) -> dict:
        values = dict(
            player_lookup=player, universal_player_id=f"{player}_001", game_id=game_id(date, opponent, team),
            game_date=date, season_year=SEASON_YEAR, team_abbr=team, opponent_team_abbr=opponent, home_game=True,
            days_rest=1, back_to_back=False, opponent_days_rest=1, games_in_last_7_days=3,
            games_in_last_14_days=6, minutes_in_last_7_days=90.0, minutes_in_last_14_days=180.0,
            avg_minutes_per_game_last_7=30.0, back_to_backs_last_14_days=0, player_age=25, pace_differential=0.0,
            projected_usage_rate=25.0, avg_usage_rate_last_7_games=25.0, star_teammates_out=0,
            player_status="available", season_phase="mid", current_points_line=20.5, opening_points_line=20.5,
        )
        values.update(overrides)
        return self.add("nba_analytics.upcoming_player_game_context", **values)

    def upcoming_team(self, team: str, opponent: str, date: dt.date, **overrides: Any) -> dict:
        values = dict(
            team_abbr=team, game_id=game_id(date, opponent, team), game_date=date, season_year=SEASON_YEAR,
            opponent_team_abbr=opponent, home_game=True, team_days_rest=1, team_back_to_back=False,
            game_spread=-3.5, game_total=225.5, games_in_last_7_days=3,
        )
        values.update(overrides)
        return self.add("nba_analytics.upcoming_team_game_context", **values)
