"""A small, deterministic "mini season" for running the package's SQL on two engines.

Six teams, days 0-33 of the 2024 season (SEASON_START 2024-10-22), two games of the
2023 season (April 2024, never read for a 2024 night), 6-8 players a team. Box scores
come from a random.Random seeded per player and game, team games from a seeded
random.Random per team; nothing depends on the order rows are built in. Small enough
for a nested-loop evaluator, yet every query and processor branch has rows:
- nights: off nights 5, 13 and 22; most nights only some teams play; the last day's
  games are scheduled (game_status 1, no box scores); one overtime game (day 20);
- DEN's first game is on day 9; LAL sits from day 18 to 25 (on day 26 its last-7-days
  window is empty); DEN plays back-to-back on the regular night (day 29);
- marcustrade (same lookup and universal id) plays for NYK until day 10, is listed
  inactive for CHI on day 12 and plays for CHI from day 14;
- miastar is out on days 16-23 (inactive rows, status 'out', under 90 % complete);
  miawing and chistar sit on day 23, so MIA players have two stars out that night and
  CHI players one; DNP coach's decisions (active, 0 minutes): miabench on day 3,
  laldeep on day 12 (9 played games on day 26: no P2 row, so P4 skips him);
- ties: bostwin1 and bostwin2 have the same line every night (points, minutes, usage);
  BOS and NYK play the same nights and share a defense profile, so the shots they
  allow (and P1's zone percentages) are equal on every night;
- P2 zone boundaries: chisixth paint exactly 40 %, nykwing three exactly 40 %, nykguard
  mid-range exactly 35 %, miaguard balanced, dendeep takes no shots (NULL zone);
- NULLs: points lines below 24 projected minutes or before 3 games, opening lines
  before 5 games and for the traded player, lalguard's usage on day 8, inactive
  players' stats and minutes, everything about a team's first game (spread, total,
  rest days, pace differential, statuses, projected usage); statuses on day 29:
  doubtful, questionable, probable, available.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict

from phase4_fixtures import SEASON_YEAR, League, day, game_id
from processors.sample_season.generator import SampleSeason
from processors.sample_season.table_names import TABLE_NAMES
from processors.warehouse import Warehouse

LAST_DAY = 33
SCHEDULE = {  # day -> games "AWAY@HOME"; days without an entry have no games
    0: "NYK@BOS CHI@MIA", 1: "LAL@CHI", 2: "MIA@NYK LAL@BOS", 3: "CHI@MIA", 4: "BOS@CHI NYK@LAL",
    6: "MIA@BOS CHI@NYK", 7: "MIA@LAL", 8: "NYK@BOS CHI@LAL", 9: "DEN@MIA", 10: "LAL@NYK CHI@BOS",
    11: "MIA@DEN", 12: "BOS@LAL NYK@CHI", 14: "DEN@BOS MIA@NYK LAL@CHI", 15: "CHI@DEN",
    16: "NYK@BOS LAL@MIA", 17: "LAL@DEN", 18: "MIA@BOS DEN@NYK", 19: "CHI@MIA", 20: "BOS@DEN NYK@CHI",
    21: "NYK@BOS MIA@DEN", 23: "CHI@BOS MIA@NYK", 24: "DEN@CHI", 25: "MIA@BOS NYK@DEN", 26: "CHI@LAL",
    27: "CHI@NYK BOS@MIA", 28: "LAL@DEN", 29: "NYK@BOS DEN@MIA", 30: "CHI@LAL", 31: "LAL@BOS MIA@NYK",
    32: "DEN@CHI", 33: "NYK@BOS DEN@LAL CHI@MIA",
}
PREVIOUS_SEASON = {dt.date(2024, 4, 14): "NYK@BOS CHI@MIA"}  # season_year 2023: never read for 2024 nights
OVERTIME = {game_id(day(20), "NYK", "CHI")}

NIGHTS: dict[str, dt.date] = {
    "bootstrap": day(3),      # days 0-6: P1-P4 skipped, P5 placeholders
    "early_season": day(9),   # days 7-20; DEN's first game (no history, no P1 row, NULL context)
    "off_night": day(13),     # no games at all
    "traded": day(23),        # marcustrade in CHI's context (completeness follows CHI); stars out
    "after_break": day(26),   # LAL's first game after 8 days off: empty L7d window
    "regular": day(29),       # most players complete and ready: Phase 5 has work
    "last": day(LAST_DAY),    # the schedule's last date: games scheduled, not final
}

# role -> minutes, paint / mid-range / three attempts, FT attempts, usage
ROLES = {
    "star": (35.5, 8, 4, 7, 7, 30.0), "wing": (31.0, 4, 3, 7, 3, 21.0), "big": (29.0, 8, 2, 1, 4, 19.0),
    "guard": (30.0, 3, 4, 6, 3, 22.0), "sixth": (22.0, 4, 3, 4, 2, 18.0), "bench": (12.5, 2, 1, 2, 1, 15.0),
    "deep": (7.0, 1, 0, 1, 0, 12.0),
}
ROSTERS = {  # players are named team + role (e.g. bosstar)
    "BOS": ("star", "twin1", "twin2", "big", "guard", "bench", "deep"),
    "NYK": ("star", "wing", "big", "guard", "bench", "deep"),
    **{team: ("star", "wing", "big", "guard", "sixth", "bench", "deep") for team in ("MIA", "CHI", "LAL", "DEN")},
}
TRADED, TRADE_DAY = "marcustrade", 12  # a sixth man: NYK before TRADE_DAY, CHI from it
SAME_LINE = {"bostwin2": "bostwin1"}   # twins: the same stat line every night
FIXED_SHOTS = {"chisixth": (4, 2, 4), "nykwing": (6, 6, 8), "nykguard": (7, 7, 6), "miaguard": (7, 6, 7),
               "dendeep": (0, 0, 0)}
MINUTES = {"nykstar": 37.5}  # averages above 35
AGES = {"bosbig": 36, "lalstar": 34, "nykstar": 31, "denbig": 35}
STARS = {"bosstar", "nykstar", "miastar", "miawing", "chistar", "lalstar", "denstar"}
INACTIVE = {("miastar", d) for d in range(16, 24)} | {("miawing", 23), ("chistar", 23), (TRADED, 12), ("bosbench", 29)}
DNP_COACH = {("miabench", 3), ("laldeep", 12)}
NULL_USAGE = {("lalguard", 8)}
STATUS = {("miastar", 25): "questionable", ("miastar", 27): "probable", ("miawing", 16): "questionable",
          ("bosbench", 29): "doubtful", ("nykbig", 29): "probable", ("denstar", 29): "questionable",
          ("chiwing", 23): None, ("lalbig", 26): None, (TRADED, TRADE_DAY): None}
DEFENSE = {"BOS": (0.56, 0.40, 0.36), "NYK": (0.56, 0.40, 0.36), "MIA": (0.61, 0.38, 0.34),  # opp FG% by zone
           "CHI": (0.57, 0.45, 0.36), "LAL": (0.52, 0.41, 0.38), "DEN": (0.60, 0.43, 0.33)}
STRENGTH = {"BOS": 6, "NYK": 4, "MIA": 2, "CHI": 0, "LAL": 1, "DEN": -2}


def roster(team: str, d: int) -> list[str]:
    players = [team.lower() + role for role in ROSTERS[team]]
    if (team, d < TRADE_DAY) in (("NYK", True), ("CHI", False)):
        players.append(TRADED)
    return players


def role_of(player: str) -> str:
    return "sixth" if player == TRADED else player[3:].rstrip("12").replace("twin", "sixth")


def status_of(player: str, d: int, new_team: bool) -> str | None:
    """The injury-report status: an override, else 'out' when inactive, NULL before a team's first game."""
    if (player, d) in STATUS:
        return STATUS[player, d]
    return "out" if (player, d) in INACTIVE else None if new_team else "available"


