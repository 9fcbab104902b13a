"""Hand-worked compliance cases: the arithmetic of each expected figure is written beside it."""

from __future__ import annotations

import pytest
from tests.compliance_helpers import calendar, compute, outages, pauses, probes, service, sla, source, tickets

LONDON_24X7 = calendar("london-24x7", "Europe/London")
SUNDAY_PATCHING = """
calendar: london-24x7
maintenance:
  - {id: sunday-patching, every: week, on: sun, at: "02:00", duration: 2h}
"""


def test_spec_example_october_london_with_sunday_maintenance():
    # October 2026 in Europe/London: 31 days x 24h + 1h (clocks go back on 25 Oct) = 745 h = 2,682,000 s.
    # Four Sundays (4, 11, 18, 25) x 2 h maintenance = 28,800 s excluded -> eligible 2,653,200 s.
    # One outage of 21 minutes = 1,260 s outside maintenance.
    docs = [
        LONDON_24X7, service("svc"), source("outages", "outages"),
        sla("payments-gold", "- {id: availability, indicator: availability, source: outages, target: 99.9}",
            extra=SUNDAY_PATCHING),
    ]
    data = {"outages": outages([("svc", "2026-10-14T10:00:00Z", "2026-10-14T10:21:00Z", 1.0)])}
    report = compute(docs, data, "2026-10")
    (r,) = report.results
    assert r.eligible_seconds == 2_653_200
    assert r.excluded_seconds == 28_800
    assert r.bad_seconds == 1260
    assert r.attained == pytest.approx(100 * (2_653_200 - 1260) / 2_653_200)  # 99.952510...
    assert r.status == "met"
    assert r.coverage == 1.0
    assert r.error_budget.unit == "seconds"
    assert r.error_budget.total == pytest.approx(2653.2)  # 0.1% of 2,653,200 s
    assert r.error_budget.consumed == 1260
    assert r.error_budget.remaining_ratio == pytest.approx((2653.2 - 1260) / 2653.2)  # 0.52510
    assert r.credit_percent == 0 and r.review_required is False
    assert report.agreements[0].credit_percent == 0


def test_outage_straddling_maintenance_counts_only_outside_it():
    # Outage Sun 2026-10-11 00:30-03:30 local (BST = UTC+1): 23:30Z-02:30Z.
    # Maintenance 02:00-04:00 local = 01:00Z-03:00Z. Outside maintenance: 23:30Z-01:00Z = 90 min = 5,400 s.
    docs = [LONDON_24X7, service("svc"), source("outages", "outages"),
            sla("a", "- {id: availability, indicator: availability, source: outages, target: 99.9}", extra=SUNDAY_PATCHING)]
    data = {"outages": outages([("svc", "2026-10-10T23:30:00Z", "2026-10-11T02:30:00Z", 1.0)])}
    (r,) = compute(docs, data, "2026-10").results
    assert r.bad_seconds == 5400
    assert r.status == "breached"  # 5,400 s > 2,653.2 s of budget
    assert r.error_budget.remaining_ratio < 0


def test_dst_month_business_hours_and_holiday():
    # Business hours 08:00-18:00 Mon-Fri in Europe/London, holiday Mon 26 Oct 2026.
    # October 2026 has 22 weekdays; less the holiday: 21 days x 10 h = 210 h = 756,000 s,
    # 10 real hours on both sides of the 25 Oct change.
    cal = calendar("uk", "Europe/London", hours="""
mon: ["08:00-18:00"]
tue: ["08:00-18:00"]
wed: ["08:00-18:00"]
thu: ["08:00-18:00"]
fri: ["08:00-18:00"]
""", holidays="2026-10-26")
    docs = [cal, service("svc"), source("outages", "outages"),
            sla("a", "- {id: availability, indicator: availability, source: outages, target: 99.5}", extra="calendar: uk")]
    # An outage on Tue 27 Oct 07:00-09:00 GMT (after the change, UTC+0): 08:00-09:00 counts = 3,600 s.
    data = {"outages": outages([("svc", "2026-10-27T07:00:00Z", "2026-10-27T09:00:00Z", 1.0)])}
    (r,) = compute(docs, data, "2026-10").results
    assert r.eligible_seconds == 756_000
    assert r.bad_seconds == 3600
    assert r.attained == pytest.approx(100 * (756_000 - 3600) / 756_000)


