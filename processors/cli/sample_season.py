"""Build the deterministic sample season into the configured warehouse.

    python -m processors.cli.sample_season --season 2024 --seed 42

Same season and seed, same rows: re-running replaces the season's rows and
gives identical table checksums (printed with --checksums). With --if-missing
(make airflow-up) a local warehouse that already holds the season from the same
seed and the same generator code is left as it is: each build records its season,
seed, --as-of and a digest of processors/sample_season/*.py in a file beside the
warehouse file (nba.duckdb.sample-season.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path

from processors.cli.output import format_table
from processors.config import WarehouseSettings
from processors.phase4.calendar import season_label
from processors.sample_season import SampleSeason, generate_season
from processors.sample_season.table_names import SCHEDULE
from processors.warehouse import Warehouse, WarehouseError, open_warehouse, schema


def load_season(warehouse: Warehouse, season: SampleSeason) -> dict[str, int]:
    """Replace the season's rows in every Phase 3 table; returns rows written per table."""
    warehouse.create_schema()
    written = {}
    for key, rows in season.tables.items():
        delete = warehouse.table_statement("sample/delete_season.sql", key)
        warehouse.execute_script(delete, {"season_year": season.season_year})
        written[key] = warehouse.load_rows(key, rows)
    return written


DERIVED_DATASETS = ("nba_precompute", "nba_predictions", "nba_reference")


def clear_derived_outputs(warehouse: Warehouse, season: SampleSeason) -> dict[str, int]:
    """Delete what was computed from a previous build of this season (Phase 4 outputs, predictions, run
    history, alerts, events within its dates); returns rows deleted per table. Local warehouse only."""
    dates = [row["game_date"] for row in season.tables[SCHEDULE]]
    params = {"first_date": min(dates), "last_date": max(dates)}
    deleted = {}
    with warehouse.transaction():
        for key, table in schema.all_tables().items():
            if table.dataset not in DERIVED_DATASETS or not table.partition_column:
                continue
            count = warehouse.query(warehouse.table_statement("sample/count_derived_range.sql", key), params)
            if count[0]["row_count"]:
                warehouse.execute_script(warehouse.table_statement("sample/delete_derived_range.sql", key), params)
                deleted[key] = count[0]["row_count"]
    return deleted


def season_checksums(warehouse: Warehouse, season_year: int, keys: list[str]) -> dict[str, str]:
    """SHA-256 over each table's season rows in canonical JSON, sorted."""
    checksums = {}
    for key in keys:
        stmt = warehouse.table_statement("sample/season_rows_as_json.sql", key)
        digest = hashlib.sha256()
        for row in warehouse.query(stmt, {"season_year": season_year}):
            digest.update(row["row_json"].encode())
            digest.update(b"\n")
        checksums[key] = digest.hexdigest()[:16]
    return checksums


GENERATOR_DIR = Path(__file__).parents[1] / "sample_season"


def generator_digest(folder: Path = GENERATOR_DIR) -> str:
    """The generator's code: a changed generator (e.g. after git pull) makes different rows from the same seed."""
    digest = hashlib.sha256()
    for source in sorted(folder.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def build_record(seed: int, as_of: dt.date | None) -> dict:
    return {"seed": seed, "as_of": as_of.isoformat() if as_of else None, "generator": generator_digest()}


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".sample-season.json")


def _built(path: Path) -> dict[str, dict]:
    try:
        return json.loads(_stamp(path).read_text())
    except (OSError, ValueError):
        return {}


def already_loaded(season_year: int, seed: int, as_of: dt.date | None) -> Path | None:
    """The local warehouse file if its last build of this season used this seed, --as-of and generator
    code and its schedule holds the season; None otherwise (and on BigQuery)."""
    settings = WarehouseSettings.from_env()
    build = build_record(seed, as_of)
    if settings.backend != "local" or _built(settings.local_path).get(str(season_year)) != build:
        return None
    try:
        with open_warehouse(settings, read_only=True) as warehouse:
            games = warehouse.query(warehouse.table_statement("sample/season_rows_as_json.sql", SCHEDULE),
                                    {"season_year": season_year})
    except WarehouseError:
        return None
    return settings.local_path if games else None


def _record_build(path: Path, season_year: int, build: dict | None) -> None:
    builds = _built(path)
    if builds.pop(str(season_year), None) is None and not build:
        return
    if build:
        builds[str(season_year)] = build
    _stamp(path).write_text(json.dumps(builds, indent=2, sort_keys=True) + "\n")


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of must be an ISO date (YYYY-MM-DD), got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--season", type=int, default=2024, help="year the season starts (2024 = 2024-25)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    parser.add_argument("--as-of", type=_iso_date, default=None,
                        help="games on or after this date stay scheduled, without box scores")
    parser.add_argument("--checksums", action="store_true", help="print a checksum per table")
    parser.add_argument("--if-missing", action="store_true",
                        help="do nothing when the local warehouse already holds this season from this seed "
                             "and this generator code")
    args = parser.parse_args(argv)
    if not 1946 <= args.season <= 2100:
        parser.error(f"--season must be a season start year such as 2024, got {args.season}")

    if args.if_missing and (path := already_loaded(args.season, args.seed, args.as_of)):
        print(f"Sample season {season_label(args.season)} (seed {args.seed}) already in {path}: "
              "kept (make sample-season rebuilds it)")
        return 0
    started = time.perf_counter()
    season = generate_season(args.season, args.seed, args.as_of)
    generated = time.perf_counter()
    build = build_record(args.seed, args.as_of)
    cleared: dict[str, int] = {}
    try:
        with open_warehouse() as warehouse:
            local_path = getattr(warehouse, "path", None)
            previous = _built(local_path).get(str(args.season)) if local_path else None
            if local_path:  # a build cut short is not a build
                _record_build(local_path, args.season, None)
            written = load_season(warehouse, season)
            if local_path and previous != build:  # other inputs: what was computed from the old ones goes too
                cleared = clear_derived_outputs(warehouse, season)
            checksums = season_checksums(warehouse, args.season, list(written)) if args.checksums else {}
            target = local_path or warehouse.settings.gcp_project
        if local_path:
            _record_build(local_path, args.season, build)
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    loaded = time.perf_counter()

    print(f"Sample season {season_label(args.season)} (seed {args.seed}) -> {target}")
    print(f"generated in {generated - started:.1f} s, loaded in {loaded - generated:.1f} s")
    if cleared:
        print(f"cleared {sum(cleared.values())} rows computed from the previous build of this season "
              f"(another seed, --as-of or generator): {', '.join(f'{k} {n}' for k, n in cleared.items())}")
    print()
    print(format_table([{"summary": k, "value": v} for k, v in season.summary().items()
                        if not isinstance(v, dict)]))
    print()
    print(format_table([{"table": k, "rows": n, **({"checksum": checksums[k]} if checksums else {})}
                        for k, n in written.items()]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
