"""The improvement commands end to end: CSV files in a repository, the real store, CliRunner."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from improvement_repo import write_repo
from slactl.cli.main import app

runner = CliRunner()


def run(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _probe_csv(first: date, last: date, down: dict[date, int]) -> str:
    lines = ["time,service,status"]
    day = first
    while day <= last:
        for hour in range(24):
            stamp = datetime(day.year, day.month, day.day, hour).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines.append(f"{stamp},payments-api,{'down' if hour < down.get(day, 0) else 'up'}")
        day += timedelta(days=1)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_repo(tmp_path_factory.mktemp("csi"))
    down = {date(2026, 4, 1) + timedelta(days=n): 2 for n in range(105)}  # to 2026-07-14
    files = {
        "data/probes/payments.csv": _probe_csv(date(2026, 4, 1), date(2026, 10, 31), down),
        "data/outages/reporting.csv": "service,start,end\nreporting,2026-10-03T00:00:00Z,2026-10-03T10:00:00Z\n"
                                      "payments-api,2026-10-02T00:00:00Z,2026-10-02T00:30:00Z\n",
        "data/csat/answers.csv": "time,service,score\n"
        + "".join(f"2026-10-05T10:0{n}:00Z,payments-api,{s}\n" for n, s in enumerate((2, 3, 2, 3, 5)))
        + "".join(f"2026-10-06T10:0{n}:00Z,reporting,{s}\n" for n, s in enumerate((5, 5, 4, 5, 4))),
        "data/complaints/c.csv": "time,service,customer,reference\n2026-05-03T10:00:00Z,payments-api,acme,c1\n"
                                 "2026-10-07T10:00:00Z,payments-api,acme,c2\n",
        "data/tickets/t.csv": "id,service,priority,opened_at,resolved_at\n"
        + "".join(f"T{n},payments-api,P1,2026-10-0{n}T08:00:00Z,2026-10-0{n}T11:55:00Z\n" for n in range(1, 6)),
        "data/pauses/p.csv": "ticket_id,state,start,end\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_csi_effect_and_baseline(repo: Path) -> None:
    result = run("csi", "effect", "faster-failover", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "effect of faster-failover on payments-gold/availability (day): improved"
    assert "before 2026-06-01..2026-06-30  n=30 mean=91.6667" in result.output
    data = json.loads(run("csi", "effect", "faster-failover", "--granularity", "period", "--after", "3",
                          "--before", "3", "--repo", str(repo), "--format", "json").output)
    assert [row["interval"] for row in data["effect"]["after"]["values"]] == ["2026-08", "2026-09", "2026-10"]
    assert data["effect"]["comparison"]["verdict"] == "improved"
    result = run("csi", "baseline", "faster-failover", "--periods", "3", "--repo", str(repo))
    assert result.exit_code == 0
    assert "2026-04  91.6667" in result.output and "n=3 mean=91.6667" in result.output


def test_csi_effect_usage_errors(repo: Path) -> None:
    result = run("csi", "effect", "report-cache", "--repo", str(repo))
    assert result.exit_code == 2
    assert "error: Improvement 'report-cache' has no expected.objective" in result.output
    assert "hint: slactl csi set report-cache expected.objective=" in result.output


def test_csi_roi(repo: Path) -> None:
    result = run("csi", "roi", "faster-failover", "--periods", "3", "--repo", str(repo), "--format", "json")
    assert result.exit_code == 0
    item = json.loads(result.output)["roi"]["items"][0]
    assert item["before"]["breaches"] == 3 and item["after"]["breaches"] == 0
    assert item["credits_saved"] == pytest.approx(7500.0)
    assert item["complaints_avoided"] == 0  # one in May, one in October


def test_csi_score_and_gaps(repo: Path) -> None:
    result = run("csi", "score", "--period", "2026-10", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "improvement faster-failover" in result.output
    assert "impact     5  weight 0.5" in result.output
    data = json.loads(run("gaps", "--period", "2026-10", "--repo", str(repo), "--format", "json").output)
    kinds = {g["id"]: g["kind"] for g in data["gaps"]}
    assert kinds.get("reporting-std-availability") == "breached"
    assert kinds.get("watermelon-payments-api") == "watermelon"
    result = run("gaps", "--period", "2026-10", "--gaming", "--repo", str(repo))
    assert "FLAG deadline_bunching" in result.output and "tickets: T1, T2, T3, T4, T5" in result.output


def test_scorecard_thresholds_reconcile(repo: Path) -> None:
    data = json.loads(run("scorecard", "--period", "2026-10", "--repo", str(repo), "--format", "json").output)
    gold = next(r for r in data["scorecard"] if r["agreement"] == "payments-gold")
    assert gold["technical"] == 100.0 and gold["customer"] == pytest.approx(15.0)
    assert {c["service"]: c["flag"] for c in data["csat"]}["payments-api"] == "watermelon"
    result = run("thresholds", "suggest", "probes", "--repo", str(repo))
    assert result.exit_code == 0 and "availability (daily)" in result.output
    result = run("thresholds", "suggest", "nope", "--repo", str(repo))
    assert result.exit_code == 2 and "error: no DataSource 'nope'" in result.output
    result = run("reconcile", "--period", "2026-10", "--repo", str(repo))
    assert result.exit_code == 1
    assert "DISAGREE payments-api 2026-10-02: outages:outages 97.9167 vs probes:probes 100.0000" in result.output
    assert "tickets" not in result.output
    assert run("reconcile", "--period", "2026-10", "--tolerance", "5", "--repo", str(repo)).exit_code == 0
    # the P1 tickets (open 3h55m on each of the first five days) say the service was down; probes do not
    result = run("reconcile", "--period", "2026-10", "--tolerance", "5", "--tickets", "P1", "--repo", str(repo))
    assert result.exit_code == 1
    assert "DISAGREE payments-api 2026-10-01: probes:probes 100.0000 vs tickets-P1:tickets 83.6806" in result.output
    result = run("reconcile", "--period", "October", "--repo", str(repo))
    assert result.exit_code == 2 and "not a period" in result.output


def test_problem_commands(repo: Path) -> None:
    result = run("problem", "--repo", str(repo))
    assert result.exit_code == 0
    assert result.output.startswith("db-failover-slow")
    assert "faster-failover (implemented), missing-one (missing)" in result.output
    result = run("problem", "show", "db-failover-slow", "--repo", str(repo))
    assert "why 2: Failover was manual" in result.output and "root cause: Manual failover procedure" in result.output
    data = json.loads(run("problem", "list", "--repo", str(repo), "--format", "json").output)
    assert data["problems"][0]["breaches"][0] == {"objective": "payments-gold/availability", "period": "2026-05"}
    assert run("problem", "show", "nope", "--repo", str(repo)).exit_code == 2


def test_every_command_has_an_example() -> None:
    for args in (["csi", "list"], ["csi", "show"], ["csi", "add"], ["csi", "set"], ["csi", "score"],
                 ["csi", "baseline"], ["csi", "effect"], ["csi", "roi"], ["problem"], ["problem", "show"],
                 ["problem", "list"], ["gaps"], ["scorecard"], ["csi"], ["thresholds"], ["thresholds", "suggest"],
                 ["reconcile"]):
        result = run(*args, "--help")
        assert result.exit_code == 0 and "Example: slactl" in result.output, args


def test_thresholds_on_events_without_latency_is_a_message_not_a_crash(tmp_path) -> None:
    from typer.testing import CliRunner

    from slactl.cli.main import app

    runner = CliRunner()
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo)], catch_exceptions=False).exit_code == 0
    result = runner.invoke(app, ["thresholds", "suggest", "events", "--service", "payments-api", "--repo", str(repo)],
                           catch_exceptions=False)
    assert result.exit_code == 2
    assert "no latency_ms values" in result.stderr
