"""How long `slactl changes check`, `slactl changes stats` and alert planning take on a year of changes.

Builds a repository in a temporary folder with N change records spread over 2026 (plus a month
of outages) and prints wall times of the commands run in-process:

    python benchmarks/bench_changes.py [--changes 50000] [--conditions 5000]

The first `changes check` includes ingesting the CSV into the store; later runs read the store.
Alert planning is timed on a hand-built compliance report with N breached objectives over 50
agreements (first plan, then the unchanged re-plan that sends nothing).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from typer.testing import CliRunner  # noqa: E402

from alert_helpers import DEFINITIONS as ALERT_DEFINITIONS  # noqa: E402
from alert_helpers import objective, report  # noqa: E402
from slactl.cli.main import app  # noqa: E402
from slactl.escalation.evaluate import plan_notifications, record_delivery  # noqa: E402
from slactl.escalation.state import AlertState  # noqa: E402
from slactl.loader.documents import load_text  # noqa: E402
from test_changes_check import DEFINITIONS  # noqa: E402
from test_changes_cli import HEADER, SOURCES  # noqa: E402


def build(root: Path, changes: int) -> None:
    random.seed(2)
    (root / "defs.yaml").write_text(DEFINITIONS + SOURCES, encoding="utf-8")
    (root / "data" / "changes").mkdir(parents=True)
    (root / "data" / "outages").mkdir(parents=True)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    lines = [HEADER]
    for i in range(changes):
        start = base + timedelta(minutes=random.randrange(0, 365 * 24 * 60))
        end = start + timedelta(minutes=random.randrange(5, 240))
        s, e = start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(",".join([
            f"CHG-{i}", random.choice(["payments-api", "intranet"]), random.choice(["standard", "normal", "emergency"]),
            s, e, s, e, random.choice(["successful", "successful", "failed", "rolled_back"]),
            random.choice(["", "availability stays >= 99.9%"]), random.choice(["", "payments-gold/availability", "none"]),
            random.choice(["", "redeploy"]), random.choice(["alice", "team-payments"]), random.choice(["", "PIR-1"]),
        ]) + "\n")
    (root / "data" / "changes" / "2026.csv").write_text("".join(lines), encoding="utf-8")
    outages = ["service,start,end,impact\n"]
    for day in range(1, 32):
        start = datetime(2026, 10, day, 3, tzinfo=UTC)
        outages.append(f"payments-api,{start.isoformat()},{(start + timedelta(minutes=7)).isoformat()},1\n")
    (root / "data" / "outages" / "2026-10.csv").write_text("".join(outages), encoding="utf-8")


def timed(label: str, *args: str) -> None:
    started = time.perf_counter()
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    print(f"{label:<48} {time.perf_counter() - started:6.2f}s  exit {result.exit_code}")


def bench_alert(conditions: int, agreements: int = 50) -> None:
    parts = ALERT_DEFINITIONS.split("---\n")
    text = ALERT_DEFINITIONS + "".join("---\n" + parts[1].replace("payments-gold", f"sla-{a}") for a in range(agreements))
    result = load_text(text)
    per = max(1, conditions // agreements)
    rep = report(*[objective(f"o{i}", agreement=f"sla-{a}") for a in range(agreements) for i in range(per)])
    state, now = AlertState(), datetime(2026, 11, 1, tzinfo=UTC)
    started = time.perf_counter()
    plan = plan_notifications(rep, result, state, now)
    first = time.perf_counter() - started
    for notification in plan.notifications:
        record_delivery(state, notification, now)
    started = time.perf_counter()
    again = plan_notifications(rep, result, state, now + timedelta(minutes=5))
    second = time.perf_counter() - started
    print(f"alert plan, {len(rep.results)} conditions: {first:.2f}s ({len(plan.notifications)} messages); "
          f"unchanged re-plan {second:.2f}s ({len(again.notifications)} messages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50_000)
    parser.add_argument("--conditions", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, args.changes)
        repo = ["--repo", str(root)]
        timed(f"changes check, {args.changes} changes (ingest)", "changes", "check", *repo, "--format", "json")
        timed("changes check --period 2026-10", "changes", "check", *repo, "--period", "2026-10", "--format", "json")
        timed("changes check (all, store read)", "changes", "check", *repo, "--format", "json")
        timed("changes stats --period 2026-10", "changes", "stats", *repo, "--period", "2026-10", "--format", "json")
    bench_alert(args.conditions)


if __name__ == "__main__":
    main()
