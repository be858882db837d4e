"""Run the Phase 4 processors for one night or a range of nights, without Airflow.

    python -m processors.cli.phase4 --date 2025-01-15
    python -m processors.cli.phase4 --date 2025-01-15 --processor team_defense_zone_analysis
    python -m processors.cli.phase4 --date 2025-01-10 --end 2025-01-16
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time

from processors.cli.output import format_table
from processors.phase4 import PROCESSOR_NAMES, ProcessorResult
from processors.phase4.calendar import NoScheduleError
from processors.phase4.night import dates_between, run_night
from processors.warehouse import WarehouseError, open_warehouse


def status_rows(results: list[ProcessorResult]) -> list[dict]:
    return [{
        "processor": r.processor,
        "status": r.status,
        "rows": r.rows_written,
        "threshold": r.success_threshold or "",
        "ready": r.production_ready,
        "ready_%": r.ready_pct if r.rows_written else "",
        "quality": r.quality if r.quality is not None else "",
        "ms": round(r.duration_seconds * 1000),
        "decision": r.decision,
        "note": "; ".join([*r.warnings, r.message if r.status in ("failed", "skipped") else ""]).strip("; "),
    } for r in results]


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date YYYY-MM-DD, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=_iso_date, required=True, help="game_date of the night (first night of a range)")
    parser.add_argument("--end", type=_iso_date, help="last game_date of a range (inclusive)")
    parser.add_argument("--processor", action="append", choices=PROCESSOR_NAMES,
                        help="run only this processor (repeatable); default all five in dependency order")
    parser.add_argument("--quiet", action="store_true", help="one line per night instead of the table")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        nights = list(dates_between(args.date, args.end or args.date))
    except ValueError as exc:
        parser.error(str(exc))

    failed = 0
    started = time.perf_counter()
    try:
        with open_warehouse() as warehouse:
            for night in nights:
                results = run_night(warehouse, night, args.processor)
                failed += sum(r.status == "failed" for r in results)
                if args.quiet:
                    states = " ".join(f"{r.processor}={r.status}:{r.rows_written}" for r in results)
                    print(f"{night}  {states}")
                else:
                    print(f"\nPhase 4, game_date {night}")
                    print(format_table(status_rows(results)))
    except (NoScheduleError, WarehouseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\n{len(nights)} night(s) in {time.perf_counter() - started:.1f} s, {failed} failed processor run(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