def games_of(text: str) -> list[tuple[str, str]]:
    return [tuple(g.split("@")) for g in text.split()]


def makes(rng: random.Random, attempts: int, pct: float) -> int:
    return sum(rng.random() < pct for _ in range(attempts))


def stat_line(player: str, gid: str) -> dict:
    """A played game's box score: zone attempts and makes, points from makes, assisted + unassisted = FGM."""
    rng = random.Random(f"{SAME_LINE.get(player, player)}:{gid}")
    minutes, paint, mid, three, fta, usage = ROLES[role_of(player)]
    paint, mid, three = FIXED_SHOTS.get(player) or (max(0, a + rng.randint(-2, 2)) for a in (paint, mid, three))
    fta = 0 if player in FIXED_SHOTS and not any(FIXED_SHOTS[player]) else max(0, fta + rng.randint(-2, 2))
    pm, mm, tm, ftm = makes(rng, paint, 0.58), makes(rng, mid, 0.42), makes(rng, three, 0.36), makes(rng, fta, 0.78)
    fgm = pm + mm + tm
    assisted = makes(rng, fgm, 0.6)
    return dict(
        is_active=True, minutes_played=round(min(48.0, MINUTES.get(player, minutes) + rng.uniform(-3, 3)), 1),
        points=2 * (pm + mm) + 3 * tm + ftm, assists=rng.randint(0, 8), offensive_rebounds=rng.randint(0, 3),
        defensive_rebounds=rng.randint(1, 8), steals=rng.randint(0, 2), blocks=rng.randint(0, 2),
        turnovers=rng.randint(0, 4), personal_fouls=rng.randint(0, 5), fg_attempts=paint + mid + three, fg_makes=fgm,
        three_pt_attempts=three, three_pt_makes=tm, ft_attempts=fta, ft_makes=ftm, paint_attempts=paint,
        paint_makes=pm, mid_range_attempts=mid, mid_range_makes=mm, assisted_fg_makes=assisted,
        unassisted_fg_makes=fgm - assisted, usage_rate=round(usage + rng.uniform(-2.5, 2.5), 2),
    )


