"""One `slactl alert` run: plan from the compliance report and the saved state, deliver, remember."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from slactl.escalation.delivery import DeliveryLog, DeliveryResult, RetryPolicy, deliver, log_path, preview
from slactl.escalation.evaluate import Plan, plan_notifications, record_delivery
from slactl.escalation.state import StateError, load_state, save_state, state_path
from slactl.loader.documents import LoadResult


@dataclass
class AlertRun:
    plan: Plan
    dry_run: bool
    deliveries: list[DeliveryResult] = field(default_factory=list)
    previews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> list[DeliveryResult]:
        return [d for d in self.deliveries if not d.delivered]

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "as_of": plan.now.isoformat(),
            "dry_run": self.dry_run,
            "conditions": [
                {"key": c.key, "agreement": c.agreement, "objective": c.objective, "period": c.period,
                 "status": c.status, "severity": c.severity, "attained": c.attained, "target": c.target,
                 "indicator": c.indicator, "paging": c.paging,
                 "period_closed_at": c.closed_at if plan.closed(c) else None,
                 "escalate_from": plan.escalate_from[c.key].isoformat() if c.key in plan.escalate_from else None}
                for c in plan.conditions
            ],
            "resolved": list(plan.resolved),
            "insufficient_data": list(plan.insufficient),
            "no_data": plan.evaluated > 0 and len(plan.insufficient) == plan.evaluated,
            "notifications": self.previews if self.dry_run else [d.to_dict() for d in self.deliveries],
            "skipped": [{"condition": s.condition, "target": s.target, "reason": s.reason} for s in plan.skipped],
            "summary": {
                "objectives": plan.evaluated,
                "insufficient_data": len(plan.insufficient),
                "conditions": len(plan.conditions),
                "notifications": len(plan.notifications),
                "delivered": sum(d.delivered for d in self.deliveries),
                "failed": len(self.failed),
            },
        }


def run_alerts(
    report: Any,
    result: LoadResult,
    store_root: Path,
    now: datetime,
    *,
    dry_run: bool = False,
    policy: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AlertRun:
    """Evaluate, then (unless `dry_run`) deliver and save the state atomically.

    Raises StateError when the saved state cannot be read.
    """
    path = state_path(store_root)
    if dry_run:
        plan = plan_notifications(report, result, load_state(path), now)
        run = AlertRun(plan=plan, dry_run=True)
        run.previews = [preview(n, environ) for n in plan.notifications]
        return run
    with exclusive(path.parent / ".lock"):
        state = load_state(path)
        plan = plan_notifications(report, result, state, now)
        run = AlertRun(plan=plan, dry_run=False)
        log = DeliveryLog(log_path(store_root))
        try:
            for notification in plan.notifications:
                outcome = deliver(notification, policy or RetryPolicy(), log, environ=environ, sleep=sleep)
                run.deliveries.append(outcome)
                if outcome.delivered:
                    record_delivery(state, notification, now)
        finally:  # even when a run is cut short, what was delivered is remembered and not sent again
            save_state(path, state)
    return run


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """One `slactl alert` at a time per store, so overlapping scheduled runs never send twice."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory locks; runs must not overlap
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateError(f"another slactl alert is running on this store ({lock.parent}); "
                             "try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
