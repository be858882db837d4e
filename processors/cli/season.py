"""The season report: every night of the sample season through Phase 4 and Phase 5, one line each.

    python -m processors.cli.season --season 2024 --seed 42 [--out .season]

Builds the sample season into a warehouse file of its own (<out>/season.duckdb, made
afresh each time, so the local warehouse of `make run` is never touched and no earlier
run's predictions or alerts count), then replays every night from the first to the
last game in order, as the nightly DAG would: input gate, P1-P5, Phase 5 with the
baseline worker. Prints a line per night as it is computed, the season's totals and
the nights that missed the predictions SLA with the reason, and writes the same nights
as CSV and a PNG chart into <out>.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path

from processors.cli.sample_season import load_season
from processors.config import PROJECT_ROOT, PipelineSettings, WarehouseSettings
from processors.phase4.calendar import season_label
from processors.sample_season import generate_season
from processors.season_chart import draw_season_chart
from processors.season_replay import season_nights
from processors.season_report import NightRow, header_lines, night_line, season_totals, totals_line, write_csv
from processors.season_shards import ShardFailed, replay_season_rows
from processors.warehouse import WarehouseError
from processors.warehouse.local import LocalWarehouse

DEFAULT_OUT = PROJECT_ROOT / ".season"
DEFAULT_WORKERS = min(os.cpu_count() or 1, 4)  # one per core: each replays its nights on its own copy


def build_season_warehouse(path: Path, season_year: int, seed: int) -> list[dt.date]:
    """A new warehouse file holding only the sample season's Phase 3 data; returns the season's nights."""
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        load_season(warehouse, generate_season(season_year, seed))
        return season_nights(warehouse, season_year)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_season_summary(rows: list[NightRow], settings: PipelineSettings) -> None:
    """The totals line under the nights, the season in a sentence, and every night that missed the SLA."""
    totals = season_totals(rows)
    print(header_lines()[1])
    print(totals_line(totals))
    print(f"\n{totals['nights']} nights, {totals['game_nights']} with games ({totals['games']} games); Phase 5 ran on "
          f"{totals['phase5_nights']}: {totals['predicted']} of {totals['eligible']} eligible players predicted "
          f"({totals['coverage_pct']} %); mean ready {totals['ready_pct']} %, mean quality {totals['quality']}; "
          f"alerts: {totals['alerts_warning']} warning, {totals['alerts_critical']} critical")
    missed = [r for r in rows if r.sla == "missed"]
    print(f"Predictions SLA ({settings.sla_coverage_pct:g} % of eligible by {settings.status_check_time} PT): "
          f"met on {totals['sla_met']} nights, missed on {len(missed)}" + (":" if missed else ""))
    for row in missed:
        print(f"  {row.game_date}  {row.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--season", type=int, default=2024, help="year the season starts (2024 = 2024-25)")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the sample season")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for the season's warehouse file, CSV and PNG (default .season)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"processes replaying nights side by side (default {DEFAULT_WORKERS}, one per core)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be 1 or more, got {args.workers}")
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(message)s")  # the lines say what matters
    settings = PipelineSettings.from_env()  # the thresholds (SLA %, min ready ...) a real night would use
    label = season_label(args.season)
    started = time.perf_counter()
    path = args.out / "season.duckdb"
    try:
        nights = build_season_warehouse(path, args.season, args.seed)
        print(f"Season report {label}, sample season seed {args.seed}: {len(nights)} nights ({nights[0]} to "
              f"{nights[-1]}) in {_shown(path)} (built in {time.perf_counter() - started:.1f} s; "
              f"{args.workers} worker process{'es' * (args.workers > 1)})\n")
        print("\n".join(header_lines()), flush=True)
        rows = []
        for row in replay_season_rows(path, nights, settings, args.workers):
            rows.append(row)
            print(night_line(row), flush=True)
    except (WarehouseError, ShardFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_season_summary(rows, settings)
    stem = args.out / f"season-{label}-seed{args.seed}"
    csv_path = write_csv(rows, stem.with_suffix(".csv"))
    png_path = draw_season_chart(rows, stem.with_suffix(".png"), sla_coverage_pct=settings.sla_coverage_pct,
                                 title=f"Sample season {label} (seed {args.seed}): readiness, quality and "
                                       "predictions coverage per night")
    print(f"\nCSV: {_shown(csv_path)}\nPNG: {_shown(png_path)}")
    print(f"Whole season in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
