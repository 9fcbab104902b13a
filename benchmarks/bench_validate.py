"""How long `slactl validate` takes on a large repository, against bare YAML loading of the same files.

Generates 2,000 definition files (services, calendars, data sources, multi-level SLAs with several
objectives, OLAs that support them) in a temporary folder and prints best-of-3 timings:

    python benchmarks/bench_validate.py [--files 2000] [--repeat 3]

Target: the in-process validate is at most 1.5x the bare ruamel.yaml round-trip load.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

SERVICE = """apiVersion: slactl/v1
kind: Service
metadata:
  id: svc-{i}
  name: Service {i}
  owner: team-{team}
spec:
  tier: {tier}
  data_classification: internal
  regulations: [GDPR]
  depends_on: [{dep}]
  monitoring: [probes, events]
"""

CALENDAR = """apiVersion: slactl/v1
kind: Calendar
metadata: {{id: cal-{i}, name: Business hours {i}}}
spec:
  timezone: Europe/London
  hours:
    mon: ["08:00-18:00"]
    tue: ["08:00-18:00"]
    wed: ["08:00-18:00"]
    thu: ["08:00-18:00"]
    fri: ["08:00-17:00"]
  holidays: [2026-12-25, 2026-12-28]
"""

SOURCES = """apiVersion: slactl/v1
kind: DataSource
metadata: {id: probes}
spec: {type: probes, path: data/probes/*.csv, timezone: UTC, interval: 60s}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: events}
spec: {type: events, path: data/events/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: tickets}
spec: {type: tickets, path: data/tickets/*.csv, timezone: Europe/London, pauses: ticket-states}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: ticket-states}
spec: {type: pauses, path: data/states/*.csv, timezone: Europe/London}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: csat}
spec: {type: csat, path: data/csat/*.csv, timezone: UTC}
"""

SLA = """# Customer agreement {i}
apiVersion: slactl/v1
kind: SLA
metadata:
  id: sla-{i}
  name: Agreement {i}
  owner: team-{team}
  labels: {{tier: gold}}
spec:
  level: {level}
{parent}  customer: Customer {i}
  services: [svc-{s1}, svc-{s2}]
  status: active
  version: 2
  effective: 2026-01-01
  review: {{cadence: quarterly, last: 2026-10-01, next: 2099-01-01}}
  approvers: [head-of-service, customer-rep]
  changelog:
    - version: 1
      date: 2026-01-01
      summary: First version
      approvals: [{{by: head-of-service, on: 2026-01-01}}, {{by: customer-rep, on: 2026-01-01}}]
    - version: 2
      date: 2026-06-01
      summary: Raised the availability target
      approvals: [{{by: head-of-service, on: 2026-06-01}}, {{by: customer-rep, on: 2026-06-02}}]
  calendar: cal-{cal}
  maintenance:
    - {{id: sunday-patching, every: week, on: sun, at: "02:00", duration: 2h, notice: 72h}}
    - {{id: monthly-db, every: month, on: 1, at: "03:00", duration: 1h}}
  exclusions:
    - {{id: dc-fire, start: 2026-03-01T10:00:00Z, end: 2026-03-01T14:00:00Z, reason: force majeure, clause: "12.3"}}
  underpinned_by: [{ola}]
  monthly_fee: 12000
  currency: EUR
  credit_cap: 30
  objectives:
    - id: availability
      indicator: availability
      source: probes
      service: svc-{s1}
      target: 99.9
      warning: 99.95
      window: calendar_month
      min_coverage: 0.9
      credits:
        - {{below: 99.9, credit: 10}}
        - {{below: 99.0, credit: 25}}
        - {{below: 95.0, credit: 50}}
      min_downtime: 1m
    - id: success-ratio
      indicator: success_ratio
      source: events
      target: 99.5
    - id: latency
      indicator: latency
      source: events
      threshold: 300ms
      target: 99
    - id: p1-resolution
      indicator: resolution_time
      source: tickets
      filter: {{priority: P1}}
      threshold: 4h
      target: 95
      pause_states: [awaiting-customer]
    - id: p1-response
      indicator: response_time
      source: tickets
      filter: {{priority: P1}}
      threshold: 15m
      target: 98
    - id: satisfaction
      indicator: csat
      source: csat
      target: 80
"""

OLA = """apiVersion: slactl/v1
kind: OLA
metadata:
  id: ola-{i}
  name: Platform support {i}
  owner: team-platform
spec:
  provider: team-platform
  services: [svc-{s1}]
  status: active
  version: 1
  effective: 2026-01-01
  review: {{cadence: annual, last: 2026-01-01, next: 2099-01-01}}
  calendar: cal-{cal}
  objectives:
    - {{id: availability, supports: {sla}/availability, source: probes, service: svc-{s1}, target: 99.95}}
    - {{id: p1-resolution, supports: {sla}/p1-resolution, source: tickets, threshold: 3h, pause_states: [awaiting-customer]}}
"""


def generate(root: Path, files: int) -> None:
    """Write `files` definition files into `root`."""
    n_services, n_calendars = files // 4, 20
    n_slas = (files - n_services - n_calendars - 1) * 2 // 3
    n_olas = files - n_services - n_calendars - 1 - n_slas
    for folder in ("services", "calendars", "slas", "olas"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "sources.yaml").write_text(SOURCES)
    for i in range(n_services):
        (root / "services" / f"svc-{i}.yaml").write_text(SERVICE.format(
            i=i, team=i % 17, tier=("critical", "high", "medium")[i % 3], dep=f"svc-{(i + 1) % n_services}"))
    for i in range(n_calendars):
        (root / "calendars" / f"cal-{i}.yaml").write_text(CALENDAR.format(i=i))
    for i in range(n_slas):
        level = "corporate" if i == 0 else ("customer" if i < 20 else "service")
        parent = "" if i == 0 else f"  parent: sla-{0 if i < 20 else 1 + i % 19}\n"
        ola = f"ola-{i}" if i < n_olas else ""
        (root / "slas" / f"sla-{i}.yaml").write_text(SLA.format(
            i=i, team=i % 17, level=level, parent=parent, s1=i % n_services, s2=(i * 7) % n_services,
            cal=i % n_calendars, ola=ola))
    for i in range(n_olas):
        # ola-i supports sla-i, and sla-i lists ola-i: every dependency is documented on both sides
        sla = f"sla-{i}"
        (root / "olas" / f"ola-{i}.yaml").write_text(OLA.format(i=i, s1=i % n_services, cal=i % n_calendars, sla=sla))


def best_of(repeat: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from slactl.rules.validation import run_validation

    with tempfile.TemporaryDirectory(prefix="slactl-bench-") as tmp:
        root = Path(tmp)
        generate(root, args.files)
        paths = sorted(root.rglob("*.yaml"))

        def round_trip() -> None:
            yaml = YAML(typ="rt")
            for path in paths:
                list(yaml.load_all(path.read_text(encoding="utf-8")))

        def safe() -> None:
            # the pure-Python safe loader: the C one (libyaml) rejects some YAML 1.2 that slactl accepts
            yaml = YAML(typ="safe", pure=True)
            for path in paths:
                list(yaml.load_all(path.read_text(encoding="utf-8")))

        run = run_validation(root)
        assert not run.findings, run.findings[:5]
        t_rt = best_of(args.repeat, round_trip)
        t_safe = best_of(args.repeat, safe)
        t_validate = best_of(args.repeat, lambda: run_validation(root))
        t_cli = best_of(args.repeat, lambda: subprocess.run(
            [sys.executable, "-c", "from slactl.cli.main import run; run()", "validate", "--repo", str(root), "--format", "json"],
            check=True, capture_output=True))
        documents = len(run.result.documents)
        print(f"{len(paths)} files, {documents} documents, best of {args.repeat}")
        print(f"  ruamel.yaml round-trip load   {t_rt:7.2f} s")
        print(f"  ruamel.yaml safe load         {t_safe:7.2f} s")
        print(f"  slactl validate (in process)  {t_validate:7.2f} s   {t_validate / t_rt:.2f}x round-trip")
        print(f"  slactl validate (CLI)         {t_cli:7.2f} s   {t_cli / t_rt:.2f}x round-trip")
        print(f"  target: in-process validate <= 1.5x round-trip: {'met' if t_validate <= 1.5 * t_rt else 'NOT met'}")


if __name__ == "__main__":
    main()
