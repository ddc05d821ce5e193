"""Charts drawn on the server as SVG: no script, readable by screen readers, printable.

Each chart carries a <title> and <desc>; the page always puts the same numbers
in a table beside it, so the chart is never the only way to read them. Text
is escaped here (names are typed by users).

Legible on a phone: charts are drawn 400 units wide with text of 14 units,
and the page shows them at most 560 px wide (tracker/static/app.css). On a
390 px phone the chart gets about 358 px, so text stays above 12 px; on a
desktop it is about 19 px, the size of NHS.UK body text. Every axis names its
unit. Labels that would not fit are shortened with "…" and keep their full
text in a <title>; bar labels sit on their own line above each bar, so a long
name has the whole width."""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Callable, Sequence

from markupsafe import Markup, escape

# NHS.UK colours: blue for bars and lines, dark grey for text, pale grey for grid lines.
BAR_COLOUR = "#005eb8"
TEXT_COLOUR = "#212b32"
GRID_COLOUR = "#d8dde0"
HIGHLIGHT_COLOUR = "#d5281b"  # NHS red: points that need a look
SO_FAR_COLOUR = "#768692"  # NHS mid grey: a month not over yet, lighter than the whole months
FONT = 'font-family="Frutiger W01, Arial, sans-serif"'

WIDTH = 400  # viewBox units
FONT_SIZE = 14  # every text on a chart
# Widest average character of Arial at FONT_SIZE, in units (a generous 0.6 em): used to
# decide where a label must be shortened or a month label skipped.
CHAR_WIDTH = FONT_SIZE * 0.6
LINE_HEIGHT = 18
DOT_ROWS = 20  # a dot plot draws one row per item up to this many, then one shared band
STRIP_HEIGHT = 72


def _number(value) -> float:
    return float(value) if value is not None else 0.0


def _plain(value) -> str:
    """A value with thousands separators and at most one decimal place."""
    number = Decimal(str(_number(value)))
    return f"{number:,.0f}" if number == number.to_integral_value() or abs(number) >= 100 else f"{number:,.1f}"


def text_width(text: str) -> float:
    """How wide a text is drawn, at most (see CHAR_WIDTH)."""
    return len(str(text)) * CHAR_WIDTH


