"""The shape every Phase 4 processor shares.

A processor is a small class around SQL in include/sql/phase4/: it checks its
critical inputs for the night, replaces that night's partition with one
set-based statement, validates the new rows before they commit, and records the run:
a `running` row when it starts, and its outcome, which commits in the same transaction
as the partition it describes (a failure is recorded after the rollback).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import ClassVar

from processors.phase4.calendar import SeasonCalendar
from processors.phase4.inputs import input_row_count
from processors.phase4.lineage import capture_lineage
from processors.phase4.result import DependencyMissing, ProcessorFailed, ProcessorResult, ValidationFailed
from processors.run_history import RunContext, RunRecord, record_run, record_start
from processors.warehouse import Warehouse, WarehouseError, WarehouseFileError

log = logging.getLogger(__name__)


class _Rejected(Exception):
    """Raised by validation inside the write transaction, so the write rolls back."""


class Phase4Processor:
    name: ClassVar[str]
    short_name: ClassVar[str]                     # P1 ... P5
    output_table: ClassVar[str]                   # registry key, dataset.table
    critical_inputs: ClassVar[tuple[str, ...]]    # names from processors.phase4.inputs that must have rows
    phase3_inputs: ClassVar[tuple[str, ...]]      # the Phase 3 tables (and schedule) its SQL reads: its lineage
    success_rows: ClassVar[int]                   # fewer rows on a game day = partial
    early_season_success_rows: ClassVar[int] = 0  # days 7-20 (0 = same as success_rows)
    duration_warning_seconds: ClassVar[int]
    quality_label: ClassVar[str]
    writes_during_bootstrap: ClassVar[bool] = False

    @property
    def upstream(self) -> tuple[str, ...]:
        """The processors whose outputs this one reads."""
        from processors.phase4 import UPSTREAM  # the package imports this module first

        return UPSTREAM[self.name]

    # --- hooks a processor may override ---------------------------------------------
    def sql_file_for(self, calendar: SeasonCalendar) -> str:
        """The SELECT that produces the night's rows."""
        return f"phase4/{self.name}.sql"

    def critical_inputs_for(self, calendar: SeasonCalendar) -> tuple[str, ...]:
        """Inputs (names from processors.phase4.inputs) that must have rows for the night."""
        return self.critical_inputs

    def sql_params(self, calendar: SeasonCalendar) -> dict:
        """Named parameters of the SELECT: @game_date, @season_year, @season_start, @early_season."""
        return calendar.sql_params

    def before_validation(self, warehouse: Warehouse, calendar: SeasonCalendar, elapsed_ms: int) -> None:
        """Runs inside the write transaction, after the insert and before validation."""

    def validation_problem(self, stats: dict, calendar: SeasonCalendar) -> str | None:
        """Why the new rows must not commit, or None. Only 0 rows on a game day fails by default."""
        if not stats["row_count"]:
            return f"0 rows for {calendar.game_date}, a game day"
        return None

    @property
    def stats_file(self) -> str:
        return f"phase4/stats/{self.name}.sql"

    def success_threshold(self, calendar: SeasonCalendar) -> int:
        if calendar.is_early_season and self.early_season_success_rows:
            return self.early_season_success_rows
        return self.success_rows

    # --- the run ----------------------------------------------------------------
    def run(self, warehouse: Warehouse, game_date: dt.date, context: RunContext | None = None) -> ProcessorResult:
        """Process one night. Raises ProcessorFailed (after recording the run) on failure."""
        context = context or RunContext()
        calendar = SeasonCalendar.load(warehouse, game_date)  # bad input: raises before anything is written
        run = _Run(self, warehouse, calendar, context)
        result = run.result
        failure: ProcessorFailed | None = None
        try:
            run.start()
            self._process(warehouse, calendar, run)
        except ProcessorFailed as exc:
            failure = exc
        except WarehouseError as exc:
            result.status, result.decision, result.message = "failed", "warehouse_error", str(exc)
            failure = ProcessorFailed(result)
        if not run.recorded:
            run.finish()
            try:
                run.record()
            except WarehouseError as exc:  # e.g. the disk that failed the write: say so, keep the first cause
                log.error("%s %s: the run's outcome could not be recorded: %s", self.name, game_date, exc)
                if failure is None:
                    raise
                result.message += f" (and its run-history row could not be written: {exc.problem})"
        log.info("%s %s: %s (%s) rows=%d ready=%d quality=%s in %.2f s", self.name, game_date, result.status,
                 result.decision, result.rows_written, result.production_ready, result.quality, result.duration_seconds)
        if failure is not None:
            raise failure
        return result

    def _process(self, warehouse: Warehouse, calendar: SeasonCalendar, run: _Run) -> None:
        result = run.result
        if calendar.is_off_night:
            result.status, result.decision = "skipped", "no_games_scheduled"
            result.message = f"no games scheduled on {calendar.game_date}"
            return
        if calendar.is_bootstrap and not self.writes_during_bootstrap:
            result.status, result.decision = "skipped", "early_season_bootstrap"
            result.message = f"day {calendar.days_into_season} of the season: not enough history yet"
            return
        self._check_inputs(warehouse, calendar, result)
        if calendar.is_bootstrap:
            result.decision = "early_season_placeholders"
        else:
            result.decision = "early_season" if calendar.is_early_season else "computed"
        stats: dict = {}
        write_started = time.perf_counter()

        def validate_and_record(row_count: int) -> None:
            """Inside the write transaction: reject bad rows, else record the outcome with them."""
            self.before_validation(warehouse, calendar, int((time.perf_counter() - write_started) * 1000))
            stats.update(warehouse.query(self.stats_file, {"game_date": calendar.game_date})[0])
            problem = self.validation_problem(stats, calendar)
            if problem:
                raise _Rejected(problem)
            self._apply_stats(result, stats)
            # The inputs exactly as the SELECT saw them.
            result.lineage = capture_lineage(warehouse, calendar, self.phase3_inputs, self.upstream)
            self._conclude(result, calendar)
            run.finish()
            run.record()

        try:
            warehouse.replace_partition(self.output_table, calendar.game_date, self.sql_file_for(calendar),
                                        self.sql_params(calendar), check=validate_and_record)
        except _Rejected as exc:
            self._apply_stats(result, stats)
            result.status, result.decision, result.message = "failed", "validation_failed", str(exc)
            raise ValidationFailed(result) from None
        except BaseException:
            # The commit failed: the outcome row rolled back with the output; report a failure instead.
            run.recorded = False
            self._apply_stats(result, {})
            result.lineage, result.warnings = {}, []
            raise

    @staticmethod
    def _conclude(result: ProcessorResult, calendar: SeasonCalendar) -> None:
        if not result.rows_written:  # validation allowed an empty night: nothing to compute
            result.status, result.decision = "skipped", "no_eligible_rows"
            result.message = f"no rows to compute for {calendar.game_date}"
            return
        if result.rows_written < result.success_threshold:
            result.status = "partial"
            result.warnings.append(f"{result.rows_written} rows, below the success threshold of {result.success_threshold}")
        else:
            result.status = "success"
        result.message = f"wrote {result.rows_written} rows ({result.production_ready} production ready)"

    def _check_inputs(self, warehouse: Warehouse, calendar: SeasonCalendar, result: ProcessorResult) -> None:
        try:
            missing = [name for name in self.critical_inputs_for(calendar)
                       if not input_row_count(warehouse, name, calendar)]
        except WarehouseFileError:
            raise  # the file itself (locked, full, unreadable): a warehouse error, retried
        except WarehouseError as exc:  # e.g. an input table that does not exist
            result.status, result.decision, result.message = "failed", "dependency_check_failed", str(exc)
            raise DependencyMissing(result) from None
        if missing:
            result.missing_dependencies = missing
            result.status, result.decision = "failed", "missing_dependencies"
            result.message = f"no rows for {calendar.game_date} in: {', '.join(missing)}"
            raise DependencyMissing(result)

    @staticmethod
    def _apply_stats(result: ProcessorResult, stats: dict) -> None:
        result.rows_written = int(stats.get("row_count") or 0)
        result.production_ready = int(stats.get("production_ready") or 0)
        result.early_season_rows = int(stats.get("early_season_rows") or 0)
        quality = stats.get("quality")
        result.quality = round(float(quality), 2) if quality is not None else None
        result.records_skipped = int(stats.get("records_skipped") or 0)



