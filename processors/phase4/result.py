"""What a processor run returns, and the failures it raises."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ProcessorResult:
    processor: str
    game_date: dt.date
    status: str                           # success, partial, failed, skipped
    decision: str                         # why: computed, early_season_bootstrap, no_games_scheduled, ...
    output_table: str
    rows_written: int = 0
    success_threshold: int = 0
    production_ready: int = 0
    quality: float | None = None          # the processor's quality measure (see quality_label)
    quality_label: str = ""
    early_season_rows: int = 0
    records_skipped: int = 0
    duration_seconds: float = 0.0
    missing_dependencies: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    run_id: str = ""
    # What the committed output was computed from (processors.phase4.lineage); empty when nothing was written.
    lineage: dict[str, Any] = field(default_factory=dict)

    @property
    def ready_pct(self) -> float:
        return round(100.0 * self.production_ready / self.rows_written, 1) if self.rows_written else 0.0

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (run history, XCom)."""
        data = asdict(self)
        data["game_date"] = self.game_date.isoformat()
        data["ready_pct"] = self.ready_pct
        return data


class ProcessorFailed(RuntimeError):
    """A run failed; its run-history row is written. `result` says what happened."""

    retryable = True

    def __init__(self, result: ProcessorResult):
        self.result = result
        super().__init__(f"{result.processor} {result.game_date}: {result.message}")


class DependencyMissing(ProcessorFailed):
    """A critical input has no rows for the night (or its table is missing)."""

    retryable = False


class ValidationFailed(ProcessorFailed):
    """The rows computed fail the success criteria; the previous partition is kept."""

    retryable = False
