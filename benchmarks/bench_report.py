"""Benchmark `slactl report` (full HTML, manager view, 6-period trend) against `slactl compliance` for the same periods.

Example: python benchmarks/bench_report.py --out /tmp/slactl-bench-report --agreements 200 --months 12

Generates (once) a repository of N SLAs with 5 objectives each (availability from outages,
success ratio and latency from events, P1 resolution from tickets, customer satisfaction) over
12 months of data, ingests it, then times, best of --repeat:
1. compliance: `compute_compliance` for the period and the 5 periods before it (what `slactl
   compliance --period P` does, once per period), in process;
2. report: the whole `slactl report --period P --format html` pipeline in process (the same six
   compliance runs, the view model, charts and rendering);
3. the same two as command lines (`slactl compliance` six times vs `slactl report` once).
Target (issue): report at most 2x compliance.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PERIOD = "2026-10"
TREND = 6


def months_back(count: int) -> datetime:
    year, month = 2026, 11 - count
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, tzinfo=UTC)


def generate(root: Path, agreements: int, months: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "definitions").mkdir(parents=True, exist_ok=True)
    for folder in ("outages", "events", "tickets", "csat"):
        (root / "data" / folder).mkdir(parents=True, exist_ok=True)
    (root / "slactl.toml").write_text('include = ["definitions/**/*.yaml"]\n', encoding="utf-8")
    sources = """apiVersion: slactl/v1
