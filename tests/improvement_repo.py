"""A small definitions repository and data frames with known answers, for the improvement tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

UTC = timezone.utc

SERVICES = """\
apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments}
spec: {tier: critical}
---
apiVersion: slactl/v1
kind: Service
metadata: {id: reporting, owner: team-data}
spec: {tier: low}
"""

SLA = """\
apiVersion: slactl/v1
kind: SLA
metadata: {id: payments-gold, name: Payments gold}
spec:
  level: customer
  customer: acme
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  monthly_fee: 10000
  currency: EUR
  objectives:
    - id: availability
      indicator: availability
      source: probes
      target: 99.0
      credits:
        - {below: 99.0, credit: 10}
        - {below: 95.0, credit: 25}
    - id: p1-resolution
      indicator: resolution_time
      source: tickets
      filter: {priority: P1}
      threshold: 4h
      target: 90
      clock: wall
      pause_states: [awaiting-customer]
---
apiVersion: slactl/v1
kind: SLA
metadata: {id: reporting-std}
spec:
  level: service
  customer: globex
  services: [reporting]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - id: availability
      indicator: availability
      source: outages
      target: 99.5
---
apiVersion: slactl/v1
kind: OLA
metadata: {id: db-ola}
spec:
  provider: team-db
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - id: db-availability
      indicator: availability
      source: probes
      target: 99.5
      supports: payments-gold/availability
    - id: db-p1-resolution
      supports: payments-gold/p1-resolution
      target: 95
"""

SOURCES = """\
apiVersion: slactl/v1
kind: DataSource
metadata: {id: probes}
spec: {type: probes, path: data/probes/*.csv, timezone: UTC, interval: 1h}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: outages}
spec: {type: outages, path: data/outages/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: tickets}
spec: {type: tickets, path: data/tickets/*.csv, timezone: UTC, pauses: pauses}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: pauses}
spec: {type: pauses, path: data/pauses/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: csat}
spec: {type: csat, path: data/csat/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: complaints}
spec: {type: complaints, path: data/complaints/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: events}
spec: {type: events, path: data/events/*.csv, timezone: UTC}
"""

REGISTER = """\
# The CSI register for payments
apiVersion: slactl/v1
kind: Improvement
metadata:
  id: faster-failover   # the database failover
  name: Faster failover
spec:
  title: "Cut database failover time"   # from the May review
  source: breach
  services: [payments-api]
  agreements:
    - payments-gold
  status: implemented
  phase: check
  # judged at the review
  score: {impact: 4, recurrence: 3, cost: 2}
  expected: {objective: payments-gold/availability, baseline: 98.5, target: 99.5}
  investment: 8000
  started: 2026-07-01
  implemented: 2026-07-15
---
apiVersion: slactl/v1
kind: Improvement
metadata: {id: old-attempt}
spec:
  title: Tune connection pool
  source: breach
  services: [payments-api]
  agreements: [payments-gold]
  status: failed
  expected: {objective: payments-gold/availability}
  lessons_learned: Pool size was not the bottleneck; measure failover first.
---
apiVersion: slactl/v1
kind: Improvement
metadata: {id: report-cache}
spec:
  title: Cache reports
  source: review
  services: [reporting]
  status: identified
  score: {impact: 2, recurrence: 2, cost: 1}
"""

PROBLEMS = """\
apiVersion: slactl/v1
kind: Problem
metadata: {id: db-failover-slow}
spec:
  title: Failover takes 20 minutes
  status: known_error
  breaches:
    - {objective: payments-gold/availability, period: 2026-05}
    - {objective: payments-gold/availability, period: 2026-06}
  technique: five_whys
  whys: [Outage lasted 20m, Failover was manual, No automation, Not prioritised, No risk scoring]
  root_cause: Manual failover procedure
  improvements: [faster-failover, missing-one]
"""


def write_repo(root: Path, *, register: str = REGISTER, toml: str | None = None, sources: str = SOURCES) -> Path:
    files = {
        "services.yaml": SERVICES,
        "agreements/payments.yaml": SLA,
        "sources.yaml": sources,
        "improvements/register.yaml": register,
        "problems/db.yaml": PROBLEMS,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if toml is not None:
        (root / "slactl.toml").write_text(toml, encoding="utf-8")
    return root


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def hourly_probes(first: date, last: date, down_hours: dict[date, int], service: str = "payments-api") -> pd.DataFrame:
    """One probe per hour (interval 1h); `down_hours[day]` of them down, the first hours of that day."""
    rows = []
    day = first
    while day <= last:
        for hour in range(24):
            stamp = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            rows.append({"time": pd.Timestamp(stamp), "service": service, "up": hour >= down_hours.get(day, 0)})
        day += timedelta(days=1)
    frame = pd.DataFrame(rows)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


def tickets_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("opened_at", "responded_at", "resolved_at"):
        if column not in frame:
            frame[column] = pd.NaT
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def pauses_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["ticket_id", "state", "start", "end"])
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return frame
