"""Message bodies for each delivery format: generic JSON, Slack (text + blocks), PagerDuty Events API v2.

Technical messages carry the figures (attainment, target, burn rates, error budget). Customer
messages carry a plain-language status and the service credit, never internal figures such as
burn rates or error budgets.
"""

from __future__ import annotations

import numbers
from typing import Any

from slactl.display import fmt_percent
from slactl.escalation.evaluate import SEVERITY_RANK, Condition, Notification

INDICATOR_WORDS = {
    "availability": "availability",
    "success_ratio": "successful requests",
    "latency": "response speed",
    "response_time": "ticket response times",
    "resolution_time": "ticket resolution times",
    "csat": "customer satisfaction",
}
PAGERDUTY_SUMMARY_MAX = 1024


def _pct(value: float | None) -> str:
    return "n/a" if value is None else fmt_percent(value)  # truncated: a breach never reads as its target


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _subject(condition: Condition) -> str:
    return f"{condition.agreement}/{condition.objective}"


def technical_line(condition: Condition) -> str:
    """One line with the figures an on-call engineer needs."""
    if condition.status == "met":
        return f"{_subject(condition)} recovered: attained {_pct(condition.attained)} (target {_pct(condition.target)})"
    parts = [f"{_subject(condition)} {condition.status.replace('_', ' ')} [{condition.severity}]:",
             f"attained {_pct(condition.attained)} vs target {_pct(condition.target)}"]
    if condition.projected is not None:
        parts.append(f"projected {_pct(condition.projected)}")
    if condition.budget_remaining_ratio is not None:
        parts.append(f"budget left {condition.budget_remaining_ratio * 100:.1f}%")
    for alert in condition.alerts:
        parts.append(
            f"burn {_rate(alert.get('long_rate'))} over {_window(alert.get('long'))} and "
            f"{_rate(alert.get('short_rate'))} over {_window(alert.get('short'))} (> {alert.get('factor')}, "
            f"{alert.get('severity')})"
        )
    return " ".join(parts[:1]) + " " + ", ".join(parts[1:])


def _window(value: Any) -> str:
    from slactl.durations import format_duration

    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy numbers too
        return format_duration(float(value))
    return str(value)


def customer_line(condition: Condition, agreement_name: str) -> str:
    """Plain language: what is affected and whether the agreed level is kept; no internal figures."""
    what = INDICATOR_WORDS.get(condition.indicator, condition.indicator.replace("_", " "))
    service = f" of {condition.service}" if condition.service else ""
    target = f" ({_pct(condition.target)} agreed)" if condition.target is not None else ""
    if condition.status == "met":
        return f"The {what}{service} is back within the level agreed in {agreement_name}{target}."
    when = "so far this period" if condition.in_progress else f"for {condition.period}"
    return f"The {what}{service} is below the level agreed in {agreement_name}{target} {when}."


def _credit_text(notification: Notification) -> str | None:
    credit = notification.credit
    if not credit or not credit.get("credit_percent"):
        return None
    amount = credit.get("credit_amount")
    money = f" ({credit.get('currency') or ''} {amount:,.2f})".replace("( ", "(") if amount else ""
    provisional = " (provisional until the period closes)" if any(c.in_progress for c in notification.conditions) else ""
    return f"A service credit of {credit['credit_percent']:g}% of the monthly fee{money} applies{provisional}."


def headline(notification: Notification) -> str:
    customer = notification.target.channel == "customer"
    name = notification.agreement_name
    if notification.action == "resolve":
        return f"Recovered: {name}, {notification.period}" if customer else f"[slactl] RESOLVED {notification.agreement} {notification.period}"
    worst = max(notification.conditions, key=lambda c: SEVERITY_RANK.get(c.severity, 0))
    if customer:
        return f"Service level notice: {name}, {notification.period}"
    verb = "UPDATE" if notification.action == "update" else worst.status.replace("_", " ").upper()
    return f"[slactl] {verb} {notification.agreement} {notification.period}: {len(notification.conditions)} objective(s)"


