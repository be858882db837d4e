"""The league: 30 teams with style ratings and ~15-man rosters of players with roles and shot profiles."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from processors.sample_season.randomness import clamp

TEAM_ABBRS: tuple[str, ...] = (
    "ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW",
    "HOU", "IND", "LAC", "LAL", "MEM", "MIA", "MIL", "MIN", "NOP", "NYK",
    "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS",
)  # fmt: skip

# Teams whose home games tip off late on the East Coast.
WEST_COAST_TEAMS = frozenset({"GSW", "LAC", "LAL", "POR", "SAC", "PHX", "UTA", "DEN"})

LEAGUE_PACE = 99.5  # possessions per 48 minutes of the average team; team tempos are spread around it
TEMPO_SPREAD = 3.0  # team tempos spread evenly within +-3 of the league pace
SHOOTING_SD = 0.017  # team make-rate adjustment (offense)
ZONE_DEFENSE_SD = (0.036, 0.036, 0.03)  # paint, mid-range, three (positive = worse defense)

ROLES: tuple[str, ...] = ("star", "starter", "rotation", "bench", "deep_bench")

# (mean, sd) of a player's season minutes target by role; summed over a typical
# healthy roster this is close to 240 so scaling to the game total stays gentle.
ROLE_MINUTES: dict[str, tuple[float, float]] = {
    "star": (34.0, 1.5),
    "starter": (28.0, 2.0),
    "rotation": (18.0, 2.5),
    "bench": (8.0, 2.0),
    "deep_bench": (4.5, 1.0),
}
ROLE_USAGE: dict[str, tuple[float, float]] = {
    "star": (30.0, 2.0),
    "starter": (20.0, 2.5),
    "rotation": (18.0, 2.5),
    "bench": (17.0, 2.5),
    "deep_bench": (15.0, 2.0),
}

# (paint, mid-range, three) shares of a player's field-goal attempts.
ARCHETYPE_SHARES: dict[str, tuple[float, float, float]] = {
    "big": (0.68, 0.14, 0.18),
    "wing": (0.26, 0.15, 0.59),
    "guard": (0.33, 0.20, 0.47),
    "midrange": (0.27, 0.43, 0.30),
    "balanced": (0.36, 0.28, 0.36),
}
# Fifteen roster slots' archetypes, shuffled per team.
ROSTER_ARCHETYPES: tuple[str, ...] = (
    "guard", "guard", "wing", "wing", "big", "guard", "wing", "big",
    "midrange", "wing", "big", "guard", "balanced", "wing", "big",
)  # fmt: skip
BENCH_SLOTS: dict[str, int] = {"rotation": 3, "bench": 5, "deep_bench": 2}
ROSTER_SIZE = 15
TWO_STAR_TEAMS = 12
LATE_CALL_UPS = 4
VETERANS = 12  # non-star players aged 35-40
VETERAN_STARS = 2

FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Adrian", "Alec", "Andre", "Anthony", "Bennett", "Brandon", "Caleb", "Cameron", "Carter",
    "Cedric", "Colin", "Corey", "Damian", "Darius", "Dawson", "Dennis", "Derrick", "Dominic", "Elijah",
    "Emeka", "Evan", "Felix", "Gavin", "Grant", "Harrison", "Isaiah", "Jalen", "Jamal", "Jared",
    "Javier", "Jerome", "Jonah", "Jordan", "Julian", "Kareem", "Keaton", "Kendall", "Kevin", "Lamar",
    "Landon", "Lorenzo", "Luca", "Malik", "Marcus", "Mason", "Micah", "Miles", "Nathan", "Nikola",
    "Omar", "Oscar", "Patrick", "Quentin", "Rashad", "Reggie", "Ruben", "Samir", "Terrell", "Theo",
    "Trevor", "Tyrese", "Victor", "Wesley", "Xavier", "Zion",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Abernathy", "Adebayo", "Alston", "Barkley", "Bellamy", "Bledsoe", "Brennan", "Caldwell", "Carrington",
    "Castillo", "Chandler", "Coleman", "Dalton", "Donovan", "Drummond", "Ellison", "Fairbanks", "Fenwick",
    "Fletcher", "Garland", "Gentry", "Goodwin", "Halloway", "Hargrove", "Hastings", "Holloway", "Ingram",
    "Jarrett", "Kessler", "Kingsley", "Lambert", "Langston", "Lockhart", "Maddox", "Marlowe", "McAllister",
    "Mercer", "Monroe", "Nakamura", "Nwosu", "Okafor", "Olsen", "Pemberton", "Pryor", "Quinlan", "Radcliffe",
    "Ramsey", "Redding", "Rhodes", "Salazar", "Sanderson", "Sheppard", "Sinclair", "Stanton", "Sutherland",
    "Talbot", "Thornton", "Townsend", "Underwood", "Valdez", "Vance", "Wakefield", "Whitaker", "Winslow",
    "Yarbrough", "Zeller",
)  # fmt: skip


@dataclass(frozen=True)
class Team:
    abbr: str
    pace: float  # possessions per 48 minutes this team tends to play at
    shooting_adj: float  # added to its players' make probabilities
    paint_defense: float  # added to opponents' paint make probability (positive = worse defense)
    mid_defense: float
    three_defense: float
    num_stars: int

    def expected_margin_vs(self, other: Team) -> float:
        """Points per game better than `other` on a neutral floor (~200 points ride on make rates)."""
        own = self.shooting_adj - (self.paint_defense + self.mid_defense + self.three_defense) / 3
        theirs = other.shooting_adj - (other.paint_defense + other.mid_defense + other.three_defense) / 3
        return 200.0 * (own - theirs)


@dataclass(frozen=True)
class Player:
    player_lookup: str
    universal_player_id: str
    full_name: str
    team_abbr: str
    role: str
    archetype: str
    age: int
    minutes_mean: float
    usage: float
    zone_shares: tuple[float, float, float]  # paint, mid-range, three
    zone_pcts: tuple[float, float, float]
    ft_rate: float  # free-throw attempts per field-goal attempt
    ft_pct: float
    turnover_share: float  # share of a player's plays ending in a turnover
    assisted_bias: float  # scales how often his makes are assisted (creators < 1)
    playmaking: float
    offensive_rebounding: float
    defensive_rebounding: float
    steals: float
    blocking: float
    fouls_per_36: float
    is_call_up: bool = False

    @property
    def role_rank(self) -> int:
        return ROLES.index(self.role)


@dataclass(frozen=True)
class League:
    teams: dict[str, Team]
    players: tuple[Player, ...]

    def roster(self, team_abbr: str) -> list[Player]:
        return [player for player in self.players if player.team_abbr == team_abbr]


def normalized_lookup(full_name: str) -> str:
    """Lowercase letters and digits only: "Jalen O'Dell" -> "jalenodell"."""
    return re.sub(r"[^a-z0-9]", "", full_name.lower())


def build_league(rng: random.Random) -> League:
    two_star_teams = set(rng.sample(list(TEAM_ABBRS), TWO_STAR_TEAMS))
    teams = _spread_tempos({abbr: _build_team(abbr, 2 if abbr in two_star_teams else 1, rng) for abbr in TEAM_ABBRS})
    names = _distinct_names(rng, len(TEAM_ABBRS) * ROSTER_SIZE + LATE_CALL_UPS)
    players: list[Player] = []
    for abbr in TEAM_ABBRS:
        for role, archetype in _roster_slots(teams[abbr].num_stars, rng):
            players.append(_build_player(names.pop(0), abbr, role, archetype, rng))
    for abbr in rng.sample(list(TEAM_ABBRS), LATE_CALL_UPS):
        players.append(_build_player(names.pop(0), abbr, "deep_bench", rng.choice(ROSTER_ARCHETYPES), rng, True))
    return League(teams=teams, players=tuple(_with_veterans(players, rng)))


def _build_team(abbr: str, num_stars: int, rng: random.Random) -> Team:
    return Team(
        abbr=abbr,
        pace=rng.uniform(LEAGUE_PACE - TEMPO_SPREAD, LEAGUE_PACE + TEMPO_SPREAD),
        shooting_adj=round(rng.gauss(0.0, SHOOTING_SD), 4),
        paint_defense=round(rng.gauss(0.0, ZONE_DEFENSE_SD[0]), 4),
        mid_defense=round(rng.gauss(0.0, ZONE_DEFENSE_SD[1]), 4),
        three_defense=round(rng.gauss(0.0, ZONE_DEFENSE_SD[2]), 4),
        num_stars=num_stars,
    )


def _spread_tempos(teams: dict[str, Team]) -> dict[str, Team]:
    """Evenly spaced tempos in the order of the drawn ones: 30 uniform draws alone can bunch up
    or drift off the league pace; this keeps the league's spread and mean every season."""
    order = sorted(teams, key=lambda abbr: (teams[abbr].pace, abbr))
    step = 2 * TEMPO_SPREAD / len(order)
    return {
        abbr: replace(teams[abbr], pace=round(LEAGUE_PACE - TEMPO_SPREAD + step * (order.index(abbr) + 0.5), 2))
        for abbr in teams
    }


