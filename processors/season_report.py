"""One row per night of a season, read from the monitoring SQL: what the season report prints and writes.

Every figure comes from the warehouse after the night ran (include/sql/monitoring/
through processors.monitoring, and the coordinator's recorded steps), so the report
reads any warehouse whose nights were computed, not only a replay's.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from processors.monitoring import night_alerts, phase4_status, phase5_coverage, phase5_steps
from processors.phase4 import PROCESSOR_NAMES
from processors.phase4.calendar import BOOTSTRAP_DAYS, SeasonCalendar
from processors.phase5.coordinator import PREDICTIONS_OFF
from processors.warehouse import Warehouse

PHASE5_SOURCES = ("phase5.",)  # alerts raised by the coordinator's own steps


@dataclass(frozen=True)
class NightRow:
    game_date: dt.date
    day: int                      # days into the season (0 = first game night)
    games: int
    p1_rows: int                  # rows in each Phase 4 output partition of the night
    p2_rows: int
    p3_rows: int
    p4_rows: int
    p5_rows: int
    ready_pct: float | None       # ml_feature_store_v2 rows production ready, % (None: no rows)
    quality: float | None         # their mean feature quality
    phase5: str                   # ran, skipped, failed (the start batch), not run
    eligible: int | None          # the coordinator's E, R and P; None when Phase 5 did not run
    ready: int | None
    predicted: int | None
    coverage_pct: float | None    # predicted eligible players / eligible, %
    alerts_warning: int
    alerts_critical: int
    sla: str                      # met, missed, skipped (Phase 5 planned off); empty: off night, bootstrap
    note: str                     # why the SLA was missed, or why Phase 5 did not run

    @property
    def eligible_ready_pct(self) -> float | None:
        """Production-ready share of the eligible players, %."""
        return round(100.0 * self.ready / self.eligible, 1) if self.eligible else None


def sla_verdict(*, games: int, day: int, last_step: str | None, last_decision: str | None) -> str:
    """The predictions SLA of a night, from the step that speaks for its Phase 5 (deciding_step): "met"
    when that is the status check with sla_met; "skipped" when the plan skipped Phase 5 because
    predictions were off (predictions=off, a backfill): nothing was asked of it; else "missed" (a night
    the input gate blocked included). "" where no SLA applies (off night, bootstrap)."""
    if games == 0 or day < BOOTSTRAP_DAYS:
        return ""
    if (last_step, last_decision) == ("plan", PREDICTIONS_OFF):
        return "skipped"
    return "met" if (last_step, last_decision) == ("status", "sla_met") else "missed"


def deciding_step(steps: list[dict]) -> dict | None:
    """The coordinator step that speaks for the night's Phase 5: its latest batch step. A later plan skip
    (a backfill recomputing Phase 4 with predictions off) leaves the batch's predictions, and so its
    verdict, in place; a night with nothing but plan skips is judged by its latest one."""
    batch_steps = [s for s in steps if s["step"] != "plan"]
    return (batch_steps or steps or [None])[-1]


def night_row(warehouse: Warehouse, night: dt.date, sla_coverage_pct: float = 90.0) -> NightRow:
    """The night as the warehouse records it: Phase 4 status, the coordinator's steps, coverage, alerts."""
    calendar = SeasonCalendar.load(warehouse, night)
    rows = {r["processor_name"]: r for r in phase4_status(warehouse, night)}
    features = rows["ml_feature_store_v2"]
    steps = phase5_steps(warehouse, night)
    alerts = night_alerts(warehouse, night)
    last = deciding_step(steps)
    phase5, counts = _phase5_outcome(warehouse, night, last)
    sla = sla_verdict(games=calendar.games_on_date, day=calendar.days_into_season,
                      last_step=last and last["step"], last_decision=last and last["decision"])
    return NightRow(
        game_date=night, day=calendar.days_into_season, games=calendar.games_on_date,
        **{f"p{i}_rows": rows[name]["rows_in_table"] for i, name in enumerate(PROCESSOR_NAMES, 1)},
        ready_pct=features["ready_pct"] if features["rows_in_table"] else None,
        quality=features["quality"] if features["rows_in_table"] else None,
        phase5=phase5, **counts,
        alerts_warning=sum(a["severity"] == "warning" for a in alerts),
        alerts_critical=sum(a["severity"] == "critical" for a in alerts),
        sla=sla,
        note="" if sla == "met" else _why(last, counts, alerts, sla_coverage_pct),
    )


def _phase5_outcome(warehouse: Warehouse, night: dt.date, last: dict | None) -> tuple[str, dict[str, Any]]:
    """What Phase 5 did (`last`: its deciding_step), and its counts: E and R as the coordinator recorded
    them, P and coverage from the monitoring query (active predictions of eligible players)."""
    empty = {"eligible": None, "ready": None, "predicted": None, "coverage_pct": None}
    if last is None:
        return "not run", empty
    if last["step"] == "plan":
        return "skipped", empty
    coverage = phase5_coverage(warehouse, night, night, last["min_minutes"] or 15)
    predicted = coverage[0]["predicted"] if coverage else 0
    return ("failed" if last["status"] == "failed" else "ran"), {
        "eligible": last["eligible"], "ready": last["ready"], "predicted": predicted,
        "coverage_pct": coverage[0]["coverage_pct"] if coverage else 100.0}


