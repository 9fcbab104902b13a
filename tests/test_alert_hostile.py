"""Hostile webhooks and environments: a malformed URL among good targets, a body sent a byte at a time, an
answer that stops after its headers. Real servers on 127.0.0.1; every test has a hard time bound, so a
regression fails instead of hanging the suite."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from typer.testing import CliRunner

from alert_helpers import definitions, objective, report, webhook
from slactl.cli.main import app
from slactl.escalation.delivery import DeliveryLog, RetryPolicy, deliver
from slactl.escalation.run import run_alerts
from slactl.escalation.state import load_state, state_path

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PD_KEY = "R0UT1NGKEY0123456789abcdef"
MALFORMED = "http://[::1/hooks/secret-token-abc123"  # urlsplit: "Invalid IPv6 URL"
T = TypeVar("T")


def within(seconds: float, work: Callable[[], T]) -> T:
    """`work()`, failing (not hanging) when it has not returned after `seconds`."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds}s: the time limit is not enforced"
    if "error" in box:
        raise box["error"]
    return box["value"]


@dataclass
class SlowServer:
    url: str = ""
    received: list[Any] = field(default_factory=list)


@contextmanager
def slow_server(mode: str) -> Iterator[SlowServer]:
    """Answers 200 with Content-Length: 1000, then `drip` sends a byte a second, `silent` sends nothing more."""
    server = SlowServer()
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    threads: list[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                match = re.search(rb"content-length:\s*(\d+)", head, re.IGNORECASE)
                length = int(match.group(1)) if match else 0
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    body += chunk
                server.received.append(json.loads(body))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                if mode == "drip":
                    while not stop.wait(1.0):
                        conn.sendall(b" ")
                else:
                    stop.wait(60)
            except OSError:  # the client gave up: that is the point
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=handle, args=(conn,), daemon=True)
            threads.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    server.url = f"http://127.0.0.1:{listener.getsockname()[1]}/hooks/secret-token-abc123"
    try:
        yield server
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for worker in threads:
            worker.join(5)


def _plan_one(fmt: str = "json"):
    from slactl.escalation.evaluate import plan_notifications
    from slactl.escalation.state import AlertState

    state = AlertState()
    plan_notifications(report(objective()), definitions(), state, NOW)
    plan = plan_notifications(report(objective()), definitions(), state, NOW + timedelta(hours=1))
    return next(n for n in plan.notifications if n.target.format == fmt)


def _log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- a malformed URL in the environment --------------------------------------------------------------


def test_malformed_url_fails_that_target_only_and_state_is_saved(tmp_path: Path) -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.1, request_timeout=2, total_time=10)
    sleeps: list[float] = []
    with webhook() as pager:
        env = {"SLACTL_TEST_SLACK_URL": MALFORMED, "SLACTL_TEST_PD": pager.url, "SLACTL_TEST_PD_ROUTING_KEY": PD_KEY}

        def twice() -> tuple[Any, Any]:
            first = run_alerts(report(objective()), definitions(), tmp_path, NOW, policy=policy, environ=env,
                               sleep=sleeps.append)
            second = run_alerts(report(objective()), definitions(), tmp_path, NOW + timedelta(minutes=10),
                                policy=policy, environ=env, sleep=sleeps.append)
            return first, second

        first, second = within(20, twice)
    assert [(d.target, d.delivered) for d in first.deliveries] == [("ops-pager", True), ("ops-slack", False)]
    failed = first.deliveries[1]
    assert len(failed.attempts) == 1 and failed.attempts[0].outcome == "failed"  # not retried
    assert failed.error == "the URL in environment variable SLACTL_TEST_SLACK_URL is malformed (not retried)"
    assert sleeps == []
    state = load_state(state_path(tmp_path))
    assert set(state.conditions["payments-gold/availability@2026-10"].targets) == {"0:ops-pager"}
    # the next run tries the broken target again but does not page a second time
    assert [(d.target, d.delivered) for d in second.deliveries] == [("ops-slack", False)]
    assert len(pager.received) == 1
    everything = json.dumps([first.to_dict(), second.to_dict()]) + (tmp_path / "alerts" / "deliveries.jsonl").read_text()
    everything += state_path(tmp_path).read_text()
    for secret in (MALFORMED, "secret-token", "::1", PD_KEY):
        assert secret not in everything


@pytest.mark.parametrize("url", [MALFORMED, "https://[fe80::1/x/secret-token-abc123",
                                 "http://hooks.example.com:99999/secret-token-abc123"])
def test_malformed_url_is_a_failed_delivery_not_retried(url: str, tmp_path: Path) -> None:
    notification = _plan_one("json")
    outcome = within(10, lambda: deliver(notification, RetryPolicy(), DeliveryLog(tmp_path / "log.jsonl"),
                                         environ={notification.target.url_env: url}, sleep=lambda s: None))
    assert not outcome.delivered and "malformed (not retried)" in outcome.error
    assert [(e["attempt"], e["outcome"]) for e in _log(tmp_path / "log.jsonl")] == [(1, "failed")]
    assert "secret-token" not in (tmp_path / "log.jsonl").read_text() + outcome.error


