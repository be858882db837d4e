"""One final game: both teams' possessions played out, then player box-score rows and both teams'
offense and defense rows."""

from __future__ import annotations

import random
from dataclasses import dataclass

from processors.sample_season.availability import Availability
from processors.sample_season.minutes import allocate_minutes, split_players
from processors.sample_season.possessions import game_pace, play_offense
from processors.sample_season.randomness import clamp, count_draw
from processors.sample_season.schedule import ScheduledGame
from processors.sample_season.stat_lines import MID, PAINT, THREE, StatLine, TeamSide
from processors.sample_season.teams_players import Player, Team

OVERTIME_ODDS = ((0.94, 0), (0.99, 1), (1.0, 2))
MIN_USAGE, MAX_USAGE = 5.0, 40.0


@dataclass(frozen=True)
class GameBox:
    player_rows: list[dict]
    offense_rows: list[dict]
    defense_rows: list[dict]
    paces: dict[str, float]  # team -> its pace in this game (unrounded)


def simulate_game(
    game: ScheduledGame,
    season_year: int,
    teams: dict[str, Team],
    rosters: dict[str, list[tuple[Player, Availability]]],
    points_lines: dict[str, float | None],
    rng: random.Random,
) -> GameBox:
    overtimes = next(periods for threshold, periods in OVERTIME_ODDS if rng.random() < threshold)
    game_minutes = 48 + 5 * overtimes
    home_team, away_team = teams[game.home_team_abbr], teams[game.away_team_abbr]
    possessions = game_pace(home_team, away_team, rng) * game_minutes / 48  # both teams get this many
    sides = {
        abbr: _take_the_floor(teams[abbr], abbr == game.home_team_abbr, rosters[abbr], game_minutes, rng)
        for abbr in (game.home_team_abbr, game.away_team_abbr)
    }
    home, away = sides[game.home_team_abbr], sides[game.away_team_abbr]
    for offense, defense in ((home, away), (away, home)):
        play_offense(offense, defense, possessions, rng)
    for side in (home, away):
        _add_fouls(side, rng)
    _break_tie(home, away, rng)
    context = _RowContext(game, season_year, game_minutes)
    player_rows: list[dict] = []
    offense_rows: list[dict] = []
    defense_rows: list[dict] = []
    for side, opponent in ((away, home), (home, away)):
        player_rows += _player_rows(side, opponent, context, points_lines)
        offense_rows.append(_offense_row(side, opponent, context))
        defense_rows.append(_defense_row(side, opponent, context))
    paces = {side.team.abbr: side.possessions * 48 / game_minutes for side in (home, away)}
    return GameBox(player_rows, offense_rows, defense_rows, paces)


def _take_the_floor(
    team: Team, home: bool, roster: list[tuple[Player, Availability]], game_minutes: int, rng: random.Random
) -> TeamSide:
    playing, dnp = split_players(roster, rng)
    appearances = allocate_minutes(playing, game_minutes, rng)
    return TeamSide(team=team, home=home, lines=[StatLine(appearance) for appearance in appearances], dnp=dnp)


def _add_fouls(side: TeamSide, rng: random.Random) -> None:
    for line in side.lines:
        line.fouls = min(6, count_draw(rng, line.player.fouls_per_36 * line.appearance.minutes / 36))


def _break_tie(home: TeamSide, away: TeamSide, rng: random.Random) -> None:
    """No ties in basketball: a missed free throw is made instead (possessions do not change)."""
    if home.points != away.points:
        return
    first = home if rng.random() < 0.5 else away
    for side in (first, away if first is home else home):
        missed = [line for line in side.lines if line.ft_makes < line.ft_attempts]
        if missed:
            max(missed, key=lambda line: (line.appearance.minutes_tenths, line.player.player_lookup)).ft_makes += 1
            return
    closer = max(first.lines, key=lambda line: (line.appearance.minutes_tenths, line.player.player_lookup))
    closer.ft_attempts += 1  # nobody missed a free throw all game: one more, made
    closer.ft_makes += 1


@dataclass(frozen=True)
class _RowContext:
    game: ScheduledGame
    season_year: int
    game_minutes: int


def _usage_rate(line: StatLine, side: TeamSide, game_minutes: int) -> float:
    """Share of team plays while on the floor: 100 x plays x (team minutes / 5) / (minutes x team plays)."""
    team_plays = sum(other.plays for other in side.lines)
    raw = 100 * line.plays * game_minutes / (line.appearance.minutes * team_plays) if team_plays else 0.0
    return round(clamp(raw, MIN_USAGE, MAX_USAGE), 2)


def _player_rows(
    side: TeamSide, opponent: TeamSide, context: _RowContext, points_lines: dict[str, float | None]
) -> list[dict]:
    won = side.points > opponent.points
    rows = [
        _active_row(line, side, opponent, context, won, points_lines.get(line.player.player_lookup))
        for line in side.lines
    ]
    rows += [_dnp_row(player, side, opponent, context, won) for player in side.dnp]
    return sorted(rows, key=lambda row: row["player_lookup"])


def _identity(player: Player, side: TeamSide, opponent: TeamSide, context: _RowContext) -> dict:
    return {
        "player_lookup": player.player_lookup,
        "universal_player_id": player.universal_player_id,
        "player_full_name": player.full_name,
        "game_id": context.game.game_id,
        "game_date": context.game.game_date,
        "season_year": context.season_year,
        "team_abbr": side.team.abbr,
        "opponent_team_abbr": opponent.team.abbr,
        "home_game": side.home,
    }


