"""Daily attainment series from store frames, against hand-worked answers and a naive reference."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvement_repo import hourly_probes, pauses_frame, tickets_frame, ts, write_repo
from slactl.improvement.periods import PeriodError, before, containing, parse_span, shift
from slactl.improvement.series import (
    Frames,
    SeriesError,
    aggregate,
    credit_percent,
    daily_values,
    resolve,
    union_length,
    weighted_union,
)
from slactl.loader import load_repository
from slactl.model.agreement import CreditTier


@pytest.fixture
def load(tmp_path: Path):  # noqa: ANN201
    return load_repository(write_repo(tmp_path))


intervals = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 40), st.sampled_from([0.25, 0.5, 1.0])),
                     max_size=12)


@settings(max_examples=150, deadline=None)
@given(intervals)
def test_union_and_weighted_union_match_second_by_second(items: list[tuple[int, int, float]]) -> None:
    covered = np.zeros(260)
    for start, length, weight in items:
        covered[start:start + length] = np.maximum(covered[start:start + length], weight)
    starts = np.array([s for s, _, _ in items], dtype=float)
    ends = np.array([s + n for s, n, _ in items], dtype=float)
    weights = np.array([w for _, _, w in items], dtype=float)
    assert union_length(starts, ends) == pytest.approx(float((covered > 0).sum()))
    assert weighted_union(starts, ends, weights) == pytest.approx(float(covered.sum()))


def test_probe_days_down_wins_and_coverage(load) -> None:  # noqa: ANN001
    probes = hourly_probes(date(2026, 7, 1), date(2026, 7, 2), {date(2026, 7, 1): 6})
    # a conflicting up sample at 03:00 on the 1st must not hide the down one
    probes = pd.concat([probes, pd.DataFrame({"time": [ts("2026-07-01T03:00")], "service": ["payments-api"],
                                              "up": [True]})], ignore_index=True)
    values = daily_values(load, "payments-gold/availability", Frames({"probes": probes}),
                          date(2026, 7, 1), date(2026, 7, 3))
    assert [v.attained for v in values] == [pytest.approx(75.0), 100.0, None]  # 18 of 24 hours; no data on the 3rd
    assert values[0].total == 86400
    assert aggregate(values) == pytest.approx(100 * (18 + 24) / 48)


def test_outage_days_impact_and_overlap(load) -> None:  # noqa: ANN001
    outages = pd.DataFrame({
        "service": ["reporting", "reporting", "reporting"],
        "start": [ts("2026-07-01T00:00"), ts("2026-07-01T01:00"), ts("2026-07-01T23:00")],
        "end": [ts("2026-07-01T02:00"), ts("2026-07-01T03:00"), ts("2026-07-02T01:00")],
        "impact": [1.0, 0.5, 1.0],
    })
    values = daily_values(load, "reporting-std/availability", Frames({"outages": outages}),
                          date(2026, 7, 1), date(2026, 7, 2))
    # day 1: 00-02 full, 02-03 half, 23-24 full = 3.5h down; day 2: 00-01 full
    assert values[0].total - values[0].good == pytest.approx(3.5 * 3600)
    assert values[1].total - values[1].good == pytest.approx(3600)


def test_ticket_days_with_pauses_and_filter(load) -> None:  # noqa: ANN001
    tickets = tickets_frame([
        {"id": "T1", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-07-01T08:00"),
         "resolved_at": ts("2026-07-01T13:00")},  # 5h, 2h paused -> 3h within 4h
        {"id": "T2", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-07-01T08:00"),
         "resolved_at": ts("2026-07-01T13:00")},  # 5h -> breached
        {"id": "T3", "service": "payments-api", "priority": "P2", "opened_at": ts("2026-07-01T08:00"),
         "resolved_at": ts("2026-07-01T20:00")},  # other priority: filtered out
        {"id": "T4", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-07-01T08:00")},  # open
    ])
    pauses = pauses_frame([
        {"ticket_id": "T1", "state": "awaiting-customer", "start": ts("2026-07-01T09:00"), "end": ts("2026-07-01T11:00")},
        {"ticket_id": "T2", "state": "in-progress", "start": ts("2026-07-01T09:00"), "end": ts("2026-07-01T11:00")},
    ])
    values = daily_values(load, "payments-gold/p1-resolution", Frames({"tickets": tickets, "pauses": pauses}),
                          date(2026, 7, 1), date(2026, 7, 1))
    assert (values[0].good, values[0].total) == (1, 2)


def test_supporting_objective_inherits_source_and_threshold(load) -> None:  # noqa: ANN001
    refs = resolve(load, "db-ola/db-p1-resolution")
    assert (refs.objective.source, refs.objective.threshold, refs.objective.target) == ("tickets", 4 * 3600, 95)
    assert refs.objective.id == "db-p1-resolution"


def test_unmeasurable_objective(load) -> None:  # noqa: ANN001
    with pytest.raises(SeriesError, match="no objective 'nope'"):
        daily_values(load, "payments-gold/nope", Frames({}), date(2026, 7, 1), date(2026, 7, 1))
    with pytest.raises(SeriesError, match="no agreement"):
        daily_values(load, "ghost/availability", Frames({}), date(2026, 7, 1), date(2026, 7, 1))


def test_credit_percent_lowest_tier_wins() -> None:
    tiers = [CreditTier(below=99.9, credit=10), CreditTier(below=99.0, credit=25), CreditTier(below=95.0, credit=100)]
    assert credit_percent(99.95, tiers) == 0
    assert credit_percent(99.5, tiers) == 10
    assert credit_percent(96.0, tiers) == 25
    assert credit_percent(90.0, tiers, cap=50) == 50
    assert credit_percent(None, tiers) is None


def test_periods() -> None:
    q = parse_span("2026-Q4")
    assert (q.first, q.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert [s.label for s in before(parse_span("2026-02"), 3)] == ["2025-11", "2025-12", "2026-01"]
    assert shift(q, 1).label == "2027-Q1"
    assert containing(date(2026, 7, 15)).label == "2026-07"
    with pytest.raises(PeriodError, match="2026-Q4"):
        parse_span("October")


samples = st.lists(st.tuples(st.integers(0, 2 * 1440 + 30), st.booleans()), max_size=25)


@pytest.fixture(scope="module")
def load_10m(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    root = write_repo(tmp_path_factory.mktemp("probes10m"))
    text = (root / "sources.yaml").read_text().replace("interval: 1h", "interval: 10m")
    (root / "sources.yaml").write_text(text)
    return load_repository(root)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=samples)
def test_probe_days_match_minute_by_minute_reference(load_10m, rows: list[tuple[int, bool]]) -> None:  # noqa: ANN001
    """Probes with a 10 minute interval, at whole minutes from 2026-07-01; checked minute by minute."""
    load = load_10m
    start = ts("2026-07-01T00:00")
    frame = pd.DataFrame({"time": [start + pd.Timedelta(minutes=m) for m, _ in rows],
                          "service": "payments-api", "up": [up for _, up in rows]})
    values = daily_values(load, "payments-gold/availability", Frames({"probes": frame}),
                          date(2026, 7, 1), date(2026, 7, 2))
    known = np.zeros(2 * 1440, dtype=bool)
    down = np.zeros(2 * 1440, dtype=bool)
    for minute, up in rows:
        span = slice(minute, min(minute + 10, 2 * 1440))
        known[span] = True
        if not up:
            down[span] = True
    for n, value in enumerate(values):
        day = slice(n * 1440, (n + 1) * 1440)
        assert value.total == pytest.approx(60.0 * known[day].sum())
        assert value.total - value.good == pytest.approx(60.0 * down[day].sum())


def test_days_are_local_days_of_the_agreement_calendar(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    (root / "london.yaml").write_text(
        "apiVersion: slactl/v1\nkind: Calendar\nmetadata: {id: london}\nspec: {timezone: Europe/London}\n"
        "---\napiVersion: slactl/v1\nkind: SLA\nmetadata: {id: london-sla}\nspec:\n  level: service\n"
        "  services: [payments-api]\n  status: active\n  version: 1\n  effective: 2026-01-01\n  calendar: london\n"
        "  objectives:\n    - {id: availability, indicator: availability, source: probes, target: 99}\n",
        encoding="utf-8",
    )
    load = load_repository(root)
    # one hour down at 23:00 UTC on 30 June: 00:00 on 1 July in London (BST, UTC+1)
    probes = hourly_probes(date(2026, 6, 30), date(2026, 7, 1), {})
    probes.loc[probes["time"] == ts("2026-06-30T23:00"), "up"] = False
    values = daily_values(load, "london-sla/availability", Frames({"probes": probes}), date(2026, 6, 30),
                          date(2026, 7, 1))
    assert values[0].total - values[0].good == 0
    assert values[1].total - values[1].good == 3600
    assert values[0].total == 23 * 3600  # 30 June London time starts at 23:00 UTC on the 29th: no sample
