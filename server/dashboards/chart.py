"""The last 14 days as a bar chart, drawn on the server as SVG: readable without JavaScript.

One bar per day, its height the share of the roster checked that day; the figures are written
on and under the bars, and every bar has a <title> for screen readers and hover.
"""

from __future__ import annotations

WIDTH, HEIGHT = 700, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 24, 40


def bars(history: list[dict]) -> dict:
    """Geometry for the template: {width, height, bars[], grid[]} from the days' {day, roster, checked, rate}."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(history))
    bar_w = slot * 0.7
    drawn = []
    for i, point in enumerate(history):
        rate = point["rate"] or 0
        h = plot_h * rate / 100
        x = LEFT + i * slot + (slot - bar_w) / 2
        drawn.append({
            "x": round(x, 1), "y": round(TOP + plot_h - h, 1), "w": round(bar_w, 1), "h": round(h, 1),
            "cx": round(x + bar_w / 2, 1), "label": point["day"].strftime("%m-%d"),
            "value": "—" if point["rate"] is None else f"{point['rate']}%",
            "detail": f"{point['day'].isoformat()} {point['checked']}/{point['roster']}",
            "full": point["rate"] == 100, "empty": point["rate"] is None,
        })
    grid = [{"y": round(TOP + plot_h * (1 - p / 100), 1), "label": f"{p}%"} for p in (0, 50, 100)]
    return {"width": WIDTH, "height": HEIGHT, "bars": drawn, "grid": grid, "left": LEFT, "right": WIDTH - RIGHT, "base": TOP + plot_h, "label_y": HEIGHT - BOTTOM + 16}
