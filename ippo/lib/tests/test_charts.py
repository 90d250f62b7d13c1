import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from ippo.lib.charts import _fmt, line_chart, radar_chart

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>&"'
NASTY_ESCAPED = "&lt;script&gt;&amp;&quot;"
CSF = [
    ("統治 (GV)", 72),
    ("識別 (ID)", 55.5),
    ("防御 (PR)", 40),
    ("検知 (DE)", 30),
    ("対応 (RS)", 20),
    ("復旧 (RC)", 10),
]
TREND = [("2026-01-01", 40), ("2026-02-01", 55), ("2026-03-01", 72.5), ("2026-04-01", 68)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own output, not untrusted input


def parts(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(SVG + tag) if cls in el.get("class", "").split()]


def vertices(el: ET.Element) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in el.get("points").split())]


def texts(root: ET.Element, cls: str) -> list[str]:
    return ["".join(el.itertext()) for el in parts(root, "text", cls)]


def centre_and_radius(root: ET.Element) -> tuple[tuple[float, float], float]:
    """The centre is the mean of the outer grid ring's vertices; the radius their distance from it."""
    outer = vertices(parts(root, "polygon", "ippo-chart-grid")[-1])
    cx = sum(x for x, _ in outer) / len(outer)
    cy = sum(y for _, y in outer) / len(outer)
    return (cx, cy), math.dist((cx, cy), outer[0])


def series(root: ET.Element) -> list[tuple[float, float]]:
    (polygon,) = parts(root, "polygon", "ippo-chart-series")
    return vertices(polygon)


ALL_CHARTS = {
    "radar": lambda: radar_chart(axes=CSF, label="成熟度"),
    "radar with comparison": lambda: radar_chart(axes=CSF, compare=[50] * 6),
    "line": lambda: line_chart(points=TREND, label="推移"),
    "line with one point": lambda: line_chart(points=TREND[:1]),
    "line with no points": lambda: line_chart(points=[], empty_text="データがありません"),
}


@pytest.mark.parametrize("build", ALL_CHARTS.values(), ids=ALL_CHARTS.keys())
def test_every_chart_is_one_accessible_standalone_svg(build):
    svg = build()
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == SVG + "svg"
    assert len(root.get("viewBox").split()) == 4
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root[0].tag == SVG + "title" and root[0].text == root.get("aria-label")
    assert root.get("font-family") == "Noto Sans CJK JP, Noto Sans JP, sans-serif"


@pytest.mark.parametrize("build", ALL_CHARTS.values(), ids=ALL_CHARTS.keys())
def test_no_chart_has_inline_styles_or_scripts(build):
    svg = build()
    assert "style=" not in svg and "<script" not in svg.lower()


@pytest.mark.parametrize("n", [3, 6, 12])
def test_radar_chart_value_polygon_has_one_vertex_per_axis(n):
    root = parse(radar_chart(axes=[(f"axis {i}", 50) for i in range(n)]))
    assert len(series(root)) == n
    assert all(len(vertices(ring)) == n for ring in parts(root, "polygon", "ippo-chart-grid"))
    assert len(parts(root, "line", "ippo-chart-axis")) == n


def test_radar_chart_puts_a_full_score_on_the_outer_ring_and_zero_at_the_centre():
    root = parse(radar_chart(axes=[("A", 100), ("B", 0), ("C", 50), ("D", 100)]))
    centre, radius = centre_and_radius(root)
    a, b, c, d = (math.dist(centre, v) for v in series(root))
    assert a == pytest.approx(radius, abs=0.2) and d == pytest.approx(radius, abs=0.2)
    assert b == pytest.approx(0, abs=0.2)
    assert c == pytest.approx(radius / 2, abs=0.2)


def test_radar_chart_starts_straight_up_and_goes_clockwise():
    root = parse(radar_chart(axes=[("up", 100), ("right", 100), ("down", 100), ("left", 100)]))
    (cx, cy), _ = centre_and_radius(root)
    up, right, down, left = series(root)
    assert up[0] == pytest.approx(cx, abs=0.1) and up[1] < cy
    assert right[0] > cx and right[1] == pytest.approx(cy, abs=0.1)
    assert down[1] > cy and left[0] < cx
    assert [el.get("text-anchor") for el in parts(root, "text", "ippo-chart-label")] == [
        "middle",
        "start",
        "middle",
        "end",
    ]