def test_outage_impact_takes_the_largest_overlapping_weight():
    # Two overlapping outages: 10:00-11:00 impact 0.5 and 10:30-10:45 impact 1.0.
    # Weighted: 45 min x 0.5 + 15 min x 1.0 = 1,350 + 900 = 2,250 s.
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: availability, indicator: availability, source: outages, target: 99}")]
    data = {"outages": outages([("svc", "2026-10-05T10:00:00Z", "2026-10-05T11:00:00Z", 0.5),
                                ("svc", "2026-10-05T10:30:00Z", "2026-10-05T10:45:00Z", 1.0)])}
    (r,) = compute(docs, data, "2026-10").results
    assert r.bad_seconds == 2250


def test_probes_down_wins_and_gaps_lower_coverage():
    # 24x7 UTC, November 2026 = 30 days = 2,592,000 s. Probes every 60 s for the first 29 days only:
    # coverage = 29/30 = 0.9667 >= 0.9. Two samples at 12:00 (one up, one down): down wins -> 60 s bad.
    import pandas as pd

    times = pd.date_range("2026-11-01", "2026-11-30", freq="60s", inclusive="left", tz="UTC")
    frame = pd.DataFrame({"time": times, "service": "svc", "up": True})
    extra = probes([("2026-11-10T12:00:00Z", "svc", False)])
    data = {"probes": pd.concat([frame, extra], ignore_index=True)}
    docs = [service("svc"), source("probes", "probes", "interval: 60s"),
            sla("a", "- {id: availability, indicator: availability, source: probes, target: 99.9}")]
    (r,) = compute(docs, data, "2026-11").results
    assert r.known_seconds == 29 * 86400
    assert r.coverage == pytest.approx(29 / 30)
    assert r.bad_seconds == 60
    assert r.status == "met"


def test_insufficient_coverage_earns_no_credit():
    docs = [service("svc"), source("probes", "probes", "interval: 60s"),
            sla("a", """
- id: availability
  indicator: availability
  source: probes
  target: 99.9
  credits: [{below: 99.9, credit: 10}]
""")]
    data = {"probes": probes([("2026-10-01T00:00:00Z", "svc", False)])}
    (r,) = compute(docs, data, "2026-10").results
    assert r.status == "insufficient_data"
    assert r.credit_percent is None and r.review_required is True


def test_credit_tiers_lowest_applicable_tier_wins_and_cap():
    # 30-day month (Nov): 2,592,000 s; 10 h down = 36,000 s -> attained 98.6111 %.
    # Under 99.9 (10) and 99.0 (25) but not 95 -> 25 %. Cap 20 -> 20 %. Fee 1000 -> 200.
    docs = [service("svc"), source("outages", "outages"),
            sla("a", """
- id: availability
  indicator: availability
  source: outages
  target: 99.9
  credits: [{below: 99.9, credit: 10}, {below: 99.0, credit: 25}, {below: 95.0, credit: 100}]
""", extra="credit_cap: 20\nmonthly_fee: 1000\ncurrency: EUR")]
    data = {"outages": outages([("svc", "2026-11-03T00:00:00Z", "2026-11-03T10:00:00Z", 1.0)])}
    report = compute(docs, data, "2026-11")
    assert report.results[0].credit_percent == 20
    assert report.agreements[0].credit_percent == 20
    assert report.agreements[0].credit_amount == 200


def test_attained_equal_to_decimal_target_is_met():
    # 1,000,000 s known... use a 10-day window? Instead: 2,592,000 s in Nov, 2,592 s down:
    # attained = 100 x 2,589,408 / 2,592,000 = 99.9 exactly -> met (compared as decimals).
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: availability, indicator: availability, source: outages, target: 99.9}")]
    data = {"outages": outages([("svc", "2026-11-03T00:00:00Z", "2026-11-03T00:43:12Z", 1.0)])}
    (r,) = compute(docs, data, "2026-11").results
    assert r.bad_seconds == 2592
    assert r.status == "met"
    assert r.error_budget.remaining_ratio == 0


