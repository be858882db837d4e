"""Mid-season trades and the rosters they change.

A trade here is a one-for-one swap of two players of the same role (never a star or a
late call-up) between two teams, so both rosters keep their size and shape. From the
trade's date on, each player is listed for, plays for and is rested by his new team.
Trades fall between December 15 (when players signed in the off-season may be traded)
and the trade deadline (the first Thursday of February; 2025-02-06 in 2024-25).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from processors.sample_season.season_calendar import nth_weekday
from processors.sample_season.teams_players import League, Player

TRADES = 5  # deals, each moving two players
TRADED_ROLES = ("starter", "rotation", "rotation", "bench")


@dataclass(frozen=True)
class Trade:
    """`player_lookup` plays for `to_team` from `effective_date` on (for `from_team` before it)."""

    player_lookup: str
    from_team: str
    to_team: str
    effective_date: dt.date


def trade_window(season_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(season_year, 12, 15), nth_weekday(season_year + 1, 2, 3, 1)


def plan_trades(league: League, season_year: int, rng: random.Random) -> tuple[Trade, ...]:
    """TRADES swaps between distinct pairs of teams on distinct dates within the trade window."""
    first, deadline = trade_window(season_year)
    dates = sorted(rng.sample(range((deadline - first).days + 1), TRADES))
    teams = rng.sample(sorted(league.teams), 2 * TRADES)
    trades: list[Trade] = []
    for index, offset in enumerate(dates):
        team_a, team_b = teams[2 * index], teams[2 * index + 1]
        role = rng.choice(TRADED_ROLES)
        player_a = rng.choice(_tradeable(league, team_a, role))
        player_b = rng.choice(_tradeable(league, team_b, role))
        effective = first + dt.timedelta(days=offset)
        trades.append(Trade(player_a.player_lookup, team_a, team_b, effective))
        trades.append(Trade(player_b.player_lookup, team_b, team_a, effective))
    return tuple(trades)


def _tradeable(league: League, team_abbr: str, role: str) -> list[Player]:
    return [player for player in league.roster(team_abbr) if player.role == role and not player.is_call_up]


class Rosters:
    """Who is on which team on a date, once trades are applied."""

    def __init__(self, league: League, trades: tuple[Trade, ...]) -> None:
        self.trades = {trade.player_lookup: trade for trade in trades}
        self.candidates: dict[str, list[Player]] = {abbr: [] for abbr in league.teams}
        for player in league.players:  # league order keeps rosters (and random draws) stable
            self.candidates[player.team_abbr].append(player)
            if trade := self.trades.get(player.player_lookup):
                self.candidates[trade.to_team].append(player)

    def team_of(self, player: Player, game_date: dt.date) -> str:
        trade = self.trades.get(player.player_lookup)
        return trade.to_team if trade and game_date >= trade.effective_date else player.team_abbr

    def roster(self, team_abbr: str, game_date: dt.date) -> list[Player]:
        return [player for player in self.candidates[team_abbr] if self.team_of(player, game_date) == team_abbr]

    def game_dates(self, player: Player, team_dates: dict[str, list[dt.date]]) -> list[dt.date]:
        """The dates of the games the player's team (at the time) plays."""
        trade = self.trades.get(player.player_lookup)
        if trade is None:
            return team_dates[player.team_abbr]
        before = [day for day in team_dates[trade.from_team] if day < trade.effective_date]
        return before + [day for day in team_dates[trade.to_team] if day >= trade.effective_date]
