"""The geometry of the report charts: coordinates, bars, labels as plain data, no markup.

Each function returns a `Chart` whose SVG is drawn by a Django template in
templates/visitors/charts/ (autoescaped, so a location name stays text). The pages include it
with `{% include chart.template with chart=chart %}`: no script, no style attribute, no <style>.
The strict Content-Security-Policy (style-src 'self') forbids inline styles; SVG presentation
attributes (fill, stroke, font-size) are not styles, so these charts can be put inline in the
page and still print and read without JavaScript. Every chart has a <title> (its name for a
screen reader) and the page shows the table of its numbers beside it.

Coordinates are handed over as ready strings ("12.5"), so the template's number localisation
(Dutch decimal comma, thousands dots) cannot change an SVG attribute.
"""

import itertools
from dataclasses import dataclass, field

TEXT = "#212529"
COLOURS = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000"]
# From light to dark blue; the darkest tone gets white text.
HEAT = ["#f1f5fb", "#d4e3f5", "#a9c6ea", "#6d9fd9", "#2f6fba", "#0b4a8f"]

_ids = itertools.count(1)


@dataclass
class Chart:
    template: str
    width: int
    height: int
    title: str
    title_id: str
    data: dict = field(default_factory=dict)


def _chart(kind, width, height, title, **data):
    return Chart(
        template=f"visitors/charts/{kind}.svg",
        width=width,
        height=height,
        title=str(title),
        title_id=f"grafiek-{next(_ids)}",
        data=data,
    )


def _f(number):
    return f"{number:.1f}"


def _nice_max(value):
    if value <= 0:
        return 1
    for step in (1, 2, 5):
        magnitude = 1
        while magnitude * step * 10 < value:
            magnitude *= 10
        for multiple in range(1, 11):
            if magnitude * step * multiple >= value:
                return magnitude * step * multiple
    return value


def bar_chart(title, labels, values, *, width=640, height=260, every=1):
    """Vertical bars, one per label; `every`: print every n-th label under the axis."""
    left, bottom, top, right = 44, 46, 12, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(values, default=0))
    n = max(len(values), 1)
    slot = plot_w / n
    bar = max(slot * 0.7, 1)
    grid = []
    for fraction in (0, 0.5, 1):
        y = top + plot_h - plot_h * fraction
        tick = top_value * fraction
        line = {"x1": left, "x2": width - right, "y": _f(y), "tick": None}
        # Only whole numbers, and with no data only the 0 (not "1, 0, 0").
        if tick == int(tick) and (fraction == 0 or any(values)):
            line["tick"] = {"x": left - 6, "y": _f(y + 4), "text": str(int(tick))}
        grid.append(line)
    step = max(every, -(-n // 12))
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top_value
        x = left + index * slot + (slot - bar) / 2
        bars.append(
            {
                "x": _f(x),
                "y": _f(top + plot_h - h),
                "width": _f(bar),
                "height": _f(h),
                "title": f"{label}: {value}",
                "label": (
                    {"x": _f(x + bar / 2), "y": height - bottom + 16, "text": _short(label)}
                    if index % step == 0
                    else None
                ),
            }
        )
    axis = {"x1": left, "x2": width - right, "y": top + plot_h}
    return _chart("bar", width, height, title, grid=grid, bars=bars, axis=axis)


def _short(label, length=12):
    label = str(label)
    return label if len(label) <= length else label[: length - 1] + "…"


def horizontal_bars(title, labels, values, *, width=640, row=30):
    """One horizontal bar per label, the number at its end: for locations side by side."""
    left, right = 210, 60
    height = max(len(values), 1) * row + 10
    top_value = max(max(values, default=0), 1)
    rows = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + index * row
        w = (width - left - right) * value / top_value
        rows.append(
            {
                "label": {"x": left - 8, "y": _f(y + row / 2 + 4), "text": _short(label, 28)},
                "bar": {
                    "x": left,
                    "y": y + 4,
                    "width": _f(w),
                    "height": row - 8,
                    "fill": COLOURS[index % len(COLOURS)],
                },
                "value": {"x": _f(left + w + 6), "y": _f(y + row / 2 + 4), "text": str(value)},
            }
        )
    return _chart("horizontal_bars", width, height, title, rows=rows)


def heat_map(title, row_labels, column_labels, values):
    """A grid: rows (weekdays) × columns (day-parts), darker for more visits, numbers inside."""
    left, top, cell_w, cell_h = 100, 28, 110, 30
    width = left + cell_w * len(column_labels) + 4
    height = top + cell_h * len(row_labels) + 4
    peak = max((v for row in values for v in row), default=0) or 1
    columns = [
        {"x": str(left + column * cell_w + cell_w / 2), "y": top - 10, "text": str(label)}
        for column, label in enumerate(column_labels)
    ]
    rows = []
    for row, label in enumerate(row_labels):
        y = top + row * cell_h
        cells = []
        for column, value in enumerate(values[row]):
            tone = min(int(value / peak * (len(HEAT) - 1) + 0.999), len(HEAT) - 1) if value else 0
            x = left + column * cell_w
            cells.append(
                {
                    "x": x + 1,
                    "y": y + 1,
                    "width": cell_w - 2,
                    "height": cell_h - 2,
                    "fill": HEAT[tone],
                    "text_x": str(x + cell_w / 2),
                    "text_y": str(y + cell_h / 2 + 5),
                    "ink": "#ffffff" if tone >= 4 else TEXT,
                    "text": str(value),
                }
            )
        rows.append(
            {
                "label": {"x": left - 8, "y": str(y + cell_h / 2 + 4), "text": str(label)},
                "cells": cells,
            }
        )
    return _chart("heat_map", width, height, title, columns=columns, rows=rows)


def sparkline(title, values, *, width=120, height=32):
    """A small trend line (the staff dashboard): one point per week, the last one marked."""
    if not values:
        values = [0]
    peak = max(values) or 1
    n = len(values)
    step = (width - 8) / max(n - 1, 1)
    points = [
        (4 + index * step, height - 4 - (height - 8) * value / peak)
        for index, value in enumerate(values)
    ]
    last_x, last_y = points[-1]
    return _chart(
        "sparkline",
        width,
        height,
        title,
        points=" ".join(f"{_f(x)},{_f(y)}" for x, y in points),
        last={"x": _f(last_x), "y": _f(last_y)},
    )