def test_min_downtime_joins_runs_across_an_exclusion():
    # min_downtime 5m. Down 01:57-02:00 UTC and 04:00-04:03 UTC with maintenance 02:00-04:00 (UTC calendar):
    # one run of 6 min -> both parts count: 360 s. A lone 4-minute blip on another day does not count.
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: availability, indicator: availability, source: outages, target: 99.9, min_downtime: 5m}",
                extra='maintenance:\n  - {id: m, every: once, start: "2026-11-08T02:00:00Z", end: "2026-11-08T04:00:00Z"}')]
    data = {"outages": outages([
        ("svc", "2026-11-08T01:57:00Z", "2026-11-08T02:30:00Z", 1.0),
        ("svc", "2026-11-08T03:30:00Z", "2026-11-08T04:03:00Z", 1.0),
        ("svc", "2026-11-10T10:00:00Z", "2026-11-10T10:04:00Z", 1.0),
    ])}
    (r,) = compute(docs, data, "2026-11").results
    assert r.bad_seconds == 360


def test_ticket_paused_across_a_weekend():
    # Business hours Mon-Fri 09:00-17:00 UTC. P1 resolution threshold 8h.
    # Opened Fri 2026-10-09 13:00, paused Fri 15:00 -> Mon 10:00 (awaiting-customer), resolved Mon 2026-10-12 16:00.
    # Clock: Fri 13-17 = 4h, Mon 09-16 = 7h -> 11h; paused inside clock hours: Fri 15-17 (2h) + Mon 09-10 (1h) = 3h.
    # Elapsed = 8h -> within (elapsed <= threshold).
    cal = calendar("biz", "UTC", hours="\n".join(f'{d}: ["09:00-17:00"]' for d in ("mon", "tue", "wed", "thu", "fri")))
    docs = [cal, service("svc"), source("tickets", "tickets", "pauses: history"), source("history", "pauses"),
            sla("a", """
- id: p1-resolution
  indicator: resolution_time
  source: tickets
  filter: {priority: P1}
  threshold: 8h
  target: 95
  pause_states: [awaiting-customer]
""", extra="calendar: biz")]
    data = {
        "tickets": tickets([("T1", "svc", "P1", "2026-10-09T13:00:00Z", None, "2026-10-12T16:00:00Z"),
                            ("T2", "svc", "P2", "2026-10-09T13:00:00Z", None, "2026-10-30T16:00:00Z")]),
        "history": pauses([("T1", "awaiting-customer", "2026-10-09T15:00:00Z", "2026-10-12T10:00:00Z"),
                           ("T1", "in-progress", "2026-10-12T10:00:00Z", "2026-10-12T16:00:00Z")]),
    }
    (r,) = compute(docs, data, "2026-10").results
    assert (r.counted, r.within) == (1, 1)
    assert r.attained == 100


def test_ticket_open_and_breached_at_month_end_counts_once():
    # Wall clock, threshold 4h. T1 opened 2026-10-31 10:00, still open at month end: 14h elapsed > 4h ->
    # counted as breached in October; resolved 2026-11-02: not counted again in November.
    # T2 opened 2026-10-31 22:00 (2h by month end, within) -> pending in October, counted in November when resolved.
    docs = [service("svc"), source("tickets", "tickets"),
            sla("a", "- {id: res, indicator: resolution_time, source: tickets, threshold: 4h, target: 90, clock: wall}")]
    data = {"tickets": tickets([
        ("T1", "svc", "P1", "2026-10-31T10:00:00Z", None, "2026-11-02T10:00:00Z"),
        ("T2", "svc", "P1", "2026-10-31T22:00:00Z", None, "2026-11-01T01:00:00Z"),
    ])}
    october = compute(docs, data, "2026-10").results[0]
    assert (october.counted, october.within, october.pending) == (1, 0, 1)
    assert october.status == "breached"
    november = compute(docs, data, "2026-11").results[0]
    assert (november.counted, november.within) == (1, 1)  # T2 only: 3h <= 4h


def test_response_clock_stops_at_resolution_without_response():
    docs = [service("svc"), source("tickets", "tickets"),
            sla("a", "- {id: resp, indicator: response_time, source: tickets, threshold: 30m, target: 90, clock: wall}")]
    data = {"tickets": tickets([
        ("T1", "svc", "P1", "2026-10-05T10:00:00Z", None, "2026-10-05T10:20:00Z"),
        ("T2", "svc", "P1", "2026-10-05T10:00:00Z", "2026-10-05T10:45:00Z", "2026-10-05T11:00:00Z"),
    ])}
    (r,) = compute(docs, data, "2026-10").results
    assert (r.counted, r.within) == (2, 1)
    assert r.attained == 50