def _active_row(
    line: StatLine, side: TeamSide, opponent: TeamSide, context: _RowContext, won: bool, points_line: float | None
) -> dict:
    fg_makes = sum(line.makes)
    return {
        **_identity(line.player, side, opponent, context),
        "is_active": True,
        "minutes_played": line.appearance.minutes,
        "points": line.points,
        "assists": line.assists,
        "offensive_rebounds": line.offensive_rebounds,
        "defensive_rebounds": line.defensive_rebounds,
        "steals": line.steals,
        "blocks": line.blocks,
        "turnovers": line.turnovers,
        "personal_fouls": line.fouls,
        "fg_attempts": sum(line.attempts),
        "fg_makes": fg_makes,
        "three_pt_attempts": line.attempts[THREE],
        "three_pt_makes": line.makes[THREE],
        "ft_attempts": line.ft_attempts,
        "ft_makes": line.ft_makes,
        "paint_attempts": line.attempts[PAINT],
        "paint_makes": line.makes[PAINT],
        "mid_range_attempts": line.attempts[MID],
        "mid_range_makes": line.makes[MID],
        "assisted_fg_makes": line.assisted,
        "unassisted_fg_makes": fg_makes - line.assisted,
        "usage_rate": _usage_rate(line, side, context.game_minutes),
        "starter_flag": line.appearance.starter,
        "win_flag": won,
        "points_line": points_line,
    }


ZERO_STATS = (
    "points", "assists", "offensive_rebounds", "defensive_rebounds", "steals", "blocks", "turnovers",
    "personal_fouls", "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts",
    "ft_makes", "paint_attempts", "paint_makes", "mid_range_attempts", "mid_range_makes",
    "assisted_fg_makes", "unassisted_fg_makes",
)  # fmt: skip


def _dnp_row(player: Player, side: TeamSide, opponent: TeamSide, context: _RowContext, won: bool) -> dict:
    """Did not play: inactive, 0 minutes, zero stats, no usage and no line."""
    row = {**_identity(player, side, opponent, context), "is_active": False, "minutes_played": 0.0}
    row.update(dict.fromkeys(ZERO_STATS, 0))
    row.update({"usage_rate": None, "starter_flag": False, "win_flag": won, "points_line": None})
    return row


def _offense_row(side: TeamSide, opponent: TeamSide, context: _RowContext) -> dict:
    possessions = side.possessions
    points = side.points
    return {
        "game_id": context.game.game_id,
        "game_date": context.game.game_date,
        "season_year": context.season_year,
        "team_abbr": side.team.abbr,
        "opponent_team_abbr": opponent.team.abbr,
        "points_scored": points,
        "fg_attempts": side.field_goals("attempts"),
        "fg_makes": side.field_goals("makes"),
        "three_pt_attempts": side.zone_total("attempts", THREE),
        "three_pt_makes": side.zone_total("makes", THREE),
        "ft_attempts": side.total("ft_attempts"),
        "ft_makes": side.total("ft_makes"),
        "offensive_rebounds": side.total("offensive_rebounds"),
        "turnovers": side.total("turnovers"),
        "assists": side.total("assists"),
        "possessions": round(possessions, 2),
        "pace": round(possessions * 48 / context.game_minutes, 1),
        "offensive_rating": round(points / possessions * 100, 2),
        "game_minutes": context.game_minutes,
        "home_game": side.home,
        "win_flag": points > opponent.points,
    }


def _defense_row(side: TeamSide, opponent: TeamSide, context: _RowContext) -> dict:
    """What the opponent did against `side`, plus `side`'s own defensive plays."""
    opponent_possessions = opponent.possessions
    points_allowed = opponent.points
    return {
        "game_id": context.game.game_id,
        "game_date": context.game.game_date,
        "season_year": context.season_year,
        "defending_team_abbr": side.team.abbr,
        "opponent_team_abbr": opponent.team.abbr,
        "points_allowed": points_allowed,
        "opp_fg_attempts": opponent.field_goals("attempts"),
        "opp_fg_makes": opponent.field_goals("makes"),
        "opp_three_pt_attempts": opponent.zone_total("attempts", THREE),
        "opp_three_pt_makes": opponent.zone_total("makes", THREE),
        "opp_ft_attempts": opponent.total("ft_attempts"),
        "opp_ft_makes": opponent.total("ft_makes"),
        "opp_paint_attempts": opponent.zone_total("attempts", PAINT),
        "opp_paint_makes": opponent.zone_total("makes", PAINT),
        "opp_mid_range_attempts": opponent.zone_total("attempts", MID),
        "opp_mid_range_makes": opponent.zone_total("makes", MID),
        "points_in_paint_allowed": 2 * opponent.zone_total("makes", PAINT),
        "blocks_paint": side.blocks_by_zone[PAINT],
        "blocks_mid_range": side.blocks_by_zone[MID],
        "blocks_three_pt": side.blocks_by_zone[THREE],
        "steals": side.total("steals"),
        "defensive_rebounds": side.total("defensive_rebounds"),
        "turnovers_forced": opponent.total("turnovers"),
        "defensive_rating": round(points_allowed / opponent_possessions * 100, 2),
        "opponent_pace": round(opponent_possessions * 48 / context.game_minutes, 1),  # its own pace
        "home_game": side.home,
        "win_flag": side.points > points_allowed,
    }
