"""Return on CSI investment: breaches, credits paid and complaints before and after each improvement.

The windows have equal length: the N whole periods before the period in which the work started,
against the first N whole periods from the implementation on (fewer when fewer have ended; then
the before window is shortened to match, using the periods closest to the start).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import pandas as pd

from slactl.improvement.periods import Span, before, containing, shift
from slactl.improvement.series import FrameReader, SeriesError, objective_results, rows_between
from slactl.loader.documents import LoadResult


@dataclass
class WindowFigures:
    periods: list[str]
    breaches: int
    credits: float
    complaints: int
    breached: list[str] = field(default_factory=list)


@dataclass
class ItemRoi:
    improvement: str
    title: str
    investment: float | None
    currency: str | None
    objectives: list[str]
    before: WindowFigures | None
    after: WindowFigures | None
    breaches_avoided: int | None
    credits_saved: float | None
    complaints_avoided: int | None
    roi: float | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RoiReport:
    items: list[ItemRoi]
    total_investment: float
    total_breaches_avoided: int
    total_credits_saved: float
    total_complaints_avoided: int
    total_roi: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _objectives(load: LoadResult, spec: Any) -> list[str]:
    if spec.expected:
        return [spec.expected.objective]
    agreements = load.index("agreement")
    return [f"{a}/{o.id}" for a in spec.agreements if a in agreements for o in agreements[a].model.spec.objectives]


def count_complaints(load: LoadResult, reader: FrameReader, services: list[str], first: date, last: date) -> int:
    start = datetime.combine(first, time(0), tzinfo=UTC)
    end = datetime.combine(last, time(0), tzinfo=UTC) + pd.Timedelta(days=1)
    total = 0
    for rows in rows_between(load, reader, "complaints", "time", start, end):
        total += int(rows["service"].isin(services).sum()) if services else len(rows)
    return total


def window_figures(load: LoadResult, reader: FrameReader, refs: list[str], services: list[str],
                   spans: list[Span]) -> WindowFigures:
    breaches, breached = 0, []
    credits = 0.0
    per_agreement: dict[tuple[str, str], float] = {}
    agreements = load.index("agreement")
    for ref in refs:
        try:
            found = objective_results(load, ref, reader, [s.label for s in spans])
        except SeriesError:
            continue
        agreement = agreements[ref.split("/")[0]].model.spec
        for span, item in zip(spans, found, strict=True):
            # status and credit exactly as `slactl compliance --period` gives them
            if item.status == "breached":
                breaches += 1
                breached.append(f"{ref} {span.label}")
            percent = float(item.credit_percent or 0.0)
            key = (ref.split("/")[0], span.label)
            per_agreement[key] = min(agreement.credit_cap, per_agreement.get(key, 0.0) + percent)
    for (agreement_id, _), percent in per_agreement.items():
        fee = agreements[agreement_id].model.spec.monthly_fee or 0.0
        credits += percent / 100.0 * fee * (3 if spans and spans[0].months == 3 else 1)
    complaints = count_complaints(load, reader, services, spans[0].first, spans[-1].last) if spans else 0
    return WindowFigures([s.label for s in spans], breaches, credits, complaints, breached)


def item_roi(load: LoadResult, improvement_id: str, reader: FrameReader, periods: int = 6,
             today: date | None = None) -> ItemRoi:
    doc = load.get("Improvement", improvement_id)
    assert doc is not None
    spec = doc.model.spec
    today = today or date.today()
    refs = _objectives(load, spec)
    services = list(spec.services)
    if not services:
        agreements = load.index("agreement")
        services = sorted({s for r in refs for s in agreements[r.split("/")[0]].model.spec.services})
    currencies = {load.index("agreement")[r.split("/")[0]].model.spec.currency for r in refs} - {None}
    item = ItemRoi(improvement_id, spec.title, spec.investment, next(iter(currencies), None) if len(currencies) == 1 else None,
                   refs, None, None, None, None, None, None)
    if spec.started is None or spec.implemented is None:
        item.notes.append("needs started and implemented dates")
        return item
    implemented_span = containing(spec.implemented)
    first_after = implemented_span if implemented_span.first == spec.implemented else shift(implemented_span, 1)
    after_spans = [s for s in (shift(first_after, n) for n in range(periods)) if s.last < today]
    if not after_spans:
        item.notes.append(f"no whole period has ended since the implementation ({spec.implemented})")
        return item
    before_spans = before(containing(spec.started), len(after_spans))
    item.before = window_figures(load, reader, refs, services, before_spans)
    item.after = window_figures(load, reader, refs, services, after_spans)
    item.breaches_avoided = item.before.breaches - item.after.breaches
    item.credits_saved = item.before.credits - item.after.credits
    item.complaints_avoided = item.before.complaints - item.after.complaints
    if spec.investment:
        item.roi = (item.credits_saved - spec.investment) / spec.investment
    else:
        item.notes.append("no investment recorded: ROI cannot be computed")
    if len(after_spans) < periods:
        item.notes.append(f"only {len(after_spans)} whole period(s) since the implementation; windows shortened to match")
    return item


def roi_report(load: LoadResult, reader: FrameReader, improvement_id: str | None = None, periods: int = 6,
               today: date | None = None) -> RoiReport:
    ids = [improvement_id] if improvement_id else sorted(
        str(d.id) for d in load.of_kind("Improvement") if d.model.spec.implemented is not None
    )
    items = [item_roi(load, i, reader, periods, today) for i in ids]
    measured = [i for i in items if i.before is not None]
    investment = sum(i.investment or 0.0 for i in measured)
    saved = sum(i.credits_saved or 0.0 for i in measured)
    return RoiReport(
        items=items,
        total_investment=investment,
        total_breaches_avoided=sum(i.breaches_avoided or 0 for i in measured),
        total_credits_saved=saved,
        total_complaints_avoided=sum(i.complaints_avoided or 0 for i in measured),
        total_roi=(saved - investment) / investment if investment else None,
    )
