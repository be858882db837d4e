"""Replay a season night by night, as the nightly DAG would: input gate, Phase 4, then Phase 5.

Phase 4 runs as `make phase4` does (Phase 3 readiness and input contracts, then P1-P5
in dependency order) and raises the alerts the DAG's tasks would (a processor's
warnings, a failed processor or gate); Phase 5 runs its steps through
processors.phase5.night. Everything the report shows is then in the warehouse:
run history, outputs, predictions, alerts. One warehouse connection for all the nights
(opening the file per night would cost more than some nights' work); processors.season_shards
spreads a season's nights over processes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from processors.alerts import Alert, record_alert
from processors.config import PipelineSettings
from processors.input_gate import InputContractsBroken, gate_night, readiness_problems
from processors.phase4.calendar import schedule_seasons
from processors.phase4.night import dates_between, run_night
from processors.phase5.night import run_phase5_night
from processors.run_history import RunContext
from processors.warehouse import Warehouse

CONTEXT = RunContext(triggered_by="manual", trigger_source="season_report")


def season_nights(warehouse: Warehouse, season_year: int) -> list[dt.date]:
    """Every night from the season's first to its last game, off nights included."""
    for season in schedule_seasons(warehouse):
        if season.season_year == season_year:
            return list(dates_between(season.first_game, season.last_game))
    raise ValueError(f"season {season_year} is not in nba_raw.nbac_schedule")


def replay_night(warehouse: Warehouse, night: dt.date, settings: PipelineSettings,
                 context: RunContext = CONTEXT) -> None:
    """The night's gate and Phase 4, then its Phase 5 (which runs whatever Phase 4 did, as in the DAG)."""
    def alert(severity: str, source: str, title: str, message: str) -> None:
        record_alert(warehouse, Alert(severity=severity, title=title, message=message, game_date=night,
                                      source=source), ["log"])

    problems = readiness_problems(warehouse, night)
    if problems:  # in Airflow a readiness sensor times out: its task fails, nothing computes
        alert("critical", "phase3_readiness", "Phase 3 not ready", "\n".join(problems))
    else:
        try:
            gate_night(warehouse, night, "enforce", context)
        except InputContractsBroken as exc:
            source = "phase3_readiness.check_input_contracts"  # the DAG's task fails: its failure alert
            alert("critical", source, f"Task {source} failed", str(exc))
        else:
            for result in run_night(warehouse, night, context=context):
                source = f"phase4.{result.processor}"
                for warning in result.warnings:
                    alert("warning", source, f"{result.processor} {night}", warning)
                if result.status == "failed":
                    alert("critical", source, f"Task {source} failed", result.message)
    run_phase5_night(warehouse, night, settings, context=context)


def replay_nights(warehouse: Warehouse, nights: list[dt.date],
                  settings: PipelineSettings | None = None) -> Iterator[dt.date]:
    """Replay the nights in order; yields each night once it is done (to report it at once)."""
    settings = settings or PipelineSettings()
    for night in nights:
        replay_night(warehouse, night, settings)
        yield night
