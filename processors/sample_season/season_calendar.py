"""Season calendar: opening night, the target last night, and the nights the league takes off."""

from __future__ import annotations

import datetime as dt

EARLY_PHASE_DAYS = 28  # first four weeks
LATE_PHASE_DAYS = 42  # last six weeks


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday (Monday = 0) of a month."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def opening_night(season_year: int) -> dt.date:
    """The Tuesday closest to October 22."""
    target = dt.date(season_year, 10, 22)
    offset = (1 - target.weekday()) % 7
    return target + dt.timedelta(days=offset if offset <= 3 else offset - 7)


def target_last_night(season_year: int) -> dt.date:
    """The Sunday on or after April 10 of the following year."""
    target = dt.date(season_year + 1, 4, 10)
    return target + dt.timedelta(days=(6 - target.weekday()) % 7)


def all_star_break(season_year: int) -> list[dt.date]:
    """Friday before through Wednesday after the All-Star Game (third Sunday of February): 6 nights."""
    all_star_sunday = nth_weekday(season_year + 1, 2, 6, 3)
    return [all_star_sunday + dt.timedelta(days=offset) for offset in range(-2, 4)]


def thanksgiving(season_year: int) -> dt.date:
    return nth_weekday(season_year, 11, 3, 4)


def christmas(season_year: int) -> dt.date:
    return dt.date(season_year, 12, 25)


def cup_final(season_year: int) -> dt.date:
    """The in-season tournament final: a one-game night on the third Tuesday of December."""
    return nth_weekday(season_year, 12, 1, 3)


def league_off_nights(season_year: int) -> set[dt.date]:
    return {thanksgiving(season_year), dt.date(season_year, 12, 24), *all_star_break(season_year)}


def season_phase(game_date: dt.date, first_game: dt.date, last_game: dt.date) -> str:
    if (game_date - first_game).days < EARLY_PHASE_DAYS:
        return "early"
    if (last_game - game_date).days < LATE_PHASE_DAYS:
        return "late"
    return "mid"


def is_eastern_daylight_time(day: dt.date) -> bool:
    """US rule: from the second Sunday of March to the first Sunday of November."""
    return nth_weekday(day.year, 3, 6, 2) <= day < nth_weekday(day.year, 11, 6, 1)


def eastern_to_utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
    """A tip-off given in Eastern time as an aware UTC datetime (no tz database needed)."""
    offset_hours = 4 if is_eastern_daylight_time(day) else 5
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
    return local + dt.timedelta(hours=offset_hours)
