"""One final game simulated shot by shot: player box-score rows and both teams' offense and defense rows."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from processors.sample_season.availability import Availability
from processors.sample_season.minutes import Appearance, allocate_minutes, split_players
from processors.sample_season.randomness import binomial, clamp, count_draw
from processors.sample_season.schedule import ScheduledGame
from processors.sample_season.teams_players import Player, Team

PAINT, MID, THREE = 0, 1, 2
ZONES = (PAINT, MID, THREE)
HOME_SHOOTING_BONUS = 0.006
PLAYS_PER_POSSESSION = 1.1  # FGA + 0.44 FTA + TOV runs ~10 % above possessions (offensive rebounds)
ASSISTED_RATE = (0.52, 0.40, 0.84)  # by zone
OFFENSIVE_REBOUND_RATE = 0.24
BLOCK_RATE = (0.2, 0.09, 0.03)  # share of misses in the zone that were blocked
STEAL_SHARE_OF_TURNOVERS = 0.5
OVERTIME_ODDS = ((0.94, 0), (0.99, 1), (1.0, 2))
GAME_PACE_NOISE = 2.5
MIN_USAGE, MAX_USAGE = 5.0, 40.0


@dataclass
class StatLine:
    """A player's counting stats in one game, filled in as the game is simulated."""

    appearance: Appearance
    attempts: list[int] = field(default_factory=lambda: [0, 0, 0])
    makes: list[int] = field(default_factory=lambda: [0, 0, 0])
    ft_attempts: int = 0
    ft_makes: int = 0
    turnovers: int = 0
    assisted: int = 0
    assists: int = 0
    offensive_rebounds: int = 0
    defensive_rebounds: int = 0
    steals: int = 0
    blocks: int = 0
    fouls: int = 0

    @property
    def player(self) -> Player:
        return self.appearance.player

    @property
    def points(self) -> int:
        return 2 * (self.makes[PAINT] + self.makes[MID]) + 3 * self.makes[THREE] + self.ft_makes

    @property
    def plays(self) -> float:
        return sum(self.attempts) + 0.44 * self.ft_attempts + self.turnovers


@dataclass
class TeamSide:
    team: Team
    home: bool
    lines: list[StatLine]
    dnp: list[Player]
    blocks_by_zone: list[int] = field(default_factory=lambda: [0, 0, 0])

    def total(self, stat: str) -> int:
        return sum(getattr(line, stat) for line in self.lines)

    def zone_total(self, stat: str, zone: int) -> int:
        return sum(getattr(line, stat)[zone] for line in self.lines)

    def field_goals(self, stat: str) -> int:
        """All zones: stat is "attempts" or "makes"."""
        return sum(sum(getattr(line, stat)) for line in self.lines)

    @property
    def points(self) -> int:
        return sum(line.points for line in self.lines)


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
    pace = (home_team.pace + away_team.pace) / 2 + rng.gauss(0.0, GAME_PACE_NOISE)
    sides = {
        abbr: _take_the_floor(teams[abbr], abbr == game.home_team_abbr, rosters[abbr], game_minutes, rng)
        for abbr in (game.home_team_abbr, game.away_team_abbr)
    }
    home, away = sides[game.home_team_abbr], sides[game.away_team_abbr]
    for offense, defense in ((home, away), (away, home)):
        _shoot(offense, defense, pace * game_minutes / 48, rng)
    for offense, defense in ((home, away), (away, home)):
        _rebound_block_steal(offense, defense, rng)
        _credit_assists(offense, rng)
        _add_fouls(offense, rng)
    _break_tie(home, away, rng)
    team_paces = {side.team.abbr: _possessions(side) * 48 / game_minutes for side in (home, away)}
    game_pace = round((team_paces[home.team.abbr] + team_paces[away.team.abbr]) / 2, 1)
    context = _RowContext(game, season_year, game_minutes, game_pace)
    player_rows: list[dict] = []
    offense_rows: list[dict] = []
    defense_rows: list[dict] = []
    for side, opponent in ((away, home), (home, away)):
        player_rows += _player_rows(side, opponent, context, points_lines)
        offense_rows.append(_offense_row(side, opponent, context))
        defense_rows.append(_defense_row(side, opponent, context))
    return GameBox(player_rows, offense_rows, defense_rows, team_paces)


def _take_the_floor(
    team: Team, home: bool, roster: list[tuple[Player, Availability]], game_minutes: int, rng: random.Random
) -> TeamSide:
    playing, dnp = split_players(roster, rng)
    appearances = allocate_minutes(playing, game_minutes, rng)
    return TeamSide(team=team, home=home, lines=[StatLine(appearance) for appearance in appearances], dnp=dnp)


