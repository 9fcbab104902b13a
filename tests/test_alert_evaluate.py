"""Which notifications a compliance report calls for: grouping, escalation delays, cooldown, recovery."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alert_helpers import DEFINITIONS, definitions, objective, report
from slactl.escalation.evaluate import conditions_from_report, plan_notifications, record_delivery
from slactl.escalation.payloads import json_payload, pagerduty_payload, slack_payload
from slactl.escalation.state import AlertState, StateError, load_state, save_state

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
PAGE = {"severity": "page", "factor": 14.4, "long": 3600.0, "short": 300.0, "long_rate": 20.5, "short_rate": 31.0}
TICKET = {"severity": "ticket", "factor": 3, "long": 86400.0, "short": 7200.0, "long_rate": 3.5, "short_rate": 4.0}


def _send_all(plan, state: AlertState, now: datetime) -> list[tuple[str, str, str]]:
    """Pretend every planned notification was delivered; (action, target, keys) for assertions."""
    sent = []
    for notification in plan.notifications:
        record_delivery(state, notification, now)
        sent.append((notification.action, notification.target.name, ",".join(notification.keys)))
    return sent


def test_conditions_breached_at_risk_and_burn_rate() -> None:
    found = conditions_from_report(report(
        objective("availability", "breached"),
        objective("latency", "met", 99.5, 99, alerts=[PAGE], indicator="latency"),
        objective("a3", "at_risk", 99.92),
        objective("a4", "met", 99.99, alerts=[TICKET]),
        objective("a5", "met", 100.0),
        objective("a6", "insufficient_data", None),
    ))
    assert [(c.objective, c.status, c.severity) for c in found] == [
        ("availability", "breached", "critical"),
        ("latency", "at_risk", "error"),
        ("a3", "at_risk", "warning"),
        ("a4", "at_risk", "warning"),
    ]
    assert found[0].key == "payments-gold/availability@2026-10"


def test_objectives_of_one_agreement_are_grouped_and_pagerduty_gets_one_event_each() -> None:
    plan = plan_notifications(report(objective("availability"), objective("latency", indicator="latency")),
                              definitions(), AlertState(), NOW)
    by_target = {(n.target.name, tuple(n.keys)) for n in plan.notifications}
    assert by_target == {
        ("ops-slack", ("payments-gold/availability@2026-10", "payments-gold/latency@2026-10")),
        ("ops-pager", ("payments-gold/availability@2026-10",)),
        ("ops-pager", ("payments-gold/latency@2026-10",)),
    }
    slack = next(n for n in plan.notifications if n.target.name == "ops-slack")
    text = slack_payload(slack)["blocks"][1]["text"]["text"]
    assert "availability breached" in text and "latency breached" in text


def test_unchanged_condition_is_not_notified_twice() -> None:
    state, result = AlertState(), definitions()
    first = _send_all(plan_notifications(report(objective()), result, state, NOW), state, NOW)
    assert {t for _, t, _ in first} == {"ops-slack", "ops-pager"}
    later = NOW + timedelta(minutes=10)
    again = plan_notifications(report(objective()), result, state, later)
    assert again.notifications == []
    assert {s.reason for s in again.skipped} == {"unchanged since last notified", "level 1 is due in 50m"}


def test_escalates_to_the_next_level_only_after_its_delay() -> None:
    state, result = AlertState(), definitions()
    _send_all(plan_notifications(report(objective()), result, state, NOW), state, NOW)
    early = plan_notifications(report(objective()), result, state, NOW + timedelta(minutes=59))
    assert early.notifications == []
    due = plan_notifications(report(objective()), result, state, NOW + timedelta(minutes=60))
    assert [(n.action, n.target.name, n.target.channel) for n in due.notifications] == [
        ("trigger", "customer-webhook", "customer")]


def test_customer_channel_hears_of_breaches_only() -> None:
    state, result = AlertState(), definitions()
    burning = report(objective("availability", "met", 99.99, alerts=[PAGE], credit=0), credit=0)
    _send_all(plan_notifications(burning, result, state, NOW), state, NOW)
    later = plan_notifications(burning, result, state, NOW + timedelta(hours=3))
    assert later.notifications == []
    assert any(s.reason == "customers hear of breaches only" for s in later.skipped)


def test_changed_condition_is_sent_again_after_the_cooldown_only() -> None:
    state, result = AlertState(), definitions()
    at_risk = report(objective("availability", "at_risk", 99.92, credit=0), credit=0)
    _send_all(plan_notifications(at_risk, result, state, NOW), state, NOW)
    worse = report(objective("availability", "breached", 99.5))
    inside = plan_notifications(worse, result, state, NOW + timedelta(hours=1))
    assert [n.target.name for n in inside.notifications] == ["customer-webhook"]
    assert {s.reason for s in inside.skipped} == {"cooldown"}
    after = NOW + timedelta(hours=4)
    sent = _send_all(plan_notifications(worse, result, state, after), state, after)
    assert sorted(sent) == [("trigger", "customer-webhook", "payments-gold/availability@2026-10"),
                            ("update", "ops-pager", "payments-gold/availability@2026-10"),
                            ("update", "ops-slack", "payments-gold/availability@2026-10")]


def test_recovery_is_sent_once_to_every_target_that_had_it_open() -> None:
    state, result = AlertState(), definitions()
    at_risk = report(objective("availability", "at_risk", 99.92, in_progress=True, credit=0), credit=0)
    _send_all(plan_notifications(at_risk, result, state, NOW), state, NOW)
    met = report(objective("availability", "met", 99.97, in_progress=True, credit=0), credit=0)
    later = NOW + timedelta(hours=5)
    plan = plan_notifications(met, result, state, later)
    assert plan.resolved == ["payments-gold/availability@2026-10"]
    assert sorted((n.action, n.target.name) for n in plan.notifications) == [
        ("resolve", "ops-pager"), ("resolve", "ops-slack")]
    pd = next(n for n in plan.notifications if n.target.format == "pagerduty")
    assert pagerduty_payload(pd, "KEY") == {
        "routing_key": "KEY", "event_action": "resolve", "dedup_key": "slactl/payments-gold/availability@2026-10"}
    _send_all(plan, state, later)
    assert plan_notifications(met, result, state, later + timedelta(hours=1)).notifications == []


def test_failed_resolve_is_tried_again() -> None:
    state, result = AlertState(), definitions()
    _send_all(plan_notifications(report(objective("availability", "at_risk", 99.92, credit=0)), result, state, NOW),
              state, NOW)
    met = report(objective("availability", "met", 99.97, credit=0), credit=0)
    plan_notifications(met, result, state, NOW + timedelta(hours=1))  # nothing recorded: delivery failed
    retry = plan_notifications(met, result, state, NOW + timedelta(hours=2))
    assert sorted(n.action for n in retry.notifications) == ["resolve", "resolve"]


def test_condition_coming_back_within_the_cooldown_is_held() -> None:
    state, result = AlertState(), definitions()
    at_risk = report(objective("availability", "at_risk", 99.92, credit=0), credit=0)
    met = report(objective("availability", "met", 99.97, credit=0), credit=0)
    _send_all(plan_notifications(at_risk, result, state, NOW), state, NOW)
    t1 = NOW + timedelta(minutes=30)
    _send_all(plan_notifications(met, result, state, t1), state, t1)
    t2 = NOW + timedelta(hours=1)
    flap = plan_notifications(at_risk, result, state, t2)
    assert flap.notifications == []
    assert {s.reason for s in flap.skipped} == {"cooldown", "customers hear of breaches only"}
    t3 = NOW + timedelta(hours=4, minutes=1)
    back = plan_notifications(at_risk, result, state, t3)
    assert sorted((n.action, n.target.name) for n in back.notifications) == [
        ("trigger", "ops-pager"), ("trigger", "ops-slack")]


def test_agreement_without_escalation_policy_is_skipped() -> None:
    text = DEFINITIONS.replace("  escalation: payments-escalation\n", "")
    plan = plan_notifications(report(objective()), definitions(text), AlertState(), NOW)
    assert plan.notifications == []
    assert plan.skipped[0].reason == "the agreement names no escalation policy"


def test_technical_message_carries_figures_and_customer_message_does_not() -> None:
    state, result = AlertState(), definitions()
    burning = objective("availability", "breached", 99.5, alerts=[PAGE], burn_rates={"1h": 20.5, "5m": 31.0},
                        in_progress=True)
    plan_notifications(report(burning), result, state, NOW)
    plan = plan_notifications(report(burning), result, state, NOW + timedelta(hours=1))
    technical = json_payload(next(n for n in plan.notifications if n.target.name == "ops-slack"))
    assert technical["conditions"][0]["burn_rates"] == {"1h": 20.5, "5m": 31.0}
    assert "burn 20.50x over 1h and 31.00x over 5m (> 14.4, page)" in technical["text"]
    assert "attained 99.5% vs target 99.9%" in technical["text"]
    customer = json_payload(next(n for n in plan.notifications if n.target.name == "customer-webhook"))
    assert customer["text"] == (
        "The availability of payments-api is below the level agreed in Payments platform Gold (99.9% agreed) "
        "so far this period.\n"
        "A service credit of 10% of the monthly fee (EUR 1,200.00) applies (provisional until the period closes).")
    dumped = json.dumps(customer)
    assert "burn" not in dumped and "20.5" not in dumped and "99.5" not in dumped


def test_state_round_trip_and_unreadable_state(tmp_path: Path) -> None:
    state = AlertState()
    _send_all(plan_notifications(report(objective()), definitions(), state, NOW), state, NOW)
    path = tmp_path / "alerts" / "state.json"
    save_state(path, state)
    assert load_state(path).to_dict() == state.to_dict()
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp file left behind
    path.write_text('{"conditions": {"x": ', encoding="utf-8")
    with pytest.raises(StateError, match=r"state.json: line 1, column \d+: not valid JSON .*delete it"):
        load_state(path)
    path.write_text('{"conditions": {"x": {"agreement": 1}}}', encoding="utf-8")
    with pytest.raises(StateError, match="condition 'x' cannot be read"):
        load_state(path)
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(StateError, match="not a slactl alert state"):
        load_state(path)


_DEFINITIONS = definitions()  # read once: planning never changes the definitions
STATUSES = {
    "met": dict(status="met", attained=99.97, credit=0),
    "at_risk": dict(status="at_risk", attained=99.92, credit=0),
    "burning": dict(status="met", attained=99.97, alerts=[PAGE], credit=0),
    "breached": dict(status="breached", attained=99.5),
    "unknown": dict(status="insufficient_data", attained=None, credit=None),
}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 180), st.sampled_from(sorted(STATUSES))), min_size=1, max_size=25))
def test_notification_invariants_over_any_history(steps: list[tuple[int, str]]) -> None:
    """Whatever the history: no repeat of an unchanged condition, cooldown between sends, one resolve per open."""
    state, result = AlertState(), _DEFINITIONS
    now = NOW
    sent: dict[str, list[tuple[datetime, str, tuple[str, str]]]] = {}
    for minutes, name in steps:
        now += timedelta(minutes=minutes)
        data = STATUSES[name]
        rep = report(objective("availability", **data), credit=data.get("credit") or 0)
        plan = plan_notifications(rep, result, state, now)
        for notification in plan.notifications:
            record_delivery(state, notification, now)
            condition = notification.conditions[0]
            sent.setdefault(notification.target.name, []).append((now, notification.action, condition.fingerprint))
    for target, history in sent.items():
        open_ = False
        last_time: datetime | None = None
        last_fingerprint: tuple[str, str] | None = None
        for moment, action, fingerprint in history:
            if action == "resolve":
                assert open_, f"{target}: resolve without an open notification"
                open_ = False
                continue
            if target == "customer-webhook":
                assert fingerprint[0] == "breached"
            if last_time is not None:
                assert (moment - last_time) >= timedelta(hours=4), f"{target}: sent again inside the cooldown"
            if open_:
                assert fingerprint != last_fingerprint, f"{target}: unchanged condition sent twice"
            open_, last_time, last_fingerprint = True, moment, fingerprint


def test_quiet_conditions_are_forgotten_after_90_days() -> None:
    state, result = AlertState(), definitions()
    _send_all(plan_notifications(report(objective()), result, state, NOW), state, NOW)
    november = report(objective("availability", "met", 99.99, period="2026-11", credit=0), period="2026-11", credit=0)
    soon = plan_notifications(november, result, state, NOW + timedelta(days=30))
    assert soon.forgotten == [] and "payments-gold/availability@2026-10" in state.conditions
    later = plan_notifications(november, result, state, NOW + timedelta(days=91))
    assert later.forgotten == ["payments-gold/availability@2026-10"] and state.conditions == {}
