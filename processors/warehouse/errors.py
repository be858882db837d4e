"""Errors of the warehouse layer: one message naming the statement and the cause."""

from __future__ import annotations


class WarehouseError(RuntimeError):
    """A statement failed or cannot run; the message names the SQL file."""

    def __init__(self, statement_name: str, problem: str):
        self.statement_name = statement_name
        self.problem = problem
        super().__init__(f"{statement_name}: {problem}")


class UnsupportedLocally(WarehouseError):
    """BigQuery SQL the embedded local warehouse cannot run faithfully."""


class WarehouseFileError(WarehouseError):
    """The local warehouse file itself cannot be used: one line naming the file and what to do.

    `statement_name` is the statement that met the problem, when there was one (the
    message then starts with it, as every WarehouseError's does)."""

    def __init__(self, path: object, problem: str, statement_name: str | None = None):
        self.path = str(path)
        self.statement_name = statement_name or self.path
        self.problem = problem
        RuntimeError.__init__(self, f"{statement_name}: {problem}" if statement_name else problem)


class WarehouseMissing(WarehouseFileError):
    """No warehouse file where the configuration points: only creating the schema makes one."""


class WarehouseUnreadable(WarehouseFileError):
    """The file is not a readable DuckDB warehouse (corrupt, truncated, another format, no permission)."""


class WarehouseFull(WarehouseFileError):
    """No room to write the file (disk full, quota, file-size limit); retrying after freeing space helps."""


class WarehouseBusy(WarehouseFileError):
    """Another process held the file's lock for longer than the configured wait. Transient:
    tasks retry, readiness sensors poke again."""

    def __init__(self, path: object, problem: str, holder: str):
        super().__init__(path, problem)
        self.holder = holder
