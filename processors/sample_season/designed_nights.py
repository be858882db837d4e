"""Nights of the default sample season (2024-25, seed 42: `make sample-season`) designed to degrade.

Every other game night after the early season is an ordinary night: about 95 % of the
eligible players are production ready (at least 90 % on most nights; a small night can
dip below by chance). Not designed, and not the generator's doing: 2024-11-12 (day 21,
75 of 129 ready) is the first night P2 wants 10 games of a player, and seven teams have
played 9. These nights show the degradation paths on purpose:

- 2025-04-13, the season's last night: many players out the game before. The ten teams
  that play it rest their two leading players and their leading bench player in their
  previous game (2025-04-09 to 2025-04-12: seeding settled), so those 30 players come back
  with a missed game in their L5-game and L14-day windows and are not production ready:
  55 of the 79 eligible players are (69.6 %; the bench players are not eligible). Phase 5
  waits for Phase 4 readiness (92 of 130 feature rows ready: below 80 % and 100) until the
  backup deadline, proceeds on partial data (warning) and misses the 90 % predictions SLA
  (critical). Resting more leading players would take the night below 50 ready eligible
  players (the critical "Phase 4 not ready" path instead); resting only the leaders would
  leave 100 or more feature rows ready (Phase 5 would start at once).
- 2025-01-11: a late Phase 3 load. In the full season every box score has landed and the
  night is ordinary; built as it stood the evening before (`--as-of 2025-01-10`: the
  games of 2025-01-10 still scheduled, without box scores), 8 of the 18 teams playing on
  2025-01-11 lack yesterday's box scores, so the Phase 3 readiness sensors wait and the
  input gate refuses the night.
"""

from __future__ import annotations

import datetime as dt

LATE_PHASE3_LOAD_NIGHT = dt.date(2025, 1, 11)
MANY_PLAYERS_OUT_NIGHT = dt.date(2025, 4, 13)

DESIGNED_DEGRADATION_NIGHTS: dict[dt.date, str] = {
    LATE_PHASE3_LOAD_NIGHT: (
        "late Phase 3 load: built --as-of 2025-01-10, 8 of the 18 teams playing lack yesterday's box scores "
        "(Phase 3 readiness waits, the input gate refuses the night); ordinary in the full season"
    ),
    MANY_PLAYERS_OUT_NIGHT: (
        "many players out the game before: the last night's ten teams rested their two leading players and "
        "their leading bench player, who return not production ready (a missed game in the L5-game and L14-day windows): "
        "predictions proceed on partial Phase 4 data and miss the 90 % SLA"
    ),
}

# Nights whose degradation shows only in a season built as it stood earlier: night -> --as-of date.
DESIGNED_AS_OF: dict[dt.date, dt.date] = {LATE_PHASE3_LOAD_NIGHT: dt.date(2025, 1, 10)}
