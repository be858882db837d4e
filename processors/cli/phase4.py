"""Run the Phase 4 processors for one night or a range of nights, without Airflow.

    python -m processors.cli.phase4 --date 2025-01-15
    python -m processors.cli.phase4 --date 2025-01-15 --processor team_defense_zone_analysis
    python -m processors.cli.phase4 --date 2025-01-10 --end 2025-01-16
    python -m processors.cli.phase4 --date 2025-01-15 --input-checks warn

Before a night computes, its Phase 3 readiness and input contracts are checked as in
the DAG's readiness gate (`--input-checks enforce`, the default): a night whose
inputs are not ready or break a contract is not computed and says why. `warn`
records the broken rules as waived and computes; `off` skips the checks (recorded).
After a night, outputs left stale (an upstream rewritten after them) are named.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time

from processors.alerts import Alert, record_alert
from processors.cli.output import format_table
from processors.input_gate import INPUT_CHECK_MODES, InputContractsBroken, gate_night, readiness_problems
from processors.monitoring import stale_message, stale_outputs
from processors.phase4 import PROCESSOR_NAMES, ProcessorResult
from processors.phase4.calendar import NoScheduleError
from processors.phase4.night import dates_between, run_night
from processors.warehouse import Warehouse, WarehouseError, open_warehouse

SOURCE = "processors.cli.phase4"


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


def gate(warehouse: Warehouse, night: dt.date, mode: str) -> str | None:
    """Readiness and input contracts of the night: why it must not compute, or None."""
    if mode != "off":
        problems = readiness_problems(warehouse, night)
        if problems:
            return "\n".join([f"Phase 3 not ready for {night}: nothing computed", *problems])
    try:
        outcome = gate_night(warehouse, night, mode)
    except InputContractsBroken as exc:
        return str(exc)
    if outcome.status != "success":
        print(f"warning: {outcome.message}", file=sys.stderr)
    return None


def warn_if_stale(warehouse: Warehouse, night: dt.date) -> None:
    """Name the outputs a partial run left stale (and record the warning as an alert)."""
    stale = stale_outputs(warehouse, night)
    if stale:
        message = stale_message(night, stale)
        print(f"warning: {message}", file=sys.stderr)
        record_alert(warehouse, Alert(severity="warning", title=f"Phase 4 outputs stale for {night}",
                                      message=message, game_date=night, source=SOURCE), ["log"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=_iso_date, required=True, help="game_date of the night (first night of a range)")
    parser.add_argument("--end", type=_iso_date, help="last game_date of a range (inclusive)")
    parser.add_argument("--processor", action="append", choices=PROCESSOR_NAMES,
                        help="run only this processor (repeatable); default all five in dependency order")
    parser.add_argument("--input-checks", choices=INPUT_CHECK_MODES, default="enforce",
                        help="readiness and input contracts before each night: enforce (default) stops a night "
                             "whose inputs break a contract, warn computes and records them as waived, off skips")
    parser.add_argument("--quiet", action="store_true", help="one line per night instead of the table")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        nights = list(dates_between(args.date, args.end or args.date))
    except ValueError as exc:
        parser.error(str(exc))

    failed = failed_nights = 0
    started = time.perf_counter()
    try:
        with open_warehouse() as warehouse:
            for night in nights:
                refused = gate(warehouse, night, args.input_checks)
                if refused:
                    print(f"error: {refused}", file=sys.stderr)
                    failed_nights += 1
                    continue
                results = run_night(warehouse, night, args.processor)
                warn_if_stale(warehouse, night)
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
    print(f"\n{len(nights)} night(s) in {time.perf_counter() - started:.1f} s, {failed} failed processor run(s), "
          f"{failed_nights} night(s) refused at the input gate")
    return 1 if failed or failed_nights else 0


if __name__ == "__main__":
    sys.exit(main())