def lines(notification: Notification) -> list[str]:
    if notification.target.channel == "customer":
        out = [customer_line(c, notification.agreement_name) for c in notification.conditions]
        credit = _credit_text(notification) if notification.action != "resolve" else None
        if credit:
            out.append(credit)
        return out
    return [technical_line(c) for c in notification.conditions]


def _condition_json(condition: Condition, customer: bool, agreement_name: str) -> dict[str, Any]:
    if customer:
        return {
            "objective": condition.objective, "service": condition.service, "status": condition.status,
            "target": condition.target, "message": customer_line(condition, agreement_name),
        }
    return {
        "key": condition.key, "objective": condition.objective, "indicator": condition.indicator,
        "service": condition.service, "status": condition.status, "severity": condition.severity,
        "target": condition.target, "warning": condition.warning, "attained": condition.attained,
        "projected": condition.projected, "budget_remaining_ratio": condition.budget_remaining_ratio,
        "burn_rates": condition.burn_rates, "alerts": list(condition.alerts),
        "credit_percent": condition.credit_percent, "message": technical_line(condition),
    }


def json_payload(notification: Notification) -> dict[str, Any]:
    """The generic webhook body: one object per agreement and target, one entry per condition."""
    customer = notification.target.channel == "customer"
    body: dict[str, Any] = {
        "source": "slactl",
        "event": notification.action,
        "channel": notification.target.channel,
        "level": notification.target.level,
        "agreement": {"id": notification.agreement, "kind": notification.agreement_kind,
                      "name": notification.agreement_name},
        "period": notification.period,
        "title": headline(notification),
        "text": "\n".join(lines(notification)),
        "conditions": [_condition_json(c, customer, notification.agreement_name) for c in notification.conditions],
    }
    if customer and notification.action != "resolve" and notification.credit:
        body["credit"] = dict(notification.credit)
    return body


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(notification: Notification) -> dict[str, Any]:
    """A Slack incoming-webhook message: `text` for notifications, `blocks` for the channel."""
    title = headline(notification)
    body = lines(notification)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(f"• {_slack_escape(line)}" for line in body)[:3000]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(
            f"{notification.agreement_kind} {notification.agreement} · {notification.period} · "
            f"level {notification.target.level} ({notification.target.channel})")}]},
    ]
    return {"text": _slack_escape(title), "blocks": blocks}


def pagerduty_dedup_key(condition: Condition) -> str:
    """Stable per condition, so a re-trigger updates the open alert and a resolve closes it."""
    return f"slactl/{condition.key}"[:255]


def pagerduty_payload(notification: Notification, routing_key: str) -> dict[str, Any]:
    """A PagerDuty Events API v2 event for the (single) condition of `notification`."""
    condition = notification.conditions[0]
    event: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "resolve" if notification.action == "resolve" else "trigger",
        "dedup_key": pagerduty_dedup_key(condition),
    }
    if notification.action == "resolve":
        return event
    customer = notification.target.channel == "customer"
    summary = customer_line(condition, notification.agreement_name) if customer else technical_line(condition)
    event["payload"] = {
        "summary": summary[:PAGERDUTY_SUMMARY_MAX],
        "severity": condition.severity if condition.severity in ("critical", "error", "warning", "info") else "warning",
        "source": f"slactl:{notification.agreement}",
        "component": condition.service or notification.agreement,
        "group": notification.agreement,
        "class": condition.indicator,
        "custom_details": _condition_json(condition, customer, notification.agreement_name),
    }
    return event


def build_payload(notification: Notification, routing_key: str = "") -> dict[str, Any]:
    """The body for the target's format."""
    fmt = notification.target.format
    if fmt == "slack":
        return slack_payload(notification)
    if fmt == "pagerduty":
        return pagerduty_payload(notification, routing_key)
    return json_payload(notification)
