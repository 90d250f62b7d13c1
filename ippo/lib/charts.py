"""Small server-side SVG charts, used by HTML pages and PDF reports alike.

Each builder returns one standalone ``<svg>`` element as a SafeString. The output suits a strict CSP and
WeasyPrint: no scripts, no ``style`` attributes — colours are SVG presentation attributes (so a PDF looks
right without the site stylesheet) and every part carries an ``ippo-chart-*`` class that page CSS may use
to restyle it. Every caller-supplied string is escaped, and every number is rounded to one decimal, so
the same input always gives byte-identical output.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, sans-serif"

# The site palette (ippo.css): ink, muted, line, brand.
_INK, _MUTED, _GRID, _SERIES = "#1d2521", "#5b6661", "#d9dfdc", "#1f5f4a"

# The class and default look of each part of a chart.
_LOOK: dict[str, dict[str, str | float]] = {
    "grid": {"class_": "ippo-chart-grid", "fill": "none", "stroke": _GRID},
    "axis": {"class_": "ippo-chart-axis", "stroke": _GRID},
    "series": {
        "class_": "ippo-chart-series",
        "stroke": _SERIES,
        "stroke_width": 2,
        "stroke_linejoin": "round",
    },
    "compare": {"class_": "ippo-chart-compare", "fill": "none", "stroke": _MUTED, "stroke_dasharray": "4 3"},
    "dot": {"class_": "ippo-chart-dot", "fill": _SERIES},
    "label": {"class_": "ippo-chart-label"},
    "value": {"class_": "ippo-chart-value", "text_anchor": "middle"},
    "tick": {"class_": "ippo-chart-tick", "text_anchor": "end", "fill": _MUTED},
    "x": {"class_": "ippo-chart-x", "text_anchor": "middle", "fill": _MUTED},
    "empty": {"class_": "ippo-chart-empty", "text_anchor": "middle", "fill": _MUTED},
}


def _fmt(n: float) -> str:
    """Format a number with at most one decimal and no trailing ".0": 72 → "72", 72.46 → "72.5"."""
    text = f"{n:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _attrs(**attrs: str | float | None) -> str:
    """Render escaped attributes: ``class_`` → ``class``, ``stroke_width`` → ``stroke-width``; skip None."""
    out = []
    for key, value in attrs.items():
        if value is not None:
            text = _fmt(value) if isinstance(value, int | float) else value
            out.append(f' {key.rstrip("_").replace("_", "-")}="{escape(text)}"')
    return "".join(out)


def _el(tag: str, look: str, **attrs: str | float | None) -> str:
    """An empty element such as ``<line .../>``, with the class and look of the part ``look``."""
    return f"<{tag}{_attrs(**_LOOK[look], **attrs)}/>"


def _text(look: str, x: float, y: float, content: str, **attrs: str | float | None) -> str:
    """A ``<text>`` element; ``content`` is plain text and is escaped here."""
    return f"<text{_attrs(**_LOOK[look], x=x, y=y, **attrs)}>{escape(content)}</text>"


def _text_width(text: str, font_size: float) -> float:
    """Deterministic width estimate: wide/full-width/ambiguous (CJK) characters 1 em, the rest 0.6 em."""
    return sum(font_size if unicodedata.east_asian_width(ch) in "WFA" else font_size * 0.6 for ch in text)


def _clamp(value: float, max_value: float) -> float:
    if math.isnan(value):
        raise ValueError("chart values must be numbers, not NaN")
    return min(max(value, 0.0), max_value)


def _check_max(max_value: float) -> None:
    if not max_value > 0:
        raise ValueError("max_value must be greater than 0")


def _svg(
    *, kind: str, width: float, height: float, title: str, font_size: int, body: list[str]
) -> SafeString:
    """Wrap the body in the root element; the <title> comes first so assistive technology finds it."""
    root = _attrs(
        viewBox=f"0 0 {_fmt(width)} {_fmt(height)}",
        width=width,
        height=height,
        role="img",
        aria_label=title,
        class_=f"ippo-chart ippo-chart-{kind}",
        font_family=FONT_FAMILY,
        font_size=font_size,
        fill=_INK,
    )
    markup = f'<svg xmlns="{SVG_NS}"{root}><title>{escape(title)}</title>{"".join(body)}</svg>'
    return mark_safe(markup)  # noqa: S308 — every caller-supplied string above went through escape()


def radar_chart(
    *,
    axes: Sequence[tuple[str, float | None]],
    compare: Sequence[float | None] | None = None,
    size: int = 320,
    max_value: float = 100,
    label: str = "",
) -> SafeString:
    """A radar (spider) chart, e.g. one score per NIST CSF function.

    ``axes`` holds at least 3 (axis label, value) pairs, typically 6; a value of None means "not assessed":
    it is plotted at 0, its label shows "—" and it gets no dot. ``compare`` is an optional second series
    of the same length (e.g. the previous assessment), drawn dashed under the main one. Values are clamped
    to [0, max_value]. The first axis points straight up, the others follow clockwise. ``size`` is the
    height; the width grows as needed so that labels are never clipped. ``label`` is the accessible name
    (a summary of the values is used when it is empty).
    """
    n = len(axes)
    if n < 3:
        raise ValueError("a radar chart needs at least 3 axes")
    if compare is not None and len(compare) != n:
        raise ValueError("compare must have one value per axis")
    _check_max(max_value)
    font_size, gap = 12, 10
    # Vertically the chart holds the radius plus one line of label (and the gap) above and below it.
    radius = size / 2 - gap - font_size - 4
    if radius < 20:
        raise ValueError("size is too small for a radar chart")

    values = [None if v is None else _clamp(v, max_value) for _, v in axes]
    texts = [f"{name} {'—' if v is None else _fmt(v)}" for (name, _), v in zip(axes, values, strict=True)]
    # Axis i points at angle 2πi/n clockwise from straight up; SVG's y axis points down, so its unit
    # vector is (sin a, -cos a).
    units = [(math.sin(2 * math.pi * i / n), -math.cos(2 * math.pi * i / n)) for i in range(n)]
    # Labels right of the centre start at their point, left ones end there, top and bottom ones are centred.
    anchors = ["start" if ux > 0.1 else "end" if ux < -0.1 else "middle" for ux, _ in units]

    # Widen the chart to the label edge furthest from the centre, plus a little air.
    half_width = size / 2
    for (ux, _), anchor, text in zip(units, anchors, texts, strict=True):
        text_width = _text_width(text, font_size)
        reach = abs(ux) * (radius + gap) + (text_width / 2 if anchor == "middle" else text_width)
        half_width = max(half_width, reach + 4)
    cx, cy = half_width, size / 2

    def point(i: int, r: float) -> tuple[float, float]:
        return cx + units[i][0] * r, cy + units[i][1] * r

    def radii(series: Sequence[float | None]) -> list[float]:
        return [0.0 if v is None else radius * _clamp(v, max_value) / max_value for v in series]

    def polygon(rs: Sequence[float]) -> str:
        return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (point(i, r) for i, r in enumerate(rs)))

    # Grid rings at 25/50/75/100 %, spokes, the comparison under the main series, dots, labels.
    body = [_el("polygon", "grid", points=polygon([radius * f] * n)) for f in (0.25, 0.5, 0.75, 1.0)]
    for i in range(n):
        x, y = point(i, radius)
        body.append(_el("line", "axis", x1=cx, y1=cy, x2=x, y2=y))
    if compare is not None:
        body.append(_el("polygon", "compare", points=polygon(radii(compare))))
    body.append(_el("polygon", "series", points=polygon(radii(values)), fill=_SERIES, fill_opacity=0.2))
    for i, r in enumerate(radii(values)):
        if values[i] is not None:
            x, y = point(i, r)
            body.append(_el("circle", "dot", cx=x, cy=y, r=3))
    for i, text in enumerate(texts):
        x, y = point(i, radius + gap)
        # Move the baseline so the text sits above the top point, below the bottom one and centred on the
        # sides: +0.35 em centres a line on y, and ±0.45 em more puts it wholly above or below.
        y += font_size * (0.35 + 0.45 * units[i][1])
        body.append(_text("label", x, y, text, text_anchor=anchors[i]))

    title = label or ", ".join(texts)
    return _svg(kind="radar", width=2 * half_width, height=size, title=title, font_size=font_size, body=body)


def line_chart(
    *,
    points: Sequence[tuple[str, float]],
    width: int = 560,
    height: int = 220,
    max_value: float = 100,
    label: str = "",
    y_ticks: Sequence[float] = (0, 25, 50, 75, 100),
    empty_text: str = "",
) -> SafeString:
    """A trend line: ``points`` are (x label, value) pairs, e.g. ("2026-06-01", 72), spaced evenly.

    Values are clamped to [0, max_value]; grid lines are drawn at the ``y_ticks`` inside that range. One
    point is drawn as a single centred dot; with no points the chart shows ``empty_text`` in the middle.
    Where labels would overlap only every k-th one is printed. ``label`` is the accessible name (a summary
    of the points is used when it is empty).
    """
    _check_max(max_value)
    font_size = 11
    values = [_clamp(v, max_value) for _, v in points]
    summary = ", ".join(f"{x} {_fmt(v)}" for (x, _), v in zip(points, values, strict=True))
    title = label or summary or empty_text
    if not points:
        empty = _text("empty", width / 2, height / 2 + font_size * 0.35, empty_text)
        return _svg(kind="line", width=width, height=height, title=title, font_size=font_size, body=[empty])

    ticks = [t for t in y_ticks if 0 <= t <= max_value]
    left = max((_text_width(_fmt(t), font_size) for t in ticks), default=0) + 10  # room for tick labels
    right = width - 4
    top = font_size + 12  # room for the value label above a point at max_value
    bottom = height - font_size - 10  # room for the x labels
    if bottom - top < 20:
        raise ValueError("height is too small for a line chart")

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / max_value

    # Inset the first and last points so that their centred x labels stay inside the chart.
    n = len(points)
    label_widths = [_text_width(x, font_size) for x, _ in points]
    if n == 1:
        xs, spacing = [(left + right) / 2], float(right - left)
    else:
        x_first = max(left + 12, label_widths[0] / 2 + 2)
        x_last = min(right - 8, width - label_widths[-1] / 2 - 2)
        if x_last <= x_first:
            raise ValueError("width is too small for these labels")
        spacing = (x_last - x_first) / (n - 1)
        xs = [x_first + i * spacing for i in range(n)]
    # Print every k-th label, k chosen so that neighbouring labels never overlap.
    x_step = math.ceil((max(label_widths) + 6) / spacing)
    value_step = math.ceil((max(_text_width(_fmt(v), font_size) for v in values) + 4) / spacing)

    body = []
    for t in ticks:
        y = y_of(t)
        body.append(_el("line", "grid", x1=left, y1=y, x2=right, y2=y))
        body.append(_text("tick", left - 6, y + font_size * 0.35, _fmt(t)))
    if n > 1:
        coords = " ".join(f"{_fmt(x)},{_fmt(y_of(v))}" for x, v in zip(xs, values, strict=True))
        body.append(_el("polyline", "series", points=coords, fill="none"))
    for i, ((x_label, _), x, v) in enumerate(zip(points, xs, values, strict=True)):
        y = y_of(v)
        body.append(_el("circle", "dot", cx=x, cy=y, r=3.5))
        if i % value_step == 0:
            body.append(_text("value", x, y - 8, _fmt(v)))
        if i % x_step == 0:
            body.append(_text("x", x, height - 6, x_label))

    return _svg(kind="line", width=width, height=height, title=title, font_size=font_size, body=body)
