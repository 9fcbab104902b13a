"""Definitions and compliance results built by hand for the report tests (no engine needed)."""

from __future__ import annotations

from pathlib import Path

from slactl.compliance.results import AgreementCredit, ComplianceReport, ErrorBudget, ObjectiveResult

DEFINITIONS = """\
apiVersion: slactl/v1
kind: SLA
metadata:
  id: payments-gold
  name: "NAME"
  owner: team-payments
spec:
  level: customer
  customer: Acme Retail
  services: [payments-api]
  status: active
  version: 3
  effective: 2026-01-01
  review: {cadence: quarterly, next: 2026-10-20}
  calendar: london
  monthly_fee: 10000
  currency: EUR
  underpinned_by: [db-ola]
  maintenance:
    - {id: sunday-patching, every: week, on: sun, at: "02:00", duration: 2h, notice: 72h}
  exclusions:
    - {id: storm-2026-10, start: "2026-10-12T08:00:00+01:00", end: "2026-10-12T10:00:00+01:00",
       reason: "force majeure: regional power outage", clause: "14.2"}
    - {id: old-one, start: "2026-03-01T00:00:00Z", end: "2026-03-01T01:00:00Z", reason: elsewhere}
  objectives:
    - {id: availability, indicator: availability, source: probes, target: 99.9, warning: 99.95,
       credits: [{below: 99.9, credit: 10}]}
    - {id: p1-resolution, indicator: resolution_time, source: tickets, threshold: 4h, target: 95,
       filter: {priority: P1}}
---
apiVersion: slactl/v1
kind: OLA
metadata: {id: db-ola, name: Database team OLA}
spec:
  provider: team-db
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - {id: db-availability, indicator: availability, source: probes, target: 99.95,
       supports: payments-gold/availability}
---
apiVersion: slactl/v1
kind: Calendar
metadata: {id: london}
spec: {timezone: Europe/London}
---
apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments}
spec: {tier: critical}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: probes}
spec: {type: probes, path: data/probes/*.csv, interval: 60s, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: tickets}
spec: {type: tickets, path: data/tickets/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: Problem
metadata: {id: prb-dns, owner: team-net}
spec:
  title: DNS resolver failover too slow
  status: open
  breaches: [{objective: payments-gold/availability, period: 2026-10}]
  technique: five_whys
  root_cause: resolver health checks every 5 minutes
  improvements: [csi-dns]
---
apiVersion: slactl/v1
kind: Improvement
metadata: {id: csi-dns, owner: team-net}
spec:
  title: Faster DNS failover
  source: problem
  agreements: [payments-gold]
  status: in_progress
  phase: do
  score: {impact: 5, recurrence: 4, cost: 2}
"""

PERIODS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
ATTAINED = [99.99, 99.97, 99.96, 99.93, 99.91, 99.85]


def write_definitions(root: Path, name: str = "Payments platform, Gold customers") -> Path:
    (root / "slas").mkdir(parents=True, exist_ok=True)
    path = root / "slas" / "payments.yaml"
    path.write_text(DEFINITIONS.replace("NAME", name.replace('"', '\\"')), encoding="utf-8")
    for folder, text in (("probes", "time,service,status\n2026-10-01T00:00:00Z,payments-api,up\n"),
                         ("tickets", "id,service,priority,opened_at\nT1,payments-api,P1,2026-10-01T00:00:00Z\n")):
        (root / "data" / folder).mkdir(parents=True, exist_ok=True)
        (root / "data" / folder / "2026-10.csv").write_text(text, encoding="utf-8")
    return path


def month_bounds(label: str) -> tuple[str, str]:
    year, month = (int(x) for x in label.split("-"))
    end_year, end_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year}-{month:02d}-01T00:00:00+00:00", f"{end_year}-{end_month:02d}-01T00:00:00+00:00"


def report_for(period: str, attained: float, *, tickets_within: int = 19) -> ComplianceReport:
    start, end = month_bounds(period)
    eligible = 2_653_200.0
    bad = eligible * (100 - attained) / 100
    budget_total = eligible * 0.001
    status = "breached" if attained < 99.9 else ("at_risk" if attained < 99.95 else "met")
    availability = ObjectiveResult(
        agreement="payments-gold", kind="SLA", objective="availability", indicator="availability",
        target=99.9, attained=attained, status=status, coverage=1.0, eligible_seconds=eligible,
        excluded_seconds=28_800.0, bad_seconds=bad, counted=None, within=None,
        error_budget=ErrorBudget("seconds", budget_total, bad, (budget_total - bad) / budget_total),
        burn_rates=None, projected=None, percentiles=None,
        credit_percent=10.0 if status == "breached" else 0.0, review_required=False,
        period=period, start=start, end=end, window="calendar_month", warning=99.95, known_seconds=eligible,
        source="probes", down_intervals=[
            (start[:10] + "T03:00:00+00:00", start[:10] + "T03:40:00+00:00", 1.0),
            (start[:8] + "15T10:00:00+00:00", start[:8] + "15T10:30:00+00:00", 0.5),
        ] if status == "breached" else [],
    )
    tickets = ObjectiveResult(
        agreement="payments-gold", kind="SLA", objective="p1-resolution", indicator="resolution_time",
        target=95.0, attained=100.0 * tickets_within / 20, status="met" if tickets_within >= 19 else "breached",
        coverage=None, eligible_seconds=None, excluded_seconds=None, bad_seconds=None, counted=20,
        within=tickets_within, error_budget=ErrorBudget("tickets", 1.0, 20 - tickets_within, float(tickets_within - 19)),
        burn_rates=None, projected=None, percentiles=None, credit_percent=0.0, review_required=False,
        period=period, start=start, end=end, window="calendar_month", threshold_seconds=14_400.0, source="tickets",
    )
    ola = ObjectiveResult(
        agreement="db-ola", kind="OLA", objective="db-availability", indicator="availability",
        target=99.95, attained=99.97, status="met", coverage=0.95, eligible_seconds=eligible, excluded_seconds=0.0,
        bad_seconds=eligible * 0.0003, counted=None, within=None,
        error_budget=ErrorBudget("seconds", eligible * 0.0005, eligible * 0.0003, 0.4),
        burn_rates={"1h": 0.0, "6h": 0.5}, projected=None, percentiles=None, credit_percent=0.0,
        review_required=False, period=period, start=start, end=end, window="calendar_month",
        supports="payments-gold/availability", source="probes", notes=["3 samples outside service hours ignored"],
    )
    credit = 10.0 if status == "breached" else 0.0
    return ComplianceReport(
        period=period, as_of=end,
        results=[availability, tickets, ola],
        agreements=[AgreementCredit("payments-gold", credit, credit * 100.0, "EUR", "SLA",
                                    status if status != "met" else "met"),
                    AgreementCredit("db-ola", 0.0, None, None, "OLA", "met")],
    )


def reports() -> list[ComplianceReport]:
    return [report_for(p, a) for p, a in zip(PERIODS, ATTAINED, strict=True)]


def load(root: Path):
    """The definitions of a test repository (every YAML file under it)."""
    from slactl.loader import load_paths

    return load_paths(sorted(root.rglob("*.yaml")), root)
