"""Recurrence evidence for the priority model: breached periods per objective and incidents per service."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from slactl.improvement.coverage import DataExtents, result_has_data
from slactl.improvement.periods import Span, before
from slactl.improvement.scoring import Recurrence
from slactl.improvement.series import FrameReader, SeriesError, objective_results, resolve, rows_between
from slactl.loader.documents import LoadResult


def build_recurrence(load: LoadResult, reader: FrameReader, span: Span, periods: int) -> Recurrence:
    """Breaches in the `periods` periods ending with `span` (from the data and from Problem records),
    and incidents (outage records) per service over the same time. Periods in which an objective
    has no data are recorded as unmeasured, so that no data is never read as no breaches."""
    spans = before(span, periods - 1) + [span]
    labels = [s.label for s in spans]
    measured: dict[str, set[str]] = {}
    found = Recurrence(periods=labels, measured=measured)
    extents = DataExtents(load, reader)
    # incidents are counted from outage records: no records reaching into the look-back, no evidence
    found.outage_data = extents.any_of_type("outages", spans[0].first, spans[-1].last)
    for doc in load.of_kind("Problem"):
        for breach in doc.model.spec.breaches:
            if breach.period in labels:
                found.add_breach(breach.objective, breach.period)
    for doc in load.agreements():
        for objective in doc.model.spec.objectives:
            ref = f"{doc.id}/{objective.id}"
            try:
                results = objective_results(load, ref, reader, labels)
            except SeriesError:
                continue
            tz = resolve(load, ref).tz
            for span_, item in zip(spans, results, strict=True):
                if result_has_data(extents, item, span_.first, span_.last, tz):
                    measured.setdefault(ref, set()).add(span_.label)
                if item.status == "breached":  # as `slactl compliance --period` judges it
                    found.add_breach(ref, span_.label)
    utc = ZoneInfo("UTC")
    start = datetime.combine(spans[0].first, time(0), tzinfo=utc)
    end = datetime.combine(spans[-1].last + timedelta(days=1), time(0), tzinfo=utc)
    for chosen in rows_between(load, reader, "outages", "start", start, end):
        for service, count in chosen["service"].astype(str).value_counts().items():
            found.incidents[str(service)] = found.incidents.get(str(service), 0) + int(count)
    return found
