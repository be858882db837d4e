"""The nightly DAG's params, each defined once (type, bounds, values, description).

From that one definition come both the Airflow `Param` (its JSON schema, which Airflow
checks when a run is created: trigger form, API, CLI) and `validate_params` (the run's
first task, check_params), which checks each value with Airflow's own Param check and
words the refusal with the param's name and bounds: the two cannot disagree.
check_params adds what a schema cannot say: keys that are not params, a requested
game_date outside every season in the schedule, and a manual run without game_date
(nba_airflow.night.night_for). game_date stays nullable in the schema, since scheduled
runs have none: a required param would stop the scheduler from creating them.

What Airflow 3.3's trigger form does with these schemas (its FlexibleForm, checked in the
UI bundle): `format: date` is a browser date picker, which hands the form an empty value
for a date that does not exist (the form sends null: check_params then refuses the manual
run); `minimum`/`maximum` make a number box that clamps on leaving the field (-5 shows as
0 before you trigger); `enum` is a drop-down of the listed values only. The form checks no
pattern, format, bound or enum itself: Airflow checks the schema when it creates the run
(form, REST API, CLI) and the form shows its refusal; no run is created.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow.sdk import Param
from airflow.sdk.exceptions import ParamValidationError

from nba_airflow.night import GAME_DATE_PATTERN
from processors.phase4.calendar import schedule_seasons
from processors.warehouse import Warehouse

PREDICTIONS_MODES = ("auto", "on", "off")
INPUT_CHECKS_PARAM_VALUES = ("enforce", "warn")  # the command line also has "off"
# Eligibility compares min_minutes with a player's average minutes per game: more than a
# regulation game's 48 minutes could only be reached with overtime in every game, and would
# leave no eligible player (the night would "meet" its SLA with 0 of 0 players).
REGULATION_GAME_MINUTES = 48


@dataclass(frozen=True)
class ParamSpec:
    """One param: its default, JSON schema and description; `expects` words its bounds."""

    name: str
    default: Any
    schema: dict[str, Any]
    description: str
    expects: str
    normalise: Callable[[Any], Any] | None = None  # the accepted value as the tasks use it

    def param(self) -> Param:
        return Param(self.default, description=self.description, **self.schema)

    def check(self, value: Any) -> Any:
        """Airflow's own check of the value (jsonschema with format checking, as when a run is
        created); raises ValueError naming the param and what it accepts."""
        try:
            Param(description=self.description, **self.schema).resolve(value)
        except ParamValidationError:
            raise ValueError(f"param {self.name} must be {self.expects}, got {value!r}") from None
        return self.normalise(value) if self.normalise and value is not None else value


SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("game_date", None, {"type": ["null", "string"], "format": "date", "pattern": GAME_DATE_PATTERN},
              "The night to compute, YYYY-MM-DD, within a season of the schedule. Required when you trigger a "
              "run: left empty (or cleared by the browser, for a date that does not exist), check_params "
              "refuses the run. Scheduled and backfill runs leave it empty: the logical date in New York + 1 day.",
              "an ISO date YYYY-MM-DD"),
    ParamSpec("force", False, {"type": "boolean"},
              "Re-request predictions even when the night is already complete.", "true or false"),
    ParamSpec("min_minutes", 15, {"type": "integer", "minimum": 0, "maximum": REGULATION_GAME_MINUTES},
              f"Projected minutes (average of the last 7 days) a player needs to be eligible for predictions: "
              f"0 to {REGULATION_GAME_MINUTES}, a regulation game.",
              f"an integer from 0 to {REGULATION_GAME_MINUTES} (the minutes of a regulation game)",
              normalise=int),  # JSON schema's integer includes 15.0
    ParamSpec("predictions", "auto", {"type": "string", "enum": list(PREDICTIONS_MODES)},
              "auto: on for scheduled and manual runs, off for backfills.", f"one of {', '.join(PREDICTIONS_MODES)}"),
    ParamSpec("input_checks", "enforce", {"type": "string", "enum": list(INPUT_CHECKS_PARAM_VALUES)},
              "enforce: Phase 3 inputs that break a contract stop the night. warn: an operator who has looked "
              "accepts them; the run history records the waiver.", f"one of {', '.join(INPUT_CHECKS_PARAM_VALUES)}"),
)
PARAM_SPECS = {spec.name: spec for spec in SPECS}
NIGHTLY_PARAMS = {spec.name: spec.param() for spec in SPECS}


class InvalidParams(ValueError):
    """One or more params are invalid; the message names each."""


def unknown_keys(keys: Sequence[str]) -> list[str]:
    """A problem line for keys that are no param (Airflow keeps them in the params, unused)."""
    unknown = [key for key in dict.fromkeys(keys) if key not in PARAM_SPECS]
    problems = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), list(PARAM_SPECS), n=1)
        problems.append(f"unknown param {key}" + (f" (did you mean {close[0]}?)" if close else ""))
    if problems:
        problems.append(f"the params are {', '.join(PARAM_SPECS)}")
    return problems


def validate_params(params: Mapping[str, Any], conf: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The run's params, checked and normalised; raises InvalidParams naming every problem:
    keys of params (or of the run's conf) that are no param, then each bad value."""
    problems = unknown_keys([*params, *(conf or {})])
    values = {}
    for spec in SPECS:
        try:
            values[spec.name] = spec.check(params.get(spec.name, spec.default))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidParams("; ".join(problems))
    return values


def check_in_a_season(warehouse: Warehouse, game_date: dt.date) -> None:
    """A requested game_date must fall in a season of the schedule (first to last game of the
    season, off nights included): outside, there is nothing to compute. Raises InvalidParams
    naming the seasons there are."""
    seasons = schedule_seasons(warehouse)
    if any(season.contains(game_date) for season in seasons):
        return
    there = "; ".join(f"{season.label}: {season.first_game} to {season.last_game}" for season in seasons)
    raise InvalidParams(f"param game_date {game_date} is outside every season in nba_raw.nbac_schedule "
                        f"({there or 'the schedule has no games'})")
