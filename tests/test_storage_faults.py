"""Storage faults of the embedded local warehouse, for real (issue 12, defects 4 and 6).

Another process holding the file (its DuckDB lock), a missing warehouse, a corrupt
file, read-only commands and a full disk: each is one line naming the file and
what to do; a lock is waited for (bounded) and is "not ready yet" for a sensor.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from processors.cli import night_status, query
from processors.config import ConfigError, WarehouseSettings
from processors.warehouse import Statement, WarehouseError, open_warehouse
from processors.warehouse.local import LocalWarehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NIGHT = dt.date(2025, 1, 15)
EVENTS = "nba_reference.pipeline_events"
SCHEDULE_COUNT = "SELECT COUNT(*) AS games FROM nba_raw.nbac_schedule"

HOLDER = """\
import sys, time
import duckdb
connection = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("holding", flush=True)
if float(sys.argv[3]) > 0:
    time.sleep(float(sys.argv[3]))
else:  # until told
    sys.stdin.readline()
connection.close()
"""


@contextmanager
def held(path: Path, seconds: float = 60.0, mode: str = "rw"):
    """Another process holds the warehouse file open (DuckDB's file lock) for `seconds`
    (0: until a line on its stdin)."""
    script = path.parent / "hold_warehouse.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen([sys.executable, str(script), str(path), mode, str(seconds)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()  # by its PID
        holder.wait(timeout=30)
        holder.stdin.close()
        holder.stdout.close()


def settings_with(path: Path, **env: str) -> WarehouseSettings:
    return WarehouseSettings.from_env({"NBA_LOCAL_WAREHOUSE_PATH": str(path), **env})


def one_line(text: str) -> str:
    assert "\n" not in text.strip(), text
    return text.strip()


@pytest.fixture
def made(warehouse):
    """A warehouse file with every table, closed (other processes may open it)."""
    warehouse.close()
    return warehouse.path


# --- defect 4: a process holding the file ---------------------------------------------------
def test_a_locked_warehouse_is_waited_for_and_the_holder_named(made, caplog):
    caplog.set_level(logging.INFO)
    with held(made, seconds=1.5) as holder:
        started = time.monotonic()
        with LocalWarehouse(settings_with(made, NBA_LOCAL_LOCK_WAIT_SECONDS="30")) as wh:
            assert wh.query(Statement("t.sql", "SELECT 1 AS one")) == [{"one": 1}]
        waited = time.monotonic() - started
    assert 0.5 < waited < 25
    waiting = [r.getMessage() for r in caplog.records if "waiting up to 30 s" in r.getMessage()]
    assert len(waiting) == 1, caplog.text  # logged once, not once per attempt
    assert str(made) in waiting[0] and f"PID {holder.pid}" in waiting[0] and "hold_warehouse.py" in waiting[0]


def test_a_lock_held_past_the_bound_is_warehouse_busy_naming_file_and_holder(made):
    from processors.warehouse.errors import WarehouseBusy

    with held(made) as holder:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as caught:
            LocalWarehouse(settings_with(made, NBA_LOCAL_LOCK_WAIT_SECONDS="0.5")).query("phase5/readiness.sql",
                                                                                        {"game_date": NIGHT})
        assert time.monotonic() - started < 10
    message = one_line(str(caught.value))
    assert isinstance(caught.value, WarehouseError)  # retried like every warehouse error
    assert str(made) in message and f"PID {holder.pid}" in message and "hold_warehouse.py" in message
    assert "NBA_LOCAL_LOCK_WAIT_SECONDS" in message


@pytest.mark.parametrize("bad", ["-1", "soon", "nan", "inf"])
def test_the_lock_wait_setting_is_checked(bad):
    with pytest.raises(ConfigError, match="NBA_LOCAL_LOCK_WAIT_SECONDS"):
        WarehouseSettings.from_env({"NBA_LOCAL_LOCK_WAIT_SECONDS": bad})


def sensor_context():
    return {"params": {"game_date": NIGHT.isoformat()}, "ti": SimpleNamespace(dag_id="d", task_id="wait"),
            "dag_run": SimpleNamespace(run_id="r", run_type="scheduled")}


def test_readiness_sensors_poke_again_while_the_warehouse_is_locked(made, monkeypatch, caplog, capsys):
    import pendulum

    from nba_airflow.phase5 import Phase5ReadinessSensor
    from nba_airflow.sensors import Phase3ReadinessSensor

    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(made))
    monkeypatch.setenv("NBA_LOCAL_LOCK_WAIT_SECONDS", "0.3")
    phase3 = Phase3ReadinessSensor(task_id="wait_for_player_game_summary", table="player_game_summary")
    phase5 = Phase5ReadinessSensor(task_id="wait_for_phase4")
    before_deadline = pendulum.datetime(NIGHT.year, NIGHT.month, NIGHT.day, 0, tz="America/Los_Angeles")
    with held(made) as holder:
        assert phase3.poke(sensor_context()) is False  # not ready yet: poked again, not failed
        assert phase5.poke(sensor_context(), now=before_deadline) is False
    assert f"PID {holder.pid}" in phase3._last_message and str(made) in phase3._last_message
    assert f"PID {holder.pid}" in caplog.text + capsys.readouterr().out  # Airflow's logging may own the handlers
    phase3.poke(sensor_context())  # unlocked: a real check
    assert phase3._last_message.startswith("nba_analytics.player_game_summary") and "not checked" not in \
        phase3._last_message


def test_an_alert_is_recorded_once_the_lock_is_released(made, monkeypatch):
    from nba_airflow import notifiers, settings
    from processors.alerts import Alert
    from processors.warehouse import local

    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(made))
    monkeypatch.setenv("NBA_LOCAL_LOCK_WAIT_SECONDS", "30")
    monkeypatch.setattr(settings, "configuration", lambda: dict(os.environ))  # no Variable look-up (slow outside a task)
    monkeypatch.setattr(notifiers, "CHANNELS", {})  # log only: straight to the record
    waiting, log_warning = threading.Event(), local.log.warning

    def spy(message, *args, **kwargs):
        log_warning(message, *args, **kwargs)
        if "waiting up to" in message:
            waiting.set()

    monkeypatch.setattr(local.log, "warning", spy)
    alert = Alert(severity="warning", title="t", message="m", game_date=NIGHT, source="s")
    with held(made, seconds=0) as holder:
        sender = threading.Thread(target=notifiers.deliver, args=(alert,))
        sender.start()
        held_while_waiting = waiting.wait(timeout=60)
        holder.stdin.write("release\n")  # the holder goes away while deliver() waits
        holder.stdin.flush()
        sender.join(timeout=60)
    assert held_while_waiting, "recording the alert did not wait for the lock"
    with LocalWarehouse(settings_with(made)) as wh:
        rows = wh.query(Statement("t.sql", "SELECT title FROM nba_reference.pipeline_alerts"))
    assert rows == [{"title": "t"}]


# --- defect 6: missing, corrupt, read-only, full --------------------------------------------
@pytest.mark.parametrize("command", ["query", "status"])
def test_a_read_only_command_on_a_missing_warehouse_says_so_and_creates_nothing(command, tmp_path, monkeypatch,
                                                                                capsys):
    path = tmp_path / "no-such-folder" / "nba.duckdb"
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(path))
    if command == "query":
        assert query.main([SCHEDULE_COUNT]) == 1
    else:
        assert night_status.main(["--date", NIGHT.isoformat()]) == 1
    err = one_line(capsys.readouterr().err)
    assert err == f"error: no local warehouse at {path}: run `make sample-season` (or `make run`) first"
    assert not path.parent.exists()


def test_a_task_on_a_missing_warehouse_fails_with_one_line_and_creates_nothing(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with pytest.raises(WarehouseError) as caught, open_warehouse(WarehouseSettings(local_path=path)) as wh:
        wh.query(Statement("t.sql", SCHEDULE_COUNT))
    assert one_line(str(caught.value)).startswith(f"no local warehouse at {path}: run `make sample-season`")
    assert not path.exists()


def test_create_schema_is_what_makes_a_new_warehouse(tmp_path):
    path = tmp_path / "new" / "warehouse.duckdb"
    with open_warehouse(WarehouseSettings(local_path=path)) as wh:
        wh.create_schema()  # e.g. make sample-season
        assert wh.table_row_count(EVENTS) == 0
    assert path.exists()


def test_a_file_that_is_not_a_warehouse_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(WarehouseError) as caught, open_warehouse(WarehouseSettings(local_path=path)) as wh:
        wh.query(Statement("t.sql", "SELECT 1 AS one"))
    message = one_line(str(caught.value))
    assert message.startswith(f"{path} is not a readable DuckDB warehouse (")
    assert "make sample-season" in message


def test_a_corrupt_block_found_by_a_query_names_the_file(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        wh.execute_script(Statement("t.sql", "CREATE TABLE big AS SELECT x FROM UNNEST(GENERATE_ARRAY(1, 1000000)) AS x"))
    data = bytearray(path.read_bytes())
    data[20_000:30_000] = os.urandom(10_000)  # inside the first data block, past the file headers
    path.write_bytes(bytes(data))
    with pytest.raises(WarehouseError) as caught, LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        wh.query(Statement("sum.sql", "SELECT SUM(x) AS total FROM big"))
    message = one_line(str(caught.value))
    assert str(path) in message and "Corrupt database file" in message and "make sample-season" in message


def test_read_only_commands_cannot_write(made, monkeypatch, capsys):
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(made))
    with LocalWarehouse(settings_with(made)) as wh:
        wh.append_rows(EVENTS, [{"event_id": "e1", "topic": "t", "game_date": NIGHT,
                                 "published_at": dt.datetime(2025, 1, 15, tzinfo=dt.UTC)}])
    assert query.main([f"DELETE FROM {EVENTS} WHERE TRUE"]) == 1
    err = one_line(capsys.readouterr().err)
    assert "read-only" in err
    with open_warehouse(settings_with(made), read_only=True) as wh:
        assert wh.table_row_count(EVENTS) == 1


def test_status_and_query_share_the_file_with_other_readers(made, monkeypatch, capsys):
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(made))
    monkeypatch.setenv("NBA_LOCAL_LOCK_WAIT_SECONDS", "0")  # no waiting: a reader does not lock readers out
    with held(made, mode="ro"):
        assert query.main([SCHEDULE_COUNT]) == 0
        assert night_status.main(["--date", NIGHT.isoformat()]) == 0
    assert "games" in capsys.readouterr().out


FILL_UNDER_A_FILE_SIZE_LIMIT = """\
import datetime as dt, json, os, resource, signal, sys
from pathlib import Path
from processors.config import WarehouseSettings
from processors.warehouse import WarehouseError
from processors.warehouse.local import LocalWarehouse

path = Path(sys.argv[1])
rows = [{"event_id": f"e{i}", "topic": "filler" * 20, "game_date": dt.date(2025, 1, 15),
         "published_at": dt.datetime(2025, 1, 15, tzinfo=dt.UTC)} for i in range(150_000)]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() past the limit then fails with EFBIG, like a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(path), resource.RLIM_INFINITY))
