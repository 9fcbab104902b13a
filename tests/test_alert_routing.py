"""Routing rules of `slactl alert`: no paging for lagging measures, closed periods, periods without data.

End to end through the CLI, with the compliance engine on real files and real local webhooks.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alert_helpers import definitions, objective, report, webhook
from slactl.cli.main import app
from slactl.escalation.evaluate import plan_notifications, record_delivery
from slactl.escalation.state import AlertState

PD_KEY = "R0UT1NGKEY0123456789abcdef"

DEFINITIONS = """\
apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments}
spec: {tier: critical}
---
apiVersion: slactl/v1
kind: SLA
metadata: {id: payments-gold, name: Payments platform Gold}
spec:
  level: service
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  escalation: payments-escalation
  monthly_fee: 12000
  currency: EUR
  objectives:
    - {id: availability, indicator: availability, source: outages, target: 99.9,
       credits: [{below: 99.9, credit: 10}]}
    - {id: csat, indicator: csat, source: survey, target: 80}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: outages}
spec: {type: outages, path: data/outages/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: survey}
spec: {type: csat, path: data/csat/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: EscalationPolicy
metadata: {id: payments-escalation}
spec:
  levels:
    - after: 0m
      channel: technical
      notify:
        - {name: ops-slack, format: slack, url_env: SLACTL_RT_SLACK}
        - {name: ops-pager, format: pagerduty, url_env: SLACTL_RT_PD}
    - after: 30m
      channel: technical
      notify:
        - {name: incident-manager, format: pagerduty, url_env: SLACTL_RT_MIM}
    - after: 4h
      channel: customer
      notify:
        - {name: customer-hook, format: json, url_env: SLACTL_RT_CUSTOMER}
        - {name: customer-pager, format: pagerduty, url_env: SLACTL_RT_CUSTOMER_PD}
"""
# October 2026: two hours down (99.731% < 99.9, breached); 2 of 5 answers score 4 or 5 (40% < 80, breached)
OUTAGES = "service,start,end,impact\npayments-api,2026-10-12T02:00:00Z,2026-10-12T04:00:00Z,1\n"
ANSWERS = "time,service,score\n" + "".join(
    f"2026-10-{day:02d}T10:00:00Z,payments-api,{score}\n" for day, score in zip(range(3, 8), (5, 4, 2, 1, 3), strict=True)
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "defs.yaml").write_text(DEFINITIONS, encoding="utf-8")
    for folder, text in (("outages", OUTAGES), ("csat", ANSWERS)):
        (tmp_path / "data" / folder).mkdir(parents=True)
        (tmp_path / "data" / folder / "2026-10.csv").write_text(text, encoding="utf-8")
    return tmp_path


def _alert(repo: Path, env: dict[str, str], *args: str):
    return CliRunner().invoke(app, ["alert", "--repo", str(repo), *args], env=env, catch_exceptions=False)


def _env(slack: str, pager: str, mim: str, customer: str, customer_pd: str) -> dict[str, str]:
    return {"SLACTL_RT_SLACK": slack, "SLACTL_RT_PD": pager, "SLACTL_RT_PD_ROUTING_KEY": PD_KEY,
            "SLACTL_RT_MIM": mim, "SLACTL_RT_MIM_ROUTING_KEY": PD_KEY, "SLACTL_RT_CUSTOMER": customer,
            "SLACTL_RT_CUSTOMER_PD": customer_pd, "SLACTL_RT_CUSTOMER_PD_ROUTING_KEY": PD_KEY}


# --- customer satisfaction is never paged -------------------------------------------------------


def test_csat_breach_goes_to_chat_and_the_customer_but_never_pages(repo: Path) -> None:
    with webhook() as slack, webhook() as pager, webhook() as mim, webhook() as customer, webhook() as cpd:
        env = _env(slack.url, pager.url, mim.url, customer.url, cpd.url)
        result = _alert(repo, env, "--period", "2026-10", "--as-of", "2026-11-01T06:00:00Z", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    statuses = {c["objective"]: (c["status"], c["paging"]) for c in data["conditions"]}
    assert statuses == {"availability": ("breached", True), "csat": ("breached", False)}
    # PagerDuty (technical and customer levels) only ever hears of availability
    paged = [r.body["dedup_key"] for hook in (pager, mim, cpd) for r in hook.received]
    assert sorted(paged) == ["slactl/payments-gold/availability@2026-10"] * 3
    # chat and the customer webhook get both objectives, grouped in one message each
    assert len(slack.received) == 1 and "payments-gold/csat breached" in json.dumps(slack.received[0].body)
    assert len(customer.received) == 1
    assert [c["objective"] for c in customer.received[0].body["conditions"]] == ["availability", "csat"]
    assert "The customer satisfaction is below the level agreed" in customer.received[0].body["text"]
    reasons = {(s["condition"], s["target"]): s["reason"] for s in data["skipped"]}
    for target in ("ops-pager", "incident-manager", "customer-pager"):
        assert reasons[("payments-gold/csat@2026-10", target)] == (
            "csat is not time-critical: never paged, sent to chat and webhooks only")


@pytest.mark.parametrize("indicator", ["csat", "response_time", "resolution_time"])
def test_lagging_indicators_are_held_back_from_pagerduty_only(indicator: str) -> None:
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    state = AlertState()
    plan_notifications(report(objective("lagging", indicator=indicator, in_progress=True)), definitions(), state, now)
    plan = plan_notifications(report(objective("lagging", indicator=indicator, in_progress=True)), definitions(),
                              state, now + timedelta(hours=2))
    assert sorted(n.target.format for n in plan.notifications) == ["json", "slack"]
    assert [s.reason for s in plan.skipped if s.target == "ops-pager"] == [
        f"{indicator} is not time-critical: never paged, sent to chat and webhooks only"]


def test_a_pager_incident_opened_before_the_rule_is_still_resolved() -> None:
    """State written by an earlier version may have paged a csat breach: its recovery still closes it."""
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    state = AlertState()
    plan = plan_notifications(report(objective("availability", in_progress=True)), definitions(), state, now)
    for notification in plan.notifications:
        record_delivery(state, notification, now)
    old = state.conditions["payments-gold/availability@2026-10"]
    # the same record, as if it had been a csat objective paged by an older version
    state.conditions["payments-gold/csat@2026-10"] = type(old)(**{**old.__dict__, "objective": "csat"})
    met = plan_notifications(report(objective("csat", "met", 95.0, 80, indicator="csat", in_progress=True)),
                             definitions(), state, now + timedelta(hours=1))
    assert ("resolve", "ops-pager") in {(n.action, n.target.name) for n in met.notifications}


# --- a period judged after its end --------------------------------------------------------------


def test_closed_period_dry_run_says_levels_are_due_now(repo: Path) -> None:
    result = _alert(repo, {}, "--period", "2026-10", "--as-of", "2026-11-27T00:40:00Z", "--dry-run")
    assert result.exit_code == 0, result.output
    assert ("period 2026-10 closed 26d40m ago (2026-11-01T00:00:00+00:00): escalation delays count from its "
            "close, so every level whose delay has passed is due now") in result.stdout
    assert "is due in" not in result.stdout
    would = result.stdout.split("would send:")[1].split("held back:")[0]
    for target in ("ops-slack", "ops-pager", "incident-manager", "customer-hook", "customer-pager"):
        assert f"  {target} (" in would
    data = json.loads(_alert(repo, {}, "--period", "2026-10", "--as-of", "2026-11-27T00:40:00Z", "--dry-run",
                             "--format", "json").stdout)
    assert {c["escalate_from"] for c in data["conditions"]} == {"2026-11-01T00:00:00+00:00"}
    assert {c["period_closed_at"] for c in data["conditions"]} == {"2026-11-01T00:00:00+00:00"}
    assert not (repo / ".slactl" / "store" / "alerts" / "state.json").exists()


def test_closed_period_first_run_escalates_straight_to_every_level_due(repo: Path) -> None:
    with webhook() as slack, webhook() as pager, webhook() as mim, webhook() as customer, webhook() as cpd:
        env = _env(slack.url, pager.url, mim.url, customer.url, cpd.url)
        first = _alert(repo, env, "--period", "2026-10", "--as-of", "2026-11-01T01:00:00Z")
        later = _alert(repo, env, "--period", "2026-10", "--as-of", "2026-11-01T04:10:00Z")
    assert first.exit_code == 0, first.output
    # 1h after the close: levels 0 and 1 (30m) at once, the customer level (4h) in 3h
    assert len(slack.received) == len(pager.received) == len(mim.received) == 1
    assert "payments-gold/availability@2026-10 -> customer-hook: level 2 is due in 3h (4h after the period closed)" \
        in first.stdout
    assert later.exit_code == 0, later.output
    assert len(customer.received) == 1 and len(cpd.received) == 1 and len(slack.received) == 1


def test_condition_seen_while_the_period_ran_keeps_its_first_seen_clock() -> None:
    """Seen during the period, judged again after the close: delays still count from first seen."""
    seen = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    state = AlertState()
    plan_notifications(report(objective(in_progress=True)), definitions(), state, seen)
    closed = objective(end="2026-11-01T00:00:00Z")
    plan = plan_notifications(report(closed), definitions(), state, seen + timedelta(minutes=30))
    assert plan.escalate_from["payments-gold/availability@2026-10"] == seen
    assert "level 1 is due in 30m" in {s.reason for s in plan.skipped}
    live = objective(end="2026-11-01T00:00:00Z", in_progress=True)
    fresh = plan_notifications(report(live), definitions(), AlertState(), datetime(2026, 10, 20, tzinfo=UTC))
    assert "level 1 is due in 1h" in {s.reason for s in fresh.skipped}


# --- a period without data ----------------------------------------------------------------------


def test_period_without_data_is_not_reported_as_all_well(repo: Path) -> None:
    # the outage export is complete until the end of October: November time is unknown, not up
    defs = repo / "defs.yaml"
    defs.write_text(defs.read_text(encoding="utf-8").replace(
        "path: data/outages/*.csv, timezone: UTC}", "path: data/outages/*.csv, timezone: UTC, complete_until: 2026-10-31}"),
        encoding="utf-8")
    result = _alert(repo, {}, "--period", "2026-11", "--as-of", "2026-11-15T00:00:00Z")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "no data for 2026-11 at 2026-11-15T00:00:00+00:00: all 2 objective(s) have insufficient data, "
        "so no condition is raised or cleared (this does not mean they are met)")
    assert "0 condition(s)" not in result.stdout
    data = json.loads(_alert(repo, {}, "--period", "2026-11", "--as-of", "2026-11-15T00:00:00Z",
                             "--format", "json").stdout)
    assert data["no_data"] is True and data["conditions"] == []
    assert data["summary"]["objectives"] == data["summary"]["insufficient_data"] == 2
    assert data["insufficient_data"] == ["payments-gold/availability@2026-11", "payments-gold/csat@2026-11"]


def test_some_objectives_without_data_are_listed(repo: Path) -> None:
    # outages: no outage in September means up; csat: no answers means nothing is known
    result = _alert(repo, {}, "--period", "2026-09", "--as-of", "2026-10-15T00:00:00Z")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("0 condition(s) at 2026-10-15T00:00:00+00:00 (2 objective(s) evaluated, 1 with "
                             "insufficient data: neither raised nor cleared)\n"
                             "  payments-gold/csat@2026-09  insufficient data\n")


def test_objectives_without_data_are_counted_and_neither_raised_nor_cleared(repo: Path) -> None:
    with webhook() as slack, webhook() as pager, webhook() as mim, webhook() as customer, webhook() as cpd:
        env = _env(slack.url, pager.url, mim.url, customer.url, cpd.url)
        first = _alert(repo, env, "--period", "2026-10", "--as-of", "2026-10-20T00:00:00Z")
        (repo / "data" / "csat" / "2026-10.csv").write_text("time,service,score\n", encoding="utf-8")
        second = _alert(repo, env, "--period", "2026-10", "--as-of", "2026-10-21T00:00:00Z")
    assert "payments-gold/csat@2026-10  breached" in first.stdout
    assert second.exit_code == 0, second.output
    assert second.stdout.startswith("1 condition(s) at 2026-10-21T00:00:00+00:00 (2 objective(s) evaluated, "
                                    "1 with insufficient data: neither raised nor cleared)")
    assert "  payments-gold/csat@2026-10  insufficient data" in second.stdout
    assert "recovered" not in second.stdout
    assert [r.body["event_action"] for r in pager.received] == ["trigger"]  # availability only; nothing resolved
    assert len(slack.received) == 1
    state = json.loads((repo / ".slactl" / "store" / "alerts" / "state.json").read_text(encoding="utf-8"))
    csat = state["conditions"]["payments-gold/csat@2026-10"]
    assert csat["resolved_at"] is None and csat["targets"]["0:ops-slack"]["open"] is True


def test_period_not_started_is_a_usage_error(repo: Path) -> None:
    result = _alert(repo, {}, "--period", "2026-12", "--as-of", "2026-11-27T00:00:00Z")
    assert result.exit_code == 2
    assert "error: period 2026-12 has not started at 2026-11-27T00:00:00+00:00: there is nothing to judge yet" \
        in result.stderr
    assert "Traceback" not in result.output
