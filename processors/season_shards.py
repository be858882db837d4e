"""Replay a season on every core: its nights dealt over worker processes, each on its own copy
of the warehouse file, the copies' outputs merged back into the file at the end.

Nights are independent (every processor and Phase 5 read Phase 3 history and the same
night's outputs only), and one process keeps one core busy: on 2 cores two workers
halve the season. Worker k replays nights k, k+W, k+2W ... (early nights are cheap,
so dealing them round-robin keeps the workers even) and reports each night's row
(processors.season_report) as soon as it is done; the rows come back in night order.
Local warehouse files only: the merge is DuckDB's ATTACH.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import queue
import shutil
import traceback
from collections.abc import Iterator
from pathlib import Path

from processors.config import PipelineSettings, WarehouseSettings
from processors.season_replay import replay_nights
from processors.season_report import NightRow, night_row
from processors.warehouse import schema
from processors.warehouse.local import LocalWarehouse

# Datasets the replay writes; Phase 3 (nba_raw, nba_analytics) is the same in every copy.
OUTPUT_DATASETS = ("nba_precompute", "nba_predictions", "nba_reference")
POLL_SECONDS = 5.0


class ShardFailed(RuntimeError):
    """A worker process failed; its traceback is the message."""


def replay_season_rows(path: Path, nights: list[dt.date], settings: PipelineSettings | None = None,
                       workers: int = 2) -> Iterator[NightRow]:
    """Replay the nights in the warehouse file at `path` (nobody else may have it open) with
    `workers` processes; yields each night's row in night order, as soon as it and every night
    before it are done. When the generator finishes, the file holds every night's outputs."""
    settings = settings or PipelineSettings()
    workers = max(1, min(workers, len(nights)))
    if workers == 1:
        yield from _rows_of(path, nights, settings)
        return
    copies = [path.with_name(f"{path.stem}.shard{k}{path.suffix}") for k in range(1, workers)]
    for copy in copies:
        _remove(copy)
        shutil.copy(path, copy)
    context = multiprocessing.get_context("spawn")  # never fork a process that may hold DuckDB threads
    rows = context.Queue()
    processes = [context.Process(target=_replay_shard, args=(str(shard_path), nights[k::workers], settings, rows),
                                 name=f"season-shard-{k}", daemon=True)
                 for k, shard_path in enumerate([path, *copies])]
    try:
        for process in processes:
            process.start()
        yield from _in_night_order(nights, rows, processes)
        for process in processes:
            process.join()
        _merge(path, [(copy, nights[k::workers]) for k, copy in enumerate(copies, start=1)])
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for copy in copies:
            _remove(copy)


def _rows_of(path: Path, nights: list[dt.date], settings: PipelineSettings) -> Iterator[NightRow]:
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        for night in replay_nights(warehouse, nights, settings):
            yield night_row(warehouse, night, settings.sla_coverage_pct)


def _replay_shard(path: str, nights: list[dt.date], settings: PipelineSettings, rows: multiprocessing.Queue) -> None:
    """A worker process: its nights' rows onto the queue, or its failure."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(message)s")
    try:
        for row in _rows_of(Path(path), nights, settings):
            rows.put(row)
    except BaseException:
        rows.put(ShardFailed(traceback.format_exc()))


def _in_night_order(nights: list[dt.date], rows: multiprocessing.Queue,
                    processes: list[multiprocessing.Process]) -> Iterator[NightRow]:
    done: dict[dt.date, NightRow] = {}
    following = iter(nights)
    expected = next(following, None)
    for _ in nights:
        item = _next_row(rows, processes)
        done[item.game_date] = item
        while expected in done:
            yield done.pop(expected)
            expected = next(following, None)


def _next_row(rows: multiprocessing.Queue, processes: list[multiprocessing.Process]) -> NightRow:
    while True:
        try:
            item = rows.get(timeout=POLL_SECONDS)
        except queue.Empty:  # a worker killed outright (out of memory, a signal) reports nothing
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise ShardFailed(f"{dead[0].name} exited with code {dead[0].exitcode}") from None
            continue
        if isinstance(item, ShardFailed):
            raise item
        return item


def _merge(path: Path, shards: list[tuple[Path, list[dt.date]]]) -> None:
    """Append each copy's rows of the nights it computed to the file's tables. Only those nights: a copy
    also holds whatever the file held before the replay, which must not be appended a second time."""
    tables = [t for t in schema.all_tables().values() if t.dataset in OUTPUT_DATASETS]
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        datasets = warehouse.settings.datasets
        connection = warehouse.connection
        for copy, nights in shards:
            connection.execute("ATTACH '{}' AS shard (READ_ONLY)".format(str(copy).replace("'", "''")))
            try:
                connection.execute("BEGIN TRANSACTION")
                for table in tables:
                    name = f"{datasets[table.dataset]}.{table.name}"
                    connection.execute(f"INSERT INTO {name} SELECT * FROM shard.{name} "
                                       f"WHERE {table.partition_column} IN (SELECT UNNEST(?::DATE[]))", [nights])
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            finally:
                connection.execute("DETACH shard")


def _remove(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)
