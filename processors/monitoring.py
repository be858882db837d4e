"""The night's status: Phase 4 per processor, processing times, alerts.

The queries are the monitoring SQL of `include/sql/monitoring/` (the same files
an operator runs in the BigQuery console); this module runs them through the
warehouse layer and renders the printable report of one night.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from processors.cli.output import format_table
from processors.input_gate import GATE
from processors.phase3_contracts import phase3_fingerprints
from processors.phase4.calendar import NoScheduleError, SeasonCalendar
from processors.run_history import latest_run
from processors.warehouse import Warehouse

PHASE4_STATUS_SQL = "monitoring/phase4_status.sql"
PROCESSING_TIME_SQL = "monitoring/processing_time.sql"
ALERTS_FOR_NIGHT_SQL = "monitoring/alerts_for_night.sql"
PHASE5_STEPS_SQL = "monitoring/phase5_steps.sql"
PHASE5_COVERAGE_SQL = "monitoring/phase5_coverage.sql"


def phase4_status(warehouse: Warehouse, game_date: dt.date) -> list[dict[str, Any]]:
    """One row per Phase 4 processor, P1..P5, even if it never ran for the date.

    Keys: processor_name, rows_in_table (rows actually in the output partition),
    and from the latest run-history row of the date (None when it never ran):
    status, records_processed, success_threshold, production_ready, ready_pct,
    quality, quality_label, duration_seconds, last_run_at, last_started_at, decision, message;
    runs = number of runs for the date (0 when never run); stale (the output was computed
    from an upstream output or Phase 3 inputs rewritten since) and stale_reason."""
    return warehouse.query(PHASE4_STATUS_SQL, {"game_date": game_date,
                                               "phase3_fingerprints": current_phase3_fingerprints(warehouse, game_date)})


def current_phase3_fingerprints(warehouse: Warehouse, game_date: dt.date) -> str:
    """The night's Phase 3 fingerprints now, as a JSON object (table -> fingerprint);
    '{}' for a date outside every season (nothing to compare)."""
    try:
        calendar = SeasonCalendar.load(warehouse, game_date)
    except NoScheduleError:
        return "{}"
    return json.dumps(phase3_fingerprints(warehouse, game_date, calendar.season_year), sort_keys=True)


def stale_outputs(warehouse: Warehouse, game_date: dt.date) -> list[dict[str, Any]]:
    """The night's stale Phase 4 outputs: processor_name, stale_reason (empty when all are current)."""
    return [{"processor_name": r["processor_name"], "stale_reason": r["stale_reason"]}
            for r in phase4_status(warehouse, game_date) if r["stale"]]


def stale_message(game_date: dt.date, stale: list[dict[str, Any]]) -> str:
    """One line per stale output, and what to recompute."""
    lines = [f"{s['processor_name']} for {game_date} is stale: {s['stale_reason']}" for s in stale]
    if any("Phase 3" in s["stale_reason"] for s in stale):  # the inputs changed: check them again too
        lines.append("recompute: clear phase3_readiness.check_input_contracts with its downstream (Airflow), "
                     f"or run `make phase4 DATE={game_date}`")
    else:
        lines.append("recompute: clear the rewritten upstream task with its downstream (Airflow), or run "
                     f"`make phase4 DATE={game_date}`")
    return "\n".join(lines)


def processing_times(warehouse: Warehouse, start_date: dt.date, end_date: dt.date) -> list[dict[str, Any]]:
    """Per processor with Phase 4 runs for nights start_date..end_date (inclusive): nights, runs,
    successful/partial/failed/skipped runs, avg/median/max seconds of the runs that did work
    (skipped runs excluded), total seconds."""
    if end_date < start_date:
        raise ValueError(f"end date {end_date} is before start date {start_date}")
    return warehouse.query(PROCESSING_TIME_SQL, {"start_date": start_date, "end_date": end_date})


def phase5_steps(warehouse: Warehouse, game_date: dt.date) -> list[dict[str, Any]]:
    """The coordinator's recorded steps for the night, oldest first."""
    return warehouse.query(PHASE5_STEPS_SQL, {"game_date": game_date})


def phase5_coverage(warehouse: Warehouse, start_date: dt.date, end_date: dt.date,
                    min_minutes: int = 15) -> list[dict[str, Any]]:
    """Eligible players, predicted players, coverage % and request batches per night."""
    return warehouse.query(PHASE5_COVERAGE_SQL, {"start_date": start_date, "end_date": end_date,
                                                 "min_minutes": min_minutes})