def test_in_progress_period_has_budget_burn_and_projection():
    # As of 2026-11-16 00:00 UTC: 15 days known, 15 to come. 1 h down on 2026-11-15 23:00-24:00.
    # Budget covers the whole month: 0.1% x 2,592,000 = 2,592 s. Burn rate over 1h = 1.0/0.001 = 1000.
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: availability, indicator: availability, source: outages, target: 99.9}")]
    data = {"outages": outages([("svc", "2026-11-15T23:00:00Z", "2026-11-16T00:00:00Z", 1.0)])}
    from datetime import datetime, timezone

    (r,) = compute(docs, data, "2026-11", as_of=datetime(2026, 11, 16, tzinfo=timezone.utc)).results
    assert r.in_progress
    assert r.error_budget.total == pytest.approx(2592)
    assert r.burn_rates["1h"] == pytest.approx(1000)
    assert r.burn_rates["24h"] == pytest.approx((3600 / 86400) / 0.001)
    # projected: last 24h of known time are 1/24 bad; 15 days to come at that rate.
    future = 15 * 86400
    good = 15 * 86400 - 3600 + future * (1 - 1 / 24)
    assert r.projected == pytest.approx(100 * good / (30 * 86400))
    assert r.status == "breached"  # 3,600 s already exceeds the 2,592 s budget
    assert any(a["severity"] == "page" for a in r.alerts)


def test_success_ratio_and_latency_from_events():
    import pandas as pd

    docs = [service("svc"), source("events", "events"),
            sla("a", """
- {id: success, indicator: success_ratio, source: events, target: 99}
- {id: fast, indicator: latency, source: events, threshold: 300ms, target: 90}
""")]
    data = {"events": pd.DataFrame({
        "time": pd.to_datetime(["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z"] + ["2026-10-03T00:00:00Z"] * 4, utc=True),
        "service": "svc",
        "good": [990.0, 1000.0] + [float("nan")] * 4,
        "total": [1000.0, 1000.0] + [float("nan")] * 4,
        "latency_ms": [float("nan"), float("nan"), 100.0, 200.0, 300.0, 400.0],
    })}
    success, fast = compute(docs, data, "2026-10").results
    assert (success.counted, success.within) == (2000, 1990)
    assert success.attained == pytest.approx(99.5)
    assert (fast.counted, fast.within) == (4, 3)  # 300 ms is within 300ms
    assert fast.attained == 75
    assert fast.percentiles["p50"] == pytest.approx(250)


def test_timeslices_budgeting():
    # November, 1h slices (720). One slice 50% down -> bad (slice_target 99); another 0.5% down -> good.
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: ts, indicator: availability, source: outages, target: 99.8, budgeting: timeslices, slice: 1h, slice_target: 99}")]
    data = {"outages": outages([("svc", "2026-11-02T10:00:00Z", "2026-11-02T10:30:00Z", 1.0),
                                ("svc", "2026-11-03T10:00:00Z", "2026-11-03T10:00:18Z", 1.0)])}
    (r,) = compute(docs, data, "2026-11").results
    assert r.error_budget.unit == "slices"
    assert r.attained == pytest.approx(100 * 719 / 720)
    assert r.status == "met"  # 719/720 = 99.861 % >= 99.8 %


def test_outages_complete_until_makes_later_time_unknown():
    # complete_until 2026-11-16 (midnight UTC): 15 of 30 days known -> coverage 0.5.
    # With min_coverage 0.5 the 1 h outage on 5 Nov gives 100 x (1,296,000 - 3,600) / 1,296,000.
    docs = [service("svc"), source("outages", "outages", "complete_until: 2026-11-16"),
            sla("a", "- {id: av, indicator: availability, source: outages, target: 99, min_coverage: 0.5}")]
    data = {"outages": outages([("svc", "2026-11-05T10:00:00Z", "2026-11-05T11:00:00Z", 1.0)])}
    (r,) = compute(docs, data, "2026-11").results
    assert r.coverage == 0.5
    assert r.known_seconds == 15 * 86400
    assert r.attained == pytest.approx(100 * (1_296_000 - 3600) / 1_296_000)
    assert r.status == "met"


def test_outages_source_without_any_file_is_unknown_not_up():
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: av, indicator: availability, source: outages, target: 99}")]
    (r,) = compute(docs, {}, "2026-11").results
    assert r.status == "insufficient_data"
    assert r.credit_percent is None and r.review_required


