"""A private PostgreSQL cluster for the local Airflow's metadata DB (make airflow-up, tests/test_local_airflow.py).

The same database as docker-compose.yaml and production, instead of one SQLite file
shared by four processes ("database is locked"). Debian's server binaries
(/usr/lib/postgresql/<version>/bin, not on PATH; `make postgres` installs them when
missing), one cluster per Airflow home:

- data in <home>/pgdata (git-ignored with the home), made once by initdb, with the
  `airflow` superuser, its password in <home>/postgres-password (mode 0600) and
  password (scram) authentication for every connection;
- listening on 127.0.0.1 only, on a free port chosen at each start, and on no Unix
  socket (no socket path to fit in 107 bytes, nothing in /var/run);
- fsync off: a development cluster, re-made by `make airflow-up` after
  `rm -rf .airflow/local`; an OS crash (not a process crash) could corrupt it, and in
  exchange no commit waits for the disk (the scheduler commits many times a second);
- the postmaster runs in its own session and is stopped by PID: SIGINT is
  PostgreSQL's fast shutdown (SIGTERM would wait for every client to disconnect).

initdb and postgres refuse to run as root. As root they run in a user namespace in
which our uid appears as the unprivileged `postgres` user (or `nobody`): files stay
root's and nothing is chowned, so the data may live anywhere root can write (also
under /root or pytest's 0700 temporary folders). Where user namespaces are not
available (an older util-linux, a container's seccomp profile), they run as that user
through setpriv instead, with the data folder chowned to it (then every folder above
it must be searchable by that user).
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import subprocess
import time
from functools import cache
from pathlib import Path

USER = "airflow"
DATABASE = "airflow"
# Command-line settings of the server (they override postgresql.conf).
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "fsync": "off",
    "full_page_writes": "off",
    "shared_buffers": "64MB",
    "max_connections": "100",
    "log_min_messages": "warning",
    "log_checkpoints": "off",
}


class PostgresError(RuntimeError):
    pass


def server_bin_dir() -> Path:
    """The newest of Debian's PostgreSQL server versions (NBA_POSTGRES_BIN overrides)."""
    if override := os.environ.get("NBA_POSTGRES_BIN"):
        return Path(override)
    found = [Path(path).parent for path in glob.glob("/usr/lib/postgresql/*/bin/postgres")
             if Path(path).with_name("initdb").exists()]
    if not found:
        raise PostgresError("no PostgreSQL server in /usr/lib/postgresql/*/bin: run `make postgres` "
                            "(Debian's postgresql package)")
    return max(found, key=lambda path: int(re.sub(r"\D", "", path.parent.name) or 0))


@cache
def _server_identity() -> tuple[int, int, str]:
    """uid, gid and name of the unprivileged user the server runs as when we are root."""
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid, name
    raise PostgresError("running as root, but neither a `postgres` nor a `nobody` user exists to run PostgreSQL")


@cache
def _userns_works(uid: int, gid: int) -> bool:
    unshare = shutil.which("unshare")
    if not unshare:
        return False
    probe = subprocess.run([unshare, "--user", f"--map-user={uid}", f"--map-group={gid}", "true"],
                           capture_output=True)
    return probe.returncode == 0


def unprivileged(*owned: Path) -> list[str]:
    """The command prefix that runs initdb/postgres as a non-root user (nothing when we are not root);
    under setpriv the `owned` files and folders are chowned to that user first. Both prefixes exec
    the command: the PID of the started process is the postmaster's."""
    if os.geteuid() != 0:
        return []
    uid, gid, _ = _server_identity()
    if _userns_works(uid, gid):
        return ["unshare", "--user", f"--map-user={uid}", f"--map-group={gid}"]
    for top in owned:
        if top.exists() and top.stat().st_uid != uid:
            for path in (top, *(top.rglob("*") if top.is_dir() else ())):
                os.chown(path, uid, gid, follow_symlinks=False)
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]


class LocalPostgres:
    """One cluster: its data folder, password file and (while running) port."""

    def __init__(self, home: Path, port: int | None = None):
        self.home = home
        self.data_dir = home / "pgdata"
        self.password_file = home / "postgres-password"
        self.log_file = home / "postgres.log"
        self.port = port

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    def url(self, database: str = DATABASE) -> str:
        """The SQLAlchemy URL for Airflow (the psycopg2 driver, as in docker-compose.yaml)."""
        return f"postgresql+psycopg2://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists() and self.password_file.exists()

    def init(self) -> None:
        """initdb once (about 1 s): the `airflow` superuser with a new random password."""
        if self.initialised():
            return
        bin_dir = server_bin_dir()
        shutil.rmtree(self.data_dir, ignore_errors=True)  # a half-made cluster from an interrupted start
        self.data_dir.mkdir(parents=True, mode=0o700)
        self.password_file.unlink(missing_ok=True)
        self.password_file.touch(mode=0o600)
        self.password_file.write_text(secrets.token_urlsafe(18) + "\n")
        prefix = unprivileged(self.data_dir, self.password_file)
        result = subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(self.data_dir), "-U", USER,
                                 f"--pwfile={self.password_file}", "--auth=scram-sha-256", "--encoding=UTF8",
                                 "--locale=C", "--no-sync", "--no-instructions"], capture_output=True, text=True)
        if result.returncode:
            raise PostgresError(f"initdb failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")

    def start(self, port: int) -> int:
        """Start the postmaster in its own session (log in <home>/postgres.log); returns its PID
        without waiting for it to accept connections (wait_ready does)."""
        self.init()
        self.port = port
        command = [*unprivileged(self.data_dir), str(server_bin_dir() / "postgres"), "-D", str(self.data_dir),
                   "-c", f"port={port}", *(arg for key, value in SERVER_SETTINGS.items() for arg in ("-c", f"{key}={value}"))]
        with open(self.log_file, "a") as log:
            return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True).pid

    def connect(self, database: str = DATABASE, timeout: float = 2):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, password=self.password,
                                dbname=database, connect_timeout=max(1, int(timeout)))

    def wait_ready(self, pid: int, timeout: float = 60) -> None:
        """Wait until the server accepts connections, then create the `airflow` database if it is new."""
        import psycopg2

        deadline = time.monotonic() + timeout
        while True:
            try:
                connection = self.connect("postgres")
                break
            except psycopg2.OperationalError as exc:
                if not _running(pid):
                    raise PostgresError(f"PostgreSQL exited during start-up: {self._log_tail()}") from None
                if time.monotonic() > deadline:
                    raise PostgresError(f"PostgreSQL not accepting connections on 127.0.0.1:{self.port} after "
                                        f"{timeout:.0f} s ({str(exc).strip()}); log {self.log_file}") from None
                time.sleep(0.1)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {DATABASE}")
        finally:
            connection.close()

    def query(self, sql: str) -> list[tuple]:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            connection.close()

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text().splitlines()[-lines:])
        except OSError:
            return f"(no log at {self.log_file})"


def _running(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our exited child
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
