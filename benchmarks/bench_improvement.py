"""Benchmark the improvement analyses over a year of one-minute probes.

Example: python benchmarks/bench_improvement.py --out /tmp/slactl-bench-csi --services 10 --days 365

Writes the repository with benchmarks/make_probes.py (10 services x 365 days of 1-minute samples:
5,256,000 rows from 2026-01-01), adds one Improvement per service (started 2026-06-01,
implemented 2026-06-15, expected: that service's availability), ingests once (`slactl ingest`,
reported but not the subject), then times each command in its own subprocess:
`csi effect` (day and period), `csi baseline`, `csi roi`, `csi score --no-gaps`, `gaps` and `scorecard`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_probes import make_repository, service_ids  # noqa: E402

IMPROVEMENT = """apiVersion: slactl/v1
kind: Improvement
metadata: {{id: fix-{id}}}
spec:
  title: Remediate {id}
  source: breach
  services: [{id}]
  agreements: [{id}-sla]
  status: implemented
  expected: {{objective: {id}-sla/availability, target: 99.95}}
  investment: 5000
  started: 2026-06-01
  implemented: 2026-06-15
"""


def timed(args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    code = "import sys; from slactl.cli.main import app; app(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/slactl-bench-csi"))
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    repo = args.out
    if not (repo / "data" / "probes" / "probes.csv").exists():
        make_repository(repo, args.services, args.days, date(2026, 1, 1))
    ids = service_ids(args.services)
    (repo / "improvements").mkdir(exist_ok=True)
    (repo / "improvements" / "register.yaml").write_text(
        "---\n".join(IMPROVEMENT.format(id=sid) for sid in ids), encoding="utf-8")
    first = f"fix-{ids[0]}"
    repo_args = ["--repo", str(repo)]
    steps = {
        "ingest": ["ingest", *repo_args],
        "csi effect (day)": ["csi", "effect", first, *repo_args],
        "csi effect (period)": ["csi", "effect", first, "--granularity", "period", *repo_args],
        "csi baseline": ["csi", "baseline", first, *repo_args],
        "csi roi (all)": ["csi", "roi", "--periods", "3", *repo_args],
        "csi score --no-gaps": ["csi", "score", "--period", "2026-10", "--no-gaps", *repo_args],
        "gaps": ["gaps", "--period", "2026-10", *repo_args],
        "scorecard": ["scorecard", "--period", "2026-10", *repo_args],
    }
    results = {}
    for name, command in steps.items():
        seconds, code = timed(command)
        results[name] = {"seconds": round(seconds, 2), "exit": code}
        sys.stdout.write(f"{name:<22} {seconds:7.2f} s  (exit {code})\n")
    sys.stdout.write(json.dumps({"rows": args.services * args.days * 1440, "results": results}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
