"""Input contracts: the Phase 3 tables and the schedule hold what the processors assume.

Checked once per night before any processor computes, over everything the night
reads (the season's box scores before the night, the night's upcoming context,
the season's schedule up to the night): unique keys, no NULL or empty keys, value
domains, and referential integrity with the schedule. The rules live in SQL, one
file per table in include/sql/phase3/contracts/; each returns one row per broken
rule with a count and a few example keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from processors.warehouse import Warehouse

# (dataset registry key, table), in the order the report lists them.
CONTRACT_TABLES = (
    ("nba_raw", "nbac_schedule"),
    ("nba_analytics", "player_game_summary"),
    ("nba_analytics", "team_defense_game_summary"),
    ("nba_analytics", "team_offense_game_summary"),
    ("nba_analytics", "upcoming_player_game_context"),
    ("nba_analytics", "upcoming_team_game_context"),
)
INPUT_CHECK_MODES = ("enforce", "warn", "off")


@dataclass(frozen=True)
class Violation:
    table: str                       # dataset.table, e.g. nba_analytics.player_game_summary
    rule: str                        # e.g. duplicate_key
    description: str
    count: int
    example_keys: tuple[str, ...]

    @property
    def line(self) -> str:
        """One readable line: table, rule, count, what it means, examples."""
        return f"{self.table} {self.rule}: {self.count} × {self.description} (e.g. {'; '.join(self.example_keys)})"


@dataclass(frozen=True)
class ContractReport:
    game_date: dt.date
    violations: tuple[Violation, ...]

    @property
    def holds(self) -> bool:
        return not self.violations

    @property
    def lines(self) -> list[str]:
        return [v.line for v in self.violations]

    @property
    def headline(self) -> str:
        if self.holds:
            return f"Phase 3 inputs of {self.game_date} meet their contracts ({len(CONTRACT_TABLES)} tables)"
        tables = sorted({v.table for v in self.violations})
        return (f"Phase 3 inputs of {self.game_date} break {len(self.violations)} contract rule(s) "
                f"in {', '.join(tables)}")


def check_input_contracts(warehouse: Warehouse, game_date: dt.date, season_year: int) -> ContractReport:
    """Run every table's contract for the night; the report lists each broken rule."""
    params = {"game_date": game_date, "season_year": season_year}
    reports = warehouse.query_all([(f"phase3/contracts/{table}.sql", params) for _, table in CONTRACT_TABLES])
    violations = []
    for (dataset, table), rows in zip(CONTRACT_TABLES, reports, strict=True):
        for row in rows:
            violations.append(Violation(table=f"{dataset}.{table}", rule=row["rule"], description=row["description"],
                                        count=int(row["violations"]), example_keys=tuple(row["example_keys"] or ())))
    return ContractReport(game_date=game_date, violations=tuple(violations))


def phase3_fingerprints(warehouse: Warehouse, game_date: dt.date, season_year: int) -> dict[str, str]:
    """table -> a short digest of what the night reads from it (row count and row hashes).
    Engine-specific: compare one only with fingerprints the same warehouse computed."""
    rows = warehouse.query("phase3/fingerprint.sql", {"game_date": game_date, "season_year": season_year})
    return {r["table_name"]: hashlib.sha256(f"{r['row_count']}:{r['row_hash']}".encode()).hexdigest()[:16]
            for r in rows}