def _why(last: dict | None, counts: dict[str, Any], alerts: list[dict], sla_coverage_pct: float) -> str:
    """Why the night has no SLA met: Phase 5's own account (`last`: its deciding_step), and the night's
    other critical alerts."""
    if last is None:
        reason = "Phase 5 never ran"
    elif last["step"] == "plan":
        reason = f"Phase 5 skipped: {last['message']}"
    elif last["step"] != "status":  # the start batch failed: the DAG runs no retry or status check
        reason = last["message"]
    else:
        eligible, ready, predicted = counts["eligible"], counts["ready"], counts["predicted"]
        reason = (f"{predicted} of {eligible} eligible predicted ({counts['coverage_pct']} % < "
                  f"{sla_coverage_pct:g} %): {eligible - ready} not production ready")
        if predicted < ready:
            reason += f", {ready - predicted} ready but not predicted"
    others = [a["title"] for a in alerts if a["severity"] == "critical"
              and not (a["source"] or "").startswith(PHASE5_SOURCES)]
    return "; ".join([*others, reason])


def season_totals(rows: Sequence[NightRow]) -> dict[str, Any]:
    """Sums over the season; ready % and quality are means over the nights with feature rows,
    coverage is predicted over eligible players of every night Phase 5 ran."""
    with_features = [r for r in rows if r.ready_pct is not None]
    predicted_nights = [r for r in rows if r.eligible is not None]
    eligible = sum(r.eligible for r in predicted_nights)
    predicted = sum(r.predicted for r in predicted_nights)
    return {
        "nights": len(rows), "game_nights": sum(r.games > 0 for r in rows), "games": sum(r.games for r in rows),
        **{f"p{i}_rows": sum(getattr(r, f"p{i}_rows") for r in rows) for i in range(1, 6)},
        "ready_pct": _mean([r.ready_pct for r in with_features]),
        "quality": _mean([r.quality for r in with_features]),
        "phase5_nights": len(predicted_nights),
        "eligible": eligible, "ready": sum(r.ready for r in predicted_nights), "predicted": predicted,
        "coverage_pct": round(100.0 * predicted / eligible, 1) if eligible else None,
        "alerts_warning": sum(r.alerts_warning for r in rows),
        "alerts_critical": sum(r.alerts_critical for r in rows),
        "sla_met": sum(r.sla == "met" for r in rows), "sla_missed": sum(r.sla == "missed" for r in rows),
    }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


class ScheduledNight(Protocol):
    """A night with its game count: a NightRow, or a season view's night."""

    @property
    def game_date(self) -> dt.date: ...

    @property
    def games(self) -> int: ...


def off_nights(rows: Sequence[ScheduledNight]) -> list[dt.date]:
    return [r.game_date for r in rows if r.games == 0]


def all_star_break(rows: Sequence[ScheduledNight]) -> list[dt.date]:
    """The season's longest run of consecutive nights without games (3 or more): the All-Star break.
    Single off nights (Thanksgiving, Christmas Eve) are never one."""
    runs: list[list[dt.date]] = []
    for night in off_nights(rows):
        if runs and night - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(night)
        else:
            runs.append([night])
    longest = max(runs, key=len, default=[])
    return longest if len(longest) >= 3 else []


def write_csv(rows: Sequence[NightRow], path: Path) -> Path:
    """One line per night, the NightRow fields as columns (empty cells for None)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(NightRow)])
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    return path


# --- the printed lines: fixed widths, so each night prints as soon as it is computed -------------

LINE_COLUMNS = (  # (header, width, NightRow attribute or totals key)
    ("night", 10, "game_date"), ("day", 3, "day"), ("games", 5, "games"),
    ("P1", 3, "p1_rows"), ("P2", 5, "p2_rows"), ("P3", 5, "p3_rows"), ("P4", 5, "p4_rows"), ("P5", 5, "p5_rows"),
    ("ready_%", 7, "ready_pct"), ("quality", 7, "quality"),
    ("elig", 5, "eligible"), ("ready", 5, "ready"), ("pred", 5, "predicted"), ("cover_%", 7, "coverage_pct"),
    ("warn", 4, "alerts_warning"), ("crit", 4, "alerts_critical"), ("sla", 6, "sla"),
)


def header_lines() -> list[str]:
    return [_line([h for h, _, _ in LINE_COLUMNS]), _line(["-" * w for _, w, _ in LINE_COLUMNS])]


def night_line(row: NightRow) -> str:
    line = _line([getattr(row, key) for _, _, key in LINE_COLUMNS])
    return f"{line}  {row.note}" if row.note and row.games else line


def totals_line(totals: dict[str, Any]) -> str:
    values = {**totals, "game_date": "total", "day": "", "sla": f"{totals['sla_missed']} missed"}
    return _line([values.get(key, "") for _, _, key in LINE_COLUMNS])


def _line(values: Sequence[Any]) -> str:
    cells = []
    for value, (_, width, _) in zip(values, LINE_COLUMNS, strict=True):
        text = "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)
        cells.append(text.rjust(width) if isinstance(value, (int, float)) else text.ljust(width))
    return "  ".join(cells).rstrip()
