"""The last 14 days of daily checks as a bar chart (server.charts): one bar per day, its height the
share of the roster checked that day, the rate written above it."""

from __future__ import annotations

from server.charts import Bar, Frame, bar_chart

FRAME = Frame(width=700, height=240)


def bars(history: list[dict]) -> dict:
    """Geometry for the template from the days' {day, roster, checked, rate}."""
    return bar_chart(
        [
            Bar(
                share=(point["rate"] or 0) / 100,
                label=point["day"].strftime("%m-%d"),
                title=f"{point['day'].isoformat()} {point['checked']}/{point['roster']}",
                value="—" if point["rate"] is None else f"{point['rate']}%",
                data={"day": f"{point['day'].isoformat()} {point['checked']}/{point['roster']}"},
                css="bar full" if point["rate"] == 100 else "bar",
            )
            for point in history
        ],
        FRAME,
        grid=[(share / 100, f"{share}%") for share in (0, 50, 100)],
    )
