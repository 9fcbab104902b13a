"""Property tests: the vectorised engine agrees with the naive minute-by-minute reference."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.compliance_helpers import compute, service, source
from tests.reference import (
    WEEKDAYS,
    NaiveCalendar,
    availability,
    month_minutes,
    ticket_elapsed,
    weekly_occurrences,
)

MONTHS = [(2026, 3), (2026, 10), (2026, 11)]  # DST changes: US 8 Mar, EU 29 Mar, EU 25 Oct, US 1 Nov
ZONES = ["UTC", "Europe/London", "America/New_York"]
# Interval boundaries avoid 01:00-03:00, where DST makes wall times ambiguous or absent;
# a hand-worked test covers the gap itself.
BOUNDARIES = [0] + list(range(180, 1441, 30))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def day_hours(draw):
    count = draw(st.integers(0, 2))
    points = sorted(draw(st.lists(st.sampled_from(BOUNDARIES), min_size=2 * count, max_size=2 * count, unique=True)))
    return [(points[i], points[i + 1]) for i in range(0, len(points), 2)]


@st.composite
def scenario(draw):
    year, month = draw(st.sampled_from(MONTHS))
    zone = draw(st.sampled_from(ZONES))
    business = draw(st.booleans())
    hours = {day: draw(day_hours()) for day in WEEKDAYS} if business else None
    days_in_month = (date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days
    holidays = draw(st.sets(st.integers(1, days_in_month), max_size=3))
    maint = draw(st.lists(st.tuples(st.sampled_from(WEEKDAYS), st.integers(0, 95).map(lambda q: q * 15),
                                    st.integers(1, 16).map(lambda q: q * 15)), max_size=2))
    start, end = month_minutes(year, month, zone)
    span = end - start
    exclusions = draw(st.lists(st.tuples(st.integers(0, span), st.integers(1, 3000)), max_size=2))
    kind = draw(st.sampled_from(["probes", "outages"]))
    gaps = draw(st.lists(st.tuples(st.integers(0, span), st.integers(1, 4000)), max_size=3))
    downs = draw(st.lists(st.tuples(st.integers(0, span), st.integers(1, 600)), max_size=4))
    impacts = draw(st.lists(st.sampled_from([0.25, 0.5, 1.0]), min_size=4, max_size=4))
    return dict(year=year, month=month, zone=zone, hours=hours, holidays=holidays, maint=maint,
                exclusions=exclusions, kind=kind, gaps=gaps, downs=downs, impacts=impacts)


def _yaml_minutes(minutes: int) -> str:
    return f'"{minutes // 60:02d}:{minutes % 60:02d}"'


def _iso(minute: int) -> str:
    return datetime.fromtimestamp(minute * 60, tz=timezone.utc).isoformat()


@SETTINGS
@given(scenario())
def test_availability_matches_naive_reference(s):
    zone = s["zone"]
    start, end = month_minutes(s["year"], s["month"], zone)
    holidays = {date(s["year"], s["month"], d) for d in s["holidays"]}
    lines = [f"apiVersion: slactl/v1\nkind: Calendar\nmetadata: {{id: cal}}\nspec:\n  timezone: {zone}"]
    if s["hours"] is not None:
        lines.append("  hours:")
        for day, intervals in s["hours"].items():
            text = ", ".join(f'"{b // 60:02d}:{b % 60:02d}-{e // 60:02d}:{e % 60:02d}"' for b, e in intervals)
            lines.append(f"    {day}: [{text}]")
    if holidays:
        lines.append("  holidays: [" + ", ".join(d.isoformat() for d in sorted(holidays)) + "]")
    cal_yaml = "\n".join(lines) + "\n"
    maint_yaml = "".join(
        f"    - {{id: m{i}, every: week, on: {day}, at: {_yaml_minutes(at)}, duration: {dur}m}}\n"
        for i, (day, at, dur) in enumerate(s["maint"])
    )
    excl = [(start + off, start + off + length) for off, length in s["exclusions"]]
    excl_yaml = "".join(
        f'    - {{id: x{i}, start: "{_iso(lo)}", end: "{_iso(hi)}"}}\n' for i, (lo, hi) in enumerate(excl)
    )
    sla_yaml = (
        "apiVersion: slactl/v1\nkind: SLA\nmetadata: {id: a}\nspec:\n  level: service\n  services: [svc]\n"
        "  status: active\n  version: 1\n  effective: 2026-01-01\n  calendar: cal\n"
        + ("  maintenance:\n" + maint_yaml if maint_yaml else "")
        + ("  exclusions:\n" + excl_yaml if excl_yaml else "")
        + "  objectives:\n    - {id: av, indicator: availability, source: data, target: 99, min_coverage: 0}\n"
    )
    # data
    samples = outage_rows = None
    if s["kind"] == "probes":
        gap = set()
        for off, length in s["gaps"]:
            gap.update(range(start + off, start + off + length))
        down = set()
        for off, length in s["downs"]:
            down.update(range(start + off, start + off + length))
        samples = [(m, m not in down) for m in range(start - 5, end, 5) if m not in gap]
        samples += [(m, False) for m in sorted(down)[:3] if m % 5 == 0 and m not in gap]  # conflicting duplicates
        frame = pd.DataFrame({"time": pd.to_datetime([m * 60 for m, _ in samples], unit="s", utc=True),
                              "service": "svc", "up": [u for _, u in samples]})
        src = source("data", "probes", "interval: 5m")
    else:
        outage_rows = [(start + off, start + off + length, s["impacts"][i % 4]) for i, (off, length) in enumerate(s["downs"])]
        frame = pd.DataFrame({"service": "svc",
                              "start": pd.to_datetime([o[0] * 60 for o in outage_rows], unit="s", utc=True),
                              "end": pd.to_datetime([o[1] * 60 for o in outage_rows], unit="s", utc=True),
                              "impact": [o[2] for o in outage_rows]})
        src = source("data", "outages")
    report = compute([cal_yaml, service("svc"), src, sla_yaml], {"data": frame}, f"{s['year']}-{s['month']:02d}")
    (r,) = report.results

    calendar = NaiveCalendar(zone, s["hours"], holidays)
    first = date(s["year"], s["month"], 1) - timedelta(days=2)
    last = date(s["year"], s["month"], 1) + timedelta(days=32)
    ranges = list(excl)
    for day, at, dur in s["maint"]:
        ranges += weekly_occurrences(zone, day, at, dur, first, last)
    expected = availability((start, end), calendar, ranges, samples, 5, outage_rows)
    assert r.eligible_seconds == expected["eligible"] * 60
    assert r.excluded_seconds == expected["excluded"] * 60
    assert r.known_seconds == expected["known"] * 60
    assert r.bad_seconds == expected["bad"] * 60 or abs(r.bad_seconds - expected["bad"] * 60) < 1e-6


@st.composite
def ticket_scenario(draw):
    zone = draw(st.sampled_from(ZONES))
    year, month = draw(st.sampled_from(MONTHS))
    start, end = month_minutes(year, month, zone)
    tickets = []
    for i in range(draw(st.integers(1, 5))):
        opened = draw(st.integers(end - 6 * 1440, end - 10))
        length = draw(st.integers(1, 4 * 1440))
        resolved = opened + length if draw(st.booleans()) else None
        pauses = draw(st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 1500)), max_size=2))
        tickets.append((f"T{i}", opened, resolved, [(opened + a, opened + a + b) for a, b in pauses]))
    hours = {day: [(540, 1020)] for day in WEEKDAYS[:5]}
    threshold = draw(st.integers(1, 48)) * 30
    business = draw(st.booleans())
    exclusions = draw(st.lists(st.tuples(st.integers(end - 4 * 1440, end), st.integers(1, 600)), max_size=1))
    return dict(zone=zone, year=year, month=month, start=start, end=end, tickets=tickets, hours=hours,
                threshold=threshold, business=business, exclusions=[(a, a + b) for a, b in exclusions])


@SETTINGS
@given(ticket_scenario())
def test_ticket_clocks_match_naive_reference(s):
    zone = s["zone"]
    cal_yaml = (f"apiVersion: slactl/v1\nkind: Calendar\nmetadata: {{id: cal}}\nspec:\n  timezone: {zone}\n  hours:\n"
                + "".join(f'    {d}: ["09:00-17:00"]\n' for d in WEEKDAYS[:5]))
    excl_yaml = "".join(f'    - {{id: x{i}, start: "{_iso(a)}", end: "{_iso(b)}"}}\n' for i, (a, b) in enumerate(s["exclusions"]))
    sla_yaml = (
        "apiVersion: slactl/v1\nkind: SLA\nmetadata: {id: a}\nspec:\n  level: service\n  services: [svc]\n"
        "  status: active\n  version: 1\n  effective: 2026-01-01\n  calendar: cal\n"
        + ("  exclusions:\n" + excl_yaml if excl_yaml else "")
        + "  objectives:\n"
        f"    - {{id: t, indicator: resolution_time, source: tickets, threshold: {s['threshold']}m, target: 50,"
        f" clock: {'business' if s['business'] else 'wall'}, pause_states: [hold]}}\n"
    )
    tickets = pd.DataFrame({
        "id": [t[0] for t in s["tickets"]], "service": "svc", "priority": "P1",
        "opened_at": pd.to_datetime([t[1] * 60 for t in s["tickets"]], unit="s", utc=True),
        "responded_at": pd.NaT,
        "resolved_at": pd.to_datetime([t[2] * 60 if t[2] else None for t in s["tickets"]], unit="s", utc=True),
    })
    pause_rows = [(t[0], lo, hi) for t in s["tickets"] for lo, hi in t[3]]
    pauses = pd.DataFrame({
        "ticket_id": [p[0] for p in pause_rows], "state": "hold",
        "start": pd.to_datetime([p[1] * 60 for p in pause_rows], unit="s", utc=True),
        "end": pd.to_datetime([p[2] * 60 for p in pause_rows], unit="s", utc=True),
    })
    docs = [cal_yaml, service("svc"), source("tickets", "tickets", "pauses: history"), source("history", "pauses"), sla_yaml]
    (r,) = compute(docs, {"tickets": tickets, "history": pauses}, f"{s['year']}-{s['month']:02d}").results

    clock = NaiveCalendar(zone, s["hours"]) if s["business"] else None
    ps, pe, thr = s["start"], s["end"], s["threshold"]
    counted = within = 0
    for _, opened, resolved, paused in s["tickets"]:
        if resolved is not None and resolved >= pe:
            resolved = None if resolved > pe else resolved

        def elapsed(at, opened=opened, paused=paused):
            return ticket_elapsed(opened, at, clock, paused, s["exclusions"]) if at > opened else 0

        breached_before = opened < ps and (resolved is None or resolved > ps) and elapsed(ps) > thr
        if breached_before:
            continue
        if resolved is not None and ps <= resolved < pe:
            counted += 1
            within += elapsed(resolved) <= thr
        elif opened < pe and (resolved is None or resolved > pe) and elapsed(pe) > thr:
            counted += 1
    assert (r.counted or 0, r.within or 0) == (counted, within)
