"""Who upcoming_player_game_context lists: the players expected to play (the spec's Phase 3 inputs).

A roster player is listed for a game when
- he is on the game's list: not out injured for a stretch (the doubtful first game of an
  injury, rest nights and questionable players are listed, with their status), and
- he is in the rotation: of his last ROTATION_WINDOW (10) games with his team before the
  date in which he could play (not out, doubtful or resting), he took the floor
  (minutes > 0) in most, at least 6. Games he sat injured or rested do not count against
  him, so a rotation player back from injury is listed again at once (questionable) and
  returns not production ready, a designed degradation path. Until he has
  MIN_GAMES_TO_JUDGE (5) such games (the opening weeks, a late call-up's first games) he
  is listed on trust.
Deep-bench players the coach rarely uses drop off the list; they still get DNP rows, and
the odd minutes, in the box scores. A player listed stays listed while he keeps playing,
so the list changes only when a player goes down injured, comes back, or falls out of
(or plays into) the rotation.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left

from processors.sample_season.availability import Availability, AvailabilityPlan
from processors.sample_season.history import SeasonHistory
from processors.sample_season.teams_players import Player

ROTATION_WINDOW = 10
MIN_PLAYED = 6  # of ROTATION_WINDOW available games: most of them
MIN_GAMES_TO_JUDGE = 5


class Rotation:
    """Reads the availability plan and the season history strictly before the date."""

    def __init__(self, plan: AvailabilityPlan, history: SeasonHistory) -> None:
        self.plan = plan
        self.history = history
        self._dates: dict[str, list[dt.date]] = {}

    def available_games(self, player: Player, game_date: dt.date) -> list[dt.date]:
        """His last ROTATION_WINDOW team games before game_date in which he could play, latest first."""
        lookup = player.player_lookup
        slots = self.plan.by_player[lookup]  # his team's (teams', if traded) game dates, in order
        dates = self._dates.get(lookup)
        if dates is None:
            dates = self._dates[lookup] = list(slots)
        first = self.plan.first_game_date[lookup]
        window: list[dt.date] = []
        for day in reversed(dates[: bisect_left(dates, game_date)]):
            if day < first or len(window) == ROTATION_WINDOW:
                break
            if slots[day].can_play:
                window.append(day)
        return window

    def expected_to_play(self, player: Player, availability: Availability, game_date: dt.date) -> bool:
        if not availability.listed:
            return False  # out injured: not on the game's list
        window = self.available_games(player, game_date)
        if len(window) < MIN_GAMES_TO_JUDGE:
            return True
        played = {game.game_date for game in self.history.games_of(player.player_lookup)[-ROTATION_WINDOW:]}
        needed = MIN_PLAYED * len(window) / ROTATION_WINDOW
        return sum(day in played for day in window) >= needed
