"""Change records as the checks see them, reporting periods, and what the definitions say about services.

Plain Python only (no pandas at import time): the change rules are registered with the rule
registry, which `slactl validate` imports.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slactl.loader.documents import LoadedDocument, LoadResult

CHANGE_TYPES = ("standard", "normal", "emergency")
FAILED_OUTCOMES = ("failed", "rolled_back")
COMPLETED_OUTCOMES = ("successful", "failed", "rolled_back")

_LIST_SPLIT = re.compile(r"[;,]")


@dataclass(frozen=True)
class ChangeRecord:
    """One row of a `changes` DataSource, with the file and line it came from."""

    id: str
    services: tuple[str, ...]
    type: str
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None
    outcome: str
    impact_assessment: str
    objectives_at_risk: tuple[str, ...]
    rollback_plan: str
    cab_approvers: tuple[str, ...]
    pir: str
    file: str = "<changes>"
    line: int = 1

    @property
    def start(self) -> datetime | None:
        """When the change began (actual when recorded, else planned)."""
        return self.actual_start or self.planned_start

    @property
    def end(self) -> datetime | None:
        """When the change ended (actual when recorded, else planned)."""
        return self.actual_end or self.planned_end

    @property
    def completed(self) -> bool:
        return self.outcome in COMPLETED_OUTCOMES

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when the planned or the actual window touches [start, end)."""
        for a, b in ((self.planned_start, self.planned_end), (self.actual_start, self.actual_end)):
            if a is None:
                continue
            b = b or a
            if a < end and (b > start or (a == b and a >= start)):
                return True
        return False


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = str(value).strip()
    return "" if text in {"nan", "NaN", "<NA>", "NaT"} else text


def _time(value: Any) -> datetime | None:
    if value is None or type(value).__name__ == "NaTType":  # pandas' NaT is a datetime subclass too
        return None
    if isinstance(value, datetime):  # also pandas' Timestamp
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    text = _text(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def split_list(value: Any) -> tuple[str, ...]:
    """A list cell: a real list, or text separated by `;` (or `,`)."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        items = [_text(v) for v in value]
    else:
        items = [part.strip() for part in _LIST_SPLIT.split(_text(value))]
    return tuple(item for item in items if item)


def record_from_row(row: Mapping[str, Any]) -> ChangeRecord:
    """One change from a normalised row (a dict of the store's columns)."""
    line = row.get("_line")
    try:
        line_no = int(line) if line is not None and not (isinstance(line, float) and math.isnan(line)) else 1
    except (TypeError, ValueError):
        line_no = 1
    return ChangeRecord(
        id=_text(row.get("id")) or "?",
        services=split_list(row.get("service")),
        type=_text(row.get("type")).lower(),
        planned_start=_time(row.get("planned_start")),
        planned_end=_time(row.get("planned_end")),
        actual_start=_time(row.get("actual_start")),
        actual_end=_time(row.get("actual_end")),
        outcome=_text(row.get("outcome")).lower().replace("-", "_").replace(" ", "_"),
        impact_assessment=_text(row.get("impact_assessment")),
        objectives_at_risk=split_list(row.get("objectives_at_risk")),
        rollback_plan=_text(row.get("rollback_plan")),
        cab_approvers=split_list(row.get("cab_approvers")),
        pir=_text(row.get("pir")),
        file=_text(row.get("_file")) or "<changes>",
        line=line_no,
    )


def records_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[ChangeRecord]:
    return [record_from_row(row) for row in rows]


def records_from_frame(frame: Any) -> list[ChangeRecord]:
    """Changes from the store's normalised frame (a pandas DataFrame), column by column for speed."""
    if frame is None or len(frame) == 0:
        return []
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        series = frame[name]
        if str(series.dtype).startswith("datetime64"):
            with warnings.catch_warnings():  # pandas 2 warns that the return type changes to a Series
                warnings.simplefilter("ignore", FutureWarning)
                series = series.dt.to_pydatetime()  # plain datetimes (NaT stays NaT), cheaper than Timestamps
        columns[str(name)] = list(series)
    names = list(columns)
    return [record_from_row(dict(zip(names, values, strict=True))) for values in zip(*columns.values(), strict=True)]


# --- reporting periods -------------------------------------------------------------------------


def period_bounds(label: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a reporting period `YYYY-MM` or `YYYY-Qn`.

    Raises ValueError with a message meant for the user.
    """
    from slactl.compliance.periods import parse_period

    period = parse_period(label)  # its PeriodError is a ValueError with the message for the user
    return (datetime(period.start.year, period.start.month, 1, tzinfo=UTC),
            datetime(period.end.year, period.end.month, 1, tzinfo=UTC))


def month_label(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


# --- what the definitions say -----------------------------------------------------------------


def active_agreements(result: LoadResult) -> list[LoadedDocument]:
    """Agreements in force: status `active`."""
    return [doc for doc in result.agreements() if getattr(doc.model.spec.status, "value", doc.model.spec.status) == "active"]


def agreements_covering(result: LoadResult, service: str) -> list[LoadedDocument]:
    return [doc for doc in active_agreements(result) if service in doc.model.spec.services]


def covered_services(result: LoadResult) -> set[str]:
    """Services that at least one active agreement covers."""
    return {service for doc in active_agreements(result) for service in doc.model.spec.services}


def approvers_for(result: LoadResult, service: str) -> tuple[str | None, tuple[str, ...]] | None:
    """(owner, delegates) of a Service, or None when the service is not defined.

    Delegates come from `spec.delegates`, and from the label `delegates` (text separated by `;`)
    for tools that can only write labels.
    """
    doc = result.get("Service", service)
    if doc is None:
        return None
    model = doc.model
    delegates = list(model.spec.delegates)
    label = model.metadata.labels.get("delegates")
    if isinstance(label, str):
        delegates.extend(split_list(label))
    return model.metadata.owner, tuple(delegates)


@dataclass(frozen=True)
class FreezeWindow:
    """A declared change freeze, in UTC, with the document it came from."""

    id: str
    start: datetime
    end: datetime
    services: tuple[str, ...] | None
    reason: str | None
    doc: LoadedDocument | None = field(default=None, compare=False)

    def applies_to(self, service: str) -> bool:
        return self.services is None or service in self.services


def _aware(moment: datetime, zone: str | None) -> datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    return moment.replace(tzinfo=ZoneInfo(zone or "UTC")).astimezone(UTC)


def freeze_windows(result: LoadResult) -> list[FreezeWindow]:
    """Every Freeze document as a UTC window; naive times are read in the Freeze's `timezone` (UTC if none)."""
    windows = []
    for doc in result.of_kind("Freeze"):
        spec = doc.model.spec
        start, end = _aware(spec.start, spec.timezone), _aware(spec.end, spec.timezone)
        if end <= start:
            continue
        windows.append(FreezeWindow(
            id=doc.model.metadata.id, start=start, end=end,
            services=tuple(spec.services) if spec.services is not None else None,
            reason=spec.reason, doc=doc,
        ))
    return sorted(windows, key=lambda w: (w.start, w.id))


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def days(n: float) -> timedelta:
    return timedelta(days=n)
