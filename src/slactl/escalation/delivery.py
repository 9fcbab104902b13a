"""Webhook delivery with bounded retries, and a delivery log without secrets.

URLs and routing keys come only from environment variables and never appear in results, logs
or errors: every text that leaves this module is passed through `redact`. Retries use
exponential backoff on timeouts, connection errors, 429 and 5xx, honour `Retry-After`, and
stop after `max_attempts` or when the total time budget would be exceeded.
"""

from __future__ import annotations

import email.utils
import http.client
import io
import json
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slactl.escalation.evaluate import Notification
from slactl.escalation.payloads import build_payload

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
ROUTING_KEY_SUFFIX = "_ROUTING_KEY"
REDACTED = "***"
BODY_LIMIT = 4096  # of an accepted answer's body, read only to end the exchange cleanly


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, backoff (base × 2^n, capped), per-request timeout and a total time budget."""

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    request_timeout: float = 10.0
    total_time: float = 60.0


@dataclass
class Attempt:
    attempt: int
    status: int | None
    outcome: str  # delivered | retry | failed | not-configured
    detail: str = ""
    waited: float = 0.0


@dataclass
class DeliveryResult:
    target: str
    format: str
    action: str
    conditions: list[str]
    delivered: bool
    attempts: list[Attempt] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target, "format": self.format, "action": self.action, "conditions": self.conditions,
            "delivered": self.delivered, "attempts": sum(a.attempt > 0 for a in self.attempts), "error": self.error,
            "statuses": [a.status for a in self.attempts],
        }


class ConfigurationError(Exception):
    """A target's environment variable is missing or does not hold a usable URL."""


class MalformedURLError(ConfigurationError):
    """The environment variable holds an http(s) URL that cannot be parsed: a failed delivery, not retried."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    routing_key: str
    secrets: tuple[str, ...]


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every secret (and the host and path of secret URLs) replaced by ***."""
    pieces: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        pieces.add(secret)
        try:
            parts = urlsplit(secret)
            found = (parts.scheme, parts.netloc, parts.path, parts.query, parts.hostname or "")
        except ValueError:  # a malformed URL ("http://[::1/x"): hide what lies between the slashes
            scheme, _, rest = secret.partition("://")
            netloc, slash, path = rest.partition("/")
            found = (scheme.lower(), netloc, slash + path, "", "")
        if found[0] in ("http", "https"):
            for piece in found[1:]:
                if len(piece) > 3:
                    pieces.add(piece)
    for piece in sorted(pieces, key=len, reverse=True):
        text = text.replace(piece, REDACTED)
    return text


def resolve_endpoint(fmt: str, url_env: str, environ: Mapping[str, str] | None = None) -> Endpoint:
    """The URL (and PagerDuty routing key) of a target, read from the environment.

    PagerDuty: the routing key is in `<url_env>_ROUTING_KEY` and the URL in `<url_env>`
    (default: the public Events API v2 endpoint); or `<url_env>` holds the routing key itself.
    """
    env = os.environ if environ is None else environ
    value = (env.get(url_env) or "").strip()
    if fmt == "pagerduty":
        key = (env.get(url_env + ROUTING_KEY_SUFFIX) or "").strip()
        if value and not value.startswith(("http://", "https://")) and not key:
            key, value = value, ""
        if not key:
            raise ConfigurationError(
                f"environment variable {url_env}{ROUTING_KEY_SUFFIX} (the PagerDuty routing key) is not set"
            )
        url = value or PAGERDUTY_EVENTS_URL
        secrets = (url, key) if value else (key,)
    else:
        if not value:
            raise ConfigurationError(f"environment variable {url_env} (the webhook URL) is not set")
        url, key, secrets = value, "", (value,)
    malformed = MalformedURLError(f"the URL in environment variable {url_env} is malformed")
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1/x": an unbalanced IPv6 bracket (the message never names the URL)
        raise malformed from None
    if parts.scheme not in ("http", "https"):
        raise ConfigurationError(f"environment variable {url_env} does not hold an http(s) URL")
    try:
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        raise malformed from None
    if not parts.hostname:
        raise malformed
    return Endpoint(url=url, routing_key=key, secrets=secrets)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Webhooks are not followed elsewhere: a redirect could carry the payload to another host."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        return None


