"""Test support for `slactl alert`: definitions, compliance reports built by hand, and a real local webhook server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slactl.compliance.results import AgreementCredit, ComplianceReport, ErrorBudget, ObjectiveResult
from slactl.loader.documents import LoadResult, load_text

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
  customer: ACME
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  escalation: payments-escalation
  monthly_fee: 12000
  currency: EUR
  objectives:
    - {id: availability, indicator: availability, source: probes, target: 99.9, warning: 99.95,
       credits: [{below: 99.9, credit: 10}]}
    - {id: latency, indicator: latency, source: events, target: 99, threshold: 300ms}
---
apiVersion: slactl/v1
kind: EscalationPolicy
metadata: {id: payments-escalation}
spec:
  cooldown: 4h
  levels:
    - after: 0m
      channel: technical
      notify:
        - {name: ops-slack, format: slack, url_env: SLACTL_TEST_SLACK_URL}
        - {name: ops-pager, format: pagerduty, url_env: SLACTL_TEST_PD}
    - after: 1h
      channel: customer
      notify:
        - {name: customer-webhook, format: json, url_env: SLACTL_TEST_CUSTOMER_URL}
"""


def definitions(text: str = DEFINITIONS) -> LoadResult:
    result = load_text(text, "defs.yaml")
    assert not result.findings, result.findings
    return result


def objective(
    name: str = "availability",
    status: str = "breached",
    attained: float | None = 99.5,
    target: float = 99.9,
    *,
    period: str = "2026-10",
    alerts: list[dict[str, Any]] | None = None,
    burn_rates: dict[str, float | None] | None = None,
    indicator: str = "availability",
    agreement: str = "payments-gold",
    in_progress: bool = False,
    credit: float | None = 10,
    end: str = "",
) -> ObjectiveResult:
    """One objective's result; `end` (ISO) with in_progress False means the period was judged after it closed."""
    return ObjectiveResult(
        agreement=agreement, kind="SLA", objective=name, indicator=indicator, target=target, attained=attained,
        status=status, coverage=1.0, eligible_seconds=2_678_400, excluded_seconds=0, bad_seconds=13_392,
        counted=None, within=None,
        error_budget=ErrorBudget(unit="seconds", total=2678.4, consumed=13392, remaining_ratio=-4.0),
        burn_rates=burn_rates, projected=None, percentiles=None, credit_percent=credit, review_required=False,
        period=period, service="payments-api", in_progress=in_progress, live=in_progress, end=end,
        alerts=list(alerts or []),
    )


def report(*results: ObjectiveResult, period: str = "2026-10", credit: float = 10) -> ComplianceReport:
    return ComplianceReport(
        period=period, as_of="2026-11-01T00:00:00+00:00", results=list(results),
        agreements=[AgreementCredit("payments-gold", credit, 12000 * credit / 100, "EUR")],
    )


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Webhook:
    """A real HTTP server on 127.0.0.1: answers with the scripted statuses in turn, then 200."""

    script: list[Any] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def webhook(*script: Any) -> Iterator[Webhook]:
    """Each script entry: an int status, (status, {headers}), or "hang" (never answers)."""
    hook = Webhook(script=list(script))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with lock:
                hook.received.append(Received(self.path, dict(self.headers), json.loads(raw or b"null")))
                step = hook.script.pop(0) if hook.script else 200
            if step == "hang":
                hook.release.wait(10)
                return
            status, headers = step if isinstance(step, tuple) else (step, {})
            body = b'{"status": "ok"}'
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test server
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/secret-token-abc123"
    try:
        yield hook
    finally:
        hook.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
