"""The report's view model: what each view says, computed from hand-built compliance results."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_support import PERIODS, load, report_for, reports, write_definitions
from slactl.report.viewmodel import (
    ReportInputs,
    Scope,
    ScopeError,
    build_view,
    fmt_percent,
    period_bounds,
    trend_direction,
)


@pytest.fixture
def inputs(tmp_path: Path) -> ReportInputs:
    write_definitions(tmp_path)
    result = load(tmp_path)
    assert result.findings == []
    history = reports()
    return ReportInputs("2026-10", history[-1], result, history[:-1])


def section(view: dict, agreement: str) -> dict:
    return next(a for a in view["agreements"] if a["id"] == agreement)


def objective(view: dict, ref: str) -> dict:
    return next(o for a in view["agreements"] for o in a["objectives"] if o["ref"] == ref)


@pytest.mark.parametrize(("value", "target", "text"), [
    (99.8996, 99.9, "99.899%"),  # a breach never displays as reaching the target
    (99.9, 99.9, "99.9%"),
    (100.0, 99.9, "100%"),
    (99.99949, 99.9995, "99.9994%"),  # more digits when the target has them
    (None, 99.9, "–"),
])
def test_attainment_is_truncated_never_rounded_up(value: float | None, target: float, text: str) -> None:
    from slactl.report.viewmodel import _decimals_for

    assert fmt_percent(value, _decimals_for(target)) == text


@pytest.mark.parametrize(("values", "direction"), [
    ([99.9, 99.8, 99.7], "declining"),
    ([99.7, 99.8, 99.9], "improving"),
    ([99.9, 99.7, 99.8], "steady"),
    ([None, 99.9, None, 99.8, 99.7], "declining"),
    ([99.9], "steady"),
    ([99.9, 99.8], "declining"),
])
def test_trend_direction(values: list[float | None], direction: str) -> None:
    assert trend_direction(values) == direction


def test_period_bounds_in_a_time_zone() -> None:
    start, end = period_bounds("2026-Q4", "Europe/London")
    assert start.isoformat() == "2026-10-01T00:00:00+01:00"
    assert end.isoformat() == "2027-01-01T00:00:00+00:00"
    assert period_bounds("2026-13") is None


def test_manager_view_per_agreement(inputs: ReportInputs) -> None:
    view = build_view(inputs, "manager", generated_at="G", tool_version="9")
    assert [a["id"] for a in view["agreements"]] == ["payments-gold", "db-ola"]  # SLAs first
    gold = section(view, "payments-gold")
    assert gold["status"] == "breached" and gold["credit_amount_text"] == "1,000.00 EUR"
    availability = objective(view, "payments-gold/availability")
    assert availability["attained_text"] == "99.85%" and availability["target_text"] == "99.9%"
    assert availability["status_label"] == "Breached" and availability["status_icon"] == "✖"
    assert availability["budget"]["remaining_text"] == "overspent by 50.0%"
    assert [p["period"] for p in availability["trend"]] == PERIODS
    assert availability["trend_direction"] == "declining"
    assert availability["trend_text"].startswith("99.99% → 99.97%")
    # breach timeline and the Problem record that refers to the breach
    timeline = availability["breach"]["timeline"]
    assert [(e["start_text"], e["duration_text"]) for e in timeline["events"]] == [
        ("2026-10-01 04:00 BST", "40m"), ("2026-10-15 11:00 BST", "30m")]
    assert [p["id"] for p in availability["breach"]["problems"]] == ["prb-dns"]
    # leading indicators: the ticket objective has spent its whole budget
    assert [o["ref"] for o in gold["at_risk"]] == ["payments-gold/p1-resolution"]
    assert "0.0% of the error budget left" in gold["at_risk"][0]["at_risk_reasons"][0]
    # excluded time with reasons: the October storm, not the March one; the maintenance schedule
    assert [(e["id"], e["kind"], e["clause"]) for e in gold["exclusions"]["declared"]] == [
        ("storm-2026-10", "force majeure", "14.2")]
    assert gold["exclusions"]["maintenance"][0]["schedule"] == "every Sunday at 02:00 (Europe/London) for 2h"
    # OLA performance under the SLA
    under = gold["underpinning"]
    assert [(u["id"], [o["supports"] for o in u["objectives"]]) for u in under] == [
        ("db-ola", ["payments-gold/availability"])]
    # CSI register and open actions
    assert [(i["id"], i["status"], i["phase"]) for i in gold["improvements"]] == [("csi-dns", "in progress", "do")]
    assert {(a["kind"], a["id"]) for a in gold["open_actions"]} == {("Improvement", "csi-dns"), ("Problem", "prb-dns")}


def test_agenda_is_built_from_trends(inputs: ReportInputs) -> None:
    gold = section(build_view(inputs, "manager"), "payments-gold")
    topics = [item["topic"] for item in gold["agenda"]]
    assert topics[:2] == ["Actions from the last review", "Trends over the last periods"]
    assert "Agreement review" in topics  # review.next 2026-10-20 falls before the period's end
    trends = gold["agenda"][1]["details"]
    assert trends == ["payments-gold/availability declining: 99.99% → 99.97% → 99.96% → 99.93% → 99.91% → 99.85% "
                      "(target 99.9%)"]


def test_recurring_breach_asks_for_root_cause(inputs: ReportInputs) -> None:
    history = [report_for(p, a) for p, a in zip(PERIODS, [99.99, 99.97, 99.96, 99.93, 99.8, 99.7], strict=True)]
    view = build_view(ReportInputs("2026-10", history[-1], inputs.result, history[:-1]), "manager")
    availability = objective(view, "payments-gold/availability")
    assert availability["consecutive_breaches"] == 2
    details = section(view, "payments-gold")["agenda"][1]["details"]
    assert details[0].startswith("payments-gold/availability breached 2 periods running")


def test_engine_exclusion_occurrences_are_listed(inputs: ReportInputs) -> None:
    current = report_for("2026-10", 99.85)
    current.results[0].exclusions = [
        {"id": "sunday-patching", "kind": "maintenance", "reason": None, "clause": None,
         "start": "2026-10-04T01:00:00+00:00", "end": "2026-10-04T03:00:00+00:00", "seconds": 7200.0},
        {"id": "sunday-patching", "kind": "maintenance", "reason": None, "clause": None,
         "start": "2026-10-11T01:00:00+00:00", "end": "2026-10-11T03:00:00+00:00", "seconds": 7200.0},
        {"id": "storm-2026-10", "kind": "exclusion", "reason": "force majeure: power", "clause": "14.2",
         "start": "2026-10-12T07:00:00+00:00", "end": "2026-10-12T09:00:00+00:00", "seconds": 7200.0},
    ]
    view = build_view(ReportInputs("2026-10", current, inputs.result, []), "manager")
    gold = section(view, "payments-gold")
    maintenance = gold["exclusions"]["maintenance"][0]
    assert (maintenance["occurrences"], maintenance["in_period_text"]) == (2, "4h")
    declared = gold["exclusions"]["declared"]
    assert [(d["id"], d["start_text"], d["in_period_text"]) for d in declared] == [
        ("storm-2026-10", "2026-10-12 08:00 BST", "2h")]


def test_executive_view(inputs: ReportInputs) -> None:
    view = build_view(inputs, "executive")
    assert [(c["name"], c["status"], c["meeting"], c["objectives"]) for c in view["customers"]] == [
        ("Acme Retail", "breached", 1, 2)]
    assert [(s["name"], s["status"]) for s in view["services"]] == [("payments-api", "breached")]
    assert view["credits"]["totals"] == [{"currency": "EUR", "text": "1,000.00 EUR"}]
    assert [r["ref"] for r in view["top_risks"]] == ["payments-gold/availability", "payments-gold/p1-resolution"]
    assert [i["id"] for i in view["top_improvements"]] == ["csi-dns"]
    assert [h["period"] for h in view["history"]] == PERIODS
    assert view["history"][-1]["meeting_share_text"] == "66.7%"
    assert "overall_trend" in view["charts"]
    assert all(o["charts"] == {} for a in view["agreements"] for o in a["objectives"])  # one page, no detail


def test_technical_view_adds_data_quality_and_raw_figures(inputs: ReportInputs) -> None:
    view = build_view(inputs, "technical")
    probes = next(d for d in view["data_quality"] if d["source"] == "probes")
    assert "payments-gold/availability" in [c["ref"] for c in probes["coverage"]]
    assert probes["notes"] == ["db-ola/db-availability: 3 samples outside service hours ignored"]
    raw = objective(view, "payments-gold/availability")["raw"]
    assert raw["eligible_seconds"] == 2_653_200.0 and raw["attained"] == 99.85
    assert raw["down_intervals"] == "2 interval(s), listed in the breach timeline"
    assert objective(view, "db-ola/db-availability")["burn_rates"][1] == {"lookback": "6h", "rate": 0.5,
                                                                          "rate_text": "0.50×"}


def test_scopes(inputs: ReportInputs) -> None:
    by_customer = build_view(inputs, "manager", Scope(customer="Acme Retail"))
    assert [a["id"] for a in by_customer["agreements"]] == ["payments-gold"]
    assert section(by_customer, "payments-gold")["underpinning"][0]["objectives"]  # OLA still shown under it
    assert [a["id"] for a in build_view(inputs, "manager", Scope(agreement="db-ola"))["agreements"]] == ["db-ola"]
    assert len(build_view(inputs, "manager", Scope(service="payments-api"))["agreements"]) == 2
    with pytest.raises(ScopeError, match="no agreement with id 'nope'"):
        build_view(inputs, "manager", Scope(agreement="nope"))
    with pytest.raises(ScopeError, match="customers: Acme Retail"):
        build_view(inputs, "manager", Scope(customer="Nobody"))
    with pytest.raises(ScopeError, match="no service"):
        build_view(inputs, "manager", Scope(service="nope"))
    with pytest.raises(ValueError, match="unknown view"):
        build_view(inputs, "boardroom")


def test_charts_only_when_asked(inputs: ReportInputs) -> None:
    plain = build_view(inputs, "manager", with_charts=False)
    assert plain["charts"] == {} and objective(plain, "payments-gold/availability")["charts"] == {}
    rich = objective(build_view(inputs, "manager"), "payments-gold/availability")["charts"]
    assert set(rich) == {"sparkline", "trend", "burndown"}


def test_insufficient_data_and_missing_history(inputs: ReportInputs) -> None:
    current = report_for("2026-10", 99.95)
    r = current.results[0]
    r.attained, r.status, r.coverage, r.credit_percent, r.review_required = None, "insufficient_data", 0.2, None, True
    r.error_budget = None
    view = build_view(ReportInputs("2026-10", current, inputs.result, []), "manager")
    availability = objective(view, "payments-gold/availability")
    assert (availability["attained_text"], availability["credit_text"], availability["status_icon"]) == ("–", "review", "?")
    topics = {i["topic"]: i["details"] for i in section(view, "payments-gold")["agenda"]}
    assert topics["Data quality"] == ["payments-gold/availability: insufficient data (coverage 20.0%), manual review of credits"]


def test_firing_burn_rate_alerts_put_an_objective_at_risk(inputs: ReportInputs) -> None:
    current = report_for("2026-10", 99.97)
    current.results[0].alerts = [{"severity": "page", "factor": 14.4, "long": 3600.0, "short": 300.0,
                                  "long_rate": 20.0, "short_rate": 30.0}]
    view = build_view(ReportInputs("2026-10", current, inputs.result, []), "manager")
    reasons = objective(view, "payments-gold/availability")["at_risk_reasons"]
    assert reasons == ["burn-rate alert (page) firing: faster than 14.4x over 1h and 5m"]


def test_customer_trend_per_period(inputs: ReportInputs) -> None:
    trend = build_view(inputs, "executive")["customer_trend"]
    assert [c["name"] for c in trend] == ["Acme Retail"]
    cells = trend[0]["periods"]
    assert [c["period"] for c in cells] == PERIODS
    assert [(c["text"], c["status"]) for c in cells[-3:]] == [
        ("100.0%", "at_risk"), ("100.0%", "at_risk"), ("50.0%", "breached")]


def test_budget_amounts_are_pluralised() -> None:
    from slactl.report.viewmodel import _fmt_amount

    assert _fmt_amount(1, "tickets") == "1 ticket"
    assert _fmt_amount(1.5, "tickets") == "1.5 tickets"
    assert _fmt_amount(0, "events") == "0 events"