class _DeadlineSocket:
    """A connected socket whose every read and write must end by one moment (time.monotonic()).

    A socket timeout bounds each read only: a server sending a byte a second never trips it. Here
    each read and write gets what is left until the deadline, so one attempt — request, status
    line, headers and body — never outlasts it.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self._io_refs = 0
        self._closed = False

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self._sock.settimeout(left)

    def recv_into(self, *args: Any) -> int:
        self._arm()
        return self._sock.recv_into(*args)

    def recv(self, *args: Any) -> bytes:
        self._arm()
        return self._sock.recv(*args)

    def send(self, *args: Any) -> int:
        self._arm()
        return self._sock.send(*args)

    def sendall(self, *args: Any) -> None:
        self._arm()
        self._sock.sendall(*args)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        if mode != "rb":  # http.client reads answers through makefile("rb") only
            raise ValueError(f"unsupported mode {mode!r}")
        self._io_refs += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:  # as socket.socket: the last reader closes a closed socket
        self._io_refs -= 1
        if self._closed and self._io_refs <= 0:
            self._sock.close()

    def close(self) -> None:  # urllib closes the connection while the answer is still being read
        self._closed = True
        if self._io_refs <= 0:
            self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _DeadlineHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, *, deadline: float, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self.timeout = left
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _DeadlineHTTPSConnection(_DeadlineHTTPConnection, http.client.HTTPSConnection):
    pass


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return _DeadlineHTTPConnection(host, deadline=self._deadline, **kwargs)

        return self.do_open(connection, req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return _DeadlineHTTPSConnection(host, deadline=self._deadline, **kwargs)

        return self.do_open(connection, req)


def _opener(deadline: float) -> urllib.request.OpenerDirector:
    """urllib (proxies from the environment included) with no redirects and one deadline per attempt."""
    return urllib.request.build_opener(_NoRedirect(), _DeadlineHTTPHandler(deadline), _DeadlineHTTPSHandler(deadline))


def _finish(response: Any) -> None:
    """Read a little of an accepted answer's body; the status line already says it was delivered."""
    try:
        response.read(BODY_LIMIT)
    except (OSError, http.client.HTTPException, ValueError):
        pass  # a slow, silent or truncated body does not undo a 2xx
    finally:
        try:
            response.close()
        except (OSError, http.client.HTTPException, ValueError):
            pass


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _plain(value: Any) -> Any:
    """JSON for values numpy or pandas may leave in the figures (np.int64, Timestamp)."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    return str(value)


class DeliveryLog:
    """Append-only JSON lines: time, condition keys, target, attempt, status code, outcome (never a URL or key)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"
        # one write() on an O_APPEND descriptor: lines from concurrent runs never interleave
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def log_path(store_root: Path) -> Path:
    return Path(store_root) / "alerts" / "deliveries.jsonl"