def test_ola_objective_with_only_supports_inherits_what_it_does_not_state():
    # The OLA objective states only a stricter target; source, indicator, threshold and clock come from the SLA.
    docs = [service("svc"), source("tickets", "tickets"),
            sla("sla", "- {id: res, indicator: resolution_time, source: tickets, threshold: 4h, target: 90, clock: wall}"),
            "apiVersion: slactl/v1\nkind: OLA\nmetadata: {id: ola}\nspec:\n  services: [svc]\n  status: active\n"
            "  version: 1\n  effective: 2026-01-01\n  objectives:\n    - {id: res, supports: sla/res, target: 95}\n"]
    data = {"tickets": tickets([("T1", "svc", "P1", "2026-10-05T10:00:00Z", None, "2026-10-05T13:00:00Z"),
                                ("T2", "svc", "P1", "2026-10-05T10:00:00Z", None, "2026-10-05T15:00:00Z")])}
    sla_result, ola_result = compute(docs, data, "2026-10").results
    assert (ola_result.counted, ola_result.within) == (2, 1)  # T1 3h within 4h, T2 5h not
    assert ola_result.target == 95 and ola_result.indicator == "resolution_time"
    assert sla_result.attained == ola_result.attained == 50


def test_latency_threshold_compares_exactly():
    # 4007ms is exactly 4007.0 ms; in binary 4.007 s x 1000 would be 4006.9999999999995.
    import pandas as pd

    docs = [service("svc"), source("events", "events"),
            sla("a", "- {id: fast, indicator: latency, source: events, threshold: 4007ms, target: 100}")]
    data = {"events": pd.DataFrame({"time": pd.to_datetime(["2026-10-03T00:00:00Z"], utc=True), "service": "svc",
                                    "good": [float("nan")], "total": [float("nan")], "latency_ms": [4007.0]})}
    (r,) = compute(docs, data, "2026-10").results
    assert (r.counted, r.within, r.status) == (1, 1, "met")


def test_ticket_in_two_exports_counts_once_from_its_resolved_row():
    # INC-9 exported open in one file and resolved (after 1 h) in the next: one ticket, within 4 h.
    docs = [service("svc"), source("tickets", "tickets"),
            sla("a", "- {id: res, indicator: resolution_time, source: tickets, threshold: 4h, target: 90, clock: wall}")]
    data = {"tickets": tickets([
        ("INC-9", "svc", "P1", "2026-10-01T09:00:00Z", None, None),
        ("INC-9", "svc", "P1", "2026-10-01T09:00:00Z", "2026-10-01T09:10:00Z", "2026-10-01T10:00:00Z"),
    ])}
    (r,) = compute(docs, data, "2026-10").results
    assert (r.counted, r.within) == (1, 1)
    assert any("more than one row" in note for note in r.notes)


def test_rolling_window_judged_before_the_period_ends_has_burn_rates():
    # rolling_28d as of 14 Oct 12:00: one hour down just before -> 1h burn rate 1.0/0.001 = 1000.
    from datetime import datetime, timezone

    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: av, indicator: availability, source: outages, target: 99.9, window: rolling_28d}")]
    data = {"outages": outages([("svc", "2026-10-14T11:00:00Z", "2026-10-14T12:00:00Z", 1.0)])}
    (r,) = compute(docs, data, "2026-10", as_of=datetime(2026, 10, 14, 12, tzinfo=timezone.utc)).results
    assert r.burn_rates["1h"] == pytest.approx(1000)
    assert r.alerts and r.projected is None  # a rolling window has no end to project to


def test_timeslice_burn_rate_and_projection_count_slices():
    # Every hourly slice is 0.5% down: each slice is good (>= 99%), so nothing burns.
    from datetime import datetime, timezone

    import pandas as pd

    starts = pd.date_range("2026-10-01", "2026-10-14T12:00", freq="1h", inclusive="left", tz="UTC")
    frame = pd.DataFrame({"service": "svc", "start": starts, "end": starts + pd.Timedelta(seconds=18), "impact": 1.0})
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: ts, indicator: availability, source: outages, target: 99.9, budgeting: timeslices, slice: 1h, slice_target: 99}")]
    (r,) = compute(docs, {"outages": frame}, "2026-10", as_of=datetime(2026, 10, 14, 12, tzinfo=timezone.utc)).results
    assert r.attained == 100 and r.error_budget.remaining_ratio == 1.0
    assert r.burn_rates["24h"] == 0 and r.projected == 100
    assert r.status == "met"


