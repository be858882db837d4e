"""The Phase 5 predictions coordinator: readiness, dedup, batches, retries, the SLA check.

Plain Python on the warehouse layer; the Airflow TaskGroup only wires these
steps. Transport and alerting are injected: a Publisher (Pub/Sub in production,
the pipeline_events outbox locally), an optional in-process worker that serves
published requests (the local baseline worker), and an alert callable.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import pendulum

from processors.config import PipelineSettings
from processors.messaging import Publisher
from processors.phase4.calendar import NoScheduleError, SeasonCalendar
from processors.run_history import RunContext, RunRecord, record_run
from processors.warehouse import Warehouse

log = logging.getLogger(__name__)
PACIFIC = "America/Los_Angeles"
COORDINATOR = "phase5_coordinator"
Alert = Callable[[str, str, str], Any]            # (severity, title, message)
Worker = Callable[[list[dict[str, Any]], bool], Any]  # (requests, replace_existing)


class Phase5NotReady(RuntimeError):
    """Too few production-ready players at the backup deadline: manual intervention needed."""


def parse_trigger_request(payload: dict[str, Any]) -> dt.date:
    """The game_date of an external trigger (the old /trigger endpoint's body)."""
    if not isinstance(payload, dict) or not payload.get("game_date"):
        raise ValueError("trigger request needs game_date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(str(payload["game_date"]))
    except ValueError:
        raise ValueError(f"trigger request game_date must be an ISO date YYYY-MM-DD, got {payload['game_date']!r}") from None


def pacific_time(game_date: dt.date, clock: str, plus_minutes: float = 0) -> pendulum.DateTime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return pendulum.datetime(game_date.year, game_date.month, game_date.day, hours, minutes, tz=PACIFIC).add(
        minutes=plus_minutes)


def backup_deadline(game_date: dt.date, settings: PipelineSettings) -> pendulum.DateTime:
    """06:00 PT on game_date plus the 30-minute wait: after it, decide on what is ready."""
    return pacific_time(game_date, settings.backup_deadline, settings.backup_wait_minutes)


@dataclass(frozen=True)
class Readiness:
    players_ready: int
    players_total: int
    processor_complete: bool
    ready: bool
    message: str

    @property
    def ready_pct(self) -> float:
        return round(100.0 * self.players_ready / self.players_total, 1) if self.players_total else 0.0


def check_readiness(warehouse: Warehouse, game_date: dt.date, settings: PipelineSettings) -> Readiness:
    """Ready: P5 has a success/partial run for the date AND (>= 80 % ready OR >= 100 players ready)."""
    row = warehouse.query("phase5/readiness.sql", {"game_date": game_date})[0]
    total, ready_players = int(row["players_total"]), int(row["players_ready"])
    complete = int(row["p5_completed_runs"]) > 0
    pct = 100.0 * ready_players / total if total else 0.0
    enough = pct >= settings.ready_pct or ready_players >= settings.ready_players
    if not complete:
        message = f"Phase 4 not ready for {game_date}: ml_feature_store_v2 has not run successfully for the date"
    elif not enough:
        message = (f"Phase 4 not ready for {game_date}: {ready_players} of {total} players production ready "
                   f"({pct:.1f} %), need {settings.ready_pct:.0f} % or {settings.ready_players:.0f} players")
    else:
        message = f"Phase 4 ready for {game_date}: {ready_players} of {total} players production ready ({pct:.1f} %)"
    return Readiness(ready_players, total, complete, complete and enough, message)


@dataclass(frozen=True)
class PlayerSets:
    eligible: int
    ready: int
    predicted: int
    eligible_predicted: int
    ready_unpredicted: int          # ready without a current active prediction (none, or outdated)
    outdated: int                   # eligible whose active prediction was computed from a since-changed feature row

    @property
    def fully_complete(self) -> bool:
        return self.eligible > 0 and self.eligible_predicted >= self.eligible and not self.outdated

    @property
    def coverage_pct(self) -> float:
        return round(100.0 * self.eligible_predicted / self.eligible, 1) if self.eligible else 100.0


def player_sets(warehouse: Warehouse, game_date: dt.date, min_minutes: int) -> PlayerSets:
    row = warehouse.query("phase5/player_sets.sql", {"game_date": game_date, "min_minutes": min_minutes})[0]
    return PlayerSets(**{k: int(v) for k, v in row.items()})


def new_batch_id(game_date: dt.date, now: dt.datetime | None = None) -> str:
    moment = now or dt.datetime.now(dt.UTC)
    return f"batch_{game_date.isoformat()}_{int(moment.timestamp())}"


def _request_rows(warehouse: Warehouse, game_date: dt.date, min_minutes: int,
                  include_predicted: bool) -> list[dict[str, Any]]:
    return warehouse.query("phase5/prediction_requests.sql", {
        "game_date": game_date, "min_minutes": min_minutes, "include_predicted": include_predicted})


def _messages(rows: list[dict[str, Any]], game_date: dt.date, batch_id: str,
              now: dt.datetime | None = None) -> list[dict[str, Any]]:
    timestamp = (now or dt.datetime.now(dt.UTC)).isoformat()
    return [{
        "player_lookup": r["player_lookup"], "game_date": game_date.isoformat(), "game_id": r["game_id"],
        "line_values": [float(r["line"])], "team_abbr": r["team_abbr"], "opponent_team_abbr": r["opponent_team_abbr"],
        "is_home": bool(r["is_home"]), "projected_minutes": r["projected_minutes"], "batch_id": batch_id,
        "timestamp": timestamp, "feature_data_hash": r["feature_data_hash"],
    } for r in rows]


PREDICTIONS_OFF = "predictions_off"  # the plan's decision when predictions were turned off: no SLA applies
INPUTS_BLOCKED = "inputs_blocked"    # the input gate refused the night's inputs: its SLA is missed


@dataclass(frozen=True)
class Plan:
    run: bool
    reason: str
    decision: str = "skipped"  # recorded with a skip: predictions_off, inputs_blocked, or skipped (the calendar)

    @classmethod
    def blocked(cls, reason: str) -> Plan:
        """Never predict from inputs the gate refused."""
        return cls(False, reason, INPUTS_BLOCKED)


def plan_night(warehouse: Warehouse, game_date: dt.date, predictions: str, run_type: str) -> Plan:
    """Whether Phase 5 runs tonight: the `predictions` param, the run type and the calendar."""
    if predictions == "off":
        return Plan(False, "predictions=off", PREDICTIONS_OFF)
    if predictions == "auto" and run_type == "backfill":
        return Plan(False, "backfill run: predictions are off for backfills (predictions=auto)", PREDICTIONS_OFF)
    try:
        calendar = SeasonCalendar.load(warehouse, game_date)
    except NoScheduleError as exc:
        return Plan(False, f"off-season: {exc}")
    if calendar.is_off_night:
        return Plan(False, f"off night: no games scheduled on {game_date}")
    if calendar.is_bootstrap:
        return Plan(False, f"early-season bootstrap (day {calendar.days_into_season}): no production-ready features")
    return Plan(True, f"{calendar.games_on_date} games on {game_date}")


@dataclass
class StepResult:
    step: str                     # start, retry_1, retry_2, status, plan
    status: str                   # success, skipped, failed
    decision: str
    batch_id: str | None = None
    requested: int = 0
    eligible: int = 0
    ready: int = 0
    predicted_before: int = 0
    predicted_after: int = 0
    coverage_pct: float = 0.0
    gap_players: int = 0
    outdated: int = 0             # outdated predictions: re-requested by a batch, still active at the status check
    message: str = ""

    def summary(self) -> dict[str, Any]:
        return asdict(self)


class Coordinator:
    def __init__(self, warehouse: Warehouse, game_date: dt.date, settings: PipelineSettings, *,
                 publisher: Publisher, alert: Alert, worker: Worker | None = None, min_minutes: int = 15,
                 force: bool = False, context: RunContext | None = None):
        self.warehouse, self.game_date, self.settings = warehouse, game_date, settings
        self.publisher, self.alert, self.worker = publisher, alert, worker
        self.min_minutes, self.force = min_minutes, force
        self.context = context or RunContext()

    # --- steps ----------------------------------------------------------------------
    def record_skip(self, plan: Plan) -> StepResult:
        return self._record(StepResult(step="plan", status="skipped", decision=plan.decision, message=plan.reason))

    def start_batch(self) -> StepResult:
        sets = player_sets(self.warehouse, self.game_date, self.min_minutes)
        if sets.fully_complete and not self.force:
            return self._record(StepResult(
                step="start", status="success", decision="already_complete", eligible=sets.eligible, ready=sets.ready,
                predicted_before=sets.eligible_predicted, predicted_after=sets.eligible_predicted,
                coverage_pct=sets.coverage_pct,
                message=f"all {sets.eligible} eligible players already predicted: nothing requested"))
        readiness = check_readiness(self.warehouse, self.game_date, self.settings)
        if not readiness.ready:
            # The decision counts ready *eligible* players (R): the ones predictions are for.
            ready = (f"{sets.ready} production-ready eligible players (of {sets.eligible} eligible; "
                     f"{readiness.players_ready} of {readiness.players_total} feature rows ready)")
            if sets.ready < self.settings.min_ready_to_proceed:
                message = (f"Phase 4 not ready at the backup deadline for {self.game_date}: only {ready}, "
                           f"minimum {self.settings.min_ready_to_proceed:.0f} — manual intervention required")
                self.alert("critical", "Phase 4 not ready for predictions", message)
                self._record(StepResult(step="start", status="failed", decision="not_ready", eligible=sets.eligible,
                                        ready=sets.ready, predicted_before=sets.eligible_predicted, message=message))
                raise Phase5NotReady(message)
            self.alert("warning", "Predictions proceeding on partial Phase 4 data",
                       f"{readiness.message}; proceeding with {ready}")
        result = self._batch("start", sets)
        self._warn_on_gap(result)
        return result

    def retry(self, attempt: int) -> StepResult:
        sets = player_sets(self.warehouse, self.game_date, self.min_minutes)
        if not sets.ready_unpredicted:  # outdated predictions count as unpredicted: a retry supersedes them
            return self._record(StepResult(
                step=f"retry_{attempt}", status="success", decision="complete", eligible=sets.eligible, ready=sets.ready,
                predicted_before=sets.eligible_predicted, predicted_after=sets.eligible_predicted,
                coverage_pct=sets.coverage_pct, message="nothing to retry: every ready player is predicted"))
        return self._batch(f"retry_{attempt}", sets, include_predicted=False)

    def status_check(self) -> StepResult:
        sets = player_sets(self.warehouse, self.game_date, self.min_minutes)
        met = sets.coverage_pct >= self.settings.sla_coverage_pct
        message = (f"{sets.eligible_predicted} of {sets.eligible} eligible players predicted "
                   f"({sets.coverage_pct:.1f} %, SLA {self.settings.sla_coverage_pct:.0f} %)")
        if sets.outdated:
            message += f"; {sets.outdated} of them outdated (their feature rows changed since)"
        if not met:
            self.alert("critical", "Predictions SLA missed", f"game_date {self.game_date}: {message}")
        if sets.outdated:  # still active at the SLA check: the retries could not replace them
            self.alert("warning", "Predictions computed from superseded features",
                       f"game_date {self.game_date}: {sets.outdated} active predictions were computed from feature "
                       "rows that changed since and were not replaced (the new rows are not production ready or "
                       "were refused); rerun Phase 5 when the features are ready, or with force")
        return self._record(StepResult(
            step="status", status="success" if met else "failed", decision="sla_met" if met else "sla_missed",
            eligible=sets.eligible, ready=sets.ready, predicted_before=sets.eligible_predicted,
            predicted_after=sets.eligible_predicted, coverage_pct=sets.coverage_pct,
            gap_players=sets.eligible - sets.eligible_predicted, outdated=sets.outdated, message=message))

    # --- internals -------------------------------------------------------------------
    def _batch(self, step: str, sets: PlayerSets, include_predicted: bool | None = None) -> StepResult:
        batch_id = new_batch_id(self.game_date)
        include = self.force if include_predicted is None else include_predicted
        rows = _request_rows(self.warehouse, self.game_date, self.min_minutes, include)
        requests = _messages(rows, self.game_date, batch_id)
        if requests:
            self.publisher.publish(self.settings.topic_prediction_requests, requests, self.game_date)
            if self.worker is not None:
                self.worker(requests, include)
        after = player_sets(self.warehouse, self.game_date, self.min_minutes)
        # Eligible players left without a prediction or a request (requests for players who
        # have an active prediction, outdated or forced, do not narrow the gap).
        newly_requested = sum(1 for r in rows if not r["has_active_prediction"])
        gap = max(sets.eligible - sets.eligible_predicted - newly_requested, 0)
        outdated = sum(1 for r in rows if r["outdated"])
        re_requested = f"{outdated} outdated prediction{'s' * (outdated != 1)} re-requested; " if outdated else ""
        return self._record(StepResult(
            step=step, status="success", decision="requested" if requests else "nothing_to_request", batch_id=batch_id,
            requested=len(requests), eligible=sets.eligible, ready=sets.ready,
            predicted_before=sets.eligible_predicted, predicted_after=after.eligible_predicted,
            coverage_pct=after.coverage_pct, gap_players=gap, outdated=outdated,
            message=f"{len(requests)} prediction requests published ({re_requested}{after.eligible_predicted} of "
                    f"{after.eligible} eligible players predicted)"))

    def _warn_on_gap(self, result: StepResult) -> None:
        gap_pct = 100.0 * result.gap_players / result.eligible if result.eligible else 0.0
        if gap_pct > self.settings.gap_pct or result.gap_players > self.settings.gap_players:
            self.alert("warning", "Predictions batch leaves eligible players out",
                       f"game_date {self.game_date}: {result.gap_players} of {result.eligible} eligible players "
                       f"({gap_pct:.1f} %) not requested: not production ready yet")

    def _record(self, result: StepResult) -> StepResult:
        log.info("phase5 %s for %s: %s (%s) %s", result.step, self.game_date, result.status, result.decision,
                 result.message)
        summary = {**result.summary(), "completion_pct": result.coverage_pct, "min_minutes": self.min_minutes,
                   "force": self.force}
        record_run(self.warehouse, RunRecord(
            processor_name=COORDINATOR, data_date=self.game_date, phase="phase5", status=result.status,
            started_at=dt.datetime.now(dt.UTC), duration_seconds=0.0,
            run_id=result.batch_id or new_batch_id(self.game_date) + f"_{result.step}",
            records_processed=result.requested, records_created=result.requested,
            errors=[result.message] if result.status == "failed" else [], summary=summary,
            output_table="nba_predictions.player_prop_predictions"), self.context)
        return result
