"""How fast the plugin's pages answer behind a real api-server, on a whole replayed season.

    make bench-ui [REPEAT=10]
    python -m benchmarks.ui_benchmark [--night 2025-01-15] [--repeat 10]

Copies the season that `make season` replayed (.season/season.duckdb: 174 nights with
Phase 4, Phase 5 and alerts) into .airflow/bench-ui, starts a private local Airflow on it
(devtools/local_airflow.py, a free 127.0.0.1 port), and times the pages over HTTP with
the REST API's token, as a browser asks for them:

- the run the scheduler creates on unpause (today's night, refused: outside the season)
  finishes before anything is timed;
- warm-up: the api-server translates the pages' SQL and imports matplotlib in the background
  when it starts (nba_airflow.ui.app._warm_up); its time is read from its log;
- first: the first request to each page after that; then
- warm: --repeat requests each, median and max.

Targets (issue 15): under 1 s for a night, under 3 s for a whole season. Prints the figures;
never fails on time. Stops exactly the processes it started, by PID.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import time
from pathlib import Path

from benchmarks.season_copy import fresh_season_copy
from devtools.airflow_api import AirflowApi
from devtools.local_airflow import ADMIN, DAG_ID, LocalAirflow, free_port
from processors.cli.season import DEFAULT_OUT
from processors.config import PROJECT_ROOT

HOME = PROJECT_ROOT / ".airflow" / "bench-ui"
TARGETS = {"night": 1.0, "season": 3.0}


def timed_get(api: AirflowApi, url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = api.client.get(url)
    return time.perf_counter() - started, response.status_code, len(response.content)


def wait_for_warm_up(log: Path, timeout: float = 120) -> str:
    """The api-server's line saying the pages warmed up (or why not)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"NBA views (?:warmed up in [0-9.]+ s|not warmed up \(.*?\))", log.read_text(errors="replace"))
        if found:
            return found.group(0)
        time.sleep(0.5)
    return f"no warm-up line in {log} after {timeout:g} s"


def unpause_run(api: AirflowApi, timeout: float = 300) -> str:
    """Wait for the scheduler's run of the latest tick to be created and to finish; its id and state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = api.dag_runs(DAG_ID)
        if runs and all(run["state"] in ("success", "failed") for run in runs):
            return ", ".join(f"{run['dag_run_id']} {run['state']}" for run in runs)
        time.sleep(2)
    return f"still not finished after {timeout:g} s"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--night", type=dt.date.fromisoformat, default=dt.date(2025, 1, 15))
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    source = DEFAULT_OUT / "season.duckdb"
    warehouse = fresh_season_copy(HOME, source, make_it="make season")
    local = LocalAirflow(home=HOME / "home", port=free_port(), warehouse=warehouse)
    pages = {"night": f"/nba/night?game_date={args.night}", "season": "/nba/season"}
    try:
        print(f"start-up: {local.start():.1f} s; pages on {local.url}, season copied from {source}")
        print(f"pages' warm-up: {wait_for_warm_up(local.home / 'api-server.log')}")
        api = AirflowApi(local.url, ADMIN, local.admin_password())
        try:
            print(f"the run the unpause created, left to finish first (its tasks would share the CPU): {unpause_run(api)}")
            first = {name: timed_get(api, url) for name, url in pages.items()}
            warm = {name: [timed_get(api, url) for _ in range(args.repeat)] for name, url in pages.items()}
        finally:
            api.close()
    finally:
        local.stop()
    print(f"\n{'page':7} {'url':34} {'status':>6} {'KiB':>5} {'first s':>8} {'median s':>9} {'max s':>6} {'target':>7}")
    for name, url in pages.items():
        seconds, status, size = first[name]
        times = [t for t, _, _ in warm[name]]
        statuses = {s for _, s, _ in warm[name]} | {status}
        print(f"{name:7} {url:34} {'/'.join(map(str, sorted(statuses))):>6} {size / 1024:5.0f} {seconds:8.2f} "
              f"{statistics.median(times):9.2f} {max(times):6.2f} {'< ' + format(TARGETS[name], 'g') + ' s':>7}")
        print(f"        each (s): {' '.join(f'{t:.2f}' for t in times)}")


if __name__ == "__main__":
    main()
