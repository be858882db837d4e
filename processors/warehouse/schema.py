"""The table registry, read from the DDL files in include/sql/ddl/<dataset>/<table>.sql.

The DDL is the single source of truth for columns, types, the DAY partition
column and clustering; the local backend drops PARTITION BY / CLUSTER BY, so
the partition column it needs for per-date rewrites comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from processors.config import DATASETS, SQL_ROOT
from processors.warehouse.errors import WarehouseError

DDL_ROOT = SQL_ROOT / "ddl"


@dataclass(frozen=True)
class TableSchema:
    dataset: str                     # logical dataset name, e.g. nba_analytics
    name: str
    columns: dict[str, str]          # column -> BigQuery type, in DDL order
    partition_column: str | None
    clustering: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.dataset}.{self.name}"

    @property
    def ddl_file(self) -> str:
        return f"ddl/{self.dataset}/{self.name}.sql"


def _parse_ddl(dataset: str, name: str) -> TableSchema:
    import sqlglot  # ~0.6 s: only when a table's schema is first needed, never at DAG parse
    from sqlglot import exp

    ddl_file = f"ddl/{dataset}/{name}.sql"
    text = (SQL_ROOT / ddl_file).read_text()
    for placeholder in ("{{ project }}", f"{{{{ {dataset} }}}}"):
        text = text.replace(placeholder, "x")
    create = sqlglot.parse_one(text, read="bigquery")
    if not isinstance(create, exp.Create) or not isinstance(create.this, exp.Schema):
        raise WarehouseError(ddl_file, "expected one CREATE TABLE statement")
    if create.this.this.name != name:
        raise WarehouseError(ddl_file, f"creates {create.this.this.name}, expected {name}")
    columns = {
        col.name: col.args["kind"].sql(dialect="bigquery")
        for col in create.this.expressions
        if isinstance(col, exp.ColumnDef)
    }
    partition = create.find(exp.PartitionedByProperty)
    cluster = create.find(exp.ClusterProperty)
    return TableSchema(
        dataset=dataset,
        name=name,
        columns=columns,
        partition_column=partition.this.name if partition else None,
        clustering=tuple(c.name for c in cluster.expressions) if cluster else (),
    )


def view_files() -> list[str]:
    """Views (include/sql/ddl/<dataset>/views/*.sql), created after the tables they read."""
    return [f"ddl/{dataset}/views/{path.name}" for dataset in DATASETS
            for path in sorted((DDL_ROOT / dataset / "views").glob("*.sql"))]


def migration_files() -> list[str]:
    """Changes to existing tables (include/sql/ddl/migrations/<NNN>_<what>.sql), in name order.

    `CREATE TABLE IF NOT EXISTS` never alters a table made from an older DDL: each migration
    brings such a table to the DDL's columns and must be idempotent (ADD COLUMN IF NOT EXISTS)."""
    return [f"ddl/migrations/{path.name}" for path in sorted((DDL_ROOT / "migrations").glob("*.sql"))]


@lru_cache(maxsize=1)
def all_tables() -> dict[str, TableSchema]:
    """Every table of the platform, keyed `dataset.table`, in dataset order."""
    tables: dict[str, TableSchema] = {}
    for dataset in DATASETS:
        for path in sorted((DDL_ROOT / dataset).glob("*.sql")):
            schema = _parse_ddl(dataset, path.stem)
            tables[schema.key] = schema
    return tables


def table(key: str) -> TableSchema:
    """Look up `dataset.table`; an unknown name is a clear error."""
    tables = all_tables()
    if key not in tables:
        raise WarehouseError(key, f"unknown table; known tables: {', '.join(tables)}")
    return tables[key]
