"""Charts drawn on the server as SVG: no script, readable by screen readers, printable.

Each chart carries a <title> and <desc>; the page always puts the same numbers
in a table beside it, so the chart is never the only way to read them. Text
is escaped here (names are typed by users)."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Sequence

from markupsafe import Markup, escape

# NHS.UK colours: blue for bars and lines, dark grey for text, pale grey for grid lines.
BAR_COLOUR = "#005eb8"
TEXT_COLOUR = "#212b32"
GRID_COLOUR = "#d8dde0"
HIGHLIGHT_COLOUR = "#d5281b"  # NHS red: points that need a look
FONT = "font-family=\"Frutiger W01, Arial, sans-serif\""


def _number(value) -> float:
    return float(value) if value is not None else 0.0


def _plain(value) -> str:
    """A value with thousands separators and at most one decimal place."""
    number = Decimal(str(_number(value)))
    return f"{number:,.0f}" if number == number.to_integral_value() or abs(number) >= 100 else f"{number:,.1f}"


def _truncate(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _nice_max(value: float) -> float:
    """A round number at or above `value` for the axis end (1, 2, 2.5 or 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _open(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, object]],
    unit: str = "hours",
    format_value: Callable[[object], str] = _plain,
    label_width: int = 260,
    width: int = 720,
) -> Markup:
    """Horizontal bars, largest first as given: one row per (label, value)."""
    row_height, top, bottom = 26, 8, 28
    height = top + bottom + row_height * max(1, len(items))
    plot_left, plot_right = label_width + 8, width - 90
    plot_width = plot_right - plot_left
    peak = _nice_max(max((_number(v) for _, v in items), default=0.0))
    summary = "; ".join(f"{label}: {format_value(value)} {unit}" for label, value in items) or "No figures"
    parts = _open(chart_id, title, summary, width, height)
    for step in range(5):  # grid lines and axis labels at 0, 25, 50, 75, 100 %
        x = plot_left + plot_width * step / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="{GRID_COLOUR}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" {FONT} '
            f'fill="{TEXT_COLOUR}">{escape(_plain(peak * step / 4))}</text>'
        )
    for i, (label, value) in enumerate(items):
        y = top + i * row_height
        bar = plot_width * _number(value) / peak if peak else 0
        parts.append(
            f'<text x="{label_width}" y="{y + 17}" text-anchor="end" font-size="13" {FONT} fill="{TEXT_COLOUR}">'
            f"<title>{escape(label)}</title>{escape(_truncate(label, label_width // 7))}</text>"
        )
        parts.append(
            f'<rect x="{plot_left}" y="{y + 4}" width="{max(bar, 0):.1f}" height="{row_height - 8}" fill="{BAR_COLOUR}">'
            f"<title>{escape(label)}: {escape(format_value(value))} {escape(unit)}</title></rect>"
        )
        parts.append(
            f'<text x="{plot_left + max(bar, 0) + 6:.1f}" y="{y + 17}" font-size="12" {FONT} fill="{TEXT_COLOUR}">'
            f"{escape(format_value(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, object]],
    unit: str = "hours",
    format_value: Callable[[object], str] = _plain,
    width: int = 720,
    height: int = 260,
) -> Markup:
    """One line through (label, value) points in order, e.g. months."""
    left, right, top, bottom = 56, 16, 12, 40
    plot_width, plot_height = width - left - right, height - top - bottom
    peak = _nice_max(max((_number(v) for _, v in points), default=0.0))
    summary = "; ".join(f"{label}: {format_value(value)} {unit}" for label, value in points) or "No figures"
    parts = _open(chart_id, title, summary, width, height)
    for step in range(5):
        y = top + plot_height - plot_height * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" {FONT} fill="{TEXT_COLOUR}">'
            f"{escape(_plain(peak * step / 4))}</text>"
        )
    count = len(points)
    spacing = plot_width / (count - 1) if count > 1 else 0
    xy = []
    for i, (label, value) in enumerate(points):
        x = left + (i * spacing if count > 1 else plot_width / 2)
        y = top + plot_height - plot_height * _number(value) / peak
        xy.append((x, y))
        if count <= 13 or i % 2 == 0:  # every label while they fit
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="11" {FONT} '
                f'fill="{TEXT_COLOUR}">{escape(_truncate(label, 9))}</text>'
            )
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR_COLOUR}" stroke-width="3"/>')
    for (x, y), (label, value) in zip(xy, points):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR_COLOUR}">'
            f"<title>{escape(label)}: {escape(format_value(value))} {escape(unit)}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def scatter_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, object, object, bool]],
    x_label: str,
    y_label: str,
    format_x: Callable[[object], str],
    format_y: Callable[[object], str],
    x_lines: Sequence[object] = (),
    y_lines: Sequence[object] = (),
    width: int = 720,
    height: int = 420,
) -> Markup:
    """Dots at (x, y) for (label, x, y, highlighted) points, x from 0 to 1 (a share), y from 0 up.

    `x_lines` and `y_lines` draw dashed thresholds (e.g. the corner a commissioner should look at);
    highlighted points are drawn larger and darker. Axis labels name their units."""
    left, right, top, bottom = 84, 16, 12, 56
    plot_width, plot_height = width - left - right, height - top - bottom
    peak = _nice_max(max((_number(y) for _, _, y, _ in points), default=0.0))
    summary = "; ".join(f"{label}: {format_x(x)}, {format_y(y)}" for label, x, y, _ in points) or "No figures"
    parts = _open(chart_id, title, f"{x_label} against {y_label}. {summary}", width, height)

    def at(x, y):
        return left + plot_width * min(max(_number(x), 0.0), 1.0), top + plot_height - plot_height * _number(y) / peak

    for step in range(5):
        y = top + plot_height - plot_height * step / 4
        x = left + plot_width * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" {FONT} fill="{TEXT_COLOUR}">'
                     f"{escape(format_y(peak * step / 4))}</text>")
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" {FONT} '
                     f'fill="{TEXT_COLOUR}">{escape(format_x(step / 4))}</text>')
    parts.append(f'<text x="{left + plot_width / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="13" {FONT} '
                 f'fill="{TEXT_COLOUR}">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{top + plot_height / 2:.1f}" text-anchor="middle" font-size="13" {FONT} '
                 f'fill="{TEXT_COLOUR}" transform="rotate(-90 14 {top + plot_height / 2:.1f})">{escape(y_label)}</text>')
    for value in x_lines:
        x, _ = at(value, 0)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_height}" stroke="{TEXT_COLOUR}" '
                     'stroke-dasharray="6 4"/>')
    for value in y_lines:
        _, y = at(0, value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{TEXT_COLOUR}" '
                     'stroke-dasharray="6 4"/>')
    for label, x_value, y_value, highlighted in points:
        x, y = at(x_value, y_value)
        colour, radius = (HIGHLIGHT_COLOUR, 7) if highlighted else (BAR_COLOUR, 5)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" fill-opacity="0.8">'
                     f"<title>{escape(label)}: {escape(format_x(x_value))}, {escape(format_y(y_value))}</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))