def _shoot(offense: TeamSide, defense: TeamSide, possessions: float, rng: random.Random) -> None:
    """Plays are shared by usage x minutes; each shot picks a zone and goes in at a zone rate
    that depends on the shooter, his team's form and the defense's strength in that zone."""
    defense_by_zone = (defense.team.paint_defense, defense.team.mid_defense, defense.team.three_defense)
    weights = [line.player.usage * line.appearance.minutes for line in offense.lines]
    total_weight = sum(weights)
    team_plays = possessions * PLAYS_PER_POSSESSION
    bonus = offense.team.shooting_adj + (HOME_SHOOTING_BONUS if offense.home else 0.0)
    for line, weight in zip(offense.lines, weights, strict=True):
        player = line.player
        plays = team_plays * weight / total_weight
        fga_mean = plays * (1 - player.turnover_share) / (1 + 0.44 * player.ft_rate)
        line.ft_attempts = count_draw(rng, fga_mean * player.ft_rate, 1.3)
        line.ft_makes = binomial(rng, line.ft_attempts, player.ft_pct)
        line.turnovers = count_draw(rng, plays * player.turnover_share)
        paint_cut = player.zone_shares[PAINT]
        mid_cut = paint_cut + player.zone_shares[MID]
        make_rates = [clamp(player.zone_pcts[z] + bonus + defense_by_zone[z], 0.1, 0.85) for z in ZONES]
        for _ in range(count_draw(rng, fga_mean)):
            draw = rng.random()
            zone = PAINT if draw < paint_cut else MID if draw < mid_cut else THREE
            line.attempts[zone] += 1
            if rng.random() < make_rates[zone]:
                line.makes[zone] += 1
                if rng.random() < clamp(ASSISTED_RATE[zone] * player.assisted_bias, 0.0, 0.95):
                    line.assisted += 1


def _weighted_picks(lines: list[StatLine], rating: str, count: int, rng: random.Random) -> list[StatLine]:
    if count <= 0:
        return []
    weights = [getattr(line.player, rating) * line.appearance.minutes for line in lines]
    return rng.choices(lines, weights=weights, k=count)


def _rebound_block_steal(offense: TeamSide, defense: TeamSide, rng: random.Random) -> None:
    for zone in ZONES:
        misses = offense.zone_total("attempts", zone) - offense.zone_total("makes", zone)
        blocked = binomial(rng, misses, BLOCK_RATE[zone])
        defense.blocks_by_zone[zone] += blocked
        for blocker in _weighted_picks(defense.lines, "blocking", blocked, rng):
            blocker.blocks += 1
    misses = sum(offense.zone_total("attempts", z) - offense.zone_total("makes", z) for z in ZONES)
    offensive = binomial(rng, misses, OFFENSIVE_REBOUND_RATE)
    for rebounder in _weighted_picks(offense.lines, "offensive_rebounding", offensive, rng):
        rebounder.offensive_rebounds += 1
    for rebounder in _weighted_picks(defense.lines, "defensive_rebounding", misses - offensive, rng):
        rebounder.defensive_rebounds += 1
    steals = binomial(rng, offense.total("turnovers"), STEAL_SHARE_OF_TURNOVERS)
    for thief in _weighted_picks(defense.lines, "steals", steals, rng):
        thief.steals += 1


def _credit_assists(side: TeamSide, rng: random.Random) -> None:
    """Every assisted make is one teammate's assist (never the shooter's own)."""
    for shooter in side.lines:
        teammates = [line for line in side.lines if line is not shooter]
        for passer in _weighted_picks(teammates, "playmaking", shooter.assisted, rng):
            passer.assists += 1


def _add_fouls(side: TeamSide, rng: random.Random) -> None:
    for line in side.lines:
        line.fouls = min(6, count_draw(rng, line.player.fouls_per_36 * line.appearance.minutes / 36))


def _break_tie(home: TeamSide, away: TeamSide, rng: random.Random) -> None:
    """No ties in basketball: a late free throw decides it."""
    if home.points != away.points:
        return
    side = home if rng.random() < 0.5 else away
    closer = max(side.lines, key=lambda line: (line.appearance.minutes_tenths, line.player.player_lookup))
    closer.ft_attempts += 1
    closer.ft_makes += 1


def _possessions(side: TeamSide) -> float:
    """FGA + 0.44 x FTA + TOV - ORB."""
    return (
        side.field_goals("attempts")
        + 0.44 * side.total("ft_attempts")
        + side.total("turnovers")
        - side.total("offensive_rebounds")
    )


@dataclass(frozen=True)
class _RowContext:
    game: ScheduledGame
    season_year: int
    game_minutes: int
    game_pace: float


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
    possessions = _possessions(side)
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
    opponent_possessions = _possessions(opponent)
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
        "opponent_pace": context.game_pace,
        "home_game": side.home,
        "win_flag": side.points > points_allowed,
    }
