"""Daily attainment series from store frames, against hand-worked answers and a naive reference."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvement_repo import hourly_probes, pauses_frame, tickets_frame, ts, write_repo
from slactl.compliance.engine import Computation, evaluate_window
from slactl.improvement.periods import PeriodError, before, containing, parse_span, shift
from slactl.improvement.series import Frames, SeriesError, aggregate, daily_values, period_results, resolve
from slactl.loader import load_repository


@pytest.fixture
def load(tmp_path: Path):  # noqa: ANN201
    return load_repository(write_repo(tmp_path))


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
        {"id": "T4", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-07-01T08:00")},
        # T4 is still open at the end of the day: 08:00 -> 24:00 is 16h wall clock > 4h, so SPEC 3.3 counts it,
        # breached, in this day (and in no later one)
    ])
    pauses = pauses_frame([
        {"ticket_id": "T1", "state": "awaiting-customer", "start": ts("2026-07-01T09:00"), "end": ts("2026-07-01T11:00")},
        {"ticket_id": "T2", "state": "in-progress", "start": ts("2026-07-01T09:00"), "end": ts("2026-07-01T11:00")},
    ])
    values = daily_values(load, "payments-gold/p1-resolution", Frames({"tickets": tickets, "pauses": pauses}),
                          date(2026, 7, 1), date(2026, 7, 1))
    # counted: T1 (within), T2 (breached), T4 (open past its threshold) = 3; within: T1 = 1
    assert (values[0].good, values[0].total) == (1, 3)


def test_supporting_objective_inherits_as_the_engine_does(load) -> None:  # noqa: ANN001
    refs = resolve(load, "db-ola/db-availability")
    assert (refs.objective.source, refs.objective.target) == ("probes", 99.5)
    # db-p1-resolution states only `supports` and a target: it inherits everything else it does not
    # state (indicator, source, threshold, filter) from the SLA objective, as `slactl compliance` does
    inherited = resolve(load, "db-ola/db-p1-resolution").objective
    assert inherited.indicator is not None and inherited.source is not None
    found = {r.objective: r for r in period_results(load, Frames({}), "2026-07")}
    assert found["db-p1-resolution"].status == "insufficient_data"  # no ticket data in Frames({})
    assert (found["db-p1-resolution"].indicator, found["db-p1-resolution"].threshold_seconds) == ("resolution_time", 14400)


OFFICE = """\
apiVersion: slactl/v1
kind: Calendar
metadata: {id: office}
spec:
  timezone: UTC
  hours: {mon: ["08:00-18:00"], tue: ["08:00-18:00"], wed: ["08:00-18:00"], thu: ["08:00-18:00"],
          fri: ["08:00-18:00"]}
---
apiVersion: slactl/v1
kind: SLA
metadata: {id: office-sla}
spec:
  level: service
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  calendar: office
  maintenance:
    - {id: lunch-patch, every: day, at: "12:00", duration: 1h}
  exclusions:
    - {id: power-cut, start: 2026-07-01T09:00:00Z, end: 2026-07-01T10:00:00Z, reason: grid failure}
  objectives:
    - {id: availability, indicator: availability, source: probes, target: 99}
    - {id: resolution, indicator: resolution_time, source: tickets, threshold: 4h, target: 90, clock: business,
       pause_states: [awaiting-customer]}
