"""Time `slactl import openslo` on a generated file of N SLOs and `slactl export openslo` of their import.

Run: python benchmarks/bench_interop.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from slactl.cli.main import app

SLO = """apiVersion: openslo/v1
kind: SLO
metadata:
  name: slo-{i}
spec:
  service: service-{s}
  indicator:
    metadata:
      name: sli-{i}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prometheus
            spec:
              query: sum(rate(http_requests_total{{job="svc-{i}",code!~"5.."}}[5m]))
        total:
          metricSource:
            metricSourceRef: prometheus
            spec:
              query: sum(rate(http_requests_total{{job="svc-{i}"}}[5m]))
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: ok
      target: 0.999
  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: fast-{i}
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: fast-{i}-condition
            spec:
              severity: page
              condition:
                kind: burnrate
                threshold: 14
                lookbackWindow: 1h
                alertAfter: 5m
        notificationTargets:
          - targetRef: oncall
"""
SOURCE = """apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
"""


def main(count: int) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = root / "openslo.yaml"
        source.write_text("---\n".join([SOURCE] + [SLO.format(i=i, s=i % 10) for i in range(count)]),
                          encoding="utf-8")
        repo = root / "repo"
        repo.mkdir()
        started = time.perf_counter()
        result = runner.invoke(app, ["import", "openslo", str(source), "--repo", str(repo)], catch_exceptions=False)
        imported = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        started = time.perf_counter()
        result = runner.invoke(app, ["export", "openslo", "--repo", str(repo), "--out", str(root / "out")],
                               catch_exceptions=False)
        exported = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        files = len(list((root / "out").glob("*.yaml")))
    print(f"import openslo: {count} SLOs in {imported:.2f}s ({count / imported:.0f} SLOs/s)")
    print(f"export openslo: {count} objectives, {files} files in {exported:.2f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