def post_json(
    url: str,
    body: dict[str, Any],
    policy: RetryPolicy,
    *,
    secrets: tuple[str, ...] = (),
    on_attempt: Callable[[Attempt], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[bool, list[Attempt], str | None]:
    """POST `body` as JSON until it is accepted (2xx), retrying what is worth retrying.

    Returns (delivered, attempts, error); errors and details are redacted.
    """
    data = json.dumps(body, default=_plain).encode("utf-8")
    started = time.monotonic()
    attempts: list[Attempt] = []
    waited = 0.0
    error: str | None = None
    for number in range(1, policy.max_attempts + 1):
        status: int | None = None
        retry_after: float | None = None
        retryable = True
        try:
            request = urllib.request.Request(
                url, data=data, method="POST",
                headers={"Content-Type": "application/json", "User-Agent": "slactl-alert"},
            )
            # one deadline for the whole attempt (connection, request, answer, body), within the total budget
            remaining = policy.total_time - (time.monotonic() - started)
            budget = max(0.05, min(policy.request_timeout, remaining))
            response = _opener(time.monotonic() + budget).open(request, timeout=budget)
        except urllib.error.HTTPError as exc:
            status = exc.code
            retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            retryable = status == 429 or status >= 500
            error = f"HTTP {status} {exc.reason}"
            exc.close()
        except http.client.InvalidURL:  # a malformed URL (bad port): trying again will not help
            retryable = False
            error = "the URL is malformed"
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            error = f"no answer: {reason}" if "timed out" in str(reason) else f"cannot connect: {reason}"
        except ValueError as exc:  # a malformed URL (bad port, bad host): trying again will not help
            retryable = False
            error = f"the URL is malformed ({type(exc).__name__})"
        else:  # a 2xx status line: delivered, whatever the body does afterwards
            status = response.status
            _finish(response)
            attempt = Attempt(number, status, "delivered", waited=waited)
            attempts.append(attempt)
            if on_attempt:
                on_attempt(attempt)
            return True, attempts, None
        error = redact(error or "delivery failed", secrets)
        delay = min(policy.max_delay, policy.base_delay * (2 ** (number - 1)))
        if retry_after is not None:
            delay = max(delay, retry_after)
        elapsed = time.monotonic() - started
        last = number == policy.max_attempts
        if not retryable:
            outcome, detail = "failed", error + " (not retried)"
        elif last:
            outcome, detail = "failed", error + f" (gave up after {number} attempt(s))"
        elif retry_after is not None and retry_after > policy.max_delay:
            outcome, detail = "failed", error + f" (Retry-After {retry_after:g}s is longer than {policy.max_delay:g}s)"
        elif elapsed + delay >= policy.total_time:
            outcome, detail = "failed", error + f" (time budget of {policy.total_time:g}s spent)"
        else:
            outcome, detail = "retry", error + f" (next try in {delay:g}s)"
        attempt = Attempt(number, status, outcome, detail=detail, waited=waited)
        attempts.append(attempt)
        if on_attempt:
            on_attempt(attempt)
        if outcome == "failed":
            return False, attempts, detail
        sleep(delay)
        waited += delay
    return False, attempts, error  # pragma: no cover - the loop always returns


def deliver(
    notification: Notification,
    policy: RetryPolicy,
    log: DeliveryLog | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Send one notification to its target and log every attempt."""
    target = notification.target
    result = DeliveryResult(target=target.name, format=target.format, action=notification.action,
                            conditions=notification.keys, delivered=False)

    def record(attempt: Attempt) -> None:
        if log is not None:
            log.write({
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "conditions": notification.keys, "target": target.name, "format": target.format,
                "action": notification.action, "attempt": attempt.attempt, "status": attempt.status,
                "outcome": attempt.outcome, "detail": attempt.detail,
            })

    try:
        endpoint = resolve_endpoint(target.format, target.url_env, environ)
    except MalformedURLError as exc:  # as any malformed URL: a failed delivery, not retried
        attempt = Attempt(1, None, "failed", detail=f"{exc} (not retried)")
        result.attempts.append(attempt)
        result.error = attempt.detail
        record(attempt)
        return result
    except ConfigurationError as exc:
        attempt = Attempt(0, None, "not-configured", detail=str(exc))
        result.attempts.append(attempt)
        result.error = str(exc)
        record(attempt)
        return result
    body = build_payload(notification, endpoint.routing_key)
    delivered, attempts, error = post_json(
        endpoint.url, body, policy, secrets=endpoint.secrets, on_attempt=record, sleep=sleep,
    )
    result.delivered, result.attempts, result.error = delivered, attempts, error
    return result


def preview(notification: Notification, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What --dry-run shows: the body with the routing key replaced by the name of its variable.

    `problem` says when the target's environment variables are missing (values are never shown).
    """
    target = notification.target
    placeholder = f"${{{target.url_env}{ROUTING_KEY_SUFFIX}}}" if target.format == "pagerduty" else ""
    try:
        resolve_endpoint(target.format, target.url_env, environ)
        problem = None
    except ConfigurationError as exc:
        problem = str(exc)
    return {
        "target": target.name, "format": target.format, "channel": target.channel, "level": target.level,
        "action": notification.action, "url": f"${{{target.url_env}}}", "conditions": notification.keys,
        "problem": problem, "body": build_payload(notification, placeholder),
    }
