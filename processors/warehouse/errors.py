"""Errors of the warehouse layer: one message naming the statement and the cause."""


class WarehouseError(RuntimeError):
    """A statement failed or cannot run; the message names the SQL file."""

    def __init__(self, statement_name: str, problem: str):
        self.statement_name = statement_name
        self.problem = problem
        super().__init__(f"{statement_name}: {problem}")


class UnsupportedLocally(WarehouseError):
    """BigQuery SQL the embedded local warehouse cannot run faithfully."""
