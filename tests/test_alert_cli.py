"""`slactl alert` end to end: definitions, an outage export, the compliance engine and real local webhooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alert_helpers import webhook
from slactl.cli.main import app

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
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: outages}
spec: {type: outages, path: data/outages/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: EscalationPolicy
metadata: {id: payments-escalation}
spec:
  levels:
    - after: 0m
      channel: technical
      notify:
        - {name: ops-slack, format: slack, url_env: SLACTL_CLI_SLACK}
        - {name: ops-pager, format: pagerduty, url_env: SLACTL_CLI_PD}
    - after: 2h
      channel: customer
      notify:
        - {name: customer-hook, format: json, url_env: SLACTL_CLI_CUSTOMER}
"""
# two hours down in October 2026 (744 h): 100 * (744 - 2) / 744 = 99.731% < 99.9 -> breached, 10% credit
OUTAGES = "service,start,end,impact\npayments-api,2026-10-12T02:00:00Z,2026-10-12T04:00:00Z,1\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "defs.yaml").write_text(DEFINITIONS, encoding="utf-8")
    (tmp_path / "data" / "outages").mkdir(parents=True)
    (tmp_path / "data" / "outages" / "2026-10.csv").write_text(OUTAGES, encoding="utf-8")
    return tmp_path


def _alert(repo: Path, env: dict[str, str], *args: str):
    return CliRunner().invoke(
        app, ["alert", "--repo", str(repo), "--period", "2026-10", *args], env=env, catch_exceptions=False,
    )


def test_breach_is_notified_once_then_escalated_to_the_customer(repo: Path) -> None:
    # October closed at 00:00; delays count from the close: the 2h customer level is due at 02:00
    with webhook() as slack, webhook() as pager, webhook() as customer:
        env = {"SLACTL_CLI_SLACK": slack.url, "SLACTL_CLI_PD": pager.url, "SLACTL_CLI_PD_ROUTING_KEY": PD_KEY,
               "SLACTL_CLI_CUSTOMER": customer.url}
        first = _alert(repo, env, "--as-of", "2026-11-01T00:30:00Z")
        again = _alert(repo, env, "--as-of", "2026-11-01T01:30:00Z")
        later = _alert(repo, env, "--as-of", "2026-11-01T02:30:00Z", "--format", "json")
    assert first.exit_code == 0, first.output
    assert "payments-gold/availability@2026-10  breached (critical)  attained 99.731% target 99.9%" in first.stdout
    assert "ops-slack (slack, trigger): payments-gold/availability@2026-10: delivered after 1 attempt(s)" in first.stdout
    assert "customer-hook: level 1 is due in 1h30m (2h after the period closed)" in first.stdout
    assert "customer-hook: level 1 is due in 30m (2h after the period closed)" in again.stdout
    assert again.exit_code == 0 and "sent:" not in again.stdout
    assert "unchanged since last notified" in again.stdout
    payload = json.loads(later.stdout)
    assert payload["period"] == "2026-10" and "schema_version" in payload
    assert [(n["target"], n["delivered"]) for n in payload["notifications"]] == [("customer-hook", True)]
    assert len(slack.received) == len(pager.received) == len(customer.received) == 1
    assert pager.received[0].body["payload"]["severity"] == "critical"
    assert customer.received[0].body["credit"]["credit_percent"] == 10
    assert "burn" not in json.dumps(customer.received[0].body)
    log = (repo / ".slactl" / "store" / "alerts" / "deliveries.jsonl").read_text(encoding="utf-8")
    assert len(log.splitlines()) == 3
    everything = first.output + again.output + later.output + log
    everything += (repo / ".slactl" / "store" / "alerts" / "state.json").read_text(encoding="utf-8")
    for secret in (PD_KEY, "secret-token-abc123", "127.0.0.1"):
        assert secret not in everything


def test_failed_delivery_exits_1_and_names_no_secret(repo: Path) -> None:
    with webhook(500) as slack:
        env = {"SLACTL_CLI_SLACK": slack.url}
        result = _alert(repo, env, "--as-of", "2026-11-01T09:00:00Z", "--retries", "0")
    assert result.exit_code == 1
    assert "ops-slack (slack, trigger): payments-gold/availability@2026-10: FAILED after 1 attempt(s): HTTP 500" \
        in result.stdout
    assert "ops-pager (pagerduty, trigger): payments-gold/availability@2026-10: FAILED after 0 attempt(s): " \
           "environment variable SLACTL_CLI_PD_ROUTING_KEY (the PagerDuty routing key) is not set" in result.stdout
    assert "secret-token" not in result.output and "127.0.0.1" not in result.output


