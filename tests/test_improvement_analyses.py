"""Priority scoring, gaps, ROI, CSAT, scorecard, gaming, thresholds, reconciliation and problem records,
each on data built with a known answer."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from improvement_repo import hourly_probes, pauses_frame, tickets_frame, ts, write_repo
from slactl.compliance.results import ObjectiveResult
from slactl.improvement.csat import analyse, spearman, watermelons
from slactl.improvement.gaming import gaming_checks, ticket_elapsed
from slactl.improvement.gaps import find_gaps
from slactl.improvement.periods import parse_span
from slactl.improvement.problems import problem_records
from slactl.improvement.reconcile import reconcile
from slactl.improvement.recurrence import build_recurrence
from slactl.improvement.roi import roi_report
from slactl.improvement.scorecard import remaining_budget, scorecard
from slactl.improvement.scoring import Recurrence, rank, score_improvement
from slactl.improvement.series import Frames
from slactl.improvement.settings import ScoringSettings, SettingsError, scoring_settings
from slactl.improvement.thresholds import ThresholdError, suggest
from slactl.loader import load_repository

OCT = parse_span("2026-10")


@pytest.fixture
def load(tmp_path: Path):  # noqa: ANN201
    return load_repository(write_repo(tmp_path))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# ---------------------------------------------------------------- scoring


def test_priority_terms_and_score(load) -> None:  # noqa: ANN001
    recurrence = Recurrence(periods=["2026-05", "2026-06", "2026-07"],
                            breaches={"payments-gold/availability": {"2026-05", "2026-06"}},
                            incidents={"payments-api": 1})
    settings = ScoringSettings()
    item = score_improvement(load, "faster-failover", settings, recurrence)
    values = {t.name: t.value for t in item.terms}
    assert values == {"impact": 5, "recurrence": 4, "cost": 3}  # critical tier; 2 breaches + 1 incident; 8000
    assert item.score == pytest.approx(100 * (0.5 * 4 + 0.3 * 3 + 0.2 * 2) / 4)  # 82.5
    assert "2026-05, 2026-06" in item.terms[1].source
    other = score_improvement(load, "report-cache", settings, recurrence)
    assert other.score == pytest.approx(100 * (0.5 * 1 + 0.3 * 0 + 0.2 * 4) / 4)  # low tier, no breaches, cost 1
    assert [p.id for p in rank([other, item])] == ["faster-failover", "report-cache"]
    # without data the register's judgement is used
    assert score_improvement(load, "report-cache", settings).terms[1].value == 2


def test_weights_from_settings(load) -> None:  # noqa: ANN001
    settings = scoring_settings({"weights": {"impact": 1, "recurrence": 0, "cost": 0}})
    assert score_improvement(load, "faster-failover", settings).score == pytest.approx(100.0)
    with pytest.raises(SettingsError, match="unknown"):
        scoring_settings({"wieghts": {}})
    with pytest.raises(SettingsError, match="alpha"):
        scoring_settings({"alpha": 2})
    with pytest.raises(SettingsError, match="at_risk_margin"):  # never had an effect: no longer accepted
        scoring_settings({"at_risk_margin": 0.5})


# ---------------------------------------------------------------- gaps


def _result(agreement: str, kind: str, objective: str, status: str, attained: float, target: float,
            supports: str | None = None) -> ObjectiveResult:
    return ObjectiveResult(agreement, kind, objective, "availability", target, attained, status, 1.0, None, None,
                           None, None, None, None, None, None, None, None, False, supports=supports)


def test_gaps_kinds_cover_and_rank(load) -> None:  # noqa: ANN001
    results = [
        _result("payments-gold", "SLA", "availability", "breached", 98.0, 99.0),
        _result("payments-gold", "SLA", "p1-resolution", "at_risk", 91.0, 90.0),
        _result("db-ola", "OLA", "db-availability", "breached", 99.0, 99.5, supports="payments-gold/availability"),
        _result("reporting-std", "SLA", "availability", "met", 100.0, 99.5),
    ]
    recurrence = Recurrence(periods=["2026-10"], breaches={"payments-gold/availability": {"2026-10"}})
    gaps = find_gaps(results, load, ScoringSettings(), period="2026-10", recurrence=recurrence,
                     watermelons=[{"service": "reporting", "reason": "mean 2.00 < 3.5", "attained": 100.0}])
    by_id = {g.id: g for g in gaps}
    assert set(by_id) == {"payments-gold-availability", "payments-gold-p1-resolution", "db-ola-db-availability",
                          "watermelon-reporting"}
    top = gaps[0]
    assert top.id == "payments-gold-availability" and top.kind == "breached"
    assert top.problems == ["db-failover-slow"] and top.improvements == ["faster-failover"] and top.covered
    assert by_id["db-ola-db-availability"].kind == "ola_shortfall"
    assert "underpins payments-gold/availability" in by_id["db-ola-db-availability"].detail
    assert not by_id["payments-gold-p1-resolution"].covered
    assert by_id["watermelon-reporting"].improvements == ["report-cache"]
    assert gaps[-1].id == "watermelon-reporting"  # low tier service ranks last


# ---------------------------------------------------------------- ROI


def test_roi_equal_windows(load) -> None:  # noqa: ANN001
    down = {d: 2 for d in _days(date(2026, 4, 1), date(2026, 6, 30))}
    complaints = pd.DataFrame({
        "time": [ts("2026-04-03"), ts("2026-05-03"), ts("2026-06-03"), ts("2026-06-04"), ts("2026-09-01"),
                 ts("2026-09-02")],
        "service": ["payments-api"] * 5 + ["reporting"], "customer": ["acme"] * 6, "reference": list("abcdef"),
    })
    reader = Frames({"probes": hourly_probes(date(2026, 4, 1), date(2026, 10, 31), down), "complaints": complaints})
    report = roi_report(load, reader, "faster-failover", periods=3, today=date(2026, 11, 26))
    item = report.items[0]
    assert item.before.periods == ["2026-04", "2026-05", "2026-06"]
    assert item.after.periods == ["2026-08", "2026-09", "2026-10"]
    assert (item.before.breaches, item.after.breaches) == (3, 0)
    assert item.before.credits == pytest.approx(3 * 0.25 * 10000)  # 91.7% is under the 95 tier: 25%
    assert (item.before.complaints, item.after.complaints) == (4, 1)
    assert item.credits_saved == pytest.approx(7500) and item.complaints_avoided == 3
    assert item.roi == pytest.approx((7500 - 8000) / 8000)
    assert report.total_investment == 8000 and report.total_breaches_avoided == 3


def test_roi_not_measurable(load) -> None:  # noqa: ANN001
    report = roi_report(load, Frames({}), "faster-failover", periods=3, today=date(2026, 8, 2))
    assert report.items[0].before is None
    assert "no whole period has ended" in report.items[0].notes[0]
    assert report.total_roi is None


# ---------------------------------------------------------------- CSAT and scorecard


def _csat(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"time": [ts(t) for t, _, _ in rows], "service": [s for _, s, _ in rows],
                         "score": [v for _, _, v in rows], "segment": None, "customer": None})


def test_spearman_correlation_known_answer(load) -> None:  # noqa: ANN001
    pattern = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]
    down = {date(2026, 10, n + 1): h for n, h in enumerate(pattern)}
    # probes for the whole month (up after the 10th): with only 10 of 31 days covered, coverage 32% is under
    # min_coverage 90% and `slactl compliance` would say insufficient_data, not breached.
    # October: 20h down of 744h = 97.31% < 99: breached
    probes = hourly_probes(date(2026, 10, 1), date(2026, 10, 31), down)
    answers = _csat([(f"2026-10-{n + 1:02d}T12:00", "payments-api", 5 - h) for n, h in enumerate(pattern)])
    rows = {r.service: r for r in analyse(load, Frames({"probes": probes, "csat": answers}), OCT,
                                          ScoringSettings().csat)}
    row = rows["payments-api"]
    assert row.correlation["rho"] == pytest.approx(1.0) and row.correlation["n"] == 10
    assert row.correlation["p_value"] < 0.001
    assert row.satisfaction == "poor" and row.all_met is False and row.flag is None
    assert spearman([1, 2], [2, 1])["rho"] is None


def _october(load):  # noqa: ANN001, ANN202
    probes = hourly_probes(OCT.first, OCT.last, {})
    outages = pd.DataFrame({"service": ["reporting"], "start": [ts("2026-10-03T00:00")],
                            "end": [ts("2026-10-03T10:00")], "impact": [1.0]})
    answers = _csat([("2026-10-05", "payments-api", s) for s in (2, 3, 2, 3, 5)]
                    + [("2026-10-06", "reporting", s) for s in (5, 5, 4, 5, 4)])
    complaints = pd.DataFrame({"time": [ts("2026-10-07"), ts("2026-10-08")], "service": ["payments-api"] * 2,
                               "customer": ["acme"] * 2, "reference": ["c1", "c2"]})
    return Frames({"probes": probes, "outages": outages, "csat": answers, "complaints": complaints})


def test_recurrence_counts_outages_starting_inside_the_periods(load) -> None:  # noqa: ANN001
    frames = _october(load)
    outages = pd.DataFrame({"service": ["reporting", "reporting", "payments-api"],
                            "start": [ts("2026-10-03T00:00"), ts("2026-09-30T23:00"), ts("2026-10-31T23:59")],
                            "end": [ts("2026-10-03T10:00"), ts("2026-10-01T01:00"), ts("2026-11-01T00:30")],
                            "impact": [1.0, 1.0, 1.0]})
    reader = Frames({**{k: frames.read(k) for k in ("probes", "csat", "complaints")}, "outages": outages})
    assert build_recurrence(load, reader, OCT, 1).incidents == {"reporting": 1, "payments-api": 1}
    assert build_recurrence(load, reader, OCT, 2).incidents == {"reporting": 2, "payments-api": 1}


def test_watermelon_and_reverse(load) -> None:  # noqa: ANN001
    rows = {r.service: r for r in analyse(load, _october(load), OCT, ScoringSettings().csat)}
    assert rows["payments-api"].flag == "watermelon"
    assert rows["payments-api"].mean_score == 3.0 and rows["payments-api"].share_good == 20.0
    assert rows["reporting"].flag == "reverse_watermelon"
    assert rows["reporting"].objectives[0]["attained"] == pytest.approx(100 * (1 - 10 / 744))
    assert [w["service"] for w in watermelons(list(rows.values()))] == ["payments-api"]


def test_scorecard_known_answer(load) -> None:  # noqa: ANN001
    rows = {r.agreement: r for r in scorecard(load, _october(load), OCT, ScoringSettings())}
    gold = rows["payments-gold"]
    assert (gold.technical, gold.financial) == (100.0, 100.0)
    assert gold.customer == pytest.approx(20.0 - 2 * 5.0)  # 20% answers 4-5, two complaints at 5 points
    assert gold.overall == pytest.approx(0.4 * 100 + 0.3 * 100 + 0.3 * 10)
    std = rows["reporting-std"]
    assert std.technical == 0.0  # 98.66% against 99.5: budget overspent
    assert std.customer == 100.0 and std.overall == pytest.approx(0.3 * 100 + 0.3 * 100)
    assert remaining_budget(99.75, 99.5) == pytest.approx(0.5)


def test_engine_results_decide_when_given(load) -> None:  # noqa: ANN001
    from slactl.compliance.results import ErrorBudget

    engine = _result("reporting-std", "SLA", "availability", "met", 99.7, 99.5)  # e.g. maintenance excluded
    engine.error_budget = ErrorBudget("seconds", 100.0, 60.0, 0.4)
    engine.credit_percent = 0.0
    rows = {r.service: r for r in analyse(load, _october(load), OCT, ScoringSettings().csat, [engine])}
    assert rows["reporting"].flag is None and rows["reporting"].objectives[0]["attained"] == 99.7
    cards = {r.agreement: r for r in scorecard(load, _october(load), OCT, ScoringSettings(), [engine])}
    assert cards["reporting-std"].technical == pytest.approx(40.0)


# ---------------------------------------------------------------- gaming


def test_ticket_elapsed_wall_clock_less_merged_pauses() -> None:
    tickets = tickets_frame([
        {"id": "T1", "opened_at": ts("2026-10-01T08:00"), "resolved_at": ts("2026-10-01T18:00")},
        {"id": "T2", "opened_at": ts("2026-10-01T08:00"), "resolved_at": ts("2026-10-01T12:00")},
        {"id": "T2", "opened_at": ts("2026-10-02T08:00"), "resolved_at": ts("2026-10-02T10:00")},  # reopened
        {"id": "T3", "opened_at": ts("2026-10-01T08:00"), "responded_at": ts("2026-10-01T08:30")},  # still open
    ])
    pauses = pauses_frame([
        # T1: 09-12 and 11-13 overlap: 4h paused once, not 5h; a pause in another state does not count
        {"ticket_id": "T1", "state": "awaiting-customer", "start": ts("2026-10-01T09:00"), "end": ts("2026-10-01T12:00")},
        {"ticket_id": "T1", "state": "awaiting-customer", "start": ts("2026-10-01T11:00"), "end": ts("2026-10-01T13:00")},
        {"ticket_id": "T1", "state": "in-progress", "start": ts("2026-10-01T14:00"), "end": ts("2026-10-01T15:00")},
        # T2: a pause without an end runs to each row's stop: 11-12 on the first row, and the whole of the
        # reopened row (08-10 on the 2nd), which it still covers
        {"ticket_id": "T2", "state": "awaiting-customer", "start": ts("2026-10-01T11:00"), "end": None},
    ])
    clocks = ticket_elapsed(tickets, pauses, "resolution_time", ["awaiting-customer"])
    hours = list(clocks["elapsed"] / 3600)
    assert hours[:3] == [10 - 4, 4 - 1, 2 - 2]
    assert pd.isna(hours[3]) and pd.isna(clocks["stop"][3])
    assert clocks["stop"][0] == ts("2026-10-01T18:00").timestamp()
    response = ticket_elapsed(tickets, pauses, "response_time", ["awaiting-customer"])
    assert response["elapsed"][3] == 1800  # responded after 30 minutes


def test_gaming_checks_with_evidence(load) -> None:  # noqa: ANN001
    rows = []
    for n in range(1, 6):  # closed 5 minutes before the 4h deadline
        rows.append({"id": f"T{n}", "service": "payments-api", "priority": "P1",
                     "opened_at": ts(f"2026-10-0{n}T08:00"), "resolved_at": ts(f"2026-10-0{n}T11:55")})
    rows.append({"id": "T6", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-10-06T08:00"),
                 "resolved_at": ts("2026-10-06T09:00"), "reopened": "true"})
    rows.append({"id": "T7", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-10-07T08:00"),
                 "resolved_at": ts("2026-10-07T09:00")})
    rows.append({"id": "T7", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-10-07T08:00"),
                 "resolved_at": ts("2026-10-07T10:00")})
    rows.append({"id": "T8", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-10-08T08:00"),
                 "resolved_at": ts("2026-10-08T20:05")})
    rows.append({"id": "T9", "service": "payments-api", "priority": "P2", "opened_at": ts("2026-10-09T08:00"),
                 "resolved_at": ts("2026-10-09T14:00"), "original_priority": "P1"})
    tickets = tickets_frame(rows)
    tickets["reopened"] = tickets["reopened"].fillna("").astype(str)
    tickets["original_priority"] = tickets["original_priority"].fillna("").astype(str)
    pauses = pauses_frame([{"ticket_id": "T8", "state": "awaiting-customer", "start": ts("2026-10-08T11:40"),
                            "end": ts("2026-10-08T20:00")}])
    checks = {c.check: c for c in gaming_checks(load, Frames({"tickets": tickets, "pauses": pauses}),
                                                OCT.first, OCT.last)}
    bunching = checks["deadline_bunching"]
    assert bunching.flagged and bunching.evidence == ["T1", "T2", "T3", "T4", "T5"]
    assert bunching.measure["closed_in_the_5_percent_before"] == 1  # T8: 3h45m of 4h
    pauses_check = checks["clock_stopping_pauses"]
    assert pauses_check.evidence == ["T8"]
    reopens = checks["reopens"]
    assert reopens.flagged and reopens.evidence == ["T6", "T7"] and reopens.measure["tickets"] == 9
    downgrades = checks["priority_downgrades"]
    assert downgrades.flagged and downgrades.evidence == ["T9"]  # 6h, past the P1 threshold of 4h


def test_downgrade_from_priority_changes_between_rows(load) -> None:  # noqa: ANN001
    tickets = tickets_frame([
        {"id": "T1", "service": "payments-api", "priority": "P1", "opened_at": ts("2026-10-01T08:00"),
         "resolved_at": pd.NaT, "_line": 2},
        {"id": "T1", "service": "payments-api", "priority": "P2", "opened_at": ts("2026-10-01T08:00"),
         "resolved_at": ts("2026-10-01T15:00"), "_line": 3},
        {"id": "T2", "service": "payments-api", "priority": "P2", "opened_at": ts("2026-10-01T08:00"),
         "resolved_at": ts("2026-10-01T15:00"), "_line": 4},
    ])
    checks = {c.check: c for c in gaming_checks(load, Frames({"tickets": tickets}), OCT.first, OCT.last)}
    downgrades = checks["priority_downgrades"]
    assert downgrades.evidence == ["T1"] and downgrades.measure["basis"].startswith("priority changes")


def test_gaming_quiet_data_not_flagged(load) -> None:  # noqa: ANN001
    tickets = tickets_frame([{"id": f"T{n}", "service": "payments-api", "priority": "P1",
                              "opened_at": ts(f"2026-10-{n:02d}T08:00"),
                              "resolved_at": ts(f"2026-10-{n:02d}T{8 + n % 3:02d}:30")} for n in range(1, 20)])
    checks = gaming_checks(load, Frames({"tickets": tickets}), OCT.first, OCT.last)
    assert not any(c.flagged for c in checks)


# ---------------------------------------------------------------- thresholds


def test_latency_thresholds_hour_of_week(load) -> None:  # noqa: ANN001
    hours = pd.date_range("2026-09-07", periods=5 * 7 * 24, freq="h", tz="UTC")  # five weeks from a Monday
    latency = [100.0 + (n * 37 % 23) - 11 for n in range(len(hours))]  # noise 89..111
    for n, h in enumerate(hours):
        if h.day_of_week == 0 and h.hour == 9:
            latency[n] = 1000.0  # the Monday morning batch: every week, expected
    anomaly = pd.Timestamp("2026-09-23T03:00", tz="UTC")  # a Wednesday night: unusual for the hour
    latency[list(hours).index(anomaly)] = 300.0
    events = pd.DataFrame({"time": hours, "service": "payments-api", "good": float("nan"), "total": float("nan"),
                           "latency_ms": latency})
    (found,) = suggest(load, Frames({"events": events}), "events")
    assert found.seasonality == "hour_of_week" and found.samples == 840
    assert found.warning["mon 09:00"] > 1000.0
    assert anomaly.isoformat() in found.fired["critical"]
    assert not any("T09:00" in t and pd.Timestamp(t).day_of_week == 0 for t in found.fired["critical"])
    assert sum(1 for t in found.fired["flat_critical"] if pd.Timestamp(t).day_of_week == 0) == 5
    assert found.alerts["critical"] < found.flat_alerts["critical"]


def test_availability_and_ticket_thresholds(load) -> None:  # noqa: ANN001
    down = {date(2026, 10, n + 1): n for n in range(20)}
    probes = hourly_probes(date(2026, 10, 1), date(2026, 10, 20), down)
    (found,) = suggest(load, Frames({"probes": probes}), "probes")
    assert found.direction == "lower_is_worse" and found.samples == 20
    assert found.alerts == {"warning": 1, "critical": 1}
    tickets = tickets_frame([{"id": f"T{n}", "service": "payments-api", "priority": "P1",
                              "opened_at": ts("2026-10-01T00:00"), "resolved_at": ts("2026-10-01T00:00") + pd.Timedelta(hours=n)}
                             for n in range(1, 101)])
    (p1,) = suggest(load, Frames({"tickets": tickets}), "tickets")
    assert p1.warning == pytest.approx(95.05) and p1.alerts["warning"] == 5
    with pytest.raises(ThresholdError, match="no data"):
        suggest(load, Frames({}), "probes")
    with pytest.raises(ThresholdError, match="no DataSource"):
        suggest(load, Frames({}), "nope")


# ---------------------------------------------------------------- reconcile


def test_reconcile_finds_the_disagreeing_day(load) -> None:  # noqa: ANN001
    probes = hourly_probes(date(2026, 10, 1), date(2026, 10, 2), {date(2026, 10, 2): 2})
    outages = pd.DataFrame({"service": ["payments-api"], "start": [ts("2026-10-02T00:00")],
                            "end": [ts("2026-10-02T01:00")], "impact": [1.0]})
    events = pd.DataFrame({"time": [ts("2026-10-01T12:00"), ts("2026-10-02T12:00")], "service": "payments-api",
                           "good": [999.0, 917.0], "total": [1000.0, 1000.0], "latency_ms": float("nan")})
    report = reconcile(load, Frames({"probes": probes, "outages": outages, "events": events}), "2026-10",
                       OCT.first, OCT.last, tolerance=0.5)
    day_two = [d for d in report.disagreements if d.day == "2026-10-02"]
    assert {d.sources for d in day_two} == {("events:events", "outages:outages"), ("outages:outages", "probes:probes")}
    assert all(d.day != "2026-10-01" for d in report.disagreements)
    pair = next(d for d in day_two if d.sources == ("outages:outages", "probes:probes"))
    assert pair.difference == pytest.approx(100 / 24)
    assert reconcile(load, Frames({"probes": probes, "outages": outages, "events": events}), "2026-10",
                     OCT.first, OCT.last, tolerance=5).disagreements == []


# ---------------------------------------------------------------- problems


def test_problem_records(load) -> None:  # noqa: ANN001
    (record,) = problem_records(load)
    assert record.id == "db-failover-slow" and record.technique == "five_whys"
    assert record.improvements[0] == {"id": "faster-failover", "title": "Cut database failover time",
                                      "status": "implemented"}
    assert record.improvements[1]["status"] is None
    assert record.notes == ["improvement 'missing-one' is not in the register"]
