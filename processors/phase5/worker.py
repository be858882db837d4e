"""The baseline prediction worker (system_id `moving_average_baseline`).

Locally the coordinator publishes prediction requests to the outbox and then
hands them to `serve_requests` in-process; in production separate services do
this job. One call serves one batch set-based: the requests go to the warehouse
as parallel array parameters, and the SQL in include/sql/phase5/worker/ decides,
predicts and writes for all players at once.

The prediction, from the player's ml_feature_store_v2 row for the date:
  predicted_points = 0.5 x points_avg_last_5 + 0.3 x points_avg_last_10 + 0.2 x points_avg_season
                     + (fatigue_score - 100) / 20 + shot_zone_mismatch + pace + usage_spike
  rounded to 0.1 (half away from zero), never below 0;
  line_margin = predicted_points - line; OVER when >= 1.0, UNDER when <= -1.0, else PASS;
  confidence_score = 0.5 x quality / 100 + 0.5 x LEAST(actual_games_count, 10) / 10, rounded to 3
  decimals: half from the feature quality, half from the sample size behind the features.
Players without a feature row, with feature_quality_score below MIN_QUALITY, or
not production ready are refused (nothing written) with the reason.

Each prediction records the data_hash of the feature row it was computed from
(feature_data_hash). When that row has changed since, the active prediction is
outdated and the next request for the player supersedes it; an unchanged row is
never predicted again (only replace_existing, the `force` param, replaces it).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from processors.run_history import RunContext, RunRecord, record_run
from processors.warehouse import Warehouse, WarehouseError

log = logging.getLogger(__name__)

SYSTEM_ID = "moving_average_baseline"
MIN_QUALITY = 70.0
PHASE = "phase5_worker"
OUTPUT_TABLE = "nba_predictions.player_prop_predictions"
_SQL = "phase5/worker"


@dataclass(frozen=True)
class WorkerResult:
    batch_id: str
    requested: int                 # requests received
    predicted: int                 # new active predictions written (superseding ones included)
    already_predicted: int         # kept: a current active prediction for (player, game_date, system) existed
    refused: dict[str, str]        # player_lookup -> reason
    superseded: int = 0            # active predictions retired for a new one: outdated, or any with replace_existing
    run_id: str | None = None      # the processor_run_history row of this call (None when nothing was requested)

    @property
    def status(self) -> str:
        return "partial" if self.refused else "success"

    def summary(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id, "system_id": SYSTEM_ID, "requested": self.requested,
            "predicted": self.predicted, "already_predicted": self.already_predicted, "superseded": self.superseded,
            "refused": len(self.refused), "refused_reasons": dict(sorted(self.refused.items())),
            "min_quality": MIN_QUALITY,
        }


def serve_requests(warehouse: Warehouse, game_date: dt.date, requests: list[dict], *, replace_existing: bool = False,
                   context: RunContext | None = None) -> WorkerResult:
    """Predict for one batch of requests of one night; returns what was written, skipped and refused.

    Invalid requests raise ValueError before anything is written. By default a
    player who already has a current active prediction of this system for the
    date is skipped, and one whose active prediction is outdated (its feature
    row's data_hash changed since) is superseded: the old one is deactivated and
    the new one inserted in the same transaction. With replace_existing every
    eligible player is replaced that way. A refused player is only refused: it
    is not counted as already predicted, and an active prediction it already has
    stays active (nothing replaces it). Two requests for one player in a call are
    invalid. Every call with requests records one processor_run_history row
    (failures included; a WarehouseError is re-raised after the whole write
    rolled back)."""
    batch_id = validate_requests(game_date, requests)
    if not requests:
        return WorkerResult(batch_id="", requested=0, predicted=0, already_predicted=0, refused={})
    context = context or RunContext()
    started_at, clock = dt.datetime.now(dt.UTC), time.perf_counter()
    params = _params(game_date, batch_id, requests, replace_existing)
    try:
        with warehouse.transaction():
            decisions = warehouse.query(_statement(warehouse, "classify_requests.sql"), params)
            if any(r["writes"] and r["has_active"] for r in decisions):
                warehouse.execute_script(_statement(warehouse, "deactivate_active.sql"), params)
            warehouse.execute_script(_statement(warehouse, "insert_predictions.sql"), params)
            doubled = warehouse.query(_statement(warehouse, "active_duplicates.sql"), params)
            if doubled:  # e.g. another worker wrote concurrently: roll back rather than break the invariant
                names = ", ".join(f"{r['player_lookup']} ({r['active_predictions']})" for r in doubled)
                raise WarehouseError(f"{_SQL}/insert_predictions.sql",
                                     f"more than one active {SYSTEM_ID} prediction on {game_date} for: {names}")
            refused = {r["player_lookup"]: _reason(r) for r in decisions if r["decision"] != "eligible"}
            written = [r for r in decisions if r["writes"]]
            already = sum(1 for r in decisions if r["decision"] == "eligible" and not r["writes"])
            result = WorkerResult(batch_id=batch_id, requested=len(requests), predicted=len(written),
                                  already_predicted=already, refused=refused,
                                  superseded=sum(1 for r in written if r["has_active"]))
            record = RunRecord(
                processor_name=SYSTEM_ID, data_date=game_date, phase=PHASE, status=result.status,
                started_at=started_at, duration_seconds=time.perf_counter() - clock,
                records_processed=result.requested, records_created=result.predicted,
                records_skipped=len(refused) + already,
                warnings=[f"{p}: {why}" for p, why in sorted(refused.items())],
                summary={**result.summary(), "replace_existing": replace_existing}, output_table=OUTPUT_TABLE,
            )
            record_run(warehouse, record, context)  # commits with the predictions, or not at all
    except WarehouseError as exc:
        _record_failure(warehouse, game_date, batch_id, len(requests), str(exc), started_at, clock, context)
        raise

    log.info("%s %s %s: %d requested, %d predicted (%d superseding an active one), %d already predicted, "
             "%d refused", SYSTEM_ID, game_date, batch_id, result.requested, result.predicted, result.superseded,
             already, len(refused))
    return replace(result, run_id=record.run_id)


def validate_requests(game_date: dt.date, requests: list[dict]) -> str:
    """Check every request before anything runs; returns the batch id they share ('' for none)."""
    if isinstance(game_date, dt.datetime) or not isinstance(game_date, dt.date):
        raise ValueError(f"game_date must be a datetime.date, got {game_date!r}")
    batch_ids: dict[str, str] = {}
    seen: set[str] = set()
    for n, request in enumerate(requests):
        if not isinstance(request, Mapping):
            raise ValueError(f"request {n} is not a dict: {request!r}")
        player = request.get("player_lookup")
        if not isinstance(player, str) or not player.strip():
            raise ValueError(f"request {n} has no player_lookup: {request!r}")
        if player in seen:
            raise ValueError(f"request {n}: player_lookup {player!r} is requested twice in one call: {request!r}")
        seen.add(player)
        raw_date = request.get("game_date")
        try:
            request_date = dt.date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
        except ValueError:
            request_date = None
        if request_date is None:
            raise ValueError(f"request {n} ({player}) has a missing or malformed game_date {raw_date!r} "
                             f"(expected YYYY-MM-DD): {request!r}")
        if request_date != game_date:
            raise ValueError(f"request {n} ({player}) has game_date {raw_date} but this call serves "
                             f"{game_date.isoformat()}: {request!r}")
        _line(n, player, request)
        game_id = request.get("game_id")
        if game_id is not None and not isinstance(game_id, str):
            raise ValueError(f"request {n} ({player}) has a game_id that is not a string: {request!r}")
        batch_id = request.get("batch_id")
        if not isinstance(batch_id, str) or not batch_id:
            raise ValueError(f"request {n} ({player}) has no batch_id: {request!r}")
        batch_ids.setdefault(batch_id, player)
    if len(batch_ids) > 1:
        listed = ", ".join(f"{b!r} (first: {p})" for b, p in batch_ids.items())
        raise ValueError(f"all requests of one call must share one batch_id, got {len(batch_ids)}: {listed}")
    return next(iter(batch_ids), "")


def _line(n: int, player: str, request: Mapping[str, Any]) -> float:
    """The request's points line: the first of line_values, a finite number >= 0."""
    values = request.get("line_values")
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"request {n} ({player}) has no line_values (a non-empty list): {request!r}")
    line = values[0]
    if isinstance(line, bool) or not isinstance(line, (int, float, Decimal)) or not math.isfinite(line) or line < 0:
        raise ValueError(f"request {n} ({player}) has line_values[0] {line!r}, not a number >= 0: {request!r}")
    return float(line)


