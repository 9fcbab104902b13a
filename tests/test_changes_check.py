"""Change records against agreements: one golden case per rule, pointing at the CSV file and line."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from slactl.changes.check import check_changes, in_period
from slactl.changes.freeze import uncovered
from slactl.changes.records import (
    ChangeRecord,
    period_bounds,
    record_from_row,
    records_from_rows,
    split_list,
)
from slactl.findings import Severity
from slactl.loader.documents import load_text
from slactl.rules.registry import RULES, load_rule_modules

DEFINITIONS = """\
apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments, labels: {delegates: "carol;dan"}}
spec: {tier: critical, delegates: [bob]}
---
apiVersion: slactl/v1
kind: Service
metadata: {id: intranet, owner: team-it}
spec: {}
---
apiVersion: slactl/v1
kind: Service
metadata: {id: ownerless}
spec: {}
---
apiVersion: slactl/v1
kind: SLA
metadata: {id: payments-gold}
spec:
  level: service
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - {id: availability, indicator: availability, source: probes, target: 99.9}
    - {id: latency, indicator: latency, source: events, target: 99, threshold: 300ms}
---
apiVersion: slactl/v1
kind: SLA
metadata: {id: hr-sla}
spec:
  level: service
  services: [hr-portal]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - {id: availability, indicator: availability, source: probes, target: 99.5}
---
apiVersion: slactl/v1
kind: Freeze
metadata: {id: year-end}
spec:
  start: 2026-12-20T00:00:00+00:00
  end: 2027-01-02T00:00:00+00:00
  services: [payments-api]
  reason: year-end trading
"""

GOOD = {
    "id": "CHG-1", "service": "payments-api", "type": "normal",
    "planned_start": "2026-10-10T02:00:00+00:00", "planned_end": "2026-10-10T03:00:00+00:00",
    "actual_start": "2026-10-10T02:05:00+00:00", "actual_end": "2026-10-10T02:50:00+00:00",
    "outcome": "successful",
    "impact_assessment": "failover of the primary database; success: availability stays >= 99.9%",
    "objectives_at_risk": "payments-gold/availability", "rollback_plan": "promote the old primary",
    "cab_approvers": "alice;team-payments", "pir": "", "_file": "data/changes/2026-10.csv", "_line": 2,
}


def _check(*rows: dict, period: str | None = "2026-10", text: str = DEFINITIONS) -> list[tuple[str, int, str]]:
    result = load_text(text, "defs.yaml")
    assert not result.findings, result.findings
    records = records_from_rows({**GOOD, "_line": i + 2, **row} for i, row in enumerate(rows))
    findings = check_changes(result, records, period=period, today=date(2026, 10, 15))
    return [(f.rule, f.line, f.severity.value) for f in findings]


def test_a_well_prepared_change_passes() -> None:
    assert _check({}) == []


@pytest.mark.parametrize(("row", "expected"), [
    ({"impact_assessment": "", "objectives_at_risk": ""}, [("change-no-impact-assessment", 2, "error")]),
    ({"objectives_at_risk": ""}, [("change-objectives-at-risk-missing", 2, "error")]),
    ({"objectives_at_risk": "none"}, []),
    ({"objectives_at_risk": "payments-gold/availabilty"}, [("change-objective-unknown", 2, "error")]),
    ({"objectives_at_risk": "nope/availability"}, [("change-objective-unknown", 2, "error")]),
    ({"objectives_at_risk": "payments-gold"}, [("change-objective-unknown", 2, "error")]),
    ({"objectives_at_risk": "payments-gold/availability;hr-sla/availability"},
     [("change-objective-not-covering", 2, "error")]),
    ({"rollback_plan": ""}, [("change-no-rollback-plan", 2, "error")]),
    ({"rollback_plan": "", "type": "emergency"}, [("change-no-rollback-plan", 2, "error")]),
    ({"rollback_plan": "", "type": "standard", "cab_approvers": ""}, []),
    ({"type": "minor"}, [("change-type-unknown", 2, "warning")]),
    ({"cab_approvers": "alice"}, [("change-cab-owner-missing", 2, "error")]),
    ({"cab_approvers": "Bob"}, []),  # a delegate in spec.delegates, compared without case
    ({"cab_approvers": "dan"}, []),  # a delegate in the label
    ({"impact_assessment": "low risk"}, [("change-success-criteria-no-target", 2, "warning")]),
    ({"impact_assessment": "keep the availability objective"}, []),
    ({"impact_assessment": "low risk", "objectives_at_risk": "payments-gold/latency"},
     [("change-success-criteria-no-target", 2, "warning")]),
    ({"impact_assessment": "p99 under 300ms for 99.0% of requests", "objectives_at_risk": "payments-gold/latency"}, []),
    ({"outcome": "failed"}, [("change-no-pir", 2, "error")]),
    ({"outcome": "rolled_back"}, [("change-no-pir", 2, "error")]),
    ({"outcome": "rolled back", "pir": "PIR-7"}, []),
])
def test_rule_cases(row: dict, expected: list) -> None:
    assert _check(row) == expected


def test_change_to_a_service_without_agreement_needs_no_impact_assessment() -> None:
    row = {"service": "intranet", "impact_assessment": "", "objectives_at_risk": "", "cab_approvers": "team-it"}
    assert _check(row) == []


def test_service_without_owner_is_a_warning() -> None:
    assert _check({"service": "ownerless", "objectives_at_risk": "none"}) == [
        ("change-cab-owner-missing", 2, "warning")]


def test_each_affected_service_needs_its_owner() -> None:
    row = {"service": "payments-api;intranet", "cab_approvers": "team-payments"}
    assert _check(row) == [("change-cab-owner-missing", 2, "error")]


FREEZE_ROW = {"planned_start": "2026-12-22T10:00:00+00:00", "planned_end": "2026-12-22T11:00:00+00:00",
              "actual_start": "", "actual_end": ""}


def test_changes_in_a_freeze_error_for_normal_warning_for_emergency() -> None:
    found = _check(FREEZE_ROW, {**FREEZE_ROW, "type": "emergency"}, {**FREEZE_ROW, "service": "intranet",
                   "cab_approvers": "team-it", "objectives_at_risk": "none"}, period="2026-12")
    assert found == [("change-in-freeze", 2, "error"), ("change-in-freeze", 3, "warning")]


def test_freeze_message_names_the_freeze_and_window() -> None:
    result = load_text(DEFINITIONS, "defs.yaml")
    findings = check_changes(result, [record_from_row({**GOOD, **FREEZE_ROW})], period="2026-12")
    assert findings[0].message == (
        "change CHG-1: normal change to payments-api from 2026-12-22T10:00Z falls in freeze 'year-end' "
        "(year-end trading), 2026-12-20T00:00Z to 2027-01-02T00:00Z")
    assert (findings[0].file, findings[0].line, findings[0].column) == ("data/changes/2026-10.csv", 2, 1)


def test_actual_window_wins_over_planned_for_freezes() -> None:
    row = {**FREEZE_ROW, "actual_start": "2026-12-19T22:00:00+00:00", "actual_end": "2026-12-19T23:00:00+00:00"}
    assert _check(row, period=None) == []


def test_only_changes_touching_the_period_are_checked() -> None:
    assert _check({"rollback_plan": "", **FREEZE_ROW}, period="2026-10") == []
    assert _check({"rollback_plan": ""}, period=None) == [("change-no-rollback-plan", 2, "error")]


POLICY = """---
apiVersion: slactl/v1
kind: Policy
metadata: {id: clean-measurement}
spec:
  regulation: internal
  applies_to: {kind: Service, tier: [critical]}
  rules:
    freeze-covers-period-end: {days: 2}