try:
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        wh.append_rows("nba_reference.pipeline_events", rows)
    print(json.dumps({"raised": None}))
except BaseException as exc:
    print(json.dumps({"raised": type(exc).__name__, "warehouse_error": isinstance(exc, WarehouseError),
                      "message": str(exc)}))
"""


def test_no_room_to_write_is_one_retryable_line_naming_the_file(made, tmp_path):
    script = tmp_path / "fill.py"
    script.write_text(FILL_UNDER_A_FILE_SIZE_LIMIT)
    done = subprocess.run([sys.executable, str(script), str(made)], capture_output=True, text=True, timeout=300,
                          cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["raised"] and outcome["warehouse_error"], outcome
    message = one_line(outcome["message"])
    assert str(made) in message and "File too large" in message and "then retry" in message
    with LocalWarehouse(settings_with(made)) as wh:  # nothing half-written
        assert wh.table_row_count(EVENTS) == 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_at_commit_says_disk_full_and_where(made):
    """The write-ahead log on /dev/full: every write fails with ENOSPC, as on a full disk."""
    wal = Path(f"{made}.wal")
    wal.symlink_to("/dev/full")
    try:
        with pytest.raises(WarehouseError) as caught, LocalWarehouse(settings_with(made)) as wh:
            wh.append_rows(EVENTS, [{"event_id": "e1", "topic": "t", "game_date": NIGHT,
                                     "published_at": dt.datetime(2025, 1, 15, tzinfo=dt.UTC)}])
    finally:
        wal.unlink()
    message = one_line(str(caught.value))
    mount = made.parent
    while not os.path.ismount(mount):
        mount = mount.parent
    assert str(made) in message and "No space left on device" in message
    assert f"disk full: free space on {mount} (" in message and "then retry" in message
