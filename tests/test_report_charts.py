"""Inline SVG charts: accessible, escaped, well-formed, and drawing what they say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from slactl.report import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_trend_chart_is_accessible_and_marks_status_by_shape() -> None:
    svg = charts.trend_chart(
        [("2026-08", 99.95, "met"), ("2026-09", 99.92, "at_risk"), ("2026-10", 99.85, "breached")],
        99.9, warning=99.93, title="Attainment of a/b", chart_id="c-x",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-x-t c-x-d"
    assert root.find(f"{SVG}title").text == "Attainment of a/b"
    desc = root.find(f"{SVG}desc").text
    assert "2026-10: 99.85% (breached)" in desc and "target 99.9%" in desc
    assert root.find(f".//{SVG}circle") is not None  # met
    assert len(root.findall(f".//{SVG}path")) == 2  # at-risk triangle and breach cross
    assert any(line.get("class") == "target-line" for line in root.iter(f"{SVG}line"))


def test_trend_chart_escapes_text() -> None:
    svg = charts.trend_chart([("<b>&", 99.0, "met")], 98.0, title='<script>"x"</script>', chart_id="c-y")
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>"x"</script>'


def test_trend_chart_with_gaps_and_no_data() -> None:
    svg = charts.trend_chart([("a", None, "insufficient_data"), ("b", 99.0, "met"), ("c", None, "met")],
                             None, title="t", chart_id="c-z")
    parse(svg)
    assert "no data" in svg
    parse(charts.trend_chart([], None, title="t", chart_id="c-empty"))


def test_burndown_ends_at_the_remaining_budget() -> None:
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    svg = charts.burndown_chart(start, end, 2653.2, [(datetime(2026, 10, 5, tzinfo=UTC), 1260.0)],
                                title="budget", chart_id="c-b")
    root = parse(svg)
    assert "52.5% of the budget left" in root.find(f"{SVG}desc").text
    overspent = charts.burndown_chart(start, end, 100.0, [(start, 150.0)], title="b", chart_id="c-o")
    assert "-50.0% of the budget left" in overspent


def test_histogram_counts_tickets_past_the_threshold() -> None:
    svg = charts.histogram_chart([3600, 7200, 18000, 20000], 14400, title="tickets", chart_id="c-h")
    root = parse(svg)
    assert "4 tickets; 2 within the threshold of 4 hours, 2 past it." in root.find(f"{SVG}desc").text
    assert any(line.get("class") == "threshold-line" for line in root.iter(f"{SVG}line"))


def test_percentile_chart_says_which_percentiles_are_past() -> None:
    svg = charts.percentile_chart([("p50", 1.0), ("p95", 3.5), ("p99", 6.0)], 4.0, title="p", chart_id="c-p")
    desc = parse(svg).find(f"{SVG}desc").text
    assert "p99 6 hours (past the threshold)" in desc and "p95 3.5 hours (within the threshold)" in desc


def test_svg_ids_are_safe() -> None:
    assert charts.svg_id("trend", 'a/b"<x>') == "c-trend-a_b_x_"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 100)), max_size=8), st.one_of(st.none(), st.floats(0, 100)))
def test_any_trend_is_well_formed(values: list[float | None], target: float | None) -> None:
    points = [(f"p{i}", v, "met" if v is not None else "insufficient_data") for i, v in enumerate(values)]
    root = parse(charts.trend_chart(points, target, title="t", chart_id="c-h"))
    assert root.get("role") == "img"
    parse(charts.sparkline(values, target, label="s", chart_id="c-s"))


def test_nice_ticks_are_round() -> None:
    assert charts.nice_ticks(99.8, 100.0) == (99.8, 100.0, 0.05)
    low, high, step = charts.nice_ticks(95.0, 95.0)
    assert low <= 95.0 <= high and step > 0


def test_burndown_axis_names_the_first_and_last_day_in_the_agreement_s_zone() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from slactl.report import charts

    start, end = datetime(2026, 9, 30, 23, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC)  # October in London
    svg = charts.burndown_chart(start, end, 2653.2, [], title="t", chart_id="c", zone=ZoneInfo("Europe/London"))
    assert ">01 Oct</text>" in svg and ">31 Oct</text>" in svg and "30 Sep" not in svg
