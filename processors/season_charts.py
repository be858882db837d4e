"""The season view's charts: one SVG per concern across the nights of a season.

Drawn like the season report's picture (processors/season_chart.py): matplotlib's object API,
no pyplot. Every chart has the same x axis (the season's nights, month ticks), the same plot
area (so stacked charts line up) and the same backdrop: bootstrap shaded light, the All-Star
break shaded and labelled, other off nights dotted. Text stays text (svg.fonttype none),
and the SVG has no XML prolog and scales with its container's width, to be inlined in HTML.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from processors.phase4 import PROCESSOR_NAMES
from processors.season_overview import PROCESSOR_KEYS, SeasonNight
from processors.season_report import all_star_break, off_nights

WIDTH_INCHES, HEIGHT_INCHES = 12.0, 2.8  # at 100 px per inch: a ~1200 px page, 280 px a chart
PLOT_AREA = {"left": 0.055, "right": 0.79, "bottom": 0.13, "top": 0.88}  # legend on the right
HALF_DAY = dt.timedelta(hours=12)
NO_NIGHTS = "no nights computed yet"
PROCESSOR_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")
SLA_RED = "#d62728"
_SVG_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_SVG_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str  # inline SVG markup: no prolog, width 100 %, the viewBox keeps its proportions


def processor_label(position: int) -> str:
    return f"P{position} {PROCESSOR_NAMES[position - 1]}"


def season_chart_svgs(nights: Sequence[SeasonNight], *, sla_coverage_pct: float = 90.0) -> list[Chart]:
    """The season's charts, in page order: production ready % per processor, feature quality,
    Phase 5 coverage against the SLA, processor durations, alerts."""
    from matplotlib import rc_context  # heavy import: only when drawing

    charts = (
        ("ready", "Production-ready % per Phase 4 processor", _draw_ready),
        ("quality", "Mean feature quality (ml_feature_store_v2)", _draw_quality),
        ("coverage", "Phase 5 coverage % of eligible players", _draw_coverage),
        ("durations", "Phase 4 processor duration per night (seconds)", _draw_durations),
        ("alerts", "Alerts per night", _draw_alerts),
    )
    computed = any(n.computed for n in nights)
    rendered = []
    with rc_context({"svg.fonttype": "none", "font.size": 9}):
        for key, title, draw in charts:
            figure, axes = _figure(nights, title)
            if computed:
                draw(axes, nights, sla_coverage_pct)
                _legend(axes)
            else:
                axes.text(0.5, 0.5, NO_NIGHTS, transform=axes.transAxes, ha="center", va="center",
                          color="#666666", fontsize=11)
            rendered.append(Chart(key=key, title=title, svg=_svg(figure, key)))
    return rendered


def _figure(nights: Sequence[SeasonNight], title: str):
    """A figure of the page's width with the shared x axis and backdrop."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.dates import DateFormatter, MonthLocator
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=100)
    FigureCanvasSVG(figure)
    figure.subplots_adjust(**PLOT_AREA)  # fixed, not tight_layout: every chart's plot area lines up
    axes = figure.add_subplot()
    # figure text, not an axes title: the title keeps its place, and placing an axes title
    # measures every tick label (a fifth of the drawing time)
    figure.text(PLOT_AREA["left"], 0.97, title, ha="left", va="top", fontsize=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if not nights:
        axes.set_xticks([])
        axes.set_yticks([])
        return figure, axes
    dates = [n.game_date for n in nights]
    axes.set_xlim(dates[0] - dt.timedelta(days=1), dates[-1] + dt.timedelta(days=1))
    axes.xaxis.set_major_locator(MonthLocator())
    axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    axes.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    axes.set_axisbelow(True)

    top = axes.get_xaxis_transform()  # x in dates, y in axes fraction: labels at the top of the plot
    bootstrap = [n.game_date for n in nights if n.is_bootstrap]
    if bootstrap:
        axes.axvspan(bootstrap[0] - HALF_DAY, bootstrap[-1] + HALF_DAY, color="#f6edd6", zorder=0)
        axes.text(bootstrap[0], 0.97, " bootstrap", transform=top, va="top", ha="left", fontsize=7, color="#8a7a4a")
    break_nights = all_star_break(nights)
    if break_nights:
        axes.axvspan(break_nights[0] - HALF_DAY, break_nights[-1] + HALF_DAY, color="#d9d9d9", zorder=0)
        middle = break_nights[0] + (break_nights[-1] - break_nights[0]) / 2
        axes.text(middle, 0.97, "All-Star break", transform=top, va="top", ha="center", fontsize=7, color="#555555")
    others = [night for night in off_nights(nights) if night not in break_nights]
    if others:
        axes.vlines(others, 0, 1, transform=top, colors="#9a9a9a", linestyles=":", linewidth=1, zorder=0,
                    label="off night")
    return figure, axes


def _values(nights: Sequence[SeasonNight], attribute: str) -> list[float]:
    """NaN where a night has no value: matplotlib breaks the line there."""
    return [math.nan if getattr(n, attribute) is None else float(getattr(n, attribute)) for n in nights]


# A dot on every night: a night whose neighbours were not computed has no line segment to show it.
NIGHT_MARKER = {"marker": ".", "markersize": 3.5}


def _draw_ready(axes, nights: Sequence[SeasonNight], sla_coverage_pct: float) -> None:
    dates = [n.game_date for n in nights]
    for position, (key, color) in enumerate(zip(PROCESSOR_KEYS, PROCESSOR_COLORS, strict=True), 1):
        axes.plot(dates, _values(nights, f"{key}_ready_pct"), color=color, linewidth=1.2, **NIGHT_MARKER,
                  label=processor_label(position))
    axes.set_ylim(0, 105)
    axes.set_ylabel("% ready")


def _draw_quality(axes, nights: Sequence[SeasonNight], sla_coverage_pct: float) -> None:
    axes.plot([n.game_date for n in nights], _values(nights, "quality"), color="#2ca02c", linewidth=1.4,
              **NIGHT_MARKER, label="mean feature quality")
    axes.set_ylim(0, 105)
    axes.set_ylabel("quality score")


def _draw_coverage(axes, nights: Sequence[SeasonNight], sla_coverage_pct: float) -> None:
    axes.plot([n.game_date for n in nights], _values(nights, "coverage_pct"), color="#ff7f0e", linewidth=1.4,
              **NIGHT_MARKER, label="coverage % of eligible")
    axes.axhline(sla_coverage_pct, color=SLA_RED, linestyle="--", linewidth=1, label=f"SLA {sla_coverage_pct:g} %")
    missed = [n for n in nights if n.sla == "missed"]
    axes.scatter([n.game_date for n in missed], [n.coverage_pct or 0.0 for n in missed], color=SLA_RED,
                 marker="x", s=24, linewidths=1.2, zorder=3, label=f"SLA missed ({len(missed)} nights)")
    axes.set_ylim(0, 105)
    axes.set_ylabel("% predicted")


def _draw_durations(axes, nights: Sequence[SeasonNight], sla_coverage_pct: float) -> None:
    dates = [n.game_date for n in nights]
    for position, (key, color) in enumerate(zip(PROCESSOR_KEYS, PROCESSOR_COLORS, strict=True), 1):
        axes.plot(dates, _values(nights, f"{key}_duration_seconds"), color=color, linewidth=1.1, **NIGHT_MARKER,
                  label=processor_label(position))
    axes.set_ylim(bottom=0)
    axes.set_ylabel("seconds")


def _draw_alerts(axes, nights: Sequence[SeasonNight], sla_coverage_pct: float) -> None:
    """Stacked bars, warning under critical; each series one compound path (a patch per bar is slow)."""
    from matplotlib.dates import date2num
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    dates = date2num([n.game_date for n in nights])
    highest = 0
    for label, color, bottoms, heights in (
            ("warning", "#f2a93b", [0] * len(nights), [n.alerts_warning for n in nights]),
            ("critical", SLA_RED, [n.alerts_warning for n in nights], [n.alerts_critical for n in nights])):
        bars = [Path([(x - 0.4, bottom), (x + 0.4, bottom), (x + 0.4, bottom + height), (x - 0.4, bottom + height),
                      (x - 0.4, bottom)], closed=True)
                for x, bottom, height in zip(dates, bottoms, heights, strict=True) if height]
        highest = max([highest, *(b + h for b, h in zip(bottoms, heights, strict=True))])
        if bars:
            axes.add_patch(PathPatch(Path.make_compound_path(*bars), facecolor=color, edgecolor="none", label=label))
    axes.set_ylim(0, max(highest, 1) * 1.1)
    axes.yaxis.get_major_locator().set_params(integer=True)  # counts
    axes.set_ylabel("alerts")


def _legend(axes) -> None:
    """Right of the plot area; the backdrop's entry (off night) last."""
    handles, labels = axes.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda k: labels[k] == "off night")
    axes.legend([handles[k] for k in order], [labels[k] for k in order], loc="upper left",
                bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)


def _svg(figure, key: str) -> str:
    """The figure as inline SVG: no XML prolog or DOCTYPE, width 100 % and no fixed height."""
    from matplotlib import rc_context

    out = io.StringIO()
    with rc_context({"svg.hashsalt": f"season-{key}"}):  # stable ids, distinct between the page's charts
        figure.savefig(out, format="svg", metadata={"Date": None})
    text = _SVG_PROLOG.sub("", out.getvalue(), count=1)
    head_end = text.index(">")
    head = _SVG_SIZE.sub("", text[:head_end])
    return f'{head} width="100%" preserveAspectRatio="xMinYMin meet"{text[head_end:]}'
