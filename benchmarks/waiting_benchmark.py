"""What a night costs while it waits for its 06:15 PT retry, against the idle stack.

    make bench-waiting [MINUTES=10]
    python -m benchmarks.waiting_benchmark [--window-minutes 10] [--night YYYY-MM-DD] [--json FILE]

Starts a private local Airflow (devtools/local_airflow.py: api-server,
scheduler, dag-processor, triggerer, LocalExecutor; state in
.airflow/bench-waiting, a free 127.0.0.1 port) on a sample season whose
"today" is the night measured (`sample_season --as-of NIGHT`): NIGHT is the
first game night whose 06:15 PT retry is still ahead, at least an hour from
now. Then:

1. the run the scheduler creates on unpause (the latest missed 23:00 ET tick)
   is left to finish; when that run is itself a night whose 06:15 PT is still
   ahead, it is the one measured;
2. otherwise the night is triggered (a manual run, param game_date=NIGHT) and
   runs until `phase5.wait_until_retry_1` waits (up_for_reschedule, or
   deferred);
3. waiting window: for --window-minutes, nothing is asked of the stack; then
   the task starts in the window are counted from the scheduler's log (each
   task it hands to the executor: every reschedule poke, every resume from a
   deferral) and the api-server's (each `PATCH /execution/task-instances/
   ID/run`, the call a starting task makes), and the stack's CPU seconds are
   the change of utime + stime (+ the reaped children's) over every process
   of the four components and their descendants (and of the metadata DB's
   PostgreSQL, where the stack runs its own), from /proc;
4. the measured run is marked failed (its wait ends), the stack settles for a
   minute, and the idle window measures the same with no run at all.

Figures per hour. Stops exactly the processes it started, by PID. Never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pendulum

from devtools.airflow_api import AirflowApi
from devtools.local_airflow import ADMIN, DAG_ID, LocalAirflow, free_port
from processors.config import PROJECT_ROOT, PipelineSettings, WarehouseSettings
from processors.phase5.coordinator import pacific_time
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

HOME = PROJECT_ROOT / ".airflow" / "bench-waiting"
WAIT_TASK = "phase5.wait_until_retry_1"
WAITING_STATES = {"up_for_reschedule", "deferred"}
NEW_YORK = "America/New_York"
TICK = os.sysconf("SC_CLK_TCK")
ENQUEUED = re.compile(r"^(\S+Z) .*Trying to enqueue tasks: \[(.*)\] for executor")
TASK_IN_LIST = re.compile(r"<TaskInstance: [^.\s]+\.(\S+) (\S+) \[")
TASK_RUN_CALL = re.compile(r"^(\S+Z) .*method=PATCH path=/execution/task-instances/\S+/run .*status_code=200")


# --- the night --------------------------------------------------------------------------------
def season_of(night: dt.date) -> int:
    """The sample seasons run October to April: the year the season of the night started."""
    return night.year if night.month >= 8 else night.year - 1


def retry_1(night: dt.date) -> pendulum.DateTime:
    return pacific_time(night, PipelineSettings.from_env().retry_times[0])


def scheduled_night(now: pendulum.DateTime) -> dt.date:
    """The night of the latest 23:00 ET tick (the run the scheduler creates on unpause)."""
    local = now.in_timezone(NEW_YORK)
    tick = local.date() if local.hour >= 23 else local.date() - dt.timedelta(days=1)
    return tick + dt.timedelta(days=1)


def game_nights(warehouse: Path, start: dt.date) -> list[dt.date]:
    with LocalWarehouse(WarehouseSettings(local_path=warehouse)) as wh:
        rows = wh.query(Statement("bench.sql", "SELECT DISTINCT game_date FROM nba_raw.nbac_schedule "
                                               "WHERE game_date >= @d ORDER BY game_date"), {"d": start})
    return [row["game_date"] for row in rows]


def build_season(warehouse: Path, as_of: dt.date) -> None:
    warehouse.unlink(missing_ok=True)
    env = {**os.environ, "NBA_WAREHOUSE_BACKEND": "local", "NBA_LOCAL_WAREHOUSE_PATH": str(warehouse),
           "PYTHONPATH": f"{PROJECT_ROOT}:{PROJECT_ROOT / 'plugins'}"}
    subprocess.run([sys.executable, "-m", "processors.cli.sample_season", "--season", str(season_of(as_of)),
                    "--seed", "42", "--as-of", as_of.isoformat()], env=env, check=True, capture_output=True)


def choose_night(warehouse: Path, requested: dt.date | None, now: pendulum.DateTime, lead: dt.timedelta) -> dt.date:
    """The first game night whose retry_1 is at least `lead` ahead; the season built as of it."""
    night = requested or scheduled_night(now)
    while requested is None and retry_1(night) < now + lead:
        night += dt.timedelta(days=1)
    for _ in range(3):
        build_season(warehouse, night)
        nights = game_nights(warehouse, night)
        if not nights:
            sys.exit(f"no games on or after {night} in the sample season {season_of(night)}: off-season, nothing to wait for")
        if nights[0] == night:
            return night
        night = nights[0]  # an off night: the next game night
    return night


# --- the stack --------------------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def stack_processes(roots: list[int]) -> set[int]:
    """The component processes and all their descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def cpu_seconds(roots: list[int]) -> float:
    """utime + stime of every live process of the stack, plus what its reaped children used."""
    total = 0
    for pid in stack_processes(roots):
        fields = _stat(pid)
        if fields:  # after ")": state ppid ... utime(12) stime(13) cutime(14) cstime(15)
            total += sum(int(fields[i]) for i in (11, 12, 13, 14))
    return total / TICK


