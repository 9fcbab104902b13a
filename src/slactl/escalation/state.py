"""What has been notified already (`<store>/alerts/state.json`), so a condition is not notified twice.

Per condition (one objective of one agreement in one period): when it was first seen, whether
it is resolved, and per escalation target (`LEVEL:NAME`) what was last sent, when, and whether
that target still has it open (so a recovery is sent once).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from slactl.atomic import write_text_atomic

STATE_VERSION = 1


class StateError(Exception):
    """The state file cannot be read; the message names the file and what to do."""


@dataclass
class TargetState:
    """What one escalation target was last told about a condition."""

    sent_at: str
    status: str
    severity: str
    open: bool = True


@dataclass
class ConditionState:
    agreement: str
    objective: str
    period: str
    status: str
    severity: str
    first_seen: str
    resolved_at: str | None = None
    targets: dict[str, TargetState] = field(default_factory=dict)

    @property
    def first_seen_at(self) -> datetime:
        return datetime.fromisoformat(self.first_seen)


@dataclass
class AlertState:
    conditions: dict[str, ConditionState] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "conditions": {k: asdict(v) for k, v in sorted(self.conditions.items())}}

    @classmethod
    def from_dict(cls, data: Any, where: str = "state.json") -> AlertState:
        if not isinstance(data, dict) or not isinstance(data.get("conditions", {}), dict):
            raise StateError(f"{where}: not a slactl alert state (expected an object with 'conditions')")
        state = cls()
        for key, raw in data.get("conditions", {}).items():
            try:
                targets = {name: TargetState(**t) for name, t in (raw.get("targets") or {}).items()}
                fields = {k: v for k, v in raw.items() if k != "targets"}
                state.conditions[key] = ConditionState(**fields, targets=targets)
                datetime.fromisoformat(state.conditions[key].first_seen)
            except (TypeError, ValueError, AttributeError) as exc:
                raise StateError(f"{where}: condition '{key}' cannot be read ({exc})") from None
        return state


def state_path(store_root: Path) -> Path:
    return Path(store_root) / "alerts" / "state.json"


def load_state(path: Path) -> AlertState:
    """The saved state, or an empty one when the file does not exist yet."""
    if not path.exists():
        return AlertState()
    hint = "fix it or delete it (every open condition is then notified again)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StateError(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); {hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"{path}: cannot be read ({exc}); {hint}") from None
    try:
        return AlertState.from_dict(data, str(path))
    except StateError as exc:
        raise StateError(f"{exc}; {hint}") from None


def save_state(path: Path, state: AlertState) -> None:
    write_text_atomic(path, json.dumps(state.to_dict(), indent=2, sort_keys=False) + "\n")
