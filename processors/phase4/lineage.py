"""What a Phase 4 output was computed from, and whether that is still what is there.

Every run that commits rows records its lineage in its run-history summary: the
fingerprints of the Phase 3 tables it reads (processors.phase3_contracts) and the
run ids of the upstream outputs it reads. An output is stale when an upstream was
rewritten after it (a single-task rerun) or one of its Phase 3 tables changed (a
correction); monitoring/phase4_status.sql says which, and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from processors.phase3_contracts import phase3_fingerprints
from processors.phase4.calendar import SeasonCalendar
from processors.warehouse import Warehouse

OUTPUT_RUNS_SQL = "reference/phase4_output_runs.sql"


def output_runs(warehouse: Warehouse, game_date: dt.date) -> dict[str, str]:
    """processor name -> the run id that wrote its current output for the night."""
    return {r["processor_name"]: r["run_id"] for r in warehouse.query(OUTPUT_RUNS_SQL, {"game_date": game_date})}


def capture_lineage(warehouse: Warehouse, calendar: SeasonCalendar, phase3_tables: Iterable[str],
                    upstream: Iterable[str]) -> dict[str, Any]:
    """The lineage of an output being written now (call inside its write transaction)."""
    runs = output_runs(warehouse, calendar.game_date)
    fingerprints = phase3_fingerprints(warehouse, calendar.game_date, calendar.season_year)
    return {
        "phase3_fingerprints": {table: fingerprints[table] for table in phase3_tables},
        "upstream_runs": {name: runs[name] for name in upstream if name in runs},
    }