def task_starts(home: Path, start: dt.datetime, end: dt.datetime) -> tuple[Counter, int]:
    """Tasks handed to the executor in [start, end) per task id (scheduler log), and task-run calls (api-server log)."""
    def within(stamp: str) -> bool:
        return start <= pendulum.parse(stamp) < end

    per_task: Counter = Counter()
    for line in (home / "scheduler.log").read_text(errors="replace").splitlines():
        if (found := ENQUEUED.match(line)) and within(found[1]):
            per_task.update(task for task, _run in TASK_IN_LIST.findall(found[2]))
    calls = sum(1 for line in (home / "api-server.log").read_text(errors="replace").splitlines()
                if (found := TASK_RUN_CALL.match(line)) and within(found[1]))
    return per_task, calls


def stack_roots(local: LocalAirflow) -> dict[str, int]:
    """The four components and, where the metadata DB is a PostgreSQL of the stack's own, its postmaster."""
    postgres = getattr(local, "postgres_pid", lambda: None)()
    return {**local.pids(), **({"postgres": postgres} if postgres else {})}


def measure(local: LocalAirflow, seconds: float) -> dict:
    roots = stack_roots(local)
    start = pendulum.now("UTC")
    before = {name: cpu_seconds([pid]) for name, pid in roots.items()}
    time.sleep(seconds)
    after, end = {name: cpu_seconds([pid]) for name, pid in roots.items()}, pendulum.now("UTC")
    time.sleep(3)  # let the last log lines of the window reach the files
    per_task, calls = task_starts(local.home, start, end)
    hours = (end - start).total_seconds() / 3600
    used = {name: after[name] - before[name] for name in roots}
    return {"start": start.isoformat(), "seconds": round((end - start).total_seconds(), 1),
            "task_starts": sum(per_task.values()), "task_run_calls": calls, "per_task": dict(per_task),
            "cpu_seconds": round(sum(used.values()), 1),
            "task_starts_per_hour": round(sum(per_task.values()) / hours, 1),
            "cpu_seconds_per_hour": round(sum(used.values()) / hours, 1),
            "cpu_seconds_per_hour_by_component": {name: round(value / hours, 1) for name, value in used.items()}}


def wait_for(predicate, what: str, timeout: float, poll: float = 5):
    deadline = time.monotonic() + timeout
    while True:
        if (found := predicate()) is not None:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(poll)


def wait_state(api: AirflowApi, run_id: str):
    """None while the run is on its way; the wait task's state once it waits; raises if the run ended first."""
    run = api.dag_run(DAG_ID, run_id)
    task = api.task_instances(DAG_ID, run_id).get(WAIT_TASK, {})
    if task.get("state") in WAITING_STATES:
        return task["state"]
    if run["state"] in ("success", "failed"):
        states = {t: i["state"] for t, i in api.task_instances(DAG_ID, run_id).items()}
        raise RuntimeError(f"run {run_id} ended {run['state']} before {WAIT_TASK} waited: {states}")
    return None


