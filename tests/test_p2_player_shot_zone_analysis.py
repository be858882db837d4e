"""P2 player_shot_zone_analysis on hand-built games, expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from phase4_fixtures import League, day
from processors.phase4 import DependencyMissing, get_processor
from processors.phase4.calendar import NoScheduleError
from processors.warehouse import Statement

NIGHT = day(60)                                  # mid-season
BOS_DATES = [day(58 - 2 * k) for k in range(20)]  # BOS's 20 final games before NIGHT, latest first
VOLATILE = ("processed_at", "created_at")


class ShotLeague(League):
    """A League whose season starts on day 0 and whose BOS plays NYK at home every other day."""

    def __init__(self, night: dt.date = NIGHT, bos_dates: list[dt.date] = BOS_DATES) -> None:
        super().__init__()
        self.game(day(0), "LAL", "LAC")         # opening night pins the season start
        for date in bos_dates:
            self.game(date, "NYK", "BOS")
        self.game(night, "NYK", "BOS", status=1)  # the night is a game day

    def played(self, player: str, dates: list[dt.date], team: str = "BOS", opponent: str = "NYK",
               **stats) -> None:
        for date in dates:
            self.player_game(player, team, opponent, date, **stats)


def shots(paint=(0, 0), mid=(0, 0), three=(0, 0), assisted=0) -> dict:
    """Box-score overrides for a shot profile (attempts, makes) that keep the invariants."""
    (pa, pm), (ma, mm), (ta, tm) = paint, mid, three
    makes = pm + mm + tm
    return dict(paint_attempts=pa, paint_makes=pm, mid_range_attempts=ma, mid_range_makes=mm,
                three_pt_attempts=ta, three_pt_makes=tm, fg_attempts=pa + ma + ta, fg_makes=makes,
                points=2 * (pm + mm) + 3 * tm, ft_attempts=0, ft_makes=0,
                assisted_fg_makes=assisted, unassisted_fg_makes=makes - assisted)


def run_p2(warehouse, night=NIGHT):
    return get_processor("player_shot_zone_analysis").run(warehouse, night)


def rows(warehouse, night=NIGHT) -> dict[str, dict]:
    found = warehouse.query(Statement("t.sql", "SELECT * FROM nba_precompute.player_shot_zone_analysis "
                                               "WHERE analysis_date = @d"), {"d": night})
    return {r["player_lookup"]: r for r in found}


def stable(found: dict[str, dict]) -> dict[str, dict]:
    return {k: {c: v for c, v in r.items() if c not in VOLATILE} for k, r in found.items()}


def test_zone_rates_pcts_per_game_and_assisted_rates(warehouse):
    league = ShotLeague()
    # Last 10 games alternate A: paint 10/6, mid 4/2, three 6/2, assisted 6 of 10 makes
    #                      and B: paint 4/2, mid 4/1, three 12/5, assisted 2 of 8 makes.
    a = shots(paint=(10, 6), mid=(4, 2), three=(6, 2), assisted=6)
    b = shots(paint=(4, 2), mid=(4, 1), three=(12, 5), assisted=2)
    for n, date in enumerate(BOS_DATES[:10]):
        league.player_game("zoner", "BOS", "NYK", date, **(a if n % 2 else b))
    # The 10 games before: paint only, 20/10 -- they count in the 20-game window only.
    league.played("zoner", BOS_DATES[10:], **shots(paint=(20, 10), assisted=5))
    league.load(warehouse)

    result = run_p2(warehouse)
    assert (result.status, result.rows_written, result.production_ready) == ("partial", 1, 1)  # below 400
    z = rows(warehouse)["zoner"]
    # Sums over 10: paint 70/40, mid 40/15, three 90/35, 200 shots; FG makes 90, assisted 40.
    assert z["total_shots_last_10"] == 200 and z["games_in_sample_10"] == 10
    assert z["paint_rate_last_10"] == pytest.approx(35.0)
    assert z["mid_range_rate_last_10"] == pytest.approx(20.0)
    assert z["three_pt_rate_last_10"] == pytest.approx(45.0)
    assert z["paint_pct_last_10"] == pytest.approx(40 / 70)
    assert z["mid_range_pct_last_10"] == pytest.approx(15 / 40)
    assert z["three_pt_pct_last_10"] == pytest.approx(35 / 90)
    assert (z["paint_attempts_per_game"], z["mid_range_attempts_per_game"], z["three_pt_attempts_per_game"]) == \
        pytest.approx((7.0, 4.0, 9.0))
    assert z["assisted_rate_last_10"] == pytest.approx(100 * 40 / 90)
    assert z["unassisted_rate_last_10"] == pytest.approx(100 * 50 / 90)
    # 20 games: paint 270 of 400 shots, 140 makes.
    assert z["games_in_sample_20"] == 20
    assert z["paint_rate_last_20"] == pytest.approx(67.5)
    assert z["paint_pct_last_20"] == pytest.approx(140 / 270)
    assert z["primary_scoring_zone"] == "perimeter"
    assert (z["sample_quality_10"], z["sample_quality_20"], z["data_quality_tier"]) == ("excellent", "excellent", "high")
    assert (z["expected_games_count"], z["actual_games_count"], z["completeness_percentage"]) == (10, 10, 100.0)
    assert z["is_production_ready"] and z["data_quality_issues"] == []
    assert (z["team_abbr"], z["universal_player_id"], z["season_year"]) == ("BOS", "zoner_001", 2024)
    assert not z["early_season_flag"] and z["processing_decision_reason"] == "computed"


PRIMARY_ZONE_CASES = {
    # player: (per-game profiles (paint, mid, three) attempts x games, expected zone)
    "paintforty": ([((8, 4, 8), 10)], "paint"),                           # paint exactly 40 (three 40 too)
    "threeforty": ([((8, 4, 8), 9), ((7, 5, 8), 1)], "perimeter"),        # paint 39.5, three exactly 40
    "midthirtyfive": ([((6, 7, 7), 10)], "mid_range"),                    # 30 / 35 / 35
    "midjustbelow": ([((6, 7, 7), 9), ((7, 6, 7), 1)], "balanced"),       # 30.5 / 34.5 / 35
    "balanced": ([((7, 6, 7), 10)], "balanced"),                          # 35 / 30 / 35
    "noshots": ([((0, 0, 0), 10)], None),
}


def test_primary_scoring_zone_boundaries_are_inclusive(warehouse):
    league = ShotLeague()
    for player, (profiles, _) in PRIMARY_ZONE_CASES.items():
        dates = iter(BOS_DATES)
        for (paint, mid, three), games in profiles:
            league.played(player, [next(dates) for _ in range(games)],
                          **shots(paint=(paint, 0), mid=(mid, 0), three=(three, 0)))
    league.load(warehouse)
    run_p2(warehouse)
    found = rows(warehouse)
    assert {p: r["primary_scoring_zone"] for p, r in found.items()} == \
        {p: zone for p, (_, zone) in PRIMARY_ZONE_CASES.items()}
    assert found["paintforty"]["paint_rate_last_10"] == 40.0
    assert (found["threeforty"]["paint_rate_last_10"], found["threeforty"]["three_pt_rate_last_10"]) == (39.5, 40.0)
    assert found["midthirtyfive"]["mid_range_rate_last_10"] == 35.0
    assert found["midjustbelow"]["mid_range_rate_last_10"] == 34.5
    none = found["noshots"]
    assert none["total_shots_last_10"] == 0
    assert none["paint_rate_last_10"] is None and none["paint_pct_last_10"] is None
    assert none["assisted_rate_last_10"] is None  # no FG makes


def test_windows_sample_quality_and_the_ten_game_rule(warehouse):
    league = ShotLeague()
    games = {"twenty": 20, "fifteen": 15, "fourteen": 14, "thirteen": 13, "ten": 10, "nine": 9}
    for player, n in games.items():
        league.played(player, BOS_DATES[:n])
    league.load(warehouse)
    run_p2(warehouse)
    found = rows(warehouse)
    assert "nine" not in found  # fewer than 10 played games: no row outside the early season
    assert {p: r["games_in_sample_20"] for p, r in found.items()} == {p: n for p, n in games.items() if n >= 10}
    # 20-game window: full = excellent, 14 = exactly 70 % good, 13 limited, 10 = exactly 50 % limited.
    assert {p: r["sample_quality_20"] for p, r in found.items()} == {
        "twenty": "excellent", "fifteen": "good", "fourteen": "good", "thirteen": "limited", "ten": "limited"}
    assert {r["sample_quality_10"] for r in found.values()} == {"excellent"}
    assert {r["data_quality_tier"] for r in found.values()} == {"high"}  # 10 games in the 10-game window
    # paint_pct_last_20 needs 15 games; the default game is paint 10/6.
    assert found["twenty"]["paint_pct_last_20"] == pytest.approx(0.6)
    assert found["fifteen"]["paint_pct_last_20"] == pytest.approx(0.6)
    assert found["fourteen"]["paint_pct_last_20"] is None
    assert found["fourteen"]["paint_rate_last_20"] == pytest.approx(50.0)  # 10 of 20 shots, still computed


def test_early_season_rows_for_short_samples(warehouse):
    # BOS plays every other day from day 2 to day 38 (day 16 is the night itself): 7 games before day 16
    # (early season), 18 before day 40.
    early, later = day(16), day(40)
    bos = [day(d) for d in range(38, 0, -2) if d != 16]
    league = ShotLeague(night=early, bos_dates=bos)
    league.game(later, "NYK", "BOS", status=1)
    league.played("regular", bos)                                   # every game: 7 before day 16
    league.played("five", [day(d) for d in (14, 12, 10, 8, 6)])      # 5 of 7
    league.played("four", [day(d) for d in (14, 12, 10, 8)])         # 4 of 7
    league.load(warehouse)

    result = run_p2(warehouse, early)
    assert result.decision == "early_season" and result.early_season_rows == 3
    assert result.success_threshold == 100
    found = rows(warehouse, early)
    reg, five, four = found["regular"], found["five"], found["four"]
    assert (reg["games_in_sample_10"], five["games_in_sample_10"], four["games_in_sample_10"]) == (7, 5, 4)
    # 7 of 10 = exactly 70 % good; 5 = exactly 50 % limited; 4 insufficient; 7 of 20 insufficient.
    assert (reg["sample_quality_10"], five["sample_quality_10"], four["sample_quality_10"]) == \
        ("good", "limited", "insufficient")
    assert reg["sample_quality_20"] == "insufficient"
    # Tier low for every early-season short sample (7 games would be medium by the game-count rule).
    assert {r["data_quality_tier"] for r in found.values()} == {"low"}
    assert all(r["early_season_flag"] for r in found.values())
    assert {r["processing_decision_reason"] for r in found.values()} == {"early_season_short_sample"}
    # Readiness follows completeness: every team game played (7 of 7) is ready; 5 of 7 = 71 % is not.
    assert (reg["expected_games_count"], reg["actual_games_count"], reg["is_production_ready"]) == (7, 7, True)
    assert five["completeness_percentage"] == pytest.approx(500 / 7) and not five["is_production_ready"]
    assert reg["data_quality_issues"] == ["early_season_short_sample"]
    assert five["data_quality_issues"] == ["player_games_incomplete", "early_season_short_sample"]

    # Mid-season the same short samples get no row; the regular (18 games by day 40) does, tier high.
    result = run_p2(warehouse, later)
    assert result.decision == "computed"
    later_rows = rows(warehouse, later)
    assert set(later_rows) == {"regular"}
    assert later_rows["regular"]["data_quality_tier"] == "high" and not later_rows["regular"]["early_season_flag"]


def test_completeness_at_exactly_90_percent_and_below_and_a_traded_player(warehouse):
    league = ShotLeague()
    league.played("ninety", BOS_DATES[:3] + BOS_DATES[4:12])    # misses 1 of the last 10 team games
    league.played("eighty", BOS_DATES[:3] + BOS_DATES[5:14])    # misses 2 of them
    # Traded: 10 games for MIA, then the last 5 for BOS; he follows his current team BOS.
    mia = [day(21 + 2 * k) for k in range(10)]
    for date in mia:
        league.game(date, "ORL", "MIA")
    league.played("traded", mia, team="MIA", opponent="ORL")
    league.played("traded", BOS_DATES[:5])
    league.load(warehouse)
    run_p2(warehouse)
    found = rows(warehouse)
    ninety, eighty, traded = found["ninety"], found["eighty"], found["traded"]
    assert (ninety["expected_games_count"], ninety["actual_games_count"]) == (10, 9)
    assert ninety["completeness_percentage"] == pytest.approx(90.0) and ninety["is_production_ready"]
    assert ninety["data_quality_issues"] == []
    assert (eighty["actual_games_count"], eighty["completeness_percentage"]) == (8, pytest.approx(80.0))
    assert not eighty["is_production_ready"] and eighty["data_quality_issues"] == ["player_games_incomplete"]
    assert traded["team_abbr"] == "BOS" and traded["games_in_sample_10"] == 10
    assert (traded["expected_games_count"], traded["actual_games_count"], traded["is_production_ready"]) == \
        (10, 5, False)


def test_nothing_from_the_night_itself_or_later_is_used(warehouse):
    league = ShotLeague()
    league.played("zoner", BOS_DATES[:12], **shots(paint=(10, 5), three=(10, 4), assisted=3))
    league.load(warehouse)
    run_p2(warehouse)
    before = stable(rows(warehouse))

    # The night's own box score and a later final game, with wild numbers.
    league.player_game("zoner", "BOS", "NYK", NIGHT, **shots(three=(30, 30), assisted=30))
    league.game(day(62), "NYK", "BOS")
    league.player_game("zoner", "BOS", "NYK", day(62), **shots(mid=(25, 25)))
    league.load(warehouse)
    run_p2(warehouse)
    assert stable(rows(warehouse)) == before
    assert before["zoner"]["paint_rate_last_10"] == pytest.approx(50.0)


def test_rerun_replaces_the_night_without_duplicates_or_touching_other_nights(warehouse):
    league = ShotLeague()
    league.game(day(59), "NYK", "BOS", status=1)
    league.played("zoner", BOS_DATES[:12])
    league.played("other", BOS_DATES[:10], **shots(paint=(2, 1), three=(8, 3)))
    league.load(warehouse)
    run_p2(warehouse, day(59))
    first = run_p2(warehouse)
    once = stable(rows(warehouse))
    second = run_p2(warehouse)
    assert stable(rows(warehouse)) == once and len(once) == 2
    assert first.rows_written == second.rows_written == 2
    count = warehouse.query(Statement("c.sql", "SELECT analysis_date, COUNT(*) AS n FROM "
                                               "nba_precompute.player_shot_zone_analysis GROUP BY 1 ORDER BY 1"))
    assert [(r["analysis_date"], r["n"]) for r in count] == [(day(59), 2), (NIGHT, 2)]


def test_bad_input(warehouse):
    with pytest.raises(ValueError, match="unknown processor 'player_shot_zones'"):
        get_processor("player_shot_zones")
    league = ShotLeague()
    league.game(day(4), "ORL", "MIA", status=1)
    league.load(warehouse)
    with pytest.raises(NoScheduleError):
        run_p2(warehouse, dt.date(2023, 6, 1))   # before any season in the schedule
    with pytest.raises(NoScheduleError):
        run_p2(warehouse, day(200))              # after the season's last game
    assert run_p2(warehouse, day(3)).decision == "no_games_scheduled"
    assert run_p2(warehouse, day(4)).decision == "early_season_bootstrap"
    assert warehouse.table_row_count("nba_precompute.player_shot_zone_analysis") == 0


def test_missing_player_games_fail_the_dependency_check_and_write_nothing(warehouse):
    league = ShotLeague()
    league.played("zoner", BOS_DATES[:12])
    league.rows.pop("nba_analytics.player_game_summary")
    league.load(warehouse)
    with pytest.raises(DependencyMissing) as caught:
        run_p2(warehouse)
    assert caught.value.result.missing_dependencies == ["player_game_summary"]
    assert "player_game_summary" in str(caught.value)
    assert warehouse.table_row_count("nba_precompute.player_shot_zone_analysis") == 0
    history = warehouse.query(Statement("h.sql", "SELECT status, missing_dependencies FROM "
                                                 "nba_reference.processor_run_history ORDER BY processed_at"))
    assert [(h["status"], h["missing_dependencies"]) for h in history] == [
        ("running", []), ("failed", ["player_game_summary"])]