def not_played(active: bool) -> dict:
    """Inactive (NULL stats) or DNP coach's decision (active, 0 minutes, zero stats)."""
    stats = ("points", "assists", "offensive_rebounds", "defensive_rebounds", "steals", "blocks", "turnovers",
             "personal_fouls", "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts",
             "ft_makes", "paint_attempts", "paint_makes", "mid_range_attempts", "mid_range_makes",
             "assisted_fg_makes", "unassisted_fg_makes")
    return dict(dict.fromkeys(stats, 0 if active else None), is_active=active,
                minutes_played=0.0 if active else None, usage_rate=None, starter_flag=False)


def allowed(team: str, season: int, k: int, gid: str) -> dict:
    """What `team`'s opponent did in the team's k-th game: zones from the defense profile and k only
    (BOS and NYK tie), free throws per game."""
    rng, ft = random.Random(f"{DEFENSE[team]}:{season}:{k}"), random.Random(f"ft:{team}:{gid}")
    paint, mid, three = 30 + rng.randint(-5, 5), 16 + rng.randint(-4, 4), 36 + rng.randint(-5, 5)
    pm, mm, tm = (makes(rng, a, p) for a, p in zip((paint, mid, three), DEFENSE[team], strict=True))
    fta = 18 + ft.randint(-6, 6)
    return dict(opp_paint_attempts=paint, opp_paint_makes=pm, opp_mid_range_attempts=mid, opp_mid_range_makes=mm,
                opp_three_pt_attempts=three, opp_three_pt_makes=tm, opp_ft_attempts=fta, opp_ft_makes=makes(ft, fta, 0.77),
                blocks_paint=rng.randint(2, 7), blocks_mid_range=rng.randint(0, 2), blocks_three_pt=rng.randint(0, 1),
                steals=rng.randint(4, 10), defensive_rebounds=rng.randint(30, 40), turnovers_forced=rng.randint(9, 17),
                offensive_rebounds=rng.randint(7, 13), assists=rng.randint(20, 30))