"""


class StoreLikeFrames(Frames):
    """Frames read as the store reads them: only the rows that may matter for [start, end)."""

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
        frame = super().read(source_id)
        if frame.empty or start is None or end is None:
            return frame
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        if source_id == "probes":
            return frame[(frame["time"] >= lo) & (frame["time"] < hi)]
        first, last = {"tickets": ("opened_at", "resolved_at"), "pauses": ("start", "end")}[source_id]
        return frame[(frame[first] < hi) & (frame[last].isna() | (frame[last] >= lo))]


@pytest.fixture
def office(tmp_path: Path):  # noqa: ANN201
    root = write_repo(tmp_path)
    (root / "office.yaml").write_text(OFFICE, encoding="utf-8")
    return load_repository(root)


def test_days_keep_service_hours_maintenance_and_exclusions(office) -> None:  # noqa: ANN001
    probes = hourly_probes(date(2026, 7, 1), date(2026, 7, 4), {date(2026, 7, 1): 10})  # down 00:00-10:00 on the 1st
    values = daily_values(office, "office-sla/availability", Frames({"probes": probes}), date(2026, 7, 1),
                          date(2026, 7, 4))
    # Wed 1 July: service 08-18 (10h) less maintenance 12-13 and the exclusion 09-10 = 8h eligible, all probed;
    # down 00-10 of which eligible 08-09 = 1h -> good 7h of 8h
    assert (values[0].good, values[0].total) == (7 * 3600, 8 * 3600)
    # Thu 2 July: 10h less maintenance 1h = 9h, all up
    assert (values[1].good, values[1].total) == (9 * 3600, 9 * 3600)
    # Sat 4 July: no service hours, no figure
    assert values[3].total == 0 and values[3].attained is None
    assert aggregate(values[:2]) == pytest.approx(100 * 16 / 17)


def test_day_series_sum_to_the_compliance_figures(office) -> None:  # noqa: ANN001
    probes = hourly_probes(date(2026, 6, 28), date(2026, 8, 2), {date(2026, 7, d): d % 7 + 6 for d in range(1, 32)})
    tickets = tickets_frame([
        # business clock 08-18 Mon-Fri: opened Tue 30 June 17:00, 1h that day, resolved Wed 1 July 11:00 (08-11
        # less the 09-10 exclusion, which stops the clock = 2h) = 3h within 4h: counts on 1 July
        {"id": "A", "service": "payments-api", "opened_at": ts("2026-06-30T17:00"), "resolved_at": ts("2026-07-01T11:00")},
        # opened Thu 2 July 09:00, never resolved: past 4h at 13:00 (12-13 maintenance does not stop tickets):
        # counted, breached, on 2 July only
        {"id": "B", "service": "payments-api", "opened_at": ts("2026-07-02T09:00")},
        # opened Fri 3 July 16:00, resolved Mon 6 July 09:00: 2h + 1h = 3h within: counts on 6 July
        {"id": "C", "service": "payments-api", "opened_at": ts("2026-07-03T16:00"), "resolved_at": ts("2026-07-06T09:00")},
        # opened Mon 15 June 08:00, paused 09:00 to Fri 26 June 17:00 and 18:00 to Wed 1 July 08:00, resolved
        # 1 July 08:30: 1h + 1h + 0.5h = 2.5h within: counts on 1 July. The first pause ends long before the
        # days asked for: it must still be read, or the ticket would have breached in June and not count at all
        {"id": "D", "service": "payments-api", "opened_at": ts("2026-06-15T08:00"), "resolved_at": ts("2026-07-01T08:30")},
    ])
    pauses = pauses_frame([
        {"ticket_id": "D", "state": "awaiting-customer", "start": ts("2026-06-15T09:00"), "end": ts("2026-06-26T17:00")},
        {"ticket_id": "D", "state": "awaiting-customer", "start": ts("2026-06-26T18:00"), "end": ts("2026-07-01T08:00")},
    ])
    frames = StoreLikeFrames({"probes": probes, "tickets": tickets, "pauses": pauses})
    month = {r.objective: r for r in period_results(office, frames, "2026-07") if r.agreement == "office-sla"}
    days = daily_values(office, "office-sla/availability", frames, date(2026, 7, 1), date(2026, 7, 31))
    assert sum(v.total for v in days) == pytest.approx(month["availability"].known_seconds)
    assert aggregate(days) == pytest.approx(month["availability"].attained)
    tickets_days = daily_values(office, "office-sla/resolution", frames, date(2026, 7, 1), date(2026, 7, 31))
    by_day = {v.day.day: (v.good, v.total) for v in tickets_days if v.total}
    assert by_day == {1: (2, 2), 2: (0, 1), 6: (1, 1)}
    assert (month["resolution"].within, month["resolution"].counted) == (3, 4)
    # each day is exactly the engine's window over that day, read straight from the frames
    doc = office.get("SLA", "office-sla")
    for name, values in (("availability", days[:5]), ("resolution", tickets_days[:8])):
        objective = next(o for o in doc.model.spec.objectives if o.id == name)
        for value in values:
            start = datetime.combine(value.day, time(0), tzinfo=UTC)
            direct = evaluate_window(Computation(result=office, store=frames), doc, objective, start,
                                     start + timedelta(days=1))
            if name == "availability":
                assert (value.good, value.total) == (direct.known_seconds - direct.bad_seconds, direct.known_seconds)
            else:
                assert (value.good, value.total) == (direct.within or 0, direct.counted or 0)


def test_unmeasurable_objective(load) -> None:  # noqa: ANN001
    with pytest.raises(SeriesError, match="no objective 'nope'"):
        daily_values(load, "payments-gold/nope", Frames({}), date(2026, 7, 1), date(2026, 7, 1))
    with pytest.raises(SeriesError, match="no agreement"):
        daily_values(load, "ghost/availability", Frames({}), date(2026, 7, 1), date(2026, 7, 1))


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