def shorten(text: str, width: float) -> str:
    """The text, cut with "…" to fit `width` units."""
    text = str(text)
    fits = max(1, int(width // CHAR_WIDTH))
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def axis_title(unit: str) -> str:
    """'hours' -> 'Hours'; '£' -> 'Cost (£)'; '% of hours' stays as it is."""
    if unit == "£":
        return "Cost (£)"
    return unit[:1].upper() + unit[1:]


def _nice_max(value: float) -> float:
    """A round number at or above `value` for the axis end (1, 2, 2.5 or 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude * (1 + 1e-9):
            return step * magnitude
    return 10 * magnitude


def _text(x: float, y: float, content: str, anchor: str = "start", title: str | None = None, extra: str = "") -> str:
    tooltip = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT_SIZE}" {FONT} '
        f'fill="{TEXT_COLOUR}"{extra}>{tooltip}{escape(content)}</text>'
    )


def _open(chart_id: str, title: str, description: str, height: float, width: float = WIDTH) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def _label_lines(label: str, width: float, most: int = 2) -> list[str]:
    """A label wrapped onto at most `most` lines of `width` units; the last line shortened if need be."""
    words, lines, current = str(label).split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if text_width(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > most:
        lines = lines[: most - 1] + [" ".join(lines[most - 1:])]
    return [shorten(line, width) for line in lines] or [""]


def bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, object]],
    unit: str = "hours",
    format_value: Callable[[object], str] = _plain,
) -> Markup:
    """Horizontal bars, largest first as given: each label on its own line(s), its bar below."""
    left, value_room, bar_height, gap = 2, 8 + text_width("000,000.0"), 16, 12
    plot_width = WIDTH - left - value_room
    peak = _nice_max(max((_number(v) for _, v in items), default=0.0))
    summary = "; ".join(f"{label}: {format_value(value)} {unit}" for label, value in items) or "No figures"

    rows, y = [], 4.0
    for label, value in items:
        lines = _label_lines(label, WIDTH - left)
        rows.append((label, value, lines, y))
        y += LINE_HEIGHT * len(lines) + bar_height + gap
    plot_top, plot_bottom = 4.0, max(y, 4.0 + LINE_HEIGHT)
    height = plot_bottom + 6 + LINE_HEIGHT * 2 + 6  # tick labels, then the axis title

    parts = _open(chart_id, title, summary, height)
    for step in range(5):  # grid lines and tick labels at 0, 25, 50, 75 and 100 % of the axis
        x = left + plot_width * step / 4
        parts.append(f'<line x1="{x:.1f}" y1="{plot_top:.1f}" x2="{x:.1f}" y2="{plot_bottom:.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(_text(x, plot_bottom + LINE_HEIGHT, _plain(peak * step / 4), "start" if step == 0 else "middle"))
    parts.append(_text(left + plot_width / 2, plot_bottom + LINE_HEIGHT * 2 + 2, axis_title(unit), "middle",
                       extra=' font-weight="bold"'))
    for label, value, lines, top in rows:
        shortened = " ".join(lines) != " ".join(str(label).split())
        for i, line in enumerate(lines):
            parts.append(_text(left, top + LINE_HEIGHT * (i + 1) - 4, line, title=label if shortened else None))
        bar_top = top + LINE_HEIGHT * len(lines)
        bar = max(plot_width * _number(value) / peak if peak else 0, 0)
        parts.append(
            f'<rect x="{left}" y="{bar_top:.1f}" width="{bar:.1f}" height="{bar_height}" fill="{BAR_COLOUR}">'
            f"<title>{escape(label)}: {escape(format_value(value))} {escape(unit)}</title></rect>"
        )
        parts.append(_text(left + bar + 6, bar_top + bar_height - 3, format_value(value)))
    parts.append("</svg>")
    return Markup("".join(parts))


def from_first_value(points: Sequence[tuple[str, object]]) -> list[tuple[str, object]]:
    """The points from the first that is not zero (a chart starts where the data does); all if none is."""
    first = next((i for i, (_, value) in enumerate(points) if _number(value)), None)
    return list(points) if first is None else list(points[first:])


def line_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, object]],
    unit: str = "hours",
    format_value: Callable[[object], str] = _plain,
    x_title: str = "Month",
    height: int = 260,
    so_far: str | None = None,
) -> Markup:
    """One line through (label, value) points in order, e.g. months. Labels that would
    overlap are skipped, counting back from the last one, which is always shown.

    `so_far` labels the last point as a period not over yet (e.g. "1–5 Dec"): it is
    drawn lighter, on a dashed line, so a few days do not look like a collapse."""
    if so_far and points:
        points = [*points[:-1], (so_far, points[-1][1])]
    peak = _nice_max(max((_number(v) for _, v in points), default=0.0))
    ticks = [_plain(peak * step / 4) for step in range(5)]
    widest_label = max((text_width(label) for label, _ in points), default=0.0)
    left = LINE_HEIGHT + 8 + max(text_width(t) for t in ticks)  # the rotated axis title, then the ticks
    right = widest_label / 2 + 2  # room for half of the last label, centred on its point
    top, bottom = 10, LINE_HEIGHT * 2 + 12
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    summary = "; ".join(f"{label}: {format_value(value)} {unit}" for label, value in points) or "No figures"
    if so_far:
        summary += f" ({so_far} is the month so far)"
    parts = _open(chart_id, title, summary, height)
    for step, tick in enumerate(ticks):
        y = top + plot_height - plot_height * step / 4
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - right:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(_text(left - 6, y + 5, tick, "end"))
    middle = top + plot_height / 2
    parts.append(_text(LINE_HEIGHT - 4, middle, axis_title(unit), "middle",
                       extra=f' font-weight="bold" transform="rotate(-90 {LINE_HEIGHT - 4} {middle:.1f})"'))
    parts.append(_text(left + plot_width / 2, height - 6, x_title, "middle", extra=' font-weight="bold"'))

    count = len(points)
    spacing = plot_width / (count - 1) if count > 1 else 0
    every = max(1, math.ceil((widest_label + 8) / spacing)) if spacing else 1
    xy = []
    for i, (label, value) in enumerate(points):
        x = left + (i * spacing if count > 1 else plot_width / 2)
        y = top + plot_height - plot_height * _number(value) / peak
        xy.append((x, y))
        if (count - 1 - i) % every == 0 and (i > 0 or x - text_width(label) / 2 >= 0):
            parts.append(_text(x, top + plot_height + LINE_HEIGHT, label, "middle"))
    whole = xy[:-1] if so_far else xy
    if len(whole) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in whole)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR_COLOUR}" stroke-width="3"/>')
    if so_far and len(xy) > 1:
        (x1, y1), (x2, y2) = xy[-2], xy[-1]
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{SO_FAR_COLOUR}" '
                     'stroke-width="3" stroke-dasharray="6 4" data-so-far="true"/>')
    for i, ((x, y), (label, value)) in enumerate(zip(xy, points)):
        partial = so_far and i == len(xy) - 1
        colour = SO_FAR_COLOUR if partial else BAR_COLOUR
        words = f"{label} (so far)" if partial else label
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(words)}: {escape(format_value(value))} {escape(unit)}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def scatter_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, object, object, bool]],
    x_title: str,
    y_title: str,
    format_x: Callable[[object], str],
    format_y: Callable[[object], str],
    x_lines: Sequence[object] = (),
    y_lines: Sequence[object] = (),
    height: int = 300,
) -> Markup:
    """Dots at (x, y) for (label, x, y, highlighted) points, x a share from 0 to 1, y from 0 up.

    `x_lines` and `y_lines` draw dashed thresholds (the corner a reader should look at first);
    highlighted points are drawn larger, in red. Both axes are titled with their units."""
    peak = _nice_max(max((_number(y) for _, _, y, _ in points), default=0.0))
    ticks = [format_y(peak * step / 4) for step in range(5)]
    left = LINE_HEIGHT + 8 + max(text_width(t) for t in ticks)
    right, top, bottom = text_width(format_x(1)) / 2 + 2, 10, LINE_HEIGHT * 2 + 12
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    summary = "; ".join(f"{label}: {format_x(x)}, {format_y(y)}" for label, x, y, _ in points) or "No figures"
    parts = _open(chart_id, title, f"{x_title} against {y_title}. {summary}", height)

    def at(x, y) -> tuple[float, float]:
        return left + plot_width * min(max(_number(x), 0.0), 1.0), top + plot_height - plot_height * _number(y) / peak

    for step, tick in enumerate(ticks):
        y = top + plot_height - plot_height * step / 4
        x = left + plot_width * step / 4
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - right:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(_text(left - 6, y + 5, tick, "end"))
        if step % 2 == 0:  # 0, 50 and 100 %: more would crowd a phone
            parts.append(_text(x, top + plot_height + LINE_HEIGHT, format_x(step / 4), "middle"))
    middle = top + plot_height / 2
    parts.append(_text(LINE_HEIGHT - 4, middle, y_title, "middle",
                       extra=f' font-weight="bold" transform="rotate(-90 {LINE_HEIGHT - 4} {middle:.1f})"'))
    parts.append(_text(left + plot_width / 2, height - 6, x_title, "middle", extra=' font-weight="bold"'))
    for value in x_lines:
        x, _ = at(value, 0)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_height:.1f}" stroke="{TEXT_COLOUR}" '
                     'stroke-dasharray="6 4"/>')
    for value in y_lines:
        _, y = at(0, value)
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - right:.1f}" y2="{y:.1f}" stroke="{TEXT_COLOUR}" '
                     'stroke-dasharray="6 4"/>')
    for label, x_value, y_value, highlighted in points:
        x, y = at(x_value, y_value)
        colour, radius = (HIGHLIGHT_COLOUR, 6) if highlighted else (BAR_COLOUR, 4)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" fill-opacity="0.8">'
                     f"<title>{escape(label)}: {escape(format_x(x_value))}, {escape(format_y(y_value))}</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _hundredths(value) -> str:
    """A value to two decimal places (hours per response: 1.75, not 1.8)."""
    return f"{Decimal(str(_number(value))):,.2f}"


def dot_plot(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, object, bool]],
    unit: str,
    format_value: Callable[[object], str] = _hundredths,
    marks: Sequence[tuple[str, object]] = (),
) -> Markup:
    """One dot per (label, value, highlighted) item on a shared horizontal axis, each on its own row
    with its label above it; highlighted dots larger, in red. `marks` are dashed vertical lines
    (e.g. the median), named in a legend line under the axis title. Past DOT_ROWS items the dots
    share one band (staggered so equal values stay apart) and each keeps its label in a tooltip:
    two hundred rows would not fit a page."""
    strip = len(items) > DOT_ROWS
    left, right, row_height = 8, 8 + text_width("000.0") / 2, (STRIP_HEIGHT if strip else LINE_HEIGHT + 14)
    plot_width = WIDTH - left - right
    peak = _nice_max(max([_number(v) for _, v, _ in items] + [_number(v) for _, v in marks], default=0.0))
    summary = "; ".join(f"{label}: {format_value(value)} {unit}" for label, value, _ in items) or "No figures"
    if marks:
        summary += ". " + "; ".join(f"{name}: {format_value(value)} {unit}" for name, value in marks)
    plot_top, plot_bottom = 4.0, 4.0 + row_height * (1 if strip else max(len(items), 1))
    legend = bool(marks)
    height = plot_bottom + 6 + LINE_HEIGHT * (3 if legend else 2) + 6
    parts = _open(chart_id, title, summary, height)

    def x_of(value) -> float:
        return left + plot_width * min(_number(value) / peak, 1.0)

    for step in range(5):
        x = left + plot_width * step / 4
        parts.append(f'<line x1="{x:.1f}" y1="{plot_top:.1f}" x2="{x:.1f}" y2="{plot_bottom:.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(_text(x, plot_bottom + LINE_HEIGHT, format_value(peak * step / 4), "start" if step == 0 else "middle"))
    parts.append(_text(left + plot_width / 2, plot_bottom + LINE_HEIGHT * 2 + 2, axis_title(unit), "middle",
                       extra=' font-weight="bold"'))
    for name, value in marks:
        x = x_of(value)
        parts.append(f'<line x1="{x:.1f}" y1="{plot_top:.1f}" x2="{x:.1f}" y2="{plot_bottom:.1f}" stroke="{TEXT_COLOUR}" '
                     f'stroke-dasharray="6 4"><title>{escape(name)}: {escape(format_value(value))} {escape(unit)}</title></line>')
    if legend:
        text = "Dashed: " + ", ".join(f"{name} {format_value(value)}" for name, value in marks)
        parts.append(_text(left, plot_bottom + LINE_HEIGHT * 3 + 2, shorten(text, WIDTH - left)))
    for row, (label, value, highlighted) in enumerate(items):
        if strip:  # one band: five lanes, so dots of equal value sit apart
            y = plot_top + row_height / 2 + (row % 5 - 2) * (row_height / 6)
        else:
            top = plot_top + row_height * row
            parts.append(_text(left, top + LINE_HEIGHT - 4, shorten(label, plot_width), title=label))
            y = top + LINE_HEIGHT + 5
        colour, radius = (HIGHLIGHT_COLOUR, 6) if highlighted else (BAR_COLOUR, 4)
        opacity = ' fill-opacity="0.7"' if strip else ""
        parts.append(f'<circle cx="{x_of(value):.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}"{opacity}>'
                     f"<title>{escape(label)}: {escape(format_value(value))} {escape(unit)}</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))