class MiniSeason:
    def __init__(self) -> None:
        self.league = League()
        self.played: dict[str, list[dict]] = defaultdict(list)    # player -> played games (date, minutes, ...)
        self.team_games: dict[tuple[int, str], list[dict]] = defaultdict(list)  # (season, team) -> date, pace

    def schedule(self, date: dt.date, season: int, away: str, home: str, final: bool) -> str:
        gid = game_id(date, away, home)
        self.league.add("nba_raw.nbac_schedule", game_id=gid, game_date=date, season_year=season,
                        home_team_abbr=home, away_team_abbr=away, game_status=3 if final else 1)
        return gid

    def box_scores(self, date: dt.date, season: int, away: str, home: str, d: int, lines: dict) -> None:
        gid, minutes = game_id(date, away, home), 53 if game_id(date, away, home) in OVERTIME else 48
        against = {t: allowed(t, season, len(self.team_games[season, t]), gid) for t in (home, away)}
        other = {home: away, away: home}
        points = {other[t]: 2 * (a["opp_paint_makes"] + a["opp_mid_range_makes"]) + 3 * a["opp_three_pt_makes"]
                  + a["opp_ft_makes"] for t, a in against.items()}  # scored = what the other team allowed
        if points[home] == points[away]:  # the away team allowed one more free throw: the home team wins
            against[away]["opp_ft_attempts"] += 1
            against[away]["opp_ft_makes"] += 1
            points[home] += 1
        paces: dict[str, float] = {}
        for team, opponent in ((home, away), (away, home)):
            a, scored = against[team], points[opponent]  # a: what `opponent` did against `team`
            fga = a["opp_paint_attempts"] + a["opp_mid_range_attempts"] + a["opp_three_pt_attempts"]
            fgm = a["opp_paint_makes"] + a["opp_mid_range_makes"] + a["opp_three_pt_makes"]
            poss = fga + 0.44 * a["opp_ft_attempts"] + a["turnovers_forced"] - a["offensive_rebounds"]
            pace = paces[opponent] = round(poss * 48 / minutes, 1)
            common = dict(season_year=season, home_game=team == home)
            self.league.team_defense(
                date, team, opponent, gid, **common, win_flag=points[team] > scored, points_allowed=scored,
                opp_fg_attempts=fga, opp_fg_makes=fgm, points_in_paint_allowed=2 * a["opp_paint_makes"],
                defensive_rating=round(100 * scored / poss, 2), opponent_pace=pace,
                **{k: v for k, v in a.items() if k not in ("offensive_rebounds", "assists")})
            self.league.team_offense(
                date, opponent, team, gid, **{**common, "home_game": opponent == home}, win_flag=scored > points[team],
                points_scored=scored, fg_attempts=fga, fg_makes=fgm, three_pt_attempts=a["opp_three_pt_attempts"],
                three_pt_makes=a["opp_three_pt_makes"], ft_attempts=a["opp_ft_attempts"], ft_makes=a["opp_ft_makes"],
                offensive_rebounds=a["offensive_rebounds"], turnovers=a["turnovers_forced"], assists=a["assists"],
                possessions=round(poss, 2), pace=pace, offensive_rating=round(100 * scored / poss, 2),
                game_minutes=minutes)
        for team, opponent in ((home, away), (away, home)):
            self.team_games[season, team].append({"date": date, "pace": paces[team]})
            for player in roster(team, d):
                if (player, d) in INACTIVE or (player, d) in DNP_COACH:
                    stats = not_played(active=(player, d) in DNP_COACH)
                else:
                    stats = {"starter_flag": role_of(player) in ("star", "wing", "big", "guard"), **stat_line(player, gid)}
                    if (player, d) in NULL_USAGE:
                        stats["usage_rate"] = None
                    if season == SEASON_YEAR:
                        self.played[player].append({"date": date, **stats})
                self.league.player_game(
                    player, team, opponent, date, gid, **stats, season_year=season, home_game=team == home,
                    win_flag=points[team] > points[opponent],
                    points_line=lines.get(player), player_full_name=player.title())

    def context(self, d: int, away: str, home: str) -> dict[str, float | None]:
        """Both teams' and their players' upcoming context for day d; returns the points lines."""
        date, gid, lines = day(d), game_id(day(d), away, home), {}
        last_games = {t: self.team_games[SEASON_YEAR, t] for t in (home, away)}
        rest = {t: (date - g[-1]["date"]).days - 1 if g else None for t, g in last_games.items()}
        pace10 = {t: sum(x["pace"] for x in g[-10:]) / len(g[-10:]) if g else None for t, g in last_games.items()}
        new = {t: not g for t, g in last_games.items()}
        out = {p for t in (home, away) for p in roster(t, d) if status_of(p, d, new[t]) == "out"}
        for team, opponent in ((home, away), (away, home)):
            first = new[team] or new[opponent]
            spread = None if first else (STRENGTH[opponent] - STRENGTH[team] - 2.5) * (1 if team == home else -1)
            self.league.upcoming_team(
                team, opponent, date, game_id=gid, home_game=team == home, team_days_rest=rest[team],
                team_back_to_back=None if rest[team] is None else rest[team] == 0, game_spread=spread,
                game_total=None if first else 218.5 + STRENGTH[team] + STRENGTH[opponent],
                games_in_last_7_days=sum((date - g["date"]).days <= 7 for g in last_games[team]))
            for player in roster(team, d):
                games = self.played[player]
                last7, last14 = ([g for g in games if (date - g["date"]).days <= n] for n in (7, 14))
                days_rest = (date - games[-1]["date"]).days - 1 if games else None
                usages = [g["usage_rate"] for g in games[-7:] if g["usage_rate"] is not None]
                status = status_of(player, d, new[team])
                avg7 = round(sum(g["minutes_played"] for g in last7) / len(last7), 1) if last7 else None
                stars_out = len((out - {player}) & STARS & set(roster(team, d)))
                usage = None if new[team] else ROLES[role_of(player)][5] + (player not in STARS) * 2.5 * stars_out
                season_avg = sum(g["points"] for g in games) / len(games) if games else 0
                line = math.floor(season_avg) + 0.5 if len(games) >= 3 and (avg7 or 0) >= 24 and status != "out" else None
                opening = None if line is None or len(games) < 5 or player == TRADED else line + (d % 3 - 1)
                lines[player] = line
                self.league.upcoming_player(
                    player, team, opponent, date, game_id=gid, home_game=team == home, days_rest=days_rest,
                    back_to_back=None if days_rest is None else days_rest == 0, opponent_days_rest=rest[opponent],
                    games_in_last_7_days=len(last7), games_in_last_14_days=len(last14),
                    minutes_in_last_7_days=round(sum(g["minutes_played"] for g in last7), 1),
                    minutes_in_last_14_days=round(sum(g["minutes_played"] for g in last14), 1),
                    avg_minutes_per_game_last_7=avg7,
                    back_to_backs_last_14_days=sum((b["date"] - a["date"]).days == 1
                                                   for a, b in zip(last14, last14[1:], strict=False)),
                    player_age=AGES.get(player, 26),
                    pace_differential=None if first else round(pace10[team] - pace10[opponent], 1),
                    projected_usage_rate=usage,
                    avg_usage_rate_last_7_games=round(sum(usages) / len(usages), 2) if usages else None,
                    star_teammates_out=stars_out, player_status=status, season_phase="early" if d <= 20 else "mid",
                    current_points_line=line, opening_points_line=opening)
        return lines


