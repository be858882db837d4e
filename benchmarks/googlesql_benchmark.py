"""The GoogleSQL check (ZetaSQL analysis + differential execution) timed as `make test` runs it:
once cold (the 28 MB WebAssembly module compiled into an empty cache) and then warm.

    make bench-googlesql [RUNS=2]

Prints each run's wall time and what the check covers. Figures only: nothing fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from processors.cli.output import format_table

MODULES = ["tests/test_googlesql_analysis.py", "tests/test_googlesql_differential.py"]


def run_check(cache_dir: Path | None, summary_file: Path) -> float:
    env = {**os.environ, "GOOGLESQL_SUMMARY": str(summary_file)}
    if cache_dir is not None:
        env["ZETASQL_CACHE_DIR"] = str(cache_dir)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *MODULES],
                            env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"the check failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="warm runs after the cold one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zetasql-cold-") as cold_cache:
        summary_file = Path(cold_cache) / "summary.json"
        rows = [{"run": "cold (compiles the module)", "wall_s": round(run_check(Path(cold_cache), summary_file), 1)}]
    with tempfile.TemporaryDirectory(prefix="googlesql-summary-") as scratch:
        summary_file = Path(scratch) / "summary.json"
        for n in range(1, args.runs + 1):
            rows.append({"run": f"warm {n}", "wall_s": round(run_check(None, summary_file), 1)})
        covered = json.loads(summary_file.read_text())
    print("pytest " + " ".join(MODULES))
    print(format_table(rows))
    print("covers: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in covered.items()))


if __name__ == "__main__":
    main()