def _distinct_names(rng: random.Random, count: int) -> list[str]:
    """Distinct full names whose lookups are distinct too (combinations drawn without replacement)."""
    combos = rng.sample(range(len(FIRST_NAMES) * len(LAST_NAMES)), count * 2)
    names: list[str] = []
    seen: set[str] = set()
    for combo in combos:
        first, last = divmod(combo, len(LAST_NAMES))
        name = f"{FIRST_NAMES[first]} {LAST_NAMES[last]}"
        if normalized_lookup(name) not in seen:
            seen.add(normalized_lookup(name))
            names.append(name)
        if len(names) == count:
            break
    return names


def _roster_slots(num_stars: int, rng: random.Random) -> list[tuple[str, str]]:
    roles = ["star"] * num_stars + ["starter"] * (5 - num_stars)
    for role, slots in BENCH_SLOTS.items():
        roles += [role] * slots
    archetypes = list(ROSTER_ARCHETYPES)
    rng.shuffle(archetypes)
    return list(zip(roles, archetypes, strict=True))


def _build_player(
    full_name: str, team_abbr: str, role: str, archetype: str, rng: random.Random, is_call_up: bool = False
) -> Player:
    lookup = normalized_lookup(full_name)
    minutes_mean, minutes_sd = ROLE_MINUTES[role]
    usage_mean, usage_sd = ROLE_USAGE[role]
    is_big = archetype == "big"
    star_creation = 1.6 if role == "star" else 1.0  # stars set up teammates more
    return Player(
        player_lookup=lookup,
        universal_player_id=f"{lookup}_001",
        full_name=full_name,
        team_abbr=team_abbr,
        role=role,
        archetype=archetype,
        age=round(clamp(rng.gauss(26.5, 3.8), 19, 34)) if not is_call_up else rng.randint(21, 25),
        minutes_mean=round(clamp(rng.gauss(minutes_mean, minutes_sd), 2.0, 38.5), 1),
        usage=round(clamp(rng.gauss(usage_mean, usage_sd), 10.0, 36.0), 2),
        zone_shares=_zone_shares(archetype, rng),
        zone_pcts=_zone_pcts(archetype, rng),
        ft_rate=clamp(rng.gauss(0.34 if role == "star" else 0.24, 0.06), 0.08, 0.55),
        ft_pct=clamp(rng.gauss(0.68 if is_big else 0.80, 0.06), 0.5, 0.93),
        turnover_share=clamp(rng.gauss(0.12, 0.02), 0.06, 0.18),
        assisted_bias=0.75 if role == "star" else clamp(rng.gauss(1.0, 0.08), 0.8, 1.2),
        playmaking=clamp(rng.gauss(2.0 if archetype == "guard" else 1.0, 0.3), 0.3, 3.0) * star_creation,
        offensive_rebounding=clamp(rng.gauss(2.5 if is_big else 0.8, 0.3), 0.2, 4.0),
        defensive_rebounding=clamp(rng.gauss(2.2 if is_big else 1.0, 0.3), 0.3, 4.0),
        steals=clamp(rng.gauss(1.0, 0.25), 0.3, 2.0),
        blocking=clamp(rng.gauss(3.0 if is_big else 0.6, 0.4), 0.1, 5.0),
        fouls_per_36=clamp(rng.gauss(3.6 if is_big else 2.7, 0.5), 1.0, 5.5),
        is_call_up=is_call_up,
    )