def build_mini_season() -> League:
    """Every row of the mini season (not loaded)."""
    season = MiniSeason()
    for date, games in PREVIOUS_SEASON.items():
        for away, home in games_of(games):
            season.schedule(date, SEASON_YEAR - 1, away, home, final=True)
            season.box_scores(date, SEASON_YEAR - 1, away, home, -1, {})
    for d in range(LAST_DAY + 1):  # the night's context (from the games before it), then its box scores
        games = games_of(SCHEDULE.get(d, ""))
        lines = {p: line for away, home in games for p, line in season.context(d, away, home).items()}
        for away, home in games:
            season.schedule(day(d), SEASON_YEAR, away, home, final=d < LAST_DAY)
            if d < LAST_DAY:
                season.box_scores(day(d), SEASON_YEAR, away, home, d, lines)
    return season.league


def load_mini_season(warehouse: Warehouse) -> None:
    """Load the mini season into a warehouse whose schema exists."""
    build_mini_season().load(warehouse)


def mini_sample_season() -> SampleSeason:
    """The same rows as a SampleSeason, for processors.cli.sample_season.load_season / season_checksums."""
    rows = build_mini_season().rows
    return SampleSeason(season_year=SEASON_YEAR, seed=0, tables={name: rows[name] for name in TABLE_NAMES})