def _params(game_date: dt.date, batch_id: str, requests: list[dict], replace_existing: bool) -> dict[str, Any]:
    """The query parameters: the requests as parallel arrays (same order), plus the scalars."""
    return {
        "game_date": game_date,
        "system_id": SYSTEM_ID,
        "min_quality": MIN_QUALITY,
        "batch_id": batch_id,
        "replace_existing": replace_existing,
        "players": [r["player_lookup"] for r in requests],
        "lines": [_line(n, r["player_lookup"], r) for n, r in enumerate(requests)],
        # BigQuery array parameters cannot hold NULL: '' stands for "no game_id" (NULLIF in the SQL).
        "game_ids": [r.get("game_id") or "" for r in requests],
    }


def _statement(warehouse: Warehouse, name: str):
    """A worker statement with the shared candidates fragment embedded."""
    candidates = warehouse.statement(f"{_SQL}/candidates.sql").text.strip()
    return warehouse.statement(f"{_SQL}/{name}", fragments={"candidates": candidates})


def _reason(row: Mapping[str, Any]) -> str:
    decision = row["decision"]
    if decision == "low_quality":
        return f"feature_quality_score {_number(row['feature_quality_score'])} below {_number(MIN_QUALITY)}"
    return {
        "no_feature_row": "no feature row",
        "no_quality_score": "feature_quality_score missing",
        "not_production_ready": "not production ready",
        "features_incomplete": "features incomplete (one of features 0-2, 5-8 missing)",
    }.get(decision, decision)


def _number(value: Any) -> str:
    return f"{float(value):g}"


def _record_failure(warehouse: Warehouse, game_date: dt.date, batch_id: str, requested: int, error: str,
                    started_at: dt.datetime, clock: float, context: RunContext) -> None:
    record = RunRecord(
        processor_name=SYSTEM_ID, data_date=game_date, phase=PHASE, status="failed", started_at=started_at,
        duration_seconds=time.perf_counter() - clock, records_processed=requested, errors=[error],
        summary={"batch_id": batch_id, "system_id": SYSTEM_ID, "requested": requested, "error": error},
        output_table=OUTPUT_TABLE,
    )
    try:
        record_run(warehouse, record, context)
    except WarehouseError:
        log.exception("could not record the failed %s run for %s", SYSTEM_ID, game_date)
