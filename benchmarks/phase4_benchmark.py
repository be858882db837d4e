"""Phase 4 speed and memory on the sample season, local backend.

    make bench-phase4        (or: python -m benchmarks.phase4_benchmark [--skip-season])

1. one mid-season night with full history: all five processors, ms each, wall
   time and peak memory (RSS of this process: DuckDB's memory is native);
2. how the time of one night grows from November to April (mid-month nights);
3. the whole regular season, every game date in order.
Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import time
from pathlib import Path

from processors.cli.output import format_table
from processors.cli.sample_season import load_season
from processors.config import PROJECT_ROOT, WarehouseSettings
from processors.phase4.calendar import SeasonCalendar
from processors.phase4.night import dates_between, run_night
from processors.sample_season import generate_season
from processors.warehouse.local import LocalWarehouse

BENCH_DIR = PROJECT_ROOT / ".benchmarks"
MID_SEASON_NIGHT = dt.date(2025, 1, 15)
MONTHLY_NIGHTS = [dt.date(2024, 11, 15), dt.date(2024, 12, 16), dt.date(2025, 1, 15), dt.date(2025, 2, 12),
                  dt.date(2025, 3, 14), dt.date(2025, 4, 9)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def remove_database(path: Path) -> None:
    """The file and its write-ahead log (an interrupted run leaves one behind)."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def fresh_warehouse(seed_file: Path, name: str) -> LocalWarehouse:
    path = BENCH_DIR / name
    remove_database(path)
    shutil.copy(seed_file, path)
    return LocalWarehouse(WarehouseSettings(local_path=path))


def timed_night(warehouse: LocalWarehouse, night: dt.date) -> tuple[float, list]:
    started = time.perf_counter()
    results = run_night(warehouse, night)
    return time.perf_counter() - started, results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Phase 4 benchmark on the sample season")
    parser.add_argument("--skip-season", action="store_true", help="skip the whole-season run")
    args = parser.parse_args(argv)
    BENCH_DIR.mkdir(exist_ok=True)
    seed_file = BENCH_DIR / "season.duckdb"
    remove_database(seed_file)
    with LocalWarehouse(WarehouseSettings(local_path=seed_file)) as wh:
        load_season(wh, generate_season(2024, 42))
    rss_after_load = peak_rss_mb()

    # 1. One mid-season night (a first run warms the SQL translation cache, as a long-lived worker would).
    with fresh_warehouse(seed_file, "night.duckdb") as wh:
        cold, _ = timed_night(wh, MID_SEASON_NIGHT)
        warm, results = timed_night(wh, MID_SEASON_NIGHT)
    print(f"\n1. One night, game_date {MID_SEASON_NIGHT}: wall {warm * 1000:.0f} ms warm "
          f"({cold * 1000:.0f} ms cold, first statements translated)")
    print(format_table([{"processor": r.processor, "status": r.status, "rows": r.rows_written,
                         "ready": r.production_ready, "ms": round(r.duration_seconds * 1000)} for r in results]))
    print(f"peak RSS of the process so far: {peak_rss_mb():.0f} MB (after generating + loading the season: "
          f"{rss_after_load:.0f} MB)")

    # 2. Growth across the season.
    growth = []
    with fresh_warehouse(seed_file, "growth.duckdb") as wh:
        for night in MONTHLY_NIGHTS:
            # Best of three (reruns are idempotent): DuckDB checkpoints add noise to single runs.
            seconds, results = min((timed_night(wh, night) for _ in range(3)), key=lambda run: run[0])
            # Results come in dependency order, P1 .. P5.
            growth.append({"game_date": night, "ms": round(seconds * 1000),
                           **{f"P{i}": round(r.duration_seconds * 1000) for i, r in enumerate(results, 1)}})
    print("\n2. One night's time through the season (ms, best of 3)")
    print(format_table(growth))

    if args.skip_season:
        return
    # 3. The whole regular season, in order.
    with fresh_warehouse(seed_file, "season_run.duckdb") as wh:
        calendar = SeasonCalendar.load(wh, MID_SEASON_NIGHT)
        started = time.perf_counter()
        nights = statuses = 0
        failed = []
        for night in dates_between(calendar.season_start, calendar.season_end):
            results = run_night(wh, night)
            nights += 1
            statuses += len(results)
            failed += [f"{night} {r.processor}: {r.message}" for r in results if r.status == "failed"]
        seconds = time.perf_counter() - started
    print(f"\n3. Whole regular season: {nights} nights ({calendar.season_start} .. {calendar.season_end}), "
          f"{statuses} processor runs in {seconds:.1f} s ({seconds / nights * 1000:.0f} ms a night), "
          f"{len(failed)} failed")
    for line in failed[:10]:
        print("   ", line)
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
