"""Run one BigQuery-dialect query on the configured warehouse and print the rows.

    python -m processors.cli.query "SELECT COUNT(*) AS games FROM nba_raw.nbac_schedule"

The warehouse is opened read-only: other readers share the file, a write is refused,
and a missing warehouse is reported, never created.
"""

from __future__ import annotations

import argparse
import sys

from processors.cli.output import format_table
from processors.warehouse import Statement, WarehouseError, open_warehouse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sql", help="one SELECT in BigQuery dialect; tables as dataset.table")
    parser.add_argument("--limit", type=int, default=50, help="rows to print (default 50)")
    args = parser.parse_args(argv)
    try:
        with open_warehouse(read_only=True) as warehouse:  # never writes, never creates the file
            rows = warehouse.query(Statement("command line", args.sql))
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_table(rows[: args.limit]))
    if len(rows) > args.limit:
        print(f"... {len(rows) - args.limit} more rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