def test_radar_chart_prints_each_value_after_its_label():
    root = parse(radar_chart(axes=CSF))
    assert texts(root, "ippo-chart-label")[:2] == ["統治 (GV) 72", "識別 (ID) 55.5"]


def test_radar_chart_shows_a_dash_for_an_axis_not_assessed_and_draws_no_dot():
    root = parse(radar_chart(axes=[("統治 (GV)", None), ("B", 60), ("C", 60)]))
    assert texts(root, "ippo-chart-label")[0] == "統治 (GV) —"
    centre, _ = centre_and_radius(root)
    assert math.dist(centre, series(root)[0]) == pytest.approx(0, abs=0.2)
    assert len(parts(root, "circle", "ippo-chart-dot")) == 2


def test_radar_chart_clamps_values_into_range():
    root = parse(radar_chart(axes=[("A", 150), ("B", -20), ("C", 50)]))
    centre, radius = centre_and_radius(root)
    a, b, _ = (math.dist(centre, v) for v in series(root))
    assert a == pytest.approx(radius, abs=0.2) and b == pytest.approx(0, abs=0.2)
    assert texts(root, "ippo-chart-label")[:2] == ["A 100", "B 0"]


def test_radar_chart_scales_to_max_value():
    root = parse(radar_chart(axes=[("A", 5), ("B", 2.5), ("C", 0)], max_value=5))
    centre, radius = centre_and_radius(root)
    assert math.dist(centre, series(root)[1]) == pytest.approx(radius / 2, abs=0.2)


def test_radar_chart_draws_the_comparison_only_when_given():
    assert not parts(parse(radar_chart(axes=CSF)), "polygon", "ippo-chart-compare")
    root = parse(radar_chart(axes=CSF, compare=[60, None, 50, 40, 30, 20]))
    (compare,) = parts(root, "polygon", "ippo-chart-compare")
    assert len(vertices(compare)) == 6 and compare.get("stroke-dasharray")
    shapes = [el for el in root if el.tag == SVG + "polygon"]
    assert shapes.index(compare) < shapes.index(parts(root, "polygon", "ippo-chart-series")[0])


def test_radar_chart_needs_at_least_three_axes():
    with pytest.raises(ValueError, match="3 axes"):
        radar_chart(axes=[("A", 1), ("B", 2)])


def test_radar_chart_needs_one_comparison_value_per_axis():
    with pytest.raises(ValueError, match="compare"):
        radar_chart(axes=CSF, compare=[1, 2, 3])


def test_radar_chart_widens_to_fit_long_labels():
    long = "事業継続計画とサプライチェーン管理"  # 17 CJK characters
    root = parse(radar_chart(axes=[("A", 50), (long, 50), ("C", 50), (long, 50)], size=320))
    _, _, width, height = (float(n) for n in root.get("viewBox").split())
    assert height == 320 and width > 320 + 2 * 12 * len(long) * 0.9
    right, left = parts(root, "text", "ippo-chart-label")[1], parts(root, "text", "ippo-chart-label")[3]
    assert float(left.get("x")) >= 12 * len(long) and float(right.get("x")) <= width - 12 * len(long)


def test_radar_chart_escapes_labels():
    svg = radar_chart(axes=[(NASTY, 50), ("B", 50), ("C", 50)], label=NASTY)
    assert NASTY not in svg and NASTY_ESCAPED in svg
    root = parse(svg)
    assert root.get("aria-label") == NASTY and texts(root, "ippo-chart-label")[0] == f"{NASTY} 50"


def test_line_chart_escapes_labels():
    svg = line_chart(points=[(NASTY, 50), ("B", 60)], label=NASTY)
    assert NASTY not in svg and NASTY_ESCAPED in svg
    assert texts(parse(svg), "ippo-chart-x")[0] == NASTY
    empty = line_chart(points=[], empty_text=NASTY)
    assert NASTY not in empty and NASTY_ESCAPED in empty