def _zone_shares(archetype: str, rng: random.Random) -> tuple[float, float, float]:
    raw = [max(0.03, share + rng.gauss(0.0, 0.035)) for share in ARCHETYPE_SHARES[archetype]]
    total = sum(raw)
    paint, mid = raw[0] / total, raw[1] / total
    return (round(paint, 4), round(mid, 4), round(1.0 - round(paint, 4) - round(mid, 4), 4))


def _zone_pcts(archetype: str, rng: random.Random) -> tuple[float, float, float]:
    paint_bonus = {"big": 0.05, "guard": -0.04, "wing": -0.02}.get(archetype, 0.0)
    mid_bonus = 0.03 if archetype == "midrange" else 0.0
    three_bonus = {"wing": 0.015, "big": -0.03}.get(archetype, 0.0)
    return (
        round(clamp(0.60 + paint_bonus + rng.gauss(0.0, 0.025), 0.45, 0.72), 4),
        round(clamp(0.42 + mid_bonus + rng.gauss(0.0, 0.025), 0.30, 0.52), 4),
        round(clamp(0.37 + three_bonus + rng.gauss(0.0, 0.02), 0.25, 0.45), 4),
    )


def _with_veterans(players: list[Player], rng: random.Random) -> list[Player]:
    """Make some players 35-40 so age-based fatigue rules fire (ages are drawn 19-34 otherwise)."""
    stars = [index for index, player in enumerate(players) if player.role == "star"]
    others = [index for index, player in enumerate(players) if player.role != "star" and not player.is_call_up]
    for index in rng.sample(stars, VETERAN_STARS) + rng.sample(others, VETERANS):
        players[index] = replace(players[index], age=rng.randint(35, 40))
    return players