class _Run:
    """One run of a processor: its result, its clock and its run-history rows."""

    def __init__(self, processor: Phase4Processor, warehouse: Warehouse, calendar: SeasonCalendar,
                 context: RunContext):
        self.processor, self.warehouse, self.calendar, self.context = processor, warehouse, calendar, context
        self.started_at, self._clock = dt.datetime.now(dt.UTC), time.perf_counter()
        self.recorded = False
        self.result = ProcessorResult(
            processor=processor.name, game_date=calendar.game_date, status="running", decision="",
            output_table=processor.output_table, quality_label=processor.quality_label,
            success_threshold=processor.success_threshold(calendar))
        self.run_record = RunRecord(processor_name=processor.name, data_date=calendar.game_date, phase="phase4",
                                    status="running", started_at=self.started_at, duration_seconds=0.0,
                                    season_year=calendar.season_year, output_table=processor.output_table)
        self.result.run_id = self.run_record.run_id

    def start(self) -> None:
        if not self.calendar.is_off_night:  # an off night does nothing worth watching
            record_start(self.warehouse, self.run_record, self.context)

    def finish(self) -> None:
        """Stop the clock (before the outcome is recorded)."""
        result = self.result
        result.duration_seconds = time.perf_counter() - self._clock
        limit = self.processor.duration_warning_seconds
        if result.status in ("success", "partial") and result.duration_seconds > limit:
            result.warnings.append(f"took {result.duration_seconds:.0f} s, above {limit} s")

    def record(self) -> None:
        result = self.result
        record = self.run_record
        record.status, record.duration_seconds = result.status, result.duration_seconds
        record.records_processed = record.records_created = result.rows_written
        record.records_skipped = result.records_skipped
        record.dependency_check_passed = (not result.missing_dependencies
                                          and result.decision != "dependency_check_failed")
        record.missing_dependencies = result.missing_dependencies
        record.errors = [result.message] if result.status == "failed" else []
        record.warnings, record.summary = result.warnings, result.summary()
        record_run(self.warehouse, record, self.context)
        self.recorded = True
