"""The season report's picture: ready %, feature quality and Phase 5 coverage, night by night.

Drawn with matplotlib's object API on its Agg canvas (no pyplot: no display, no global
figure state), one PNG. Off nights leave gaps in the lines and are marked; the All-Star
break is shaded; the bootstrap window is shaded lighter; nights that missed the
predictions SLA carry a red cross on their coverage.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

from processors.phase4.calendar import BOOTSTRAP_DAYS
from processors.season_report import NightRow, all_star_break, off_nights

HALF_DAY = dt.timedelta(hours=12)


def _values(rows: Sequence[NightRow], attribute: str) -> list[float]:
    """NaN where a night has no value: matplotlib breaks the line there."""
    return [math.nan if getattr(r, attribute) is None else float(getattr(r, attribute)) for r in rows]


def draw_season_chart(rows: Sequence[NightRow], path: Path, *, title: str, sla_coverage_pct: float = 90.0) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # heavy import: only when drawing
    from matplotlib.dates import DateFormatter, MonthLocator
    from matplotlib.figure import Figure

    figure = Figure(figsize=(15, 6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    nights = [r.game_date for r in rows]

    bootstrap = [r.game_date for r in rows if r.day < BOOTSTRAP_DAYS]
    if bootstrap:
        axes.axvspan(bootstrap[0] - HALF_DAY, bootstrap[-1] + HALF_DAY, color="#f3e6c4", label="bootstrap (no predictions)")
    break_nights = all_star_break(rows)
    if break_nights:
        axes.axvspan(break_nights[0] - HALF_DAY, break_nights[-1] + HALF_DAY, color="#c9c9c9",
                     label=f"All-Star break ({break_nights[0]:%b %d} - {break_nights[-1]:%b %d})")
    for n, night in enumerate(night for night in off_nights(rows) if night not in break_nights):
        axes.axvline(night, color="#9a9a9a", linestyle=":", linewidth=1.2, label="off night" if n == 0 else None)

    axes.plot(nights, _values(rows, "ready_pct"), color="#1f77b4", linewidth=1.4, label="feature rows production ready %")
    axes.plot(nights, _values(rows, "eligible_ready_pct"), color="#9467bd", linewidth=1.2, linestyle="--",
              label="eligible players production ready %")
    axes.plot(nights, _values(rows, "quality"), color="#2ca02c", linewidth=1.4, label="mean feature quality")
    axes.plot(nights, _values(rows, "coverage_pct"), color="#ff7f0e", linewidth=1.4, marker=".", markersize=4,
              label="Phase 5 coverage % of eligible")
    missed = [r for r in rows if r.sla == "missed"]
    axes.scatter([r.game_date for r in missed], [r.coverage_pct or 0.0 for r in missed], color="#d62728",
                 marker="x", s=28, zorder=3, label=f"predictions SLA missed ({len(missed)} nights)")
    axes.axhline(sla_coverage_pct, color="#d62728", linestyle="--", linewidth=1,
                 label=f"SLA {sla_coverage_pct:g} % coverage")

    axes.set_title(title)
    axes.set_ylabel("%  /  quality score")
    axes.set_ylim(0, 105)
    axes.set_xlim(nights[0] - dt.timedelta(days=1), nights[-1] + dt.timedelta(days=1))
    axes.xaxis.set_major_locator(MonthLocator())
    axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    axes.grid(axis="y", color="#e5e5e5")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, fontsize=9, frameon=False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path