kind: DataSource
metadata: {id: outages}
spec: {type: outages, path: data/outages/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: events}
spec: {type: events, path: data/events/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: tickets}
spec: {type: tickets, path: data/tickets/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: csat}
spec: {type: csat, path: data/csat/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: Calendar
metadata: {id: london}
spec: {timezone: Europe/London}
"""
    (root / "definitions" / "sources.yaml").write_text(sources, encoding="utf-8")
    docs = []
    for i in range(agreements):
        svc = f"svc-{i:03d}"
        docs.append(f"""apiVersion: slactl/v1
kind: Service
metadata: {{id: {svc}, owner: team-{i % 17}}}
spec: {{tier: high}}
---
apiVersion: slactl/v1
kind: SLA
metadata: {{id: sla-{i:03d}, name: Service {i} SLA, owner: team-{i % 17}}}
spec:
  level: service
  customer: Customer {i % 23}
  services: [{svc}]
  status: active
  version: 1
  effective: 2025-01-01
  calendar: london
  monthly_fee: 5000
  currency: GBP
  maintenance:
    - {{id: patching, every: week, on: sun, at: "02:00", duration: 2h, notice: 72h}}
  objectives:
    - {{id: availability, indicator: availability, source: outages, target: 99.9, warning: 99.95,
       credits: [{{below: 99.9, credit: 10}}, {{below: 99.0, credit: 25}}]}}
    - {{id: success, indicator: success_ratio, source: events, target: 99.5}}
    - {{id: latency, indicator: latency, source: events, threshold: 300ms, target: 95}}
    - {{id: p1-resolution, indicator: resolution_time, source: tickets, filter: {{priority: P1}}, threshold: 4h,
       target: 90, clock: wall}}
    - {{id: csat, indicator: csat, source: csat, target: 80}}
""")
    (root / "definitions" / "agreements.yaml").write_text("---\n".join(docs), encoding="utf-8")
    start = months_back(months)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    outages = ["service,start,end,impact"]
    events = ["time,service,good,total,latency_ms"]
    tickets = ["id,service,priority,opened_at,responded_at,resolved_at"]
    csat = ["time,service,score,segment,customer"]
    span = (end - start).total_seconds()
    for i in range(agreements):
        svc = f"svc-{i:03d}"
        for _ in range(2 * months):
            s = start + timedelta(seconds=rng.uniform(0, span - 7200))
            outages.append(f"{svc},{s.isoformat()},{(s + timedelta(minutes=rng.randint(2, 90))).isoformat()},"
                           f"{rng.choice([1.0, 0.5])}")
        t = start
        while t < end:
            total = rng.randint(800, 1200)
            events.append(f"{svc},{t.isoformat()},{total - rng.randint(0, 8)},{total},{rng.gauss(180, 60):.0f}"
                          .replace(f"{svc},{t.isoformat()}", f"{t.isoformat()},{svc}"))
            t += timedelta(hours=6)
        for n in range(8 * months):
            opened = start + timedelta(seconds=rng.uniform(0, span - 86400))
            resolved = opened + timedelta(minutes=rng.expovariate(1 / 150))
            tickets.append(f"T{i}-{n},{svc},{rng.choice(['P1', 'P2'])},{opened.isoformat()},"
                           f"{(opened + timedelta(minutes=10)).isoformat()},{resolved.isoformat()}")
        for _ in range(10 * months):
            when = start + timedelta(seconds=rng.uniform(0, span))
            csat.append(f"{when.isoformat()},{svc},{rng.choice([2, 3, 4, 4, 5, 5, 5])},retail,c{i % 23}")
    for name, rows in (("outages", outages), ("events", events), ("tickets", tickets), ("csat", csat)):
        (root / "data" / name / f"{name}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def best(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/slactl-bench-report"))
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line timings")
    args = parser.parse_args(argv)

    from slactl import __version__
    from slactl.compliance.engine import compute_compliance
    from slactl.compliance.periods import parse_period
    from slactl.loader import load_repository
    from slactl.loader.repository import load_config
    from slactl.report.review import ReviewOptions
    from slactl.report.review import generate as generate_report
    from slactl.store import Store

    repo = args.out
    if not (repo / "slactl.toml").exists():
        t = time.perf_counter()
        generate(repo, args.agreements, args.months)
        print(f"generated {repo} in {time.perf_counter() - t:.1f}s")
    result = load_repository(repo)
    errors = [f for f in result.findings if f.severity.value == "error"]
    if errors:
        raise SystemExit(f"generated definitions do not load: {errors[:3]}")
    store = Store(load_config(repo).store_path)
    t = time.perf_counter()
    store.ensure_ingested(result, repo)
    print(f"ingest (first run only does work): {time.perf_counter() - t:.2f}s")
    period = parse_period(PERIOD)
    labels = [p.label for p in period.previous(TREND - 1)] + [PERIOD]

    def compliance() -> None:
        for label in labels:
            compute_compliance(repo, result, label, store=store)

    out = repo / "reports"

    def report() -> None:
        generate_report(repo, result, ReviewOptions(period=PERIOD, formats=["html"], out=out, trend=TREND),
                        store=store, tool_version=__version__)

    compliance()  # warm caches once, as a long-running service manager's machine would be
    objectives = args.agreements * 5
    c = best(args.repeat, compliance)
    r = best(args.repeat, report)
    print(f"{args.agreements} agreements x 5 objectives = {objectives} objectives, {args.months} months of data")
    print(f"in process: compliance for {len(labels)} periods {c:.2f}s; full HTML report {r:.2f}s; "
          f"ratio {r / c:.2f} (target <= 2.0)")
    html = out / f"service-review-{PERIOD}-manager.html"
    print(f"report size: {html.stat().st_size / 1e6:.1f} MB")
    if not args.no_cli:
        def cli_compliance() -> None:
            for label in labels:
                subprocess.run(["slactl", "--repo", str(repo), "compliance", "--period", label, "--format", "json"],
                               stdout=subprocess.DEVNULL, check=False)

        def cli_report() -> None:
            subprocess.run(["slactl", "--repo", str(repo), "report", "--period", PERIOD, "--format", "html",
                            "--out", str(out)], stdout=subprocess.DEVNULL, check=True)

        cc = best(args.repeat, cli_compliance)
        cr = best(args.repeat, cli_report)
        print(f"command lines: slactl compliance x{len(labels)} {cc:.2f}s; slactl report {cr:.2f}s; "
              f"ratio {cr / cc:.2f}")
    return 0 if r <= 2 * c else 1


if __name__ == "__main__":
    sys.exit(main())
