"""Print a night's status (Phase 4 per processor, alerts) or Phase 4 processing times.

    python -m processors.cli.night_status --date 2025-01-15
    python -m processors.cli.night_status --processing-time --start 2025-01-01 --end 2025-01-31
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from processors.cli.output import format_table
from processors.monitoring import processing_times, render_night_status
from processors.warehouse import WarehouseError, open_warehouse


def _iso_date(text: str) -> dt.date:
    """argparse reports a bad value as `argument --flag: <this message>`."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date (YYYY-MM-DD), got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=_iso_date, help="game_date of the night to report")
    parser.add_argument("--processing-time", action="store_true",
                        help="print processing time per Phase 4 processor over --start..--end instead")
    parser.add_argument("--start", type=_iso_date, help="first night of --processing-time")
    parser.add_argument("--end", type=_iso_date,
                        help="last night of --processing-time (inclusive; default --start)")
    args = parser.parse_args(argv)
    if args.processing_time:
        if args.start is None:
            parser.error("--processing-time needs --start (and optionally --end)")
        end = args.end or args.start
        if end < args.start:
            parser.error(f"--end {end} is before --start {args.start}")
    elif args.date is None:
        parser.error("give --date for a night's status, or --processing-time --start D --end D")

    try:
        with open_warehouse(read_only=True) as warehouse:
            if args.processing_time:
                print(f"Phase 4 processing time, nights {args.start} to {end}")
                print(format_table(processing_times(warehouse, args.start, end)))
            else:
                print(render_night_status(warehouse, args.date))
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