def test_quarter_report_judges_monthly_objectives_over_the_quarter():
    # Q3 2026 = 92 days = 7,948,800 s; 2 h down in August -> 100 x (7,948,800 - 7,200) / 7,948,800.
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: av, indicator: availability, source: outages, target: 99}")]
    data = {"outages": outages([("svc", "2026-08-10T00:00:00Z", "2026-08-10T02:00:00Z", 1.0)])}
    (r,) = compute(docs, data, "2026-Q3").results
    assert r.eligible_seconds == 7_948_800
    assert r.attained == pytest.approx(100 * (7_948_800 - 7200) / 7_948_800)
    assert r.period == "2026-Q3"


def test_as_of_at_the_period_start_judges_that_period():
    from datetime import datetime, timezone

    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: av, indicator: availability, source: outages, target: 99}")]
    (r,) = compute(docs, {"outages": outages([])}, "2026-10", as_of=datetime(2026, 10, 1, tzinfo=timezone.utc)).results
    assert r.period == "2026-10" and r.in_progress and r.status == "insufficient_data"


def test_time_before_the_effective_date_is_not_judged():
    # Effective 20 Oct: eligible time is 20-31 Oct = 12 days = 1,036,800 s (UTC); the 5 Oct outage is outside.
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: av, indicator: availability, source: outages, target: 99}").replace(
                "effective: 2026-01-01", "effective: 2026-10-20")]
    data = {"outages": outages([("svc", "2026-10-05T00:00:00Z", "2026-10-05T02:00:00Z", 1.0)])}
    (r,) = compute(docs, data, "2026-10").results
    assert r.eligible_seconds == 12 * 86400 and r.bad_seconds == 0 and r.status == "met"


def test_a_tiny_slice_is_widened_with_a_note_instead_of_exhausting_memory():
    docs = [service("svc"), source("outages", "outages"),
            sla("a", "- {id: ts, indicator: availability, source: outages, target: 99, budgeting: timeslices, slice: 1ms, slice_target: 99}")]
    (r,) = compute(docs, {"outages": outages([])}, "2026-11").results
    assert r.counted <= 2_000_000 and r.attained == 100
    assert any("slices were used" in note for note in r.notes)


def test_tickets_and_answers_before_the_effective_date_are_not_judged():
    # Effective 20 Oct: the ticket resolved on 5 Oct and the CSAT answer of 5 Oct are not counted.
    import pandas as pd

    docs = [service("svc"), source("tickets", "tickets"), source("csat", "csat"),
            sla("a", """
- {id: res, indicator: resolution_time, source: tickets, threshold: 4h, target: 90, clock: wall}
- {id: sat, indicator: csat, source: csat, target: 80}
""").replace("effective: 2026-01-01", "effective: 2026-10-20")]
    data = {
        "tickets": tickets([("T1", "svc", "P1", "2026-10-05T10:00:00Z", None, "2026-10-05T20:00:00Z"),
                            ("T2", "svc", "P1", "2026-10-21T10:00:00Z", None, "2026-10-21T11:00:00Z")]),
        "csat": pd.DataFrame({"time": pd.to_datetime(["2026-10-05T10:00:00Z", "2026-10-22T10:00:00Z"], utc=True),
                              "service": "svc", "score": [1.0, 5.0]}),
    }
    res, sat = compute(docs, data, "2026-10").results
    assert (res.counted, res.within) == (1, 1)
    assert (sat.counted, sat.within) == (1, 1)


def test_as_of_before_the_period_starts_in_this_zone_judges_nothing_yet():
    # As of 2026-10-01 02:00Z it is still September in New York: nothing is judged, nothing fails.
    from datetime import datetime, timezone

    docs = [calendar("ny", "America/New_York"), service("svc"), source("outages", "outages"),
            sla("a", "- {id: av, indicator: availability, source: outages, target: 99}", extra="calendar: ny")]
    (r,) = compute(docs, {"outages": outages([])}, "2026-10", as_of=datetime(2026, 10, 1, 2, tzinfo=timezone.utc)).results
    assert r.in_progress and r.status == "insufficient_data"
