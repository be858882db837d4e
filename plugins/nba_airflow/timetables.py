"""The nightly schedule, and run ids named by the night they prepare.

`NightlyTimetable` is `CronTriggerTimetable("0 23 * * *", timezone="America/New_York")`
with the same ticks, logical dates and data intervals; only the names change:

- scheduled runs: `scheduled__night_2025-01-15__2025-01-14T23:00:00-05:00`
  (the game_date first, then the 23:00 New York tick that prepares it);
- manual runs from the UI, the REST API or `airflow dags trigger`:
  `manual__2025-01-14T10:04:05.123456-05:00` (the trigger time; the night comes from the
  `game_date` param, unknown here: the run's note names it, see nba_airflow.run_notes).

One time zone in every run id: America/New_York, the schedule's own clock (the offset
is -05:00 in winter and -04:00 in summer). Airflow 3.3 names backfill runs itself
(`backfill__` + the run_after of this timetable's DagRunInfo, models/backfill.py) without
asking the timetable, so this timetable hands out every tick in New York time: backfill ids
read `backfill__2025-01-14T23:00:00-05:00` for each night, never a mix of the offset typed
on the command line and +00:00. (A later Airflow that asks the timetable gets
`backfill__night_...` like scheduled runs.)

A custom timetable must be registered by a plugin (plugins/nba_plugin.py) so that the
scheduler, the dag-processor and the API server can deserialize the DAG; it only imports
Airflow and pendulum, so the plugin loads even where the pipeline's own packages do not.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pendulum
from airflow.timetables.base import DagRunInfo, DataInterval
from airflow.timetables.trigger import CronTriggerTimetable
from airflow.utils.types import DagRunType

if TYPE_CHECKING:
    from airflow.timetables.base import TimeRestriction

SCHEDULE_TIMEZONE = "America/New_York"
NEW_YORK = pendulum.timezone(SCHEDULE_TIMEZONE)
SCHEDULE_CRON = "0 23 * * *"  # the tick: 23:00 New York; it prepares the next day's games
TICK = (23, 0, 0, 0)  # hour, minute, second, microsecond of every tick, New York time
NIGHT_NAMED_RUN_TYPES = (DagRunType.SCHEDULED, DagRunType.BACKFILL_JOB)


def in_new_york(moment: dt.datetime) -> pendulum.DateTime:
    return pendulum.instance(moment).in_timezone(NEW_YORK)


def night_after(tick: dt.datetime) -> dt.date:
    """The game_date a tick prepares: its New York date + 1 day."""
    return in_new_york(tick).date() + dt.timedelta(days=1)


def is_schedule_tick(moment: dt.datetime | None) -> bool:
    """Whether moment is a tick of the schedule (23:00:00 New York), i.e. names a night."""
    if moment is None:
        return False
    local = in_new_york(moment)
    return (local.hour, local.minute, local.second, local.microsecond) == TICK


class NightlyTimetable(CronTriggerTimetable):
    """`0 23 * * *` in America/New_York; run ids name the night (see the module doc)."""

    def __init__(self, cron: str = SCHEDULE_CRON, *, timezone: Any = SCHEDULE_TIMEZONE, **kwargs: Any) -> None:
        super().__init__(cron, timezone=timezone, **kwargs)  # deserialize() passes interval, run_immediately
        if cron == SCHEDULE_CRON:
            self.description = "At 23:00 America/New_York, for the next day's games"

    def generate_run_id(self, *, run_type: DagRunType, run_after: dt.datetime,
                        data_interval: DataInterval | None, **extra: Any) -> str:
        at = in_new_york(run_after).isoformat()
        if run_type in NIGHT_NAMED_RUN_TYPES:
            night = night_after(data_interval.start if data_interval else run_after)
            return DagRunType(run_type).generate_run_id(suffix=f"night_{night.isoformat()}__{at}")
        return DagRunType(run_type).generate_run_id(suffix=at)

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction) -> DagRunInfo | None:
        """The same ticks as CronTriggerTimetable, in New York time: the base class returns the
        first tick of a backfill in the offset of its --from-date and the others in UTC."""
        info = super().next_dagrun_info(last_automated_data_interval=last_automated_data_interval,
                                        restriction=restriction)
        if info is None:
            return None
        interval = info.data_interval
        return info._replace(
            run_after=in_new_york(info.run_after),
            data_interval=DataInterval(in_new_york(interval.start), in_new_york(interval.end)) if interval else None,
        )
