"""What each DataSource type's files hold, and how one source is read: no pyarrow, so a store
that needs no ingest is checked without loading the CSV reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["time", "text", "category", "number", "list"]


@dataclass(frozen=True)
class Column:
    """A column slactl reads: its kind, whether the header must exist and whether every row needs a value."""

    name: str
    kind: Kind
    header: bool = True
    value: bool = True


def _c(name: str, kind: Kind, header: bool = True, value: bool | None = None) -> Column:
    return Column(name, kind, header, header if value is None else value)


TYPES: dict[str, list[Column]] = {
    "probes": [_c("time", "time"), _c("service", "category"), _c("status", "category")],
    "outages": [_c("service", "category"), _c("start", "time"), _c("end", "time"), _c("impact", "number", False)],
    "events": [_c("time", "time"), _c("service", "category"), _c("good", "number", False),
               _c("total", "number", False), _c("latency_ms", "number", False)],
    "tickets": [_c("id", "text"), _c("service", "category"), _c("priority", "category"), _c("opened_at", "time"),
                _c("responded_at", "time", False), _c("resolved_at", "time", False)],
    "pauses": [_c("ticket_id", "text"), _c("state", "category"), _c("start", "time"), _c("end", "time", False)],
    "csat": [_c("time", "time"), _c("service", "category"), _c("score", "number"),
             _c("segment", "category", False), _c("customer", "text", False)],
    "complaints": [_c("time", "time"), _c("service", "category"), _c("customer", "text", False),
                   _c("reference", "text", False)],
    "changes": [_c("id", "text"), _c("service", "category"), _c("type", "category"),
                _c("planned_start", "time"), _c("planned_end", "time"),
                _c("actual_start", "time", False), _c("actual_end", "time", False),
                _c("outcome", "category", True, False), _c("impact_assessment", "text", False),
                _c("objectives_at_risk", "list", False), _c("rollback_plan", "text", False),
                _c("cab_approvers", "list", False), _c("pir", "text", False)],
}
MAIN_TIME = {"probes": "time", "outages": "start", "events": "time", "tickets": "opened_at", "pauses": "start",
             "csat": "time", "complaints": "time", "changes": "planned_start"}
KEEP_OTHER_COLUMNS = {"tickets", "changes"}
# pairs (start, end) where end before start makes a row unusable
INTERVALS = {"outages": [("start", "end")], "pauses": [("start", "end")],
             "tickets": [("opened_at", "responded_at"), ("opened_at", "resolved_at")],
             "changes": [("planned_start", "planned_end"), ("actual_start", "actual_end")]}
ENUMS = {("changes", "type"): ("standard", "normal", "emergency"),
         ("changes", "outcome"): ("successful", "failed", "rolled_back")}
RANGES = {("outages", "impact"): (0.0, 1.0), ("csat", "score"): (1.0, 5.0)}


@dataclass
class SourceSettings:
    """How to read one DataSource's files (the fields of DataSourceSpec that matter here)."""

    id: str
    type: str
    timezone: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    up_values: list[Any] = field(default_factory=lambda: ["up", "ok", "1", "true"])
    formats: dict[str, str] = field(default_factory=dict)
    null_values: list[str] = field(default_factory=list)
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
    complete_until_ns: int | None = None
    interval_ns: int | None = None  # probes: what each sample stands for (runs are written with it)
    delimiter: str = ","
    encoding: str = "utf-8"

    def header_of(self, name: str) -> str:
        return self.columns.get(name, name)
