"""What trusting the night costs, on the sample season, local backend.

    make bench-input-gate        (or: python -m benchmarks.input_gate_benchmark)

For nights across the season (best of 3 each, reruns are idempotent):
- the contract checks alone (`check_input_contracts`: the six contract queries);
- the whole input gate (`gate_night`: the contracts, the season calendar, the Phase 3
  fingerprint and the gate's run-history row), as the DAG's `check_input_contracts` task runs it;
- the five processors of the night (`run_night`, their lineage capture included);
- the lineage capture alone (fingerprint + output runs, once per processor: x 5).
Target (issue 11): the contract checks under 10 % of the night's processor time.
Figures only: nothing here fails on time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks.phase4_benchmark import BENCH_DIR, MONTHLY_NIGHTS, fresh_warehouse, remove_database
from processors.cli.output import format_table
from processors.cli.sample_season import load_season
from processors.config import WarehouseSettings
from processors.input_gate import gate_night
from processors.phase3_contracts import check_input_contracts
from processors.phase4.calendar import SeasonCalendar
from processors.phase4.lineage import capture_lineage
from processors.phase4.night import run_night
from processors.sample_season import generate_season
from processors.warehouse.local import LocalWarehouse

RUNS = 3


def best_ms(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000


def main() -> None:
    BENCH_DIR.mkdir(exist_ok=True)
    seed_file = BENCH_DIR / "season.duckdb"
    remove_database(seed_file)
    with LocalWarehouse(WarehouseSettings(local_path=seed_file)) as wh:
        load_season(wh, generate_season(2024, 42))
    rows = []
    with fresh_warehouse(seed_file, "input_gate.duckdb") as wh:
        run_night(wh, MONTHLY_NIGHTS[0])  # warm the SQL translation cache, as a long-lived worker would
        gate_night(wh, MONTHLY_NIGHTS[0])
        for night in MONTHLY_NIGHTS:
            calendar = SeasonCalendar.load(wh, night)
            contracts_ms = best_ms(lambda night=night, season=calendar.season_year:
                                   check_input_contracts(wh, night, season))
            gate_ms = best_ms(lambda night=night: gate_night(wh, night))
            night_ms = best_ms(lambda night=night: run_night(wh, night))
            lineage_ms = best_ms(lambda calendar=calendar: capture_lineage(wh, calendar, (), ())) * 5
            rows.append({"game_date": night, "processors_ms": round(night_ms), "contracts_ms": round(contracts_ms),
                         "contracts_%": round(100 * contracts_ms / night_ms, 1), "gate_ms": round(gate_ms),
                         "gate_%": round(100 * gate_ms / night_ms, 1), "lineage_ms_x5": round(lineage_ms),
                         "lineage_%": round(100 * lineage_ms / night_ms, 1)})
    print(f"Input checks vs the night's processors (ms, best of {RUNS}; target: contracts under 10 %)")
    print(format_table(rows))
    for column in ("contracts_%", "gate_%"):
        shares = sorted(r[column] for r in rows)
        print(f"{column[:-2]} share: median {shares[len(shares) // 2]} %, max {shares[-1]} %")


if __name__ == "__main__":
    main()
