"""Bar charts drawn on the server as SVG: readable without JavaScript, every bar with a <title>.

`bar_chart` turns a list of bars into plain numbers for `partials/bar_chart.svg.html`. A bar says
how tall it is as a share of the plot (0 to 1) and what to write: its label under the axis, an
optional value above it, a title for screen readers and hover, and data-* attributes for tests
and scripts. The daily-check dashboard and the paperwork backlog draw their charts with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    share: float  # height as a share of the plot, 0 to 1
    label: str  # under the axis ("" for none)
    title: str  # <title>: screen readers and hover
    value: str | None = None  # written above the bar when given
    data: dict[str, object] = field(default_factory=dict)  # data-* attributes of the bar's group
    css: str = "bar"


@dataclass(frozen=True)
class Frame:
    width: int
    height: int
    left: int = 40
    right: int = 10
    top: int = 24
    bottom: int = 40


def bar_chart(bars: list[Bar], frame: Frame, grid: list[tuple[float, str]]) -> dict:
    """Geometry for the template; `grid` is (share, label) for each horizontal line."""
    plot_w = frame.width - frame.left - frame.right
    plot_h = frame.height - frame.top - frame.bottom
    base = frame.top + plot_h
    slot = plot_w / max(1, len(bars))
    bar_w = max(slot * 0.7, 1)
    drawn = []
    for i, bar in enumerate(bars):
        h = plot_h * min(max(bar.share, 0), 1)
        x = frame.left + i * slot + (slot - bar_w) / 2
        drawn.append({
            "x": round(x, 1), "y": round(base - h, 1), "w": round(bar_w, 1), "h": round(h, 1), "cx": round(x + bar_w / 2, 1),
            "label": bar.label, "title": bar.title, "value": bar.value, "data": bar.data, "css": bar.css,
        })
    lines = [{"y": round(base - plot_h * share, 1), "label": label} for share, label in grid]
    return {
        "width": frame.width, "height": frame.height, "left": frame.left, "right": frame.width - frame.right,
        "base": base, "label_y": frame.height - frame.bottom + 16, "bars": drawn, "grid": lines,
    }
