"""The last task of the readiness gate: the night's Phase 3 inputs meet their contracts.

Runs after the readiness sensors, before any processor. A broken rule fails the
task at once (no retry: retrying cannot fix the data), so every processor is
upstream_failed and nothing is written; the failure alert and the task log carry
one line per broken rule. With the param `input_checks` = warn the night runs on
and the run history records the waiver.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from nba_airflow.night import night_of, run_context
from nba_airflow.notifiers import raise_alert
from nba_airflow.warehouse import task_warehouse
from processors.input_gate import InputContractsBroken, gate_night
from processors.phase4.calendar import NoScheduleError

log = logging.getLogger(__name__)


class CheckInputContractsOperator(BaseOperator):
    ui_color = "#fff3d6"

    def execute(self, context: Mapping[str, Any]) -> dict[str, Any]:
        game_date = night_of(context)
        mode = context["params"].get("input_checks", "enforce")
        with task_warehouse(context) as warehouse:
            try:
                outcome = gate_night(warehouse, game_date, mode, run_context(context))
            except NoScheduleError as exc:  # off-season: the processors skip too
                raise AirflowSkipException(str(exc)) from None
            except InputContractsBroken as exc:
                log.error("%s", exc)  # one line per broken rule, in the task log before the traceback
                raise AirflowFailException(str(exc)) from None
        if outcome.status == "partial":
            raise_alert(context, "warning", f"Phase 3 input contracts waived for {game_date}", outcome.message)
        else:
            log.info("%s", outcome.message)
        return {"status": outcome.status, "run_id": outcome.run_id,
                "violations": len(outcome.report.violations) if outcome.report else 0}