# --- main -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window-minutes", type=float, default=10.0, help="length of each window (default 10)")
    parser.add_argument("--night", type=dt.date.fromisoformat, default=None,
                        help="the night to measure (default: the first game night whose 06:15 PT is ahead)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds for the night to reach its wait")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--scheduler-idle-sleep", type=float, default=None,
                        help="[scheduler] scheduler_idle_sleep_time for this stack (default: Airflow's, 1 s)")
    args = parser.parse_args(argv)
    window = args.window_minutes * 60

    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    warehouse = HOME / "warehouse.duckdb"
    now = pendulum.now("UTC")
    night = choose_night(warehouse, args.night, now, lead=dt.timedelta(minutes=20 + 2 * args.window_minutes))
    if retry_1(night) <= now:
        sys.exit(f"retry_1 of {night} ({retry_1(night)}) has passed: nothing would wait; choose a later --night")
    print(f"code: {PROJECT_ROOT} ({_git_head()})")
    print(f"night {night}: retry_1 at {retry_1(night).in_timezone('America/Los_Angeles'):%Y-%m-%d %H:%M} PT, "
          f"{(retry_1(night) - now).total_seconds() / 3600:.1f} h from now; sample season {season_of(night)} "
          f"as of {night}")
    extra_env = {}
    if args.scheduler_idle_sleep is not None:
        extra_env["AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME"] = str(args.scheduler_idle_sleep)
        print(f"scheduler_idle_sleep_time = {args.scheduler_idle_sleep:g} s")
    local = LocalAirflow(home=HOME / "home", port=free_port(), warehouse=warehouse, extra_env=extra_env)
    result: dict = {"code": str(PROJECT_ROOT), "commit": _git_head(), "night": night.isoformat(),
                    "window_minutes": args.window_minutes, "extra_env": extra_env}
    try:
        print(f"start-up: {local.start():.0f} s; UI {local.url}")
        api = AirflowApi(local.url, ADMIN, local.admin_password())
        first = wait_for(lambda: api.dag_runs(DAG_ID) or None, "the unpause run", 120)[0]
        if first.get("run_type") == "scheduled" and scheduled_night(now) == night:
            run_id = first["dag_run_id"]  # the scheduled run is the night itself
            print(f"measuring the scheduled run {run_id}")
        else:
            print(f"letting the unpause run {first['dag_run_id']} finish ...")
            api.wait_for_runs(DAG_ID, [first["dag_run_id"]], timeout=args.timeout)
            run_id = api.trigger(DAG_ID, pendulum.now("UTC").isoformat(), {"game_date": night.isoformat()},
                                 note="bench-waiting")["dag_run_id"]
            print(f"triggered {run_id} (game_date {night})")
        started = time.monotonic()
        state = wait_for(lambda: wait_state(api, run_id), f"{WAIT_TASK} waiting", args.timeout)
        print(f"{WAIT_TASK} {state} after {time.monotonic() - started:.0f} s; waiting window of {window / 60:.0f} min")
        time.sleep(20)  # the wait's first start (and the run's earlier tasks) end before the window
        api.close()
        result["waiting"] = measure(local, window)
        api = AirflowApi(local.url, ADMIN, local.admin_password())
        result["wait_state_after"] = api.task_instances(DAG_ID, run_id)[WAIT_TASK]["state"]
        result["wait_log"] = [line for line in _task_log(api, run_id).splitlines()
                              if "retry_1 at" in line or "remaining" in line or "DEFERRED" in line][:6]
        api._call("PATCH", f"/dags/{DAG_ID}/dagRuns/{run_id}", json={"state": "failed"})
        wait_for(lambda: None if api.dag_runs(DAG_ID, state=["running", "queued"]) else True, "no active run", 300)
        api.close()
        print(f"run {run_id} marked failed; the stack settles for 60 s, then the idle window")
        time.sleep(60)
        result["idle"] = measure(local, window)
    finally:
        local.stop()
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


def _task_log(api: AirflowApi, run_id: str) -> str:
    """The wait task's log, one 'timestamp event' line per entry."""
    task = api.task_instances(DAG_ID, run_id)[WAIT_TASK]
    try:
        found = api._call("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{WAIT_TASK}/logs/"
                                 f"{max(1, task.get('try_number') or 1)}", params={"full_content": True})
    except RuntimeError as exc:
        return str(exc)
    content = found.get("content", "")
    if isinstance(content, str):
        return content
    return "\n".join(f"{entry.get('timestamp', '')} {entry.get('event', '')}" if isinstance(entry, dict) else str(entry)
                     for entry in content)


def _git_head() -> str:
    found = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True)
    dirty = subprocess.run(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return found.stdout.strip() + (" + uncommitted changes" if dirty else "")


def report(result: dict) -> None:
    waiting, idle = result["waiting"], result["idle"]
    print()
    print(f"{'window':9} {'minutes':>7} {'task starts':>11} {'run calls':>9} {'starts/h':>8} {'CPU-s':>7} {'CPU-s/h':>8}")
    for name, row in (("waiting", waiting), ("idle", idle)):
        print(f"{name:9} {row['seconds'] / 60:7.1f} {row['task_starts']:11} {row['task_run_calls']:9} "
              f"{row['task_starts_per_hour']:8.1f} {row['cpu_seconds']:7.1f} {row['cpu_seconds_per_hour']:8.1f}")
    print("CPU-s/h by component (waiting / idle): " + ", ".join(
        f"{name} {value:.0f} / {idle['cpu_seconds_per_hour_by_component'].get(name, 0):.0f}"
        for name, value in waiting["cpu_seconds_per_hour_by_component"].items()))
    extra = waiting["cpu_seconds_per_hour"] - idle["cpu_seconds_per_hour"]
    print(f"waiting costs {extra:+.1f} CPU-s/h over idle ({extra / idle['cpu_seconds_per_hour'] * 100:+.0f} %); "
          f"{WAIT_TASK} was {result['wait_state_after']} at the end of the window")
    if waiting["per_task"]:
        print("starts while waiting, per task: " + ", ".join(f"{t} {n}" for t, n in waiting["per_task"].items()))
    for line in result.get("wait_log", []):
        print(f"  log: {line.strip()[:200]}")


if __name__ == "__main__":
    main()