CLI_DEFINITIONS = """\
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
  objectives:
    - {id: availability, indicator: availability, source: outages, target: 99.9}
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
        - {name: ops-slack, format: slack, url_env: SLACTL_HOSTILE_SLACK}
        - {name: service-owners, format: json, url_env: SLACTL_HOSTILE_OWNERS}
"""


def test_cli_reports_a_malformed_url_as_a_failed_delivery(tmp_path: Path) -> None:
    (tmp_path / "defs.yaml").write_text(CLI_DEFINITIONS, encoding="utf-8")
    (tmp_path / "data" / "outages").mkdir(parents=True)
    (tmp_path / "data" / "outages" / "2026-10.csv").write_text(
        "service,start,end,impact\npayments-api,2026-10-12T02:00:00Z,2026-10-12T04:00:00Z,1\n", encoding="utf-8")
    with webhook() as slack:
        env = {"SLACTL_HOSTILE_SLACK": slack.url, "SLACTL_HOSTILE_OWNERS": MALFORMED}

        def alert(as_of: str) -> Any:
            return CliRunner().invoke(app, ["alert", "--repo", str(tmp_path), "--period", "2026-10", "--as-of",
                                            as_of, "--retries", "0", "--timeout", "2"], env=env)

        first = within(30, lambda: alert("2026-11-01T01:00:00Z"))
        second = within(30, lambda: alert("2026-11-01T01:10:00Z"))
    assert first.exception is None or isinstance(first.exception, SystemExit), first.output
    assert first.exit_code == 1, first.output
    assert "failed unexpectedly" not in first.output
    assert "ops-slack (slack, trigger): payments-gold/availability@2026-10: delivered" in first.output
    assert ("service-owners (json, trigger): payments-gold/availability@2026-10: FAILED after 1 attempt(s): "
            "the URL in environment variable SLACTL_HOSTILE_OWNERS is malformed (not retried)") in first.output
    assert second.exit_code == 1 and "ops-slack (slack" not in second.output  # delivered once, remembered
    assert len(slack.received) == 1
    for secret in ("secret-token", "::1"):
        assert secret not in first.output + second.output


# --- slow and silent answers ------------------------------------------------------------------------


def test_slow_body_after_200_is_delivered_within_the_timeout(tmp_path: Path) -> None:
    # `alert --timeout 2 --retries 0`: the status line says delivered; the trickling body is cut off
    notification = _plan_one("json")
    policy = RetryPolicy(max_attempts=1, request_timeout=2.0)
    with slow_server("drip") as server:
        started = time.monotonic()
        outcome = within(10, lambda: deliver(notification, policy, DeliveryLog(tmp_path / "log.jsonl"),
                                             environ={notification.target.url_env: server.url}))
        elapsed = time.monotonic() - started
    assert outcome.delivered and outcome.error is None
    assert [(a.status, a.outcome) for a in outcome.attempts] == [(200, "delivered")]
    assert elapsed < 4
    assert len(server.received) == 1


def test_total_time_bounds_an_attempt_whose_timeout_is_longer(tmp_path: Path) -> None:
    # "never beyond N seconds in all": a per-request timeout longer than the total is cut to the total
    notification = _plan_one("json")
    policy = RetryPolicy(max_attempts=4, request_timeout=30.0, total_time=1.5)
    with slow_server("drip") as server:
        started = time.monotonic()
        outcome = within(10, lambda: deliver(notification, policy, None,
                                             environ={notification.target.url_env: server.url}))
        elapsed = time.monotonic() - started
    assert outcome.delivered
    assert elapsed < 3.5


def test_headers_then_silence_is_delivered_once_not_retried(tmp_path: Path) -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.1, request_timeout=1.0, total_time=10)
    with slow_server("silent") as customer, webhook() as slack, webhook() as pager:
        env = {"SLACTL_TEST_SLACK_URL": slack.url, "SLACTL_TEST_PD": pager.url, "SLACTL_TEST_PD_ROUTING_KEY": PD_KEY,
               "SLACTL_TEST_CUSTOMER_URL": customer.url}

        def runs() -> list[Any]:
            return [run_alerts(report(objective()), definitions(), tmp_path, NOW + timedelta(hours=h), policy=policy,
                               environ=env) for h in (0, 2, 3)]

        started = time.monotonic()
        first, second, third = within(30, runs)
        elapsed = time.monotonic() - started
    assert [d.target for d in first.deliveries] == ["ops-pager", "ops-slack"]
    assert [(d.target, d.delivered, len(d.attempts)) for d in second.deliveries] == [("customer-webhook", True, 1)]
    assert third.deliveries == []  # remembered: not sent again
    assert len(customer.received) == 1
    assert elapsed < 6
    lines = [e for e in _log(tmp_path / "alerts" / "deliveries.jsonl") if e["target"] == "customer-webhook"]
    assert [(e["status"], e["outcome"]) for e in lines] == [(200, "delivered")]
