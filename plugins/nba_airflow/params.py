"""The nightly DAG's params: declared once, validated by Airflow at trigger time
(JSON schema) and again by the run's first task, with messages naming the param."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import Param

from nba_airflow.night import parse_game_date

PREDICTIONS_MODES = ("auto", "on", "off")
INPUT_CHECKS_PARAM_VALUES = ("enforce", "warn")  # the command line also has "off"

NIGHTLY_PARAMS = {
    "game_date": Param(
        None, type=["null", "string"], format="date",
        description="Override the night (ISO date YYYY-MM-DD). Empty: the logical date in New York + 1 day.",
    ),
    "force": Param(False, type="boolean",
                   description="Re-request predictions even when the night is already complete."),
    "min_minutes": Param(15, type="integer", minimum=0,
                         description="Projected minutes a player needs to be eligible for predictions."),
    "predictions": Param("auto", type="string", enum=list(PREDICTIONS_MODES),
                         description="auto: on for scheduled and manual runs, off for backfills."),
    "input_checks": Param("enforce", type="string", enum=list(INPUT_CHECKS_PARAM_VALUES),
                          description="enforce: Phase 3 inputs that break a contract stop the night. warn: an "
                                      "operator who has looked accepts them; the run history records the waiver."),
}


class InvalidParams(ValueError):
    """One or more params are invalid; the message names each."""


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The run's params, checked; raises InvalidParams naming every bad one."""
    problems = []
    game_date = params.get("game_date")
    if game_date not in (None, ""):
        try:
            game_date = parse_game_date(game_date).isoformat()
        except ValueError as exc:
            problems.append(str(exc))
    force = params.get("force", False)
    if not isinstance(force, bool):
        problems.append(f"param force must be true or false, got {force!r}")
    min_minutes = params.get("min_minutes", 15)
    if isinstance(min_minutes, bool) or not isinstance(min_minutes, int) or min_minutes < 0:
        problems.append(f"param min_minutes must be an integer >= 0, got {min_minutes!r}")
    predictions = params.get("predictions", "auto")
    if predictions not in PREDICTIONS_MODES:
        problems.append(f"param predictions must be one of {', '.join(PREDICTIONS_MODES)}, got {predictions!r}")
    input_checks = params.get("input_checks", "enforce")
    if input_checks not in INPUT_CHECKS_PARAM_VALUES:
        problems.append(f"param input_checks must be one of {', '.join(INPUT_CHECKS_PARAM_VALUES)}, "
                        f"got {input_checks!r}")
    if problems:
        raise InvalidParams("; ".join(problems))
    return {"game_date": game_date or None, "force": force, "min_minutes": min_minutes, "predictions": predictions,
            "input_checks": input_checks}
