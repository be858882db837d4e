"""Is a Phase 3 table ready for a night? The check behind the DAG's readiness sensors.

Ready (processors.md, "Phase 3 inputs") means: every team with a game on
`game_date` in `nba_raw.nbac_schedule` has its rows for the date in the two
upcoming-context tables, and its most recent game of the season before the
date in the three box-score tables, matched on game_id and team (yesterday's
box scores have landed). That latest game counts whatever its schedule
`game_status`: the schedule may still say "scheduled" (1) for last night's
games, and trusting it would let the night start without their box scores.
A team with no game before the date yet (opening night) needs nothing there.
An off night (no games scheduled) is ready: there is nothing to wait for.

One query per table, reading only that table and the schedule, so a sensor
polls exactly the input it guards: `include/sql/phase3/readiness/upcoming_context.sql`
for the two context tables, `latest_box_scores.sql` for the three box-score tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from processors.warehouse import Warehouse

DATASET = "nba_analytics"
PHASE3_TABLES = (
    "player_game_summary",
    "team_defense_game_summary",
    "team_offense_game_summary",
    "upcoming_player_game_context",
    "upcoming_team_game_context",
)
BOX_SCORE_TABLES = PHASE3_TABLES[:3]
# The column naming the team in each box-score table.
BOX_SCORE_TEAM_COLUMN = {"player_game_summary": "team_abbr", "team_defense_game_summary": "defending_team_abbr",
                         "team_offense_game_summary": "team_abbr"}

# What a missing team lacks, for the message.
_MISSING = {
    "player_game_summary": "no box score of the latest game before the date",
    "team_defense_game_summary": "no box score of the latest game before the date",
    "team_offense_game_summary": "no box score of the latest game before the date",
    "upcoming_player_game_context": "no players for the date",
    "upcoming_team_game_context": "no team row for the date",
}


@dataclass(frozen=True)
class Phase3Readiness:
    table: str                      # e.g. "player_game_summary" (dataset nba_analytics)
    game_date: dt.date
    teams_expected: int             # teams with a game on game_date in nba_raw.nbac_schedule
    missing_teams: tuple[str, ...]  # sorted team abbreviations still missing

    @property
    def table_key(self) -> str:
        return f"{DATASET}.{self.table}"

    @property
    def ready(self) -> bool:
        """Nothing missing (an off night is ready: nothing to wait for)."""
        return not self.missing_teams

    @property
    def off_night(self) -> bool:
        return self.teams_expected == 0

    @property
    def message(self) -> str:
        """One line naming the table and the date (sensor logs, timeout errors, alerts)."""
        head = f"{self.table_key} {'ready' if self.ready else 'not ready'} for {self.game_date.isoformat()}"
        if self.off_night:
            return f"{head} (off night: no games scheduled)"
        if self.ready:
            return f"{head} ({self.teams_expected} teams)"
        return (f"{head}: {_MISSING[self.table]} for {', '.join(self.missing_teams)} "
                f"({len(self.missing_teams)} of {self.teams_expected} teams)")


def check_phase3_table(warehouse: Warehouse, table: str, game_date: dt.date) -> Phase3Readiness:
    """Readiness of one Phase 3 table (a name from PHASE3_TABLES) for the night of game_date."""
    if table not in PHASE3_TABLES:
        raise ValueError(f"unknown Phase 3 table {table!r}; known: {', '.join(PHASE3_TABLES)}")
    if table in BOX_SCORE_TEAM_COLUMN:  # one query shape for the three box-score tables
        statement = warehouse.table_statement("phase3/readiness/latest_box_scores.sql", f"{DATASET}.{table}",
                                              team_column=BOX_SCORE_TEAM_COLUMN[table])
    else:  # one query shape for the two upcoming-context tables
        statement = warehouse.table_statement("phase3/readiness/upcoming_context.sql", f"{DATASET}.{table}")
    row = warehouse.query(statement, {"game_date": game_date})[0]
    return Phase3Readiness(
        table=table,
        game_date=game_date,
        teams_expected=int(row["teams_expected"] or 0),
        missing_teams=tuple(sorted(row["missing_teams"] or ())),
    )


def check_phase3(warehouse: Warehouse, game_date: dt.date,
                 tables: Iterable[str] = PHASE3_TABLES) -> list[Phase3Readiness]:
    """Readiness of several Phase 3 tables (default all five) for one night."""
    return [check_phase3_table(warehouse, table, game_date) for table in tables]