"""
POLICY_LINE = DEFINITIONS.count("\n") + 9


def test_policy_freeze_covers_period_end() -> None:
    text = DEFINITIONS + POLICY
    assert _check({}, period="2026-12", text=text) == []  # the year-end freeze covers Dec 30-31
    assert _check({}, period="2026-10", text=text) == [("freeze-covers-period-end", POLICY_LINE, "warning")]
    result = load_text(text, "defs.yaml")
    finding = check_changes(result, [], period="2026-10")[0]
    assert finding.file == "defs.yaml" and finding.column == 5
    assert finding.message == ("no change freeze covers the last 2 day(s) of 2026-10 (until 2026-11-01T00:00Z) "
                               "for payments-api")


def test_policy_with_bad_parameters_is_reported() -> None:
    text = DEFINITIONS + POLICY.replace("{days: 2}", "{days: two}")
    assert _check({}, period="2026-12", text=text) == [("freeze-covers-period-end", POLICY_LINE, "warning")]


def test_policy_without_period_checks_the_current_month() -> None:
    text = DEFINITIONS + POLICY
    assert _check({}, period=None, text=text) == [("freeze-covers-period-end", POLICY_LINE, "warning")]


def test_rules_are_registered_with_scope_changes() -> None:
    load_rule_modules()
    ids = {r.id for r in RULES.values() if r.scope == "changes"}
    assert ids == {
        "change-no-impact-assessment", "change-objectives-at-risk-missing", "change-objective-unknown",
        "change-objective-not-covering", "change-type-unknown", "change-no-rollback-plan",
        "change-cab-owner-missing", "change-in-freeze", "change-success-criteria-no-target", "change-no-pir",
        "freeze-covers-period-end",
    }
    for rule_id in ids:
        doc = RULES[rule_id].doc
        assert "Bad:" in doc and "Good:" in doc, rule_id


def test_records_read_store_rows_and_odd_cells() -> None:
    nan = float("nan")
    change = record_from_row({"id": "C", "service": "a; b", "type": "Normal", "planned_start": nan,
                              "actual_start": "2026-10-01T10:00:00", "objectives_at_risk": ["x/y", nan, " "],
                              "cab_approvers": None, "outcome": "Rolled-Back", "_line": 7.0})
    assert change.services == ("a", "b") and change.type == "normal" and change.planned_start is None
    assert change.actual_start == datetime(2026, 10, 1, 10, tzinfo=UTC)
    assert change.objectives_at_risk == ("x/y",) and change.cab_approvers == ()
    assert change.outcome == "rolled_back" and change.failed and change.line == 7
    assert split_list("a,b;c") == ("a", "b", "c")


def test_period_bounds_and_errors() -> None:
    assert period_bounds("2026-Q4") == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert period_bounds("2026-12")[1] == datetime(2027, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="write a month such as 2026-10"):
        period_bounds("October")


def test_instant_change_overlaps_its_period() -> None:
    moment = datetime(2026, 10, 31, 23, 59, tzinfo=UTC)
    change = ChangeRecord("C", ("s",), "normal", moment, None, None, None, "", "", (), "", (), "")
    assert in_period([change], "2026-10") == [change] and in_period([change], "2026-11") == []


def test_uncovered_time() -> None:
    a, b = datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    assert uncovered([], a, b).total_seconds() == 172800
    assert uncovered([(a, b)], a, b).total_seconds() == 0
    mid = datetime(2026, 10, 31, tzinfo=UTC)
    assert uncovered([(mid, b), (datetime(2026, 10, 1, tzinfo=UTC), a)], a, b).total_seconds() == 86400


def test_rule_severity_defaults() -> None:
    load_rule_modules()
    assert RULES["change-in-freeze"].severity is Severity.ERROR
    assert RULES["freeze-covers-period-end"].severity is Severity.WARNING