def test_line_chart_polyline_has_one_coordinate_pair_per_point():
    root = parse(line_chart(points=TREND))
    (polyline,) = parts(root, "polyline", "ippo-chart-series")
    assert len(vertices(polyline)) == len(TREND)
    assert len(parts(root, "circle", "ippo-chart-dot")) == len(TREND)
    assert texts(root, "ippo-chart-value") == ["40", "55", "72.5", "68"]
    assert texts(root, "ippo-chart-x") == [x for x, _ in TREND]


def test_line_chart_draws_higher_values_higher_up_and_evenly_spaced():
    root = parse(line_chart(points=[("a", 10), ("b", 90), ("c", 50)]))
    (polyline,) = parts(root, "polyline", "ippo-chart-series")
    (xa, ya), (xb, yb), (xc, yc) = vertices(polyline)
    assert yb < yc < ya
    assert xb - xa == pytest.approx(xc - xb, abs=0.2)


def test_line_chart_clamps_values_onto_the_outer_grid_lines():
    root = parse(line_chart(points=[("a", -5), ("b", 250)], y_ticks=(0, 100)))
    bottom, top = (float(line.get("y1")) for line in parts(root, "line", "ippo-chart-grid"))
    (polyline,) = parts(root, "polyline", "ippo-chart-series")
    assert [y for _, y in vertices(polyline)] == [bottom, top]
    assert texts(root, "ippo-chart-value") == ["0", "100"]


def test_line_chart_draws_grid_lines_only_for_ticks_in_range():
    root = parse(line_chart(points=TREND, max_value=60, y_ticks=(0, 30, 60, 90)))
    assert texts(root, "ippo-chart-tick") == ["0", "30", "60"]


def test_line_chart_with_a_single_point_draws_one_centred_dot():
    root = parse(line_chart(points=[("2026-06-01", 50)]))
    assert not parts(root, "polyline", "ippo-chart-series")
    (dot,) = parts(root, "circle", "ippo-chart-dot")
    grid = parts(root, "line", "ippo-chart-grid")[0]
    assert float(dot.get("cx")) == pytest.approx((float(grid.get("x1")) + float(grid.get("x2"))) / 2, abs=0.1)
    assert texts(root, "ippo-chart-value") == ["50"]


def test_line_chart_with_no_points_shows_the_empty_text_in_the_middle():
    root = parse(line_chart(points=[], width=400, empty_text="データがありません"))
    (text,) = parts(root, "text", "ippo-chart-empty")
    assert text.text == "データがありません" and text.get("x") == "200"
    assert text.get("text-anchor") == "middle"
    assert not parts(root, "circle", "ippo-chart-dot")


def test_line_chart_prints_fewer_x_labels_when_crowded():
    points = [(f"2026-{m:02d}-01", m) for m in range(1, 13)] * 3
    root = parse(line_chart(points=points, width=400))
    assert len(parts(root, "circle", "ippo-chart-dot")) == 36
    assert 1 < len(texts(root, "ippo-chart-x")) < 36


def test_charts_are_deterministic():
    assert radar_chart(axes=CSF, compare=[1, 2, 3, 4, 5, 6]) == radar_chart(
        axes=CSF, compare=[1, 2, 3, 4, 5, 6]
    )
    assert line_chart(points=TREND) == line_chart(points=TREND)


def test_numbers_in_charts_have_at_most_one_decimal():
    svg = radar_chart(axes=[("A", 33.333), ("B", 66.666), ("C", 12.345)]) + line_chart(points=[("a", 1 / 3)])
    assert not re.search(r"\d\.\d\d", svg)
    assert "33.3" in svg and ">0.3<" in svg


def test_charts_reject_nan_and_a_non_positive_max_value():
    with pytest.raises(ValueError, match="NaN"):
        line_chart(points=[("a", math.nan)])
    with pytest.raises(ValueError, match="max_value"):
        radar_chart(axes=CSF, max_value=0)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (72, "72"),
        (72.0, "72"),
        (72.5, "72.5"),
        (72.46, "72.5"),
        (-3, "-3"),
        (0, "0"),
        (-0.04, "0"),
        (0.05001, "0.1"),
    ],
)
def test_fmt_keeps_at_most_one_decimal_and_drops_a_trailing_zero(n, text):
    assert _fmt(n) == text