def test_dry_run_shows_variables_not_values(repo: Path) -> None:
    with webhook() as slack:
        env = {"SLACTL_CLI_SLACK": slack.url, "SLACTL_CLI_PD_ROUTING_KEY": PD_KEY}
        result = _alert(repo, env, "--as-of", "2026-11-01T09:00:00Z", "--dry-run", "--format", "json")
    assert result.exit_code == 0
    assert slack.received == []
    payload = json.loads(result.stdout)
    shown = {n["target"]: n for n in payload["notifications"]}
    assert shown["ops-slack"]["url"] == "${SLACTL_CLI_SLACK}"
    assert shown["ops-pager"]["body"]["routing_key"] == "${SLACTL_CLI_PD_ROUTING_KEY}"
    assert shown["ops-slack"]["problem"] is None and shown["ops-pager"]["problem"] is None
    text = _alert(repo, {}, "--as-of", "2026-11-01T09:00:00Z", "--dry-run")
    assert "to ${SLACTL_CLI_SLACK}: payments-gold/availability@2026-10 (would not be sent: environment variable " \
           "SLACTL_CLI_SLACK (the webhook URL) is not set)" in text.stdout
    assert PD_KEY not in result.output and "secret-token" not in result.output
    assert not (repo / ".slactl" / "store" / "alerts" / "state.json").exists()


def test_nothing_to_notify_when_the_objective_is_met(repo: Path) -> None:
    (repo / "data" / "outages" / "2026-10.csv").write_text("service,start,end,impact\n", encoding="utf-8")
    result = _alert(repo, {}, "--as-of", "2026-11-01T09:00:00Z")
    assert result.exit_code == 0
    assert result.stdout.startswith("0 condition(s)")


def test_usage_errors(repo: Path) -> None:
    bad_time = _alert(repo, {}, "--as-of", "yesterday")
    assert bad_time.exit_code == 2 and "error: --as-of 'yesterday' is not an ISO 8601" in bad_time.stderr
    state = repo / ".slactl" / "store" / "alerts" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{not json", encoding="utf-8")
    broken = _alert(repo, {}, "--as-of", "2026-11-01T09:00:00Z")
    assert broken.exit_code == 2
    assert "state.json: line 1, column 2: not valid JSON" in broken.stderr and "Traceback" not in broken.output


def test_broken_definitions_are_named_on_stderr(repo: Path) -> None:
    (repo / "broken.yaml").write_text("apiVersion: slactl/v1\nkind: SLA\nmetadata: {id: x}\nspec: {}\n", encoding="utf-8")
    result = _alert(repo, {}, "--as-of", "2026-11-01T09:00:00Z", "--dry-run")
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "broken.yaml:4" in result.stderr and "slactl validate" in result.stderr


def test_in_progress_period_burn_rate_alert_reaches_the_technical_channel_only(repo: Path) -> None:
    # 10 minutes down just before --as-of: attained 99.9269% (shown truncated, 99.926%) >= 99.9 (met so far), but
    # every burn-rate tier fires
    (repo / "data" / "outages" / "2026-11.csv").write_text(
        "service,start,end,impact\npayments-api,2026-11-10T11:50:00Z,2026-11-10T12:00:00Z,1\n", encoding="utf-8")
    with webhook() as slack:
        env = {"SLACTL_CLI_SLACK": slack.url}
        result = CliRunner().invoke(app, ["alert", "--repo", str(repo), "--as-of", "2026-11-10T12:00:00Z"],
                                    env=env, catch_exceptions=False)
        later = CliRunner().invoke(app, ["alert", "--repo", str(repo), "--as-of", "2026-11-10T15:00:00Z"],
                                   env=env, catch_exceptions=False)
    assert "payments-gold/availability@2026-11  at_risk (error)  attained 99.926% target 99.9%" in result.stdout
    text = slack.received[0].body["blocks"][1]["text"]["text"]
    assert "burn 166.67x over 1h and 1000.00x over 5m (&gt; 14.4, page)" in text
    assert "customer-hook: customers hear of breaches only" in later.stdout
    assert len(slack.received) == 1
