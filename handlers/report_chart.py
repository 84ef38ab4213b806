"""The report as one PNG: six panels a manager reads at a glance, titled with the period.

Drawn with matplotlib's Agg backend (no screen needed). A panel with nothing to show says so
("no tickets", "no ratings") instead of drawing empty axes.
"""
from __future__ import annotations

import io

from handlers.organisation import Organisation
from handlers.reports import Figures
from handlers.views import KIND_LABEL

SIZE_INCHES = (15, 9)
DPI = 100  # 1500 x 900 pixels
KIND_COLOURS = {"incident": "#d62728", "service_request": "#1f77b4", "access_request": "#2ca02c"}


def render_png(figures: Figures, organisation: Organisation) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 3, figsize=SIZE_INCHES)
    try:
        figure.suptitle(f"{organisation.name} service desk - {figures.period.label(organisation)}",
                        fontsize=16, fontweight="bold")
        _opened(axes[0][0], figures)
        _times(axes[0][1], figures)
        _sla(axes[0][2], figures)
        _backlog(axes[1][0], figures)
        _csat(axes[1][1], figures)
        _totals(axes[1][2], figures)
        figure.tight_layout(rect=(0, 0, 1, 0.95))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _integer_axis():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _nothing(ax, title: str, text: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=14, color="grey", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _label_bars(ax, bars, texts) -> None:
    for bar, text in zip(bars, texts):
        ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom",
                    fontsize=9, xytext=(0, 2), textcoords="offset points")


def _opened(ax, figures: Figures) -> None:
    title = f"Tickets opened ({figures.opened})"
    if not figures.opened:
        return _nothing(ax, title, "no tickets")
    queues = list(figures.by_queue_kind)
    bottom = [0] * len(queues)
    for kind, colour in KIND_COLOURS.items():
        values = [figures.by_queue_kind[q].get(kind, 0) for q in queues]
        ax.bar(queues, values, bottom=bottom, color=colour, label=KIND_LABEL[kind])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_title(title)
    ax.set_ylabel("tickets")
    ax.yaxis.set_major_locator(_integer_axis())
    ax.legend(fontsize=9)


def _times(ax, figures: Figures) -> None:
    rows = [("first response", figures.first_response), ("resolution", figures.resolution)]
    longest = max((times.p90_seconds or 0) for _, times in rows)
    unit, scale = ("hours", 3600) if longest >= 2 * 3600 else ("minutes", 60)
    title = f"Time to first response and to resolution ({unit})"
    if not any(times.count for _, times in rows):
        return _nothing(ax, title, "no tickets answered or resolved")
    positions = range(len(rows))
    width = 0.38
    for offset, (name, attribute, colour) in enumerate((("median", "median_seconds", "#1f77b4"),
                                                        ("p90", "p90_seconds", "#ff7f0e"))):
        values = [(getattr(times, attribute) or 0) / scale for _, times in rows]
        bars = ax.bar([p + (offset - 0.5) * width for p in positions], values, width, label=name, color=colour)
        _label_bars(ax, bars, [f"{v:.1f}{unit[0]}" if times.count else "-" for v, (_, times) in zip(values, rows)])
    ax.set_xticks(list(positions), [f"{name}\n({_count(times.count, 'ticket')})" for name, times in rows])
    ax.set_ylim(0, max(1.0, ax.get_ylim()[1] * 1.1))
    ax.set_title(title)
    ax.set_ylabel(unit)
    ax.legend(fontsize=9)


def _sla(ax, figures: Figures) -> None:
    title = "SLA targets met, by priority"
    if not figures.sla:
        return _nothing(ax, title, "no targets settled")
    priorities = list(figures.sla)
    values = [figures.sla[p].percent or 0 for p in priorities]
    colours = ["#2ca02c" if v >= 90 else "#ff7f0e" if v >= 75 else "#d62728" for v in values]
    bars = ax.bar(priorities, values, color=colours)
    counts = [figures.sla[p] for p in priorities]
    _label_bars(ax, bars, [f"{v:g}%\n{c.met} of {_count(c.met + c.missed, 'target')}" for c, v in zip(counts, values)])
    ax.set_ylim(0, 125)
    ax.set_ylabel("% of targets met")
    ax.set_title(title)


def _backlog(ax, figures: Figures) -> None:
    waiting = sum(figures.backlog.values())
    title = f"Backlog at the end of the period, by age ({waiting} open)"
    if not waiting:
        return _nothing(ax, title, "no open tickets")
    bars = ax.bar(list(figures.backlog), list(figures.backlog.values()), color="#9467bd")
    _label_bars(ax, bars, [str(v) for v in figures.backlog.values()])
    ax.set_ylabel("open tickets")
    ax.yaxis.set_major_locator(_integer_axis())
    ax.set_title(title)


def _csat(ax, figures: Figures) -> None:
    if not figures.csat_count:
        return _nothing(ax, "Satisfaction (CSAT)", "no ratings")
    scores = [str(s) for s in figures.csat_by_score]
    bars = ax.bar(scores, list(figures.csat_by_score.values()), color="#17becf")
    _label_bars(ax, bars, [str(v) for v in figures.csat_by_score.values()])
    ax.set_xlabel("rating (1-5)")
    ax.set_ylabel("ratings")
    ax.yaxis.set_major_locator(_integer_axis())
    ax.set_title(f"Satisfaction: {figures.csat_average:.1f}/5 from {_count(figures.csat_count, 'rating')}")


def _totals(ax, figures: Figures) -> None:
    ax.axis("off")
    ax.set_title("In numbers")
    if figures.empty:
        ax.text(0.5, 0.5, "no tickets in this period", ha="center", va="center", fontsize=14, color="grey",
                transform=ax.transAxes)
        return
    rows = [
        ("opened", str(figures.opened)),
        ("first response, median", _hours(figures.first_response.median_seconds)),
        ("first response, p90", _hours(figures.first_response.p90_seconds)),
        ("resolution, median", _hours(figures.resolution.median_seconds)),
        ("resolution, p90", _hours(figures.resolution.p90_seconds)),
        ("escalations", f"{figures.escalations} ({figures.escalations_by_sla} after SLA breach)"),
        ("open at the end", str(sum(figures.backlog.values()))),
        ("CSAT", f"{figures.csat_average:.1f}/5 (n={figures.csat_count})" if figures.csat_count else "-"),
    ]
    for i, (name, value) in enumerate(rows):
        y = 0.9 - i * 0.11
        ax.text(0.02, y, name, fontsize=12, transform=ax.transAxes)
        ax.text(0.98, y, value, fontsize=12, ha="right", fontweight="bold", transform=ax.transAxes)


def _count(n: int, noun: str) -> str:
    """`1 ticket`, `2 tickets`."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"
