"""Delivery to a real local webhook server: payload shapes, retries, Retry-After, timeouts, log, no secrets."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alert_helpers import definitions, objective, report, webhook
from slactl.escalation.delivery import (
    PAGERDUTY_EVENTS_URL,
    DeliveryLog,
    RetryPolicy,
    deliver,
    redact,
    resolve_endpoint,
)
from slactl.escalation.run import exclusive, run_alerts
from slactl.escalation.state import StateError, load_state, state_path

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=1.0, request_timeout=2.0, total_time=10.0)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PD_KEY = "R0UT1NGKEY0123456789abcdef"


def _plan_one(fmt: str = "json"):
    from slactl.escalation.evaluate import plan_notifications
    from slactl.escalation.state import AlertState

    state = AlertState()
    plan_notifications(report(objective()), definitions(), state, NOW)
    plan = plan_notifications(report(objective()), definitions(), state, NOW + timedelta(hours=1))
    return next(n for n in plan.notifications if n.target.format == fmt)


def _log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_server_fails_then_recovers_is_retried_with_backoff(tmp_path: Path) -> None:
    notification = _plan_one("json")
    waits: list[float] = []
    with webhook(500, 503, 200) as hook:
        env = {notification.target.url_env: hook.url}
        outcome = deliver(notification, FAST, DeliveryLog(tmp_path / "log.jsonl"), environ=env,
                          sleep=lambda s: (waits.append(s), time.sleep(s)))
    assert outcome.delivered
    assert [a.status for a in outcome.attempts] == [500, 503, 200]
    assert waits == [0.01, 0.02]  # exponential backoff
    assert len(hook.received) == 3
    assert hook.received[0].body == hook.received[2].body
    lines = _log_lines(tmp_path / "log.jsonl")
    assert [(e["attempt"], e["status"], e["outcome"]) for e in lines] == [
        (1, 500, "retry"), (2, 503, "retry"), (3, 200, "delivered")]
    assert lines[0]["conditions"] == ["payments-gold/availability@2026-10"]
    assert lines[0]["target"] == "customer-webhook"
    assert "secret-token" not in (tmp_path / "log.jsonl").read_text()


def test_server_that_keeps_failing_gives_up_after_max_attempts(tmp_path: Path) -> None:
    notification = _plan_one("json")
    with webhook(500, 500, 500, 500, 500) as hook:
        outcome = deliver(notification, FAST, DeliveryLog(tmp_path / "log.jsonl"),
                          environ={notification.target.url_env: hook.url}, sleep=lambda s: None)
    assert not outcome.delivered
    assert len(outcome.attempts) == FAST.max_attempts == len(hook.received)
    assert "gave up after 4 attempt(s)" in outcome.error
    assert "secret-token" not in outcome.error and "127.0.0.1" not in outcome.error


def test_client_error_is_not_retried(tmp_path: Path) -> None:
    notification = _plan_one("json")
    with webhook(400) as hook:
        outcome = deliver(notification, FAST, None, environ={notification.target.url_env: hook.url})
    assert not outcome.delivered and len(hook.received) == 1
    assert "HTTP 400" in outcome.error and "not retried" in outcome.error


def test_429_honours_retry_after(tmp_path: Path) -> None:
    notification = _plan_one("json")
    waits: list[float] = []
    with webhook((429, {"Retry-After": "0.3"}), (429, {"Retry-After": "1"}), 200) as hook:
        outcome = deliver(notification, FAST, None, environ={notification.target.url_env: hook.url},
                          sleep=waits.append)
    assert outcome.delivered
    assert [a.status for a in outcome.attempts] == [429, 429, 200]
    # "0.3" is not an integer number of seconds (RFC 9110), so backoff applies; "1" is honoured over backoff
    assert waits == [0.01, 1.0]


def test_retry_after_longer_than_allowed_gives_up_at_once() -> None:
    notification = _plan_one("json")
    with webhook((429, {"Retry-After": "3600"})) as hook:
        outcome = deliver(notification, FAST, None, environ={notification.target.url_env: hook.url},
                          sleep=lambda s: None)
    assert not outcome.delivered and len(hook.received) == 1
    assert "Retry-After 3600s" in outcome.error


def test_server_that_never_answers_times_out_within_the_budget(tmp_path: Path) -> None:
    notification = _plan_one("json")
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.1, request_timeout=0.3, total_time=5.0)
    started = time.monotonic()
    with webhook("hang", "hang") as hook:
        outcome = deliver(notification, policy, DeliveryLog(tmp_path / "log.jsonl"),
                          environ={notification.target.url_env: hook.url})
    assert time.monotonic() - started < 3
    assert not outcome.delivered
    assert [a.status for a in outcome.attempts] == [None, None]
    assert "no answer" in outcome.error
    assert [e["outcome"] for e in _log_lines(tmp_path / "log.jsonl")] == ["retry", "failed"]


def test_total_time_budget_bounds_retries() -> None:
    notification = _plan_one("json")
    policy = RetryPolicy(max_attempts=10, base_delay=0.4, max_delay=5, request_timeout=1, total_time=1.0)
    with webhook(500, 500, 500, 500) as hook:
        outcome = deliver(notification, policy, None, environ={notification.target.url_env: hook.url})
    assert not outcome.delivered
    assert len(hook.received) == 2  # 0.4s then 0.8s would pass the 1s budget
    assert "time budget" in outcome.error


def test_connection_refused_is_reported_without_the_url() -> None:
    notification = _plan_one("json")
    url = "http://127.0.0.1:9/hooks/secret-token-abc123"
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, request_timeout=1, total_time=5)
    outcome = deliver(notification, policy, None, environ={notification.target.url_env: url}, sleep=lambda s: None)
    assert not outcome.delivered and "cannot connect" in outcome.error
    assert "secret-token" not in outcome.error


def test_missing_environment_variable_is_not_configured(tmp_path: Path) -> None:
    notification = _plan_one("slack")
    outcome = deliver(notification, FAST, DeliveryLog(tmp_path / "log.jsonl"), environ={})
    assert not outcome.delivered
    assert outcome.error == "environment variable SLACTL_TEST_SLACK_URL (the webhook URL) is not set"
    assert _log_lines(tmp_path / "log.jsonl")[0]["outcome"] == "not-configured"


def test_pagerduty_endpoint_and_routing_key_come_from_the_environment() -> None:
    endpoint = resolve_endpoint("pagerduty", "PD", {"PD": "http://127.0.0.1:1/x", "PD_ROUTING_KEY": PD_KEY})
    assert endpoint.url == "http://127.0.0.1:1/x" and endpoint.routing_key == PD_KEY
    endpoint = resolve_endpoint("pagerduty", "PD", {"PD": PD_KEY})
    assert endpoint.url == PAGERDUTY_EVENTS_URL and endpoint.routing_key == PD_KEY
    endpoint = resolve_endpoint("pagerduty", "PD", {"PD_ROUTING_KEY": PD_KEY})
    assert endpoint.url == PAGERDUTY_EVENTS_URL
    for env in ({}, {"PD": "https://example.invalid/enqueue"}):
        try:
            resolve_endpoint("pagerduty", "PD", env)
        except Exception as exc:  # noqa: BLE001
            assert "PD_ROUTING_KEY" in str(exc)
        else:
            raise AssertionError("a missing routing key must be refused")
    try:
        resolve_endpoint("json", "HOOK", {"HOOK": "file:///etc/passwd"})
    except Exception as exc:  # noqa: BLE001
        assert "http(s)" in str(exc) and "passwd" not in str(exc)
    else:
        raise AssertionError("a non-http URL must be refused")


def test_redact_hides_urls_hosts_paths_and_keys() -> None:
    url = "https://hooks.example.com/services/T000/B000/XXXX"
    text = f"cannot reach {url} at hooks.example.com path /services/T000/B000/XXXX key {PD_KEY}"
    cleaned = redact(text, (url, PD_KEY))
    assert "example.com" not in cleaned and "T000" not in cleaned and PD_KEY not in cleaned


def test_run_delivers_every_format_and_never_leaks_secrets(tmp_path: Path) -> None:
    result = definitions()
    with webhook() as slack, webhook() as pager, webhook() as customer:
        env = {"SLACTL_TEST_SLACK_URL": slack.url, "SLACTL_TEST_PD": pager.url,
               "SLACTL_TEST_PD_ROUTING_KEY": PD_KEY, "SLACTL_TEST_CUSTOMER_URL": customer.url}
        first = run_alerts(report(objective()), result, tmp_path, NOW, policy=FAST, environ=env)
        later = NOW + timedelta(hours=2)
        second = run_alerts(report(objective()), result, tmp_path, later, policy=FAST, environ=env)
    assert [d.target for d in first.deliveries] == ["ops-pager", "ops-slack"]
    assert all(d.delivered for d in first.deliveries)
    # the customer level is due one hour after the condition was first seen
    assert [d.target for d in second.deliveries] == ["customer-webhook"]
    assert len(slack.received) == len(pager.received) == len(customer.received) == 1

    slack_body = slack.received[0].body
    assert set(slack_body) == {"text", "blocks"}
    assert slack_body["blocks"][0]["type"] == "header"
    assert "payments-gold/availability breached" in slack_body["blocks"][1]["text"]["text"]

    event = pager.received[0].body
    assert event["routing_key"] == PD_KEY
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == "slactl/payments-gold/availability@2026-10"
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["source"] == "slactl:payments-gold"
    assert event["payload"]["summary"].startswith("payments-gold/availability breached")

    body = customer.received[0].body
    assert body["channel"] == "customer" and body["event"] == "trigger"
    assert body["credit"] == {"credit_percent": 10, "credit_amount": 1200.0, "currency": "EUR"}
    text = json.dumps(body)
    for internal in ("burn", "budget", "attained", "bad_seconds", "99.5"):
        assert internal not in text

    everything = json.dumps([first.to_dict(), second.to_dict()])
    everything += (tmp_path / "alerts" / "deliveries.jsonl").read_text()
    everything += state_path(tmp_path).read_text()
    for secret in (PD_KEY, "secret-token-abc123", slack.url):
        assert secret not in everything
    state = load_state(state_path(tmp_path))
    assert set(state.conditions["payments-gold/availability@2026-10"].targets) == {
        "0:ops-slack", "0:ops-pager", "1:customer-webhook"}


def test_failed_delivery_is_tried_again_next_run(tmp_path: Path) -> None:
    result = definitions()
    with webhook(500, 500, 500, 500) as slack, webhook() as pager:
        env = {"SLACTL_TEST_SLACK_URL": slack.url, "SLACTL_TEST_PD": pager.url,
               "SLACTL_TEST_PD_ROUTING_KEY": PD_KEY}
        first = run_alerts(report(objective()), result, tmp_path, NOW, policy=FAST, environ=env,
                           sleep=lambda s: None)
        second = run_alerts(report(objective()), result, tmp_path, NOW + timedelta(minutes=5), policy=FAST,
                            environ=env, sleep=lambda s: None)
    assert [(d.target, d.delivered) for d in first.deliveries] == [("ops-pager", True), ("ops-slack", False)]
    assert [(d.target, d.delivered) for d in second.deliveries] == [("ops-slack", True)]
    assert len(pager.received) == 1


def test_dry_run_sends_nothing_and_shows_variable_names(tmp_path: Path) -> None:
    with webhook() as hook:
        env = {"SLACTL_TEST_SLACK_URL": hook.url, "SLACTL_TEST_PD_ROUTING_KEY": PD_KEY}
        run = run_alerts(report(objective()), definitions(), tmp_path, NOW, dry_run=True, environ=env)
    assert hook.received == []
    assert not state_path(tmp_path).exists()
    shown = json.dumps(run.to_dict())
    assert "${SLACTL_TEST_SLACK_URL}" in shown and "${SLACTL_TEST_PD_ROUTING_KEY}" in shown
    assert PD_KEY not in shown and hook.url not in shown


def test_malformed_url_is_refused_without_echoing_it() -> None:
    notification = _plan_one("json")
    for url in ("http://hooks.example.com:notaport/secret-token-abc123", "http:///secret-token-abc123"):
        outcome = deliver(notification, FAST, None, environ={notification.target.url_env: url}, sleep=lambda s: None)
        assert not outcome.delivered
        assert "secret-token" not in outcome.error and "example.com" not in outcome.error


def test_overlapping_runs_are_refused(tmp_path: Path) -> None:
    lock = tmp_path / "alerts" / ".lock"
    with exclusive(lock):
        with pytest.raises(StateError, match="another slactl alert is running"):
            run_alerts(report(objective()), definitions(), tmp_path, NOW, environ={})
    run = run_alerts(report(objective()), definitions(), tmp_path, NOW, environ={}, policy=FAST)
    assert len(run.failed) == 2  # not configured: nothing is set in this environment


def test_numpy_figures_are_sent_as_plain_json() -> None:
    import numpy as np

    from slactl.escalation.evaluate import plan_notifications
    from slactl.escalation.state import AlertState

    result = objective(attained=np.float64(99.5), burn_rates={"1h": np.float64(2.5)})
    result.alerts = [{"severity": "page", "factor": 14.4, "long": np.int64(3600), "short": np.int64(300),
                      "long_rate": np.float64(20.0), "short_rate": np.float64(30.0)}]
    plan = plan_notifications(report(result), definitions(), AlertState(), NOW)
    slack = next(n for n in plan.notifications if n.target.format == "slack")
    with webhook() as hook:
        outcome = deliver(slack, FAST, None, environ={slack.target.url_env: hook.url})
    assert outcome.delivered and "20.00x over 1h" in json.dumps(hook.received[0].body)
