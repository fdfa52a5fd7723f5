"""Charts as SVG markup made on the server: no script, no style attribute, no <style>.

The strict Content-Security-Policy (style-src 'self') forbids inline styles; SVG presentation
attributes (fill, stroke, font-size) are not styles, so these charts can be put inline in the
page and still print and read without JavaScript. Every chart has a <title> (its name for a
screen reader) and the page shows the table of its numbers beside it.
"""

import itertools

from django.utils.html import escape
from django.utils.safestring import mark_safe

BLUE = "#0b5394"
GREY = "#6c757d"
TEXT = "#212529"
COLOURS = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000"]
# From light to dark blue; the darkest tone gets white text.
HEAT = ["#f1f5fb", "#d4e3f5", "#a9c6ea", "#6d9fd9", "#2f6fba", "#0b4a8f"]

_ids = itertools.count(1)


def _svg(width, height, title, body, *, label_id=None):
    number = next(_ids)
    title_id = label_id or f"grafiek-{number}"
    return mark_safe(  # noqa: S308 - every text inside went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="report-chart" role="img" aria-labelledby="{title_id}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{title_id}">{escape(title)}</title>{body}</svg>'
    )


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
    parts = []
    for fraction in (0, 0.5, 1):
        y = top + plot_h - plot_h * fraction
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
        )
        tick = top_value * fraction
        # Only whole numbers, and with no data only the 0 (not "1, 0, 0").
        if tick == int(tick) and (fraction == 0 or any(values)):
            parts.append(
                f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                f'fill="{TEXT}">{int(tick)}</text>'
            )
    step = max(every, -(-n // 12))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top_value
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{BLUE}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if index % step == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'font-size="11" fill="{TEXT}">{escape(_short(label))}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{GREY}" stroke-width="1"/>'
    )
    return _svg(width, height, title, "".join(parts))


def _short(label, length=12):
    label = str(label)
    return label if len(label) <= length else label[: length - 1] + "…"


def horizontal_bars(title, labels, values, *, width=640, row=30):
    """One horizontal bar per label, the number at its end: for locations side by side."""
    left, right = 210, 60
    height = max(len(values), 1) * row + 10
    top_value = max(max(values, default=0), 1)
    parts = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + index * row
        w = (width - left - right) * value / top_value
        colour = COLOURS[index % len(COLOURS)]
        parts.append(
            f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{escape(_short(label, 28))}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + row / 2 + 4:.1f}" font-size="13" '
            f'fill="{TEXT}">{value}</text>'
        )
    return _svg(width, height, title, "".join(parts))


def heat_map(title, row_labels, column_labels, values):
    """A grid: rows (weekdays) × columns (day-parts), darker for more visits, numbers inside."""
    left, top, cell_w, cell_h = 100, 28, 110, 30
    width = left + cell_w * len(column_labels) + 4
    height = top + cell_h * len(row_labels) + 4
    peak = max((v for row in values for v in row), default=0) or 1
    parts = []
    for column, label in enumerate(column_labels):
        parts.append(
            f'<text x="{left + column * cell_w + cell_w / 2}" y="{top - 10}" '
            f'text-anchor="middle" font-size="13" fill="{TEXT}">{escape(label)}</text>'
        )
    for row, label in enumerate(row_labels):
        y = top + row * cell_h
        parts.append(
            f'<text x="{left - 8}" y="{y + cell_h / 2 + 4}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
        for column, value in enumerate(values[row]):
            tone = min(int(value / peak * (len(HEAT) - 1) + 0.999), len(HEAT) - 1) if value else 0
            ink = "#ffffff" if tone >= 4 else TEXT
            x = left + column * cell_w
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{HEAT[tone]}" stroke="#ced4da" stroke-width="1"/>'
                f'<text x="{x + cell_w / 2}" y="{y + cell_h / 2 + 5}" text-anchor="middle" '
                f'font-size="13" fill="{ink}">{value}</text>'
            )
    return _svg(width, height, title, "".join(parts))


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
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    body = (
        f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" fill="{BLUE}"/>'
    )
    return _svg(width, height, title, body)
