"""The night's input gate: Phase 3 readiness and the input contracts, before any processor.

In Airflow the readiness sensors wait and the `check_input_contracts` task runs
`gate_night`; the processors command line runs both here. A broken contract
stops the night (mode `enforce`) or is recorded as waived (mode `warn`, chosen by
an operator who has looked at the data); mode `off` (command line only) skips the
checks and says so. Every gate writes one run-history row (`phase3_input_contracts`).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass

from processors.phase3_contracts import INPUT_CHECK_MODES, ContractReport, check_input_contracts, phase3_fingerprints
from processors.phase3_readiness import check_phase3
from processors.phase4.calendar import SeasonCalendar
from processors.run_history import RunContext, RunRecord, latest_run, record_run
from processors.warehouse import Warehouse

GATE = "phase3_input_contracts"
WAIVE_HINT = "rerun with input_checks=warn (param) or --input-checks warn to accept the data as it is"


@dataclass(frozen=True)
class GateOutcome:
    game_date: dt.date
    mode: str
    status: str                      # success, partial (violations waived), failed, skipped (mode off)
    report: ContractReport | None    # None when the checks were off
    run_id: str

    @property
    def waived(self) -> bool:
        return self.status in ("partial", "skipped")

    @property
    def message(self) -> str:
        """The headline, then one line per broken rule."""
        if self.report is None:
            return f"input checks off for {self.game_date}: Phase 3 inputs not checked"
        head = self.report.headline
        if self.status == "failed":
            head += f": nothing computed; {WAIVE_HINT}"
        elif self.status == "partial":
            head += ": waived (input_checks=warn), the night computes on them"
        return "\n".join([head, *self.report.lines])


class InputContractsBroken(RuntimeError):
    """The night's Phase 3 inputs break their contracts (mode enforce); the gate's row is written."""

    def __init__(self, outcome: GateOutcome):
        self.outcome = outcome
        super().__init__(outcome.message)


def gate_night(warehouse: Warehouse, game_date: dt.date, mode: str = "enforce",
               context: RunContext | None = None) -> GateOutcome:
    """Check the night's input contracts and record the gate; raises InputContractsBroken in
    mode enforce when a rule is broken. Raises NoScheduleError for a date outside every season."""
    if mode not in INPUT_CHECK_MODES:
        raise ValueError(f"input checks mode must be one of {', '.join(INPUT_CHECK_MODES)}, got {mode!r}")
    calendar = SeasonCalendar.load(warehouse, game_date)
    started_at, clock = dt.datetime.now(dt.UTC), time.perf_counter()
    report = fingerprints = None
    if mode != "off":
        report = check_input_contracts(warehouse, game_date, calendar.season_year)
        fingerprints = phase3_fingerprints(warehouse, game_date, calendar.season_year)
    if report is None:
        status, decision = "skipped", "input_checks_off"
    elif report.holds:
        status, decision = "success", "contracts_hold"
    elif mode == "warn":
        status, decision = "partial", "input_checks_waived"
    else:
        status, decision = "failed", "contracts_broken"
    outcome = GateOutcome(game_date=game_date, mode=mode, status=status, report=report, run_id=uuid.uuid4().hex)
    violations = report.violations if report else ()
    record = RunRecord(
        processor_name=GATE, data_date=game_date, phase="phase3", status=status, started_at=started_at,
        duration_seconds=time.perf_counter() - clock, run_id=outcome.run_id, season_year=calendar.season_year,
        records_processed=sum(v.count for v in violations),
        dependency_check_passed=report.holds if report else None,
        errors=[v.line for v in violations] if status == "failed" else [],
        warnings=[v.line for v in violations] if status == "partial" else [],
        summary={"decision": decision, "input_checks": mode, "waived": outcome.waived, "message": outcome.message,
                 "phase3_fingerprints": fingerprints,
                 "violations": [{"table": v.table, "rule": v.rule, "count": v.count,
                                 "example_keys": list(v.example_keys)} for v in violations]},
    )
    record_run(warehouse, record, context or RunContext())
    if status == "failed":
        raise InputContractsBroken(outcome)
    return outcome


def readiness_problems(warehouse: Warehouse, game_date: dt.date) -> list[str]:
    """One line per Phase 3 table not ready for the night (empty: all ready)."""
    return [r.message for r in check_phase3(warehouse, game_date) if not r.ready]


def blocked_by_gate(warehouse: Warehouse, game_date: dt.date) -> str | None:
    """Why the night must not be predicted: its latest input gate failed; None otherwise."""
    last = latest_run(warehouse, GATE, game_date)
    if last and last["status"] == "failed":
        return (f"the Phase 3 input contracts of {game_date} are broken (gate run {last['run_id']}); "
                f"fix the data or {WAIVE_HINT}")
    return None
