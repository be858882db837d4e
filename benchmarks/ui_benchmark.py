"""How fast the plugin's pages answer behind a real api-server, on a whole replayed season.

    make bench-ui [REPEAT=10]
    python -m benchmarks.ui_benchmark [--night 2025-01-15] [--repeat 10]

Copies the season that `make season` replayed (.season/season.duckdb: 174 nights with
Phase 4, Phase 5 and alerts) into .airflow/bench-ui, starts a private local Airflow on it
(devtools/local_airflow.py, a free 127.0.0.1 port), and times the pages over HTTP with
the REST API's token, as a browser asks for them:

- first: the first request to each page, as soon as the api-server answers (its background
  warm-up may still be running); then
- warm: --repeat requests each, median and max.

Targets (issue 15): under 1 s for a night, under 3 s for a whole season. Prints the figures;
never fails on time. Stops exactly the processes it started, by PID.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from benchmarks.season_copy import fresh_season_copy
from devtools.airflow_api import AirflowApi
from devtools.local_airflow import ADMIN, LocalAirflow, free_port
from processors.cli.season import DEFAULT_OUT
from processors.config import PROJECT_ROOT

HOME = PROJECT_ROOT / ".airflow" / "bench-ui"
TARGETS = {"night": 1.0, "season": 3.0}


def timed_get(api: AirflowApi, url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = api.client.get(url)
    return time.perf_counter() - started, response.status_code, len(response.content)


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
        api = AirflowApi(local.url, ADMIN, local.admin_password())
        try:
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


if __name__ == "__main__":
    main()
