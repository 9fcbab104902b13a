"""Which periods have data: missing data is reported as missing, never counted as a clean period.

A period has data for an objective when the compliance engine could judge it (its status is not
`insufficient_data`) and the objective's data source holds records reaching into the period. The
second test matters for outage sources: the engine reads the absence of outage records as "up"
once a source has any data at all, so a month before the first outage file would otherwise look
like a month of perfect service.

A source's data reaches from its earliest record to its latest (the end of the last outage or
ticket; open outages reach on indefinitely; an outage source's `complete_until` extends it).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np

from slactl.improvement.series import _SPAN_KEYED, _TIME_KEYED, FrameReader
from slactl.loader.documents import LoadResult
from slactl.timeline.intervals import to_ns

OPEN = np.iinfo(np.int64).max
UTC = ZoneInfo("UTC")


def _ns_values(frame: Any, column: str) -> np.ndarray:
    from slactl.compliance.engine import ns_array
    from slactl.compliance.tickets import NAT

    values = ns_array(frame[column])
    return values[values != NAT]


class DataExtents:
    """The time each DataSource's records cover, from the store's manifest (or the rows themselves)."""

    def __init__(self, load: LoadResult, reader: FrameReader) -> None:
        self.load = load
        self.reader = reader
        self._extents: dict[str, tuple[int, int] | None] = {}

    def _from_manifest(self, source_id: str) -> tuple[int, int] | None | Literal[False]:
        """(lo, hi) from the manifest's partitions; None: no rows; False: the manifest does not say."""
        files = [f for f in self.reader.manifest().get("files", {}).values() if f.get("source") == source_id]
        if not files:
            return None
        parts = [p for f in files for p in f.get("parts", [])]
        if not parts or any("lower_ns" not in p or "reach_ns" not in p for p in parts):
            return False
        parts = [p for p in parts if p.get("rows", 1) and p.get("lower_ns") is not None]
        if not parts:
            return None
        lo = min(int(p["lower_ns"]) for p in parts)
        hi = OPEN if any(p["reach_ns"] is None for p in parts) else max(int(p["reach_ns"]) for p in parts)
        return lo, hi

    def _from_rows(self, source_id: str, kind: str) -> tuple[int, int] | None:
        frame = self.reader.read(source_id)
        main = _TIME_KEYED.get(kind) or (_SPAN_KEYED[kind][0] if kind in _SPAN_KEYED else None)
        if frame.empty or main is None or main not in frame:
            return None
        starts = _ns_values(frame, main)
        if not starts.size:
            return None
        hi = int(starts.max())
        if kind in _SPAN_KEYED and _SPAN_KEYED[kind][1] in frame:
            ends = frame[_SPAN_KEYED[kind][1]]
            if kind == "outages" and bool(ends.isna().any()):
                hi = OPEN  # an outage still going on: the data reaches to now
            else:
                known = _ns_values(frame, _SPAN_KEYED[kind][1])
                hi = max(hi, int(known.max())) if known.size else hi
        return int(starts.min()), hi

    def of(self, source_id: str) -> tuple[int, int] | None:
        """Earliest and latest instant the source's records cover (ns), or None when it has no records."""
        if source_id not in self._extents:
            doc = self.load.get("DataSource", source_id)
            kind = str(doc.model.spec.type) if doc is not None else ""
            found = self._from_manifest(source_id)
            extent = self._from_rows(source_id, kind) if found is False else found
            spec = doc.model.spec if doc is not None else None
            until = spec.complete_until_instant() if spec is not None and kind == "outages" else None
            if until is not None:
                reach = to_ns(until) - 1  # the last known instant: from `complete_until` on, time is unknown
                extent = (min(extent[0], reach), max(extent[1], reach)) if extent else None
            self._extents[source_id] = extent
        return self._extents[source_id]

    def covers(self, source_id: str | None, first: date, last: date, tz: ZoneInfo = UTC) -> bool:
        """Whether the source's records reach into the local days `first`..`last`."""
        if not source_id:
            return False
        extent = self.of(source_id)
        if extent is None:
            return False
        start = to_ns(datetime.combine(first, time(0), tzinfo=tz))
        end = to_ns(datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz))
        return extent[0] < end and extent[1] >= start

    def any_of_type(self, source_type: str, first: date, last: date) -> bool:
        """Whether any DataSource of this type has records reaching into `first`..`last`."""
        return any(self.covers(str(d.id), first, last) for d in self.load.of_kind("DataSource")
                   if d.model.spec.type == source_type)


def result_has_data(extents: DataExtents, result: Any, first: date, last: date, tz: ZoneInfo = UTC) -> bool:
    """A period's objective result measured something: judged by the engine, with records in the period."""
    if result.status == "insufficient_data":
        return False
    return extents.covers(getattr(result, "source", None), first, last, tz)
