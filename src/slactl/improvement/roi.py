"""Return on CSI investment: breaches, credits paid and complaints before and after each improvement.

The windows have equal length: the N whole periods before the period in which the work started,
against the first N whole periods from the implementation on (fewer when fewer have ended; then
the before window is shortened to match, using the periods closest to the start).

Missing data is never a clean period. A period in which an objective has no data (the engine
says `insufficient_data`, or its source has no records reaching into the period) is left out of
both windows and named in the notes; the windows are then cut to the same number of periods with
data, those closest to the work. When either window has no period with data left, the ROI is not
measurable and no figure is given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import pandas as pd

from slactl.improvement.coverage import DataExtents, result_has_data
from slactl.improvement.periods import Span, before, containing, describe_periods, shift
from slactl.improvement.series import FrameReader, SeriesError, objective_results, resolve, rows_between
from slactl.loader.documents import LoadResult

__all__ = ["describe_periods", "item_roi", "roi_report", "window_figures"]


@dataclass
class WindowFigures:
    periods: list[str]  # the periods compared (with data for every objective measured)
    breaches: int
    credits: float
    complaints: int | None  # None: there are no complaint records at all
    breached: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # periods of the window without data, left out


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
    measurable: bool = False  # both windows have data: the avoided figures and the ROI mean something

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


def window_figures(load: LoadResult, reader: FrameReader, results: dict[str, dict[str, Any]], services: list[str],
                   spans: list[Span], missing: list[str] | None = None,
                   extents: DataExtents | None = None) -> WindowFigures:
    """Breaches, credits and complaints over `spans` from the engine's results (objective -> label -> result)."""
    extents = extents or DataExtents(load, reader)
    breaches, breached = 0, []
    credits = 0.0
    per_agreement: dict[tuple[str, str], float] = {}
    agreements = load.index("agreement")
    for ref, found in results.items():
        agreement = agreements[ref.split("/")[0]].model.spec
        for span in spans:
            item = found[span.label]
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
    complaints: int | None = None
    # complaints are sparse records: a month without any is a month without complaints, but a
    # repository with no complaint records at all has not measured them
    if spans and any(extents.of(str(d.id)) for d in load.of_kind("DataSource") if d.model.spec.type == "complaints"):
        complaints = sum(count_complaints(load, reader, services, s.first, s.last) for s in spans)
    return WindowFigures([s.label for s in spans], breaches, credits, complaints, breached, list(missing or []))


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
    spans = before_spans + after_spans
    extents = DataExtents(load, reader)
    # the engine's result per objective and period; a period without data is missing, not clean
    results: dict[str, dict[str, Any]] = {}
    has: dict[str, dict[str, bool]] = {}
    for ref in refs:
        try:
            found = objective_results(load, ref, reader, [s.label for s in spans])
            tz = resolve(load, ref).tz
        except SeriesError as exc:
            item.notes.append(f"{ref} left out: {exc}")
            continue
        flags = {s.label: result_has_data(extents, r, s.first, s.last, tz) for s, r in zip(spans, found, strict=True)}
        if not any(flags.values()):
            item.notes.append(f"{ref} left out: no data in {describe_periods([s.label for s in spans])}")
            continue
        results[ref] = {s.label: r for s, r in zip(spans, found, strict=True)}
        has[ref] = flags

    def with_data(window: list[Span]) -> tuple[list[Span], list[str]]:
        kept = [s for s in window if has and all(flags[s.label] for flags in has.values())]
        return kept, [s.label for s in window if s not in kept]

    before_ok, before_missing = with_data(before_spans)
    after_ok, after_missing = with_data(after_spans)
    # equal numbers of periods on both sides, those closest to the work
    count = min(len(before_ok), len(after_ok))
    # with one side empty nothing is compared: the other side's figures are still shown in full
    before_used = before_ok[len(before_ok) - count:] if count else before_ok
    after_used = after_ok[:count] if count else after_ok
    item.before = window_figures(load, reader, results, services, before_used, before_missing, extents)
    item.after = window_figures(load, reader, results, services, after_used, after_missing, extents)
    if before_missing:
        item.notes.append(f"before: {describe_periods(before_missing)} "
                          f"{'has' if len(before_missing) == 1 else 'have'} no data, left out")
    if after_missing:
        item.notes.append(f"after: {describe_periods(after_missing)} "
                          f"{'has' if len(after_missing) == 1 else 'have'} no data, left out")
    if count == 0:
        side = " and ".join(w for w, ok in (("before the start", before_ok), ("since the implementation", after_ok))
                            if not ok)
        item.notes.append(f"ROI not measurable: no data {side}")
        return item
    unused = [s.label for s in before_ok + after_ok if s not in before_used and s not in after_used]
    if unused:
        item.notes.append(f"{describe_periods(unused)} not compared: the windows are shortened to {count} period(s) "
                          "with data on each side")
    item.measurable = True
    item.breaches_avoided = item.before.breaches - item.after.breaches
    item.credits_saved = item.before.credits - item.after.credits
    if item.before.complaints is not None and item.after.complaints is not None:
        item.complaints_avoided = item.before.complaints - item.after.complaints
    else:
        item.notes.append("complaints not compared: there are no complaint records")
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
    measured = [i for i in items if i.measurable]
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
