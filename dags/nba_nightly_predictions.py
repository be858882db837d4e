"""
# NBA nightly predictions

One run per night prepares **game_date = the day after the run starts**: the run
that starts at 23:00 America/New_York on day D prepares the games of D + 1
(from the logical date in New York time, or the `game_date` param; never now()).

**Find a night**: scheduled runs are named by it, `scheduled__night_2025-01-15__2025-01-14T23:00:00-05:00`
(game_date, then the 23:00 New York tick that prepares it); backfill runs by their tick,
`backfill__2025-01-14T23:00:00-05:00`; manual runs by their trigger time, `manual__2025-01-14T10:04:05.123456-05:00`.
These ids are all in New York time (`airflow dags test` names its own run, `manual__<now, UTC>`).
When the scheduler starts a run it writes the night into the run's note,
`Night of game_date 2025-01-15` (run page; note mark on the grid column), unless the trigger gave a note.

| ET | PT | what |
|---|---|---|
| 23:00 | 20:00 | run starts: params checked, Phase 3 readiness sensors (box scores of each team's last game, upcoming context) |
| | | `check_input_contracts`: keys, value domains, schedule integrity over everything the night reads |
| ~23:05 | ~20:05 | Phase 4: P1 and P2 in parallel; P3 after P1 and P2; P4 after P2; P5 after all four |
| | | then `publish_phase4_complete` (topic `nba-phase4-precompute-complete`, best effort) |
| 00:00 | 21:00 | `phase4_deadline`: warning if Phase 4 is not done 60 min after the run started |
| 01:00 | 22:00 | `phase4_deadline`: hard deadline, warning if Phase 4 is not complete (scheduled runs) |
| 09:00 / 09:15 / 09:30 | 06:00 / 06:15 / 06:30 | Phase 5 backup readiness deadline and retries (Phase 5 group) |
| 10:00 | 07:00 | predictions SLA check |

P1 `team_defense_zone_analysis`, P2 `player_shot_zone_analysis`, P3 `player_composite_factors`,
P4 `player_daily_cache`, P5 `ml_feature_store_v2`. Every processor writes exactly its night's partition (reruns replace, never
duplicate) and one row of `nba_reference.processor_run_history`. Alerts go to
`nba_reference.pipeline_alerts` (and Slack / e-mail when configured).

**Rerun** a processor: clear its task (downstream included) in the UI, or
`airflow tasks clear nba_nightly_predictions -t 'phase4.player_daily_cache' -d -s <start> -e <end>`.
**Another night**: trigger with param `game_date` = `YYYY-MM-DD`. A manual run needs it: without it (an empty date
field, or one the browser cleared because the date does not exist), `check_params` refuses the run
("a manual run needs param game_date (YYYY-MM-DD): the night to compute ...") instead of computing today + 1.
Only a logical date on a 23:00 New York tick names the night without it (`airflow dags test DAG 2025-01-14T23:00:00-05:00`).
**Backfill**: `airflow backfill create --dag-id nba_nightly_predictions --from-date 2025-01-09T23:00:00-05:00
--to-date 2025-01-15T23:00:00-05:00 --max-active-runs 1` (nights 2025-01-10 to 2025-01-16, one at a time, in order;
always pass `--max-active-runs`: from the CLI or the REST API a backfill runs 10 nights at once by default, the DAG's
`max_active_runs` does not apply to it; the UI's backfill form starts at 1, "Max Active Runs"). Phase 4 recomputed;
predictions off for backfills when `predictions` = auto.

**Bad Phase 3 data**: `check_input_contracts` fails naming each broken rule (table, rule, count, example keys)
and nothing is computed. Fix the data and clear the task, or, having looked, trigger the night with
`input_checks` = warn: it computes and the run history records the waiver.
**Stale outputs**: a processor rerun alone (or a Phase 3 correction) leaves later outputs stale: the task raises a
warning naming them, `make status` shows why; clear the rewritten task *with its downstream* to make all current.
Predictions follow their features: a changed feature row is re-predicted by the next Phase 5 step, without `force`.

**What a night produced**: the run's *Night report* tab (Phase 4 per processor, Phase 5 coverage and steps,
alerts with each channel's delivery); the season at a glance under *NBA season* in the navigation.

Params: `game_date` (YYYY-MM-DD within a season of the schedule; required for manual runs; empty = the scheduled night),
`force` (re-request complete predictions), `min_minutes` (eligibility, integer 0-48, default 15),
`predictions` (auto | on | off), `input_checks` (enforce | warn). Other keys are refused by name;
a refused run fails at `check_params` and nothing after it runs.
Configuration: environment variables NBA_* or the Variable `nba_pipeline` (JSON);
credentials in the connection named by NBA_GCP_CONN_ID.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, TaskGroup, TriggerRule

from nba_airflow.deadlines import Phase4DeadlineSensor
from nba_airflow.input_gate import CheckInputContractsOperator
from nba_airflow.notifiers import PipelineAlertNotifier
from nba_airflow.operators import (
    CheckParamsOperator,
    Phase4AuditOperator,
    Phase4ProcessorOperator,
    PublishPhase4CompleteOperator,
)
from nba_airflow.params import NIGHTLY_PARAMS
from nba_airflow.phase5 import PacificClockSensor, Phase5PlanOperator, Phase5ReadinessSensor, Phase5StepOperator
from nba_airflow.sensors import Phase3ReadinessSensor
from nba_airflow.settings import WAREHOUSE_POOL
from nba_airflow.timetables import NightlyTimetable

NEW_YORK = "America/New_York"

with DAG(
    dag_id="nba_nightly_predictions",
    description="Phase 4 precompute and Phase 5 predictions for the next day's NBA games",
    doc_md=__doc__,
    schedule=NightlyTimetable(),  # "0 23 * * *" America/New_York; run ids name the night (plugins/nba_plugin.py)
    start_date=pendulum.datetime(2024, 10, 1, tz=NEW_YORK),
    catchup=False,
    max_active_runs=1,
    params=NIGHTLY_PARAMS,
    tags=["nba", "phase4", "phase5", "predictions", "bigquery"],
    default_args={
        "owner": "data-engineering",
        "retries": 2,  # transient (warehouse) errors; validation failures fail at once
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
        "execution_timeout": timedelta(hours=1),
        "pool": WAREHOUSE_POOL,
        "on_failure_callback": [PipelineAlertNotifier()],
    },
) as dag:
    # The run's setup task: when it refuses the params, every later task (all_done ones included:
    # phase4_audit, phase5.plan) ends upstream_failed without running; its alert is the only one.
    check_params = CheckParamsOperator(task_id="check_params", retries=0, pool="default_pool").as_setup()

    with TaskGroup("phase3_readiness", tooltip="Phase 3 inputs of the night exist and meet their contracts",
                   ) as phase3_readiness:
        # Every sensor must pass; then the contracts, once, over everything the night reads.
        (
            [Phase3ReadinessSensor(task_id=f"wait_for_{table}", table=table, retries=0)
             for table in ("player_game_summary", "team_defense_game_summary", "team_offense_game_summary",
                           "upcoming_player_game_context", "upcoming_team_game_context")]
            >> CheckInputContractsOperator(task_id="check_input_contracts")
        )

    with TaskGroup("phase4", tooltip="Precompute: five processors") as phase4:
        p1 = Phase4ProcessorOperator(task_id="team_defense_zone_analysis", processor="team_defense_zone_analysis")
        p2 = Phase4ProcessorOperator(task_id="player_shot_zone_analysis", processor="player_shot_zone_analysis")
        p3 = Phase4ProcessorOperator(task_id="player_composite_factors", processor="player_composite_factors",
                                     trigger_rule=TriggerRule.ALL_SUCCESS)
        p4 = Phase4ProcessorOperator(task_id="player_daily_cache", processor="player_daily_cache",
                                     trigger_rule=TriggerRule.ALL_SUCCESS)
        p5 = Phase4ProcessorOperator(task_id="ml_feature_store_v2", processor="ml_feature_store_v2",
                                     trigger_rule=TriggerRule.ALL_SUCCESS)
        [p1, p2] >> p3
        p2 >> p4
        [p1, p2, p3, p4] >> p5

    publish_phase4_complete = PublishPhase4CompleteOperator(task_id="publish_phase4_complete", retries=0)
    # Whatever happened: record processors that never ran, and fail the run if Phase 4 did.
    phase4_audit = Phase4AuditOperator(task_id="phase4_audit", trigger_rule=TriggerRule.ALL_DONE)
    # Beside Phase 4: a warning while a scheduled night is late (60 min, 01:00 ET); waits deferred to the triggerer.
    phase4_deadline = Phase4DeadlineSensor(task_id="phase4_deadline", retries=0, deferrable=True)

    check_params >> phase3_readiness >> [p1, p2]
    check_params >> phase4_deadline
    p5 >> publish_phase4_complete
    [p1, p2, p3, p4, p5] >> phase4_audit

    with TaskGroup("phase5", tooltip="Predictions coordinator") as phase5:
        # Runs after P5 whatever its outcome: the coordinator decides from the data.
        plan = Phase5PlanOperator(task_id="plan", trigger_rule=TriggerRule.ALL_DONE)
        # Data wait: reschedule-mode pokes with backoff. Clock waits: deferred to the triggerer (no task starts).
        wait_for_phase4 = Phase5ReadinessSensor(task_id="wait_for_phase4", retries=0)
        start_batch = Phase5StepOperator(task_id="start_batch", step="start")
        wait_until_retry_1 = PacificClockSensor(task_id="wait_until_retry_1", step="retry_1", retries=0, deferrable=True)
        retry_1 = Phase5StepOperator(task_id="retry_1", step="retry_1")
        wait_until_retry_2 = PacificClockSensor(task_id="wait_until_retry_2", step="retry_2", retries=0, deferrable=True)
        retry_2 = Phase5StepOperator(task_id="retry_2", step="retry_2")
        wait_until_status_check = PacificClockSensor(task_id="wait_until_status_check", step="status", retries=0, deferrable=True)
        status_check = Phase5StepOperator(task_id="status_check", step="status")
        (plan >> wait_for_phase4 >> start_batch >> wait_until_retry_1 >> retry_1 >> wait_until_retry_2 >> retry_2
         >> wait_until_status_check >> status_check)

    p5 >> phase5