def night_alerts(warehouse: Warehouse, game_date: dt.date) -> list[dict[str, Any]]:
    """The night's alerts (created_at, severity, source, title, message), oldest first."""
    return warehouse.query(ALERTS_FOR_NIGHT_SQL, {"game_date": game_date})


# --- the printable report ---------------------------------------------------------

def input_gate_section(warehouse: Warehouse, game_date: dt.date) -> str:
    """The night's latest input gate: its status and message (one line per broken rule); empty if none ran."""
    gate = latest_run(warehouse, GATE, game_date)
    if gate is None:
        return ""
    message = (gate["summary"] or {}).get("message") or ""
    return f"Input contracts: {gate['status']} — {message}".rstrip(" —")


def phase4_section(warehouse: Warehouse, game_date: dt.date) -> str:
    status = phase4_status(warehouse, game_date)
    rows = [{
        "processor": r["processor_name"],
        "status": r["status"] or "not run",
        "rows": r["rows_in_table"],
        "threshold": r["success_threshold"],
        "ready": r["production_ready"],
        "ready_%": r["ready_pct"] if r["rows_in_table"] else None,
        "quality": r["quality"],
        "seconds": r["duration_seconds"],
        "runs": r["runs"],
        "decision": r["decision"],
        "stale": r["stale_reason"] if r["stale"] else None,
    } for r in status]
    notes = [f"{r['processor_name']}: a run started at {format_utc(r['last_started_at'])} never finished (killed or lost); "
             f"rerun it: clear its task, or `make phase4 DATE={game_date}`"
             for r in status if r["status"] == "abandoned"]
    return "\n".join(["Phase 4", format_table(rows), *notes])


def phase5_counts(warehouse: Warehouse, game_date: dt.date, steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The night's Phase 5 figures now (None when Phase 5 never ran): eligible, ready (production-ready
    eligible), predicted (eligible with an active prediction), coverage_pct (None without eligible
    players), request batches and the min_minutes of the run's latest step (default 15).
    The counts are the data's now (a skipped night still shows what was ready)."""
    from processors.phase5.coordinator import player_sets  # the coordinator's own definitions of E, R, P

    if not steps:
        return None
    min_minutes = next((s["min_minutes"] for s in reversed(steps) if s["min_minutes"] is not None), 15)
    sets = player_sets(warehouse, game_date, min_minutes)
    coverage = phase5_coverage(warehouse, game_date, game_date, min_minutes)
    return {"eligible": sets.eligible, "ready": sets.ready, "predicted": sets.eligible_predicted,
            "coverage_pct": sets.coverage_pct if sets.eligible else None,
            "batches": coverage[0]["batches"] if coverage else 0, "min_minutes": min_minutes}


def phase5_section(warehouse: Warehouse, game_date: dt.date) -> str:
    """Coverage of the night (eligible, ready, predicted) and the coordinator's steps; empty if Phase 5 never ran."""
    steps = phase5_steps(warehouse, game_date)
    counts = phase5_counts(warehouse, game_date, steps)
    if counts is None:
        return ""
    head = (f"Phase 5: eligible {counts['eligible']}, ready {counts['ready']} (production-ready eligible), "
            f"predicted {counts['predicted']}, "
            + (f"coverage {counts['coverage_pct']} %" if counts["eligible"] else "coverage n/a (no eligible players)")
            + f", request batches {counts['batches']}")
    rows = [{"step": s["step"], "status": s["status"], "decision": s["decision"], "requested": s["requested"],
             "coverage_%": s["coverage_pct"], "message": s["message"]} for s in steps]
    return head + "\n" + format_table(rows)


def alerts_section(warehouse: Warehouse, game_date: dt.date) -> str:
    alerts = night_alerts(warehouse, game_date)
    if not alerts:
        return "Alerts\nno alerts"
    rows = [{
        "created_at": format_utc(a["created_at"]),
        "severity": a["severity"],
        "source": a["source"],
        "title": a["title"],
        "message": a["message"],
    } for a in alerts]
    return f"Alerts ({len(alerts)})\n" + format_table(rows)


def render_night_status(warehouse: Warehouse, game_date: dt.date) -> str:
    """The night's printable status report: Phase 4 per processor, Phase 5, alerts."""
    sections = [
        f"Night of game_date {game_date.isoformat()}",
        input_gate_section(warehouse, game_date),
        phase4_section(warehouse, game_date),
        phase5_section(warehouse, game_date),
        alerts_section(warehouse, game_date),
    ]
    return "\n\n".join(s for s in sections if s)


def format_utc(value: dt.datetime | None) -> str | None:
    """A timestamp as `YYYY-MM-DD HH:MM:SS UTC` (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")
