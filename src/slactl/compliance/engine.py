"""compute_compliance: definitions + ingested data -> one ObjectiveResult per objective (SPEC 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from slactl.compliance.figures import (
    LOOKBACKS,
    STATUS_RANK,
    alerts_from_rates,
    burn_rate,
    credit_for,
    error_budget,
    number,
    status_for,
)
from slactl.compliance.periods import (
    EvaluationWindow,
    Period,
    evaluation_window,
    local_midnight,
    parse_period,
)
from slactl.compliance.results import AgreementCredit, ComplianceReport, ObjectiveResult
from slactl.compliance.tickets import NAT, evaluate_tickets
from slactl.compliance.timeline import (
    ServiceTimeline,
    apply_min_downtime,
    exact,
    outage_timeline,
    probe_timeline,
    timeline_of,
)
from slactl.loader.documents import LoadedDocument, LoadResult
from slactl.model.agreement import Indicator, Objective
from slactl.model.documents import SLA
from slactl.timeline.calendar import service_hours, zone_of
from slactl.timeline.intervals import NS, IntervalSet, from_ns, to_ns
from slactl.timeline.maintenance import exclusion_time, maintenance_occurrences, maintenance_time

if TYPE_CHECKING:  # pandas is imported only where a source is read as a frame, not for Arrow sources
    import pandas as pd

FITTING_SOURCES = {
    Indicator.AVAILABILITY: {"probes", "outages"},
    Indicator.SUCCESS_RATIO: {"events"},
    Indicator.LATENCY: {"events"},
    Indicator.RESPONSE_TIME: {"tickets"},
    Indicator.RESOLUTION_TIME: {"tickets"},
    Indicator.CSAT: {"csat"},
}
COMPUTED_STATUSES = {"active"}
NAT_MAX = np.iinfo(np.int64).max
# point sources whose repeated rows cannot change a result (unions): read as Arrow, never as pandas
ARROW_TYPES = {"probes", "outages"}
DAY_NS = 86_400 * NS


class ComplianceError(Exception):
    """The computation cannot start (unknown agreement, unreadable period); the message says why."""


def ns_array(series: pd.Series) -> npt.NDArray[np.int64]:
    """UTC nanoseconds of a datetime column; NaT becomes NAT."""
    if series.empty:
        return np.empty(0, np.int64)
    import pandas as pd

    values = pd.to_datetime(series, utc=True)
    return values.dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)


def iso(value: int) -> str:
    return from_ns(value).isoformat().replace("+00:00", "Z")


@dataclass
class Scope:
    """Everything an objective is judged over: window, eligible time, services and zone."""

    agreement: LoadedDocument
    objective: Objective
    zone: ZoneInfo
    window: EvaluationWindow
    service_time: IntervalSet
    excluded: IntervalSet
    eligible: IntervalSet
    services: list[str]
    in_force: tuple[int, int] = (NAT, NAT_MAX)  # [effective, end of expiry date) in the agreement's zone

    @property
    def start(self) -> int:
        return self.window.start

    @property
    def judged(self) -> tuple[int, int]:
        """The part of [start, as-of) in which the agreement was in force (for events counted by time)."""
        return max(self.start, self.in_force[0]), min(self.as_of, self.in_force[1])

    @property
    def as_of(self) -> int:
        return self.window.effective_end

    @property
    def end(self) -> int:
        return self.window.end

    def eligible_so_far(self) -> IntervalSet:
        return self.eligible.clip(self.start, self.as_of)

    def eligible_to_come(self) -> IntervalSet:
        return self.eligible.clip(self.as_of, self.end)


@dataclass
class SourceData:
    """One source's rows for a time range, split by service once, with time columns as int64 ns.

    Backed by a pandas frame, or for the large point sources (probes, outages) directly by an Arrow
    table, so ten million samples never become Python strings.
    """

    n: int
    by_service: dict[str, npt.NDArray[np.int64]]
    frame_: pd.DataFrame | None = None
    table: Any = None
    cache: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def of(frame: pd.DataFrame) -> SourceData:
        import pandas as pd

        frame = frame.reset_index(drop=True)
        if frame.empty or "service" not in frame:
            return SourceData(len(frame), {}, frame_=frame)
        column = frame["service"]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, names = column.cat.codes.to_numpy(), [str(c) for c in column.cat.categories]
        else:
            codes, uniques = pd.factorize(column.astype(str))
            names = [str(c) for c in uniques]
        from slactl.store.arrays import rows_by_code

        return SourceData(len(frame), rows_by_code(codes, names), frame_=frame)

    @staticmethod
    def of_table(table: Any) -> SourceData:
        from slactl.store.arrays import dictionary_codes, rows_by_code

        # no combine_chunks: copying ten million rows costs more than the whole computation
        codes, names = dictionary_codes(table.column("service"))
        return SourceData(table.num_rows, rows_by_code(codes, names), table=table)

    @property
    def frame(self) -> pd.DataFrame:
        if self.frame_ is None:
            self.frame_ = self.table.to_pandas()
        return self.frame_

    def has(self, name: str) -> bool:
        return name in (self.table.column_names if self.table is not None else self.frame_.columns)  # type: ignore[union-attr]

    def ns(self, column: str) -> npt.NDArray[np.int64]:
        key = "ns:" + column
        if key not in self.cache:
            if not self.has(column):
                self.cache[key] = np.full(self.n, NAT, dtype=np.int64)
            elif self.table is not None:
                import pyarrow as pa

                values = self.table.column(column).cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64())
                self.cache[key] = (values.fill_null(NAT) if values.null_count else values).to_numpy()
            else:
                self.cache[key] = ns_array(self.frame[column])
        return self.cache[key]  # type: ignore[no-any-return]

    def column(self, name: str) -> npt.NDArray[Any]:
        key = "col:" + name
        if key not in self.cache:
            if self.table is not None:
                import pyarrow as pa

                values = self.table.column(name)
                if pa.types.is_dictionary(values.type):
                    values = values.cast(values.type.value_type)
                self.cache[key] = values.to_numpy(zero_copy_only=False)
            else:
                self.cache[key] = self.frame[name].to_numpy()
        return self.cache[key]  # type: ignore[no-any-return]

    def rows(self, services: list[str], filters: dict[str, Any]) -> npt.NDArray[np.int64]:
        """Row positions of the given services that pass the objective's equality filters."""
        parts = [self.by_service[s] for s in services if s in self.by_service]
        if len(parts) == 1:
            rows = parts[0]
        else:
            rows = np.sort(np.concatenate(parts)) if parts else np.empty(0, np.int64)
        for column, wanted in filters.items():
            if not self.has(column):
                return np.empty(0, np.int64)
            values = self.column(column)[rows]
            rows = rows[np.array([str(v) == str(wanted) for v in values], dtype=bool)] if rows.size else rows
        return rows


@dataclass
class Computation:
    """One compliance run: each source's data is read and split once, whatever the number of objectives."""

    result: LoadResult
    store: Any
    span: tuple[int, int] | None = None  # read this whole range once (day-by-day series), not each window
    sources: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _manifest: dict[str, Any] | None = None

    def data(self, source_id: str, start: int, end: int, spanned: bool = True) -> SourceData:
        if self.span is not None and spanned:
            start, end = self.span[0] - 3 * DAY_NS, self.span[1] + 3 * DAY_NS
        key = (source_id, start, end)
        if key not in self.sources:
            source = self.result.get("DataSource", source_id)
            kind = source.model.spec.type if source is not None else None
            table = None
            if kind in ARROW_TYPES and hasattr(self.store, "read_table"):
                table = self.store.read_table(source_id, from_ns(start), from_ns(end))
            if table is not None:
                self.sources[key] = SourceData.of_table(table)
            else:
                self.sources[key] = SourceData.of(self.store.read(source_id, from_ns(start), from_ns(end)))
        return self.sources[key]

    def runs(self, source_id: str, start: int, end: int, interval_ns: int) -> Any:
        """Probe runs of a source (slactl.store.runs), or None when the store keeps only the samples."""
        if not hasattr(self.store, "read_runs"):
            return None
        if self.span is not None:
            start, end = self.span[0] - 3 * DAY_NS, self.span[1] + 3 * DAY_NS
        key = ("runs", source_id, start, end, interval_ns)
        if key not in self.sources:
            self.sources[key] = self.store.read_runs(source_id, from_ns(start), from_ns(end), interval_ns)
        return self.sources[key]

    def has_data(self, source_id: str) -> bool:
        if self._manifest is None:
            self._manifest = self.store.manifest()
        return any(entry.get("source") == source_id for entry in self._manifest.get("files", {}).values())


NOT_INHERITED = {"id", "supports", "credits"}


def _resolve_objective(result: LoadResult, objective: Objective) -> Objective:
    """An objective that `supports` another inherits every field it does not state.

    Indicator, source, service, filter, target, threshold, window, clock, pause states, budgeting
    and alert tiers come from the supported objective unless the OLA/UC says otherwise; credits
    never do (they are the customer's, not the supplier's).
    """
    if not objective.supports:
        return objective
    agreement_id, _, objective_id = objective.supports.partition("/")
    parent = result.get("agreement", agreement_id)
    if parent is None:
        return objective
    candidate = next((o for o in parent.model.spec.objectives if o.id == objective_id), None)
    if candidate is None:
        return objective
    stated = objective.model_fields_set
    updates = {name: getattr(candidate, name) for name in type(objective).model_fields
               if name not in stated and name not in NOT_INHERITED}
    return objective.model_copy(update=updates)


def _base_result(scope: Scope, source_type: str | None) -> ObjectiveResult:
    objective = scope.objective
    agreement = scope.agreement
    eligible_total = scope.eligible.measure() * len(scope.services)
    excluded_total = scope.excluded.measure() * len(scope.services)
    return ObjectiveResult(
        agreement=agreement.id or "",
        kind=agreement.kind or "",
        objective=objective.id,
        indicator=objective.indicator.value if objective.indicator else "",
        target=objective.target,
        attained=None,
        status="insufficient_data",
        coverage=None,
        eligible_seconds=number(Fraction(eligible_total, NS)),
        excluded_seconds=number(Fraction(excluded_total, NS)),
        bad_seconds=None,
        counted=None,
        within=None,
        error_budget=None,
        burn_rates=None,
        projected=None,
        percentiles=None,
        credit_percent=None,
        review_required=True,
        period=scope.window.label,
        start=iso(scope.start),
        end=iso(scope.end),
        window=objective.window.value,
        in_progress=scope.window.in_progress,
        live=scope.window.live,
        warning=objective.warning,
        threshold_seconds=objective.threshold,
        service=objective.service,
        source=objective.source,
        supports=objective.supports,
        notes=[] if source_type is None else [],
    )


def _exclusion_list(scope: Scope) -> list[dict[str, Any]]:
    spec = scope.agreement.model.spec
    listed = []
    for window in spec.maintenance:
        occurrences = maintenance_occurrences(window, scope.start, scope.end, scope.zone).intersect(scope.service_time)
        for s, e in zip(occurrences.starts, occurrences.ends, strict=True):
            listed.append({"id": window.id, "kind": "maintenance", "reason": window.reason or f"scheduled maintenance ({window.every})",
                           "clause": None, "start": iso(int(s)), "end": iso(int(e)), "seconds": number(Fraction(int(e - s), NS))})
    for item in spec.exclusions:
        part = exclusion_time([item], scope.start, scope.end, scope.zone).intersect(scope.service_time)
        for s, e in zip(part.starts, part.ends, strict=True):
            listed.append({"id": item.id, "kind": "exclusion", "reason": item.reason, "clause": item.clause,
                           "start": iso(int(s)), "end": iso(int(e)), "seconds": number(Fraction(int(e - s), NS))})
    return sorted(listed, key=lambda x: x["start"])


def agreement_calendar(doc: LoadedDocument, result: LoadResult) -> Any:
    """The agreement's Calendar spec, or None for 24x7 in UTC."""
    spec = doc.model.spec
    calendar_doc = result.get("Calendar", spec.calendar) if spec.calendar else None
    return calendar_doc.model.spec if calendar_doc is not None else None


def build_scope(doc: LoadedDocument, objective: Objective, period: Period, as_of: datetime | None,
                result: LoadResult) -> Scope:
    calendar = agreement_calendar(doc, result)
    zone = zone_of(calendar)
    return scope_for_window(doc, objective, evaluation_window(period, objective.window, zone, as_of), result)


def scope_for_window(doc: LoadedDocument, objective: Objective, window: EvaluationWindow, result: LoadResult) -> Scope:
    """Service, excluded and eligible time of one objective over an explicit window."""
    spec = doc.model.spec
    calendar = agreement_calendar(doc, result)
    zone = zone_of(calendar)
    # the agreement binds only from its effective date until the end of its expiry date
    in_force_from = max(window.start, local_midnight(spec.effective, zone))
    in_force_until = min(window.end, _end_of_expiry(spec.expires, zone))
    service_time = service_hours(calendar, window.start, window.end).clip(in_force_from, in_force_until)
    planned = maintenance_time(spec.maintenance, window.start, window.end, zone)
    declared = exclusion_time(spec.exclusions, window.start, window.end, zone)
    excluded = service_time.intersect(planned.union(declared))
    eligible = service_time.subtract(excluded)
    services = [objective.service] if objective.service else list(spec.services)
    return Scope(doc, objective, zone, window, service_time, excluded, eligible, services,
                 (local_midnight(spec.effective, zone), _end_of_expiry(spec.expires, zone)))


def _end_of_expiry(expires: date | None, zone: ZoneInfo) -> int:
    """The instant an agreement stops binding: the end of its expiry day; never without one (or beyond 2261)."""
    if expires is None or expires >= date(2261, 12, 31):
        return NAT_MAX
    return local_midnight(expires + timedelta(days=1), zone)


# ---------------------------------------------------------------- availability


def complete_until_ns(spec: Any) -> int | None:
    """An outages source's `complete_until` as an instant (a date is that day's midnight in the source's zone)."""
    until = spec.complete_until_instant()
    return None if until is None else to_ns(until)


def _tail_start(known: IntervalSet, as_of: int, amount: int) -> int:
    """The instant from which `known` holds `amount` of time up to `as_of` (the last 24h of known time)."""
    total = int(known.cumulative([as_of])[0])
    wanted = total - amount
    if wanted <= 0:
        return int(known.starts[0]) if len(known) else as_of
    lengths = known.ends - known.starts
    cum = np.concatenate([[0], np.cumsum(lengths)])
    idx = int(np.searchsorted(cum, wanted, side="right") - 1)
    return int(known.starts[idx] + (wanted - cum[idx]))


def _availability(comp: Computation, scope: Scope, source: LoadedDocument) -> ObjectiveResult:
    assert source.id is not None  # found by id (LoadResult.get)
    objective = scope.objective
    res = _base_result(scope, source.model.spec.type)
    res.exclusions = _exclusion_list(scope)
    ds = source.model.spec
    elapsed_eligible = scope.eligible_so_far()
    margin = DAY_NS
    timelines: list[ServiceTimeline] = []
    raw_downs: list[IntervalSet] = []
    if ds.type == "probes":
        interval_ns = ds.interval_ns()
        if ds.interval is None:
            res.notes.append("the data source declares no interval: each probe sample is taken to stand for 60s")
        # runs (what the samples cover, and what down samples cover) unless samples are filtered on a column
        # down runs (for min_downtime) are measured inside [lookback, as_of): from a day before the
        # window, and as long as they are at as_of; runs and samples give exactly the same
        lookback = scope.start - margin
        runs = None if objective.filter else comp.runs(source.id, lookback, scope.as_of, interval_ns)
        data = None if runs is not None else comp.data(source.id, lookback - interval_ns, scope.as_of + margin)
        for service in scope.services:
            if runs is not None:
                covered_starts, covered_ends, down_starts, down_ends = runs.of(service, scope.as_of)
                known = IntervalSet.from_arrays(covered_starts, covered_ends).intersect(elapsed_eligible)
                raw_down = IntervalSet.from_arrays(np.maximum(down_starts, lookback), down_ends)
                timelines.append(timeline_of(known, raw_down))
                raw_downs.append(raw_down)
                continue
            assert data is not None
            rows = data.rows([service], objective.filter)
            times = data.ns("time")[rows]
            up = data.column("up")[rows].astype(bool) if rows.size else np.empty(0, bool)
            inside = times < scope.as_of
            times, up = times[inside], up[inside]
            timelines.append(probe_timeline(times, up, interval_ns, elapsed_eligible))
            down_times = times[~up]
            raw_downs.append(IntervalSet.from_arrays(np.maximum(down_times, lookback),
                                                     np.minimum(down_times + interval_ns, scope.as_of)))
    else:  # outages
        data = comp.data(source.id, scope.start - margin, scope.as_of + margin)
        until = complete_until_ns(ds)
        limit = scope.as_of if until is None else min(scope.as_of, until)
        if limit < scope.as_of:
            res.notes.append(f"outage data is complete only until {iso(limit)}; later time is unknown")
        if comp.has_data(source.id):
            known = elapsed_eligible.clip(scope.start, limit)
        else:
            known = IntervalSet.empty()
            res.notes.append(f"no outage data has been ingested for source '{source.id}': time is unknown, not up")
        for service in scope.services:
            rows = data.rows([service], objective.filter)
            starts = data.ns("start")[rows]
            ends = data.ns("end")[rows]
            impacts = data.column("impact")[rows].astype(float) if rows.size else np.empty(0)
            impacts = np.where(np.isnan(impacts), 1.0, impacts)
            ends = np.where(ends == NAT, limit, ends)  # an outage without an end is still going on
            impacts = np.clip(impacts, 0.0, 1.0)
            timelines.append(outage_timeline(starts, ends, impacts, known))
            raw_downs.append(IntervalSet.from_arrays(starts[impacts > 0], ends[impacts > 0]))
    if objective.min_downtime:
        min_ns = int(round(objective.min_downtime * NS))
        excluded_all = scope.excluded
        timelines = [apply_min_downtime(t, d, excluded_all, min_ns) for t, d in zip(timelines, raw_downs, strict=True)]

    known_total = sum(t.known.measure() for t in timelines)
    bad_total = sum((t.bad_exact() for t in timelines), Fraction(0))
    eligible_elapsed_total = elapsed_eligible.measure() * len(scope.services)
    future_total = scope.eligible_to_come().measure() * len(scope.services)
    res.known_seconds = number(Fraction(known_total, NS))
    res.bad_seconds = number(bad_total / NS)
    res.coverage = (known_total / eligible_elapsed_total) if eligible_elapsed_total else None
    downs = IntervalSet.empty()
    for t in timelines:
        downs = downs.union(t.down())
    res.down_intervals = [(iso(int(s)), iso(int(e)), float(Fraction(int(e - s), NS))) for s, e in
                          zip(downs.starts[:200], downs.ends[:200], strict=True)]
    insufficient = known_total == 0 or (res.coverage is not None and exact(res.coverage) < exact(objective.min_coverage))
    if known_total == 0 and eligible_elapsed_total == 0:
        res.notes.append("the window has no eligible time")

    slices: SliceFigures | None = None
    if objective.budgeting == "timeslices":
        slices = _timeslices(scope, timelines)
        if slices.widened_to_ns:
            res.notes.append(f"slice {objective.slice:g}s would make more than {MAX_SLICES:,} slices: "
                             f"{slices.widened_to_ns / NS:g}s slices were used")
        attained = slices.attained
        unit = "slices"
        budget_known: Fraction | int = slices.known_count + slices.future_count
        consumed: Fraction | int = slices.bad_count
        res.counted, res.within = slices.known_count, slices.known_count - slices.bad_count
    else:
        attained = (100 * (known_total - bad_total) / known_total) if known_total else None
        unit = "seconds"
        budget_known = Fraction(known_total + future_total, NS)
        consumed = bad_total / NS
    res.attained = number(attained) if attained is not None else None
    if objective.target is not None:
        res.error_budget = error_budget(unit, objective.target, budget_known, consumed) if known_total else None

    if scope.window.live and known_total and objective.target is not None:
        target = objective.target

        def rate_of(seconds: float) -> float | None:
            lo, hi = scope.as_of - int(seconds * NS), scope.as_of
            if slices is not None:
                bad_s, known_s = slices.between(lo, hi)
                return burn_rate(bad_s, known_s, target)
            known_l = sum(float(t.known.measure_between([lo], [hi])[0]) for t in timelines)
            bad_l = sum(float(t.bad_between([lo], [hi])[0]) for t in timelines)
            return burn_rate(bad_l, known_l, target)

        res.burn_rates = {name: rate_of(seconds) for name, seconds in LOOKBACKS.items()}
        res.alerts = alerts_from_rates(objective, rate_of)
    if scope.window.in_progress and known_total and objective.target is not None:
        if slices is not None:  # the last 24 hours of known slices, and the slices still to come
            bad_24, known_24 = slices.between(scope.as_of - DAY_NS, scope.as_of)
            fraction_bad = bad_24 / known_24 if known_24 else 0.0
            good_now = slices.known_count - slices.bad_count
            res.projected = 100 * (good_now + slices.future_count * (1 - fraction_bad)) / (
                slices.known_count + slices.future_count)
        else:
            known_24 = bad_24 = 0.0
            for t in timelines:
                if len(t.known):
                    lo = _tail_start(t.known, scope.as_of, DAY_NS)
                    known_24 += float(t.known.measure_between([lo], [scope.as_of])[0])
                    bad_24 += float(t.bad_between([lo], [scope.as_of])[0])
            fraction_bad = bad_24 / known_24 if known_24 else 0.0
            good = float(known_total - bad_total) + future_total * (1 - fraction_bad)
            res.projected = 100 * good / (known_total + future_total)
    _finish(res, scope, Fraction(attained) if attained is not None else None, insufficient)
    return res


MAX_SLICES = 2_000_000


@dataclass
class SliceFigures:
    """Per slice (summed over services): how many services had it known, and how many had it bad."""

    lo: npt.NDArray[np.int64]
    hi: npt.NDArray[np.int64]
    known: npt.NDArray[np.int64]
    bad: npt.NDArray[np.int64]
    future_count: int
    widened_to_ns: int | None = None  # the slice length used when `slice` was too short to count

    @property
    def known_count(self) -> int:
        return int(self.known.sum())

    @property
    def bad_count(self) -> int:
        return int(self.bad.sum())

    @property
    def attained(self) -> Fraction | None:
        return Fraction(100 * (self.known_count - self.bad_count), self.known_count) if self.known_count else None

    def between(self, start: int, end: int) -> tuple[float, float]:
        """Bad and known slices among those overlapping [start, end)."""
        inside = (self.hi > start) & (self.lo < end)
        return float(self.bad[inside].sum()), float(self.known[inside].sum())


def _timeslices(scope: Scope, timelines: list[ServiceTimeline]) -> SliceFigures:
    """Slices of `slice` aligned to the window start; good when their own ratio >= slice_target."""
    objective = scope.objective
    asked = int(round((objective.slice or 300) * NS))
    length = max(asked, (scope.end - scope.start) // MAX_SLICES + 1)
    bounds = np.arange(scope.start, scope.end + length, length, dtype=np.int64)
    bounds = np.minimum(bounds, scope.end)
    lo, hi = bounds[:-1], bounds[1:]
    keep = hi > lo
    lo, hi = lo[keep], hi[keep]
    slice_target = exact(objective.slice_target if objective.slice_target is not None else 100)
    known_per_slice = np.zeros(lo.size, dtype=np.int64)
    bad_per_slice = np.zeros(lo.size, dtype=np.int64)
    for t in timelines:
        known = t.known.measure_between(lo, hi)
        bad = t.bad_between(lo, hi)
        has = known > 0
        ratio = np.where(has, (known - bad) / np.where(has, known, 1), 0.0)
        good = has & (ratio * 100 >= float(slice_target) - 1e-9)
        close = has & (np.abs(ratio * 100 - float(slice_target)) < 1e-6)
        for i in np.flatnonzero(close):  # decide exactly where floating point could be wrong
            bad_exact = sum((inc * int(level.measure_between([lo[i]], [hi[i]])[0]) for inc, level in t.levels), Fraction(0))
            good[i] = 100 * (int(known[i]) - bad_exact) >= slice_target * int(known[i])
        known_per_slice += has
        bad_per_slice += has & ~good
    future = scope.eligible_to_come().measure_between(lo, hi) > 0
    elapsed = scope.eligible_so_far().measure_between(lo, hi) > 0
    future_count = int((future & ~elapsed).sum()) * len(timelines)
    return SliceFigures(lo, hi, known_per_slice, bad_per_slice, future_count, length if length > asked else None)


# ---------------------------------------------------------------- requests and csat


def _requests(comp: Computation, scope: Scope, source: LoadedDocument) -> ObjectiveResult:
    assert source.id is not None  # found by id (LoadResult.get)
    objective = scope.objective
    res = _base_result(scope, "events")
    res.exclusions = _exclusion_list(scope)
    data = comp.data(source.id, scope.start, scope.as_of)
    rows = data.rows(scope.services, objective.filter)
    times = data.ns("time")[rows]
    inside = scope.eligible_so_far().contains(times)
    rows, times = rows[inside], times[inside]
    if objective.indicator == Indicator.LATENCY:
        latency = data.column("latency_ms")[rows].astype(float) if data.has("latency_ms") else np.full(rows.size, np.nan)
        valid = np.isfinite(latency)  # NaN (no latency in the row), inf: never measured, left out
        latency, times = latency[valid], times[valid]
        # the threshold as written (4007ms is exactly 4007.0), not 4.007 s x 1000 in binary floating point
        limit_ms = float(exact(objective.threshold or 0) * 1000)
        good_each = (latency <= limit_ms).astype(float)
        total_each = np.ones(latency.size)
        if latency.size:
            p50, p95, p99 = np.percentile(latency, [50, 95, 99])
            res.percentiles = {"p50": float(p50), "p95": float(p95), "p99": float(p99)}
        else:
            res.percentiles = {"p50": None, "p95": None, "p99": None}
    else:
        good_each = data.column("good")[rows].astype(float) if data.has("good") else np.full(rows.size, np.nan)
        total_each = data.column("total")[rows].astype(float) if data.has("total") else np.full(rows.size, np.nan)
        valid = np.isfinite(good_each) & np.isfinite(total_each)  # rows with a count missing or not finite
        good_each, total_each, times = good_each[valid], total_each[valid], times[valid]
    good = float(good_each.sum())
    total = float(total_each.sum())
    res.counted, res.within = number(total), number(good)
    attained = Fraction(100) * exact(good) / exact(total) if total else None
    res.attained = number(attained) if attained is not None else None
    elapsed_eligible = scope.eligible_so_far().measure()
    future_eligible = scope.eligible_to_come().measure()
    projected_total = total * (elapsed_eligible + future_eligible) / elapsed_eligible if elapsed_eligible else total
    if objective.target is not None and total:
        res.error_budget = error_budget("events", objective.target, exact(projected_total), exact(total - good))
    if scope.window.live and total and objective.target is not None:
        target = objective.target

        def rate_of(seconds: float) -> float | None:
            recent = times >= scope.as_of - int(seconds * NS)
            return burn_rate(float((total_each - good_each)[recent].sum()), float(total_each[recent].sum()), target)

        res.burn_rates = {name: rate_of(seconds) for name, seconds in LOOKBACKS.items()}
        res.alerts = alerts_from_rates(objective, rate_of)
    if scope.window.in_progress and total and objective.target is not None:
        recent = times >= scope.as_of - DAY_NS
        recent_total = float(total_each[recent].sum())
        fraction_bad = float((total_each - good_each)[recent].sum()) / recent_total if recent_total else 0.0
        future_events = projected_total - total
        res.projected = 100 * (good + future_events * (1 - fraction_bad)) / projected_total
    _finish(res, scope, attained, total == 0)
    return res


def _csat(comp: Computation, scope: Scope, source: LoadedDocument) -> ObjectiveResult:
    assert source.id is not None  # found by id (LoadResult.get)
    res = _base_result(scope, "csat")
    data = comp.data(source.id, scope.start, scope.as_of)
    rows = data.rows(scope.services, scope.objective.filter)
    times = data.ns("time")[rows]
    first, last = scope.judged
    inside = (times >= first) & (times < last)
    scores = data.column("score")[rows][inside].astype(float) if rows.size else np.empty(0)
    scores = scores[~np.isnan(scores)]
    answers = int(scores.size)
    good = int((scores >= 4).sum())
    res.counted, res.within = answers, good
    attained = Fraction(100 * good, answers) if answers else None
    res.attained = number(attained) if attained is not None else None
    res.mean_score = float(scores.mean()) if answers else None
    if scope.objective.target is not None and answers:
        res.error_budget = error_budget("events", scope.objective.target, answers, answers - good)
    _finish(res, scope, attained, answers == 0)
    return res


# ---------------------------------------------------------------- tickets


def _tickets(comp: Computation, scope: Scope, source: LoadedDocument) -> ObjectiveResult:
    assert source.id is not None  # found by id (LoadResult.get)
    objective = scope.objective
    res = _base_result(scope, "tickets")
    data = comp.data(source.id, scope.start, scope.as_of)
    rows = data.rows(scope.services, objective.filter)
    if rows.size == 0:
        _finish(res, scope, None, True)
        return res
    opened = data.ns("opened_at")[rows]
    resolved = data.ns("resolved_at")[rows]
    if objective.indicator == Indicator.RESPONSE_TIME:
        responded = data.ns("responded_at")[rows]
        stop = np.where(responded != NAT, responded, resolved)
    else:
        stop = resolved
    valid = (opened != NAT) & (opened < scope.as_of)
    backwards = valid & (stop != NAT) & (stop < opened)
    if backwards.any():
        res.notes.append(f"{int(backwards.sum())} ticket(s) stop before they open and are left out")
    valid &= ~backwards
    ids = data.column("id")[rows].astype(str).astype(object)[valid]
    opened, stop = opened[valid], stop[valid]
    ids, opened, stop, repeated = _one_row_per_ticket(ids, opened, stop)
    if repeated:
        res.notes.append(f"{repeated} ticket id(s) appear in more than one row (for example in two monthly exports); "
                         "each is counted once, from its most complete row")
    stop = np.where(stop > scope.as_of, NAT, stop)  # not known yet at as-of
    if opened.size == 0:
        _finish(res, scope, None, True)
        return res
    spec = scope.agreement.model.spec
    begin = int(opened.min())
    if objective.clock == "business":
        calendar_doc = comp.result.get("Calendar", spec.calendar) if spec.calendar else None
        hours = service_hours(calendar_doc.model.spec if calendar_doc else None, begin, scope.as_of)
    else:
        hours = IntervalSet.single(begin, scope.as_of)
    clock = hours.subtract(exclusion_time(spec.exclusions, begin, scope.as_of, scope.zone))
    pause_idx = np.empty(0, np.int64)
    pause_start = pause_end = np.empty(0, np.int64)
    pause_source = source.model.spec.pauses
    if objective.pause_states and pause_source:
        pauses = comp.data(pause_source, begin, scope.as_of, spanned=False).frame
        if not pauses.empty:
            pauses = pauses[pauses["state"].astype(str).isin(objective.pause_states)]
            position = {ticket: i for i, ticket in enumerate(ids)}
            index = pauses["ticket_id"].astype(str).map(position)
            pauses = pauses[index.notna()]
            pause_idx = index[index.notna()].to_numpy(np.int64)
            pause_start = ns_array(pauses["start"])
            pause_end = ns_array(pauses["end"])
            pause_end = np.where(pause_end == NAT, scope.as_of, pause_end)
    threshold_ns = int(round((objective.threshold or 0) * NS))
    figures = evaluate_tickets(ids, opened, stop, clock, (pause_idx, pause_start, pause_end), threshold_ns,
                               *_ticket_period(scope))
    res.counted, res.within, res.pending = figures.counted, figures.within, figures.pending
    attained = Fraction(100 * figures.within, figures.counted) if figures.counted else None
    res.attained = number(attained) if attained is not None else None
    if figures.counted:
        seconds = figures.elapsed_ns / NS
        p50, p95, p99 = np.percentile(seconds, [50, 95, 99])
        res.percentiles = {"p50": float(p50), "p95": float(p95), "p99": float(p99)}
    if figures.breached_open_ids:
        res.notes.append("still open and past the threshold: " + ", ".join(figures.breached_open_ids[:20]))
    if objective.target is not None and figures.counted:
        res.error_budget = error_budget("tickets", objective.target, figures.counted, figures.counted - figures.within)
    _finish(res, scope, attained, figures.counted == 0)
    return res


def _ticket_period(scope: Scope) -> tuple[int, int]:
    """The period tickets are counted in: the judged window, bounded by the agreement being in force."""
    first, last = scope.judged
    return first, max(first, last)


def _one_row_per_ticket(
    ids: npt.NDArray[Any], opened: npt.NDArray[np.int64], stop: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """Keep one row per ticket id: the one whose clock has stopped, else the latest row read.

    A ticket exported open in one file and resolved in the next must count once, as resolved.
    """
    if ids.size < 2:
        return ids, opened, stop, 0
    _, codes = np.unique(ids.astype(str), return_inverse=True)
    order = np.lexsort((np.arange(ids.size), stop != NAT, codes))  # per id: open rows first, stopped last
    sorted_codes = codes[order]
    last = np.ones(ids.size, dtype=bool)
    last[:-1] = sorted_codes[1:] != sorted_codes[:-1]
    keep = np.sort(order[last])
    repeated = int((np.bincount(codes) > 1).sum())
    return ids[keep], opened[keep], stop[keep], repeated


# ---------------------------------------------------------------- assembly


def _finish(res: ObjectiveResult, scope: Scope, attained: Fraction | None, insufficient: bool) -> None:
    objective = scope.objective
    if objective.target is None:
        res.status = "insufficient_data"
        res.notes.append("the objective has no target")
    else:
        res.status = status_for(attained, objective.target, objective.warning, res.projected, insufficient)
    agreement_spec = scope.agreement.model.spec
    if res.status == "insufficient_data":
        res.credit_percent = None
        res.review_required = True
    else:
        res.credit_percent = credit_for(attained, objective.credits, agreement_spec.credit_cap)
        res.review_required = False


def _insufficient(scope: Scope, note: str) -> ObjectiveResult:
    res = _base_result(scope, None)
    res.notes.append(note)
    _finish(res, scope, None, True)
    return res


INDICATOR_HANDLERS: dict[Indicator, Callable[[Computation, Scope, LoadedDocument], ObjectiveResult]] = {
    Indicator.AVAILABILITY: _availability,
    Indicator.SUCCESS_RATIO: _requests,
    Indicator.LATENCY: _requests,
    Indicator.CSAT: _csat,
    Indicator.RESPONSE_TIME: _tickets,
    Indicator.RESOLUTION_TIME: _tickets,
}


def evaluate_objective(comp: Computation, doc: LoadedDocument, objective: Objective, period: Period,
                       as_of: datetime | None) -> ObjectiveResult:
    objective = _resolve_objective(comp.result, objective)
    return _evaluate(comp, build_scope(doc, objective, period, as_of, comp.result))


def evaluate_window(comp: Computation, doc: LoadedDocument, objective: Objective, start: datetime, end: datetime,
                    label: str = "") -> ObjectiveResult:
    """One objective over any window [start, end) (a day, a week), judged complete at `end`.

    Used for day-by-day series (baselines, before-and-after comparisons): every rule of SPEC 3
    applies exactly as for a period: service hours, maintenance, exclusions, ticket counting.
    """
    objective = _resolve_objective(comp.result, objective)
    start_ns, end_ns = to_ns(start), to_ns(end)
    window = EvaluationWindow(label or start.date().isoformat(), start_ns, end_ns, end_ns)
    return _evaluate(comp, scope_for_window(doc, objective, window, comp.result))


def _evaluate(comp: Computation, scope: Scope) -> ObjectiveResult:
    objective = scope.objective
    if objective.indicator is None:
        return _insufficient(scope, "the objective has no indicator")
    if not objective.source:
        return _insufficient(scope, "the objective names no data source")
    source = comp.result.get("DataSource", objective.source)
    if source is None:
        return _insufficient(scope, f"data source '{objective.source}' is not defined")
    if source.model.spec.type not in FITTING_SOURCES[objective.indicator]:
        return _insufficient(scope, f"a {source.model.spec.type} source cannot measure {objective.indicator.value}")
    res = INDICATOR_HANDLERS[objective.indicator](comp, scope, source)
    if source.id and not comp.has_data(source.id) and source.model.spec.type != "outages":
        res.notes.append(f"no file of data source '{source.id}' has been ingested: does its path "
                         f"'{source.model.spec.path}' match any file?")
    return res


def _in_force(doc: LoadedDocument, period: Period) -> bool:
    spec = doc.model.spec
    if spec.status not in COMPUTED_STATUSES:
        return False
    if spec.effective >= period.end:
        return False
    return not (spec.expires is not None and spec.expires < period.start)


def select_agreements(result: LoadResult, period: Period, agreement: str | None = None,
                      customer: str | None = None, service: str | None = None) -> list[LoadedDocument]:
    docs = result.agreements()
    if agreement is not None:
        chosen = [d for d in docs if d.id == agreement]
        if not chosen:
            known = ", ".join(sorted(d.id or "" for d in docs)[:20])
            raise ComplianceError(f"no agreement with id '{agreement}'; known: {known}")
        return chosen
    docs = [d for d in docs if _in_force(d, period)]
    if customer is not None:
        docs = [d for d in docs if isinstance(d.model, SLA) and d.model.spec.customer == customer]
    if service is not None:
        docs = [d for d in docs if service in d.model.spec.services]
    return sorted(docs, key=lambda d: ({"SLA": 0, "OLA": 1, "UC": 2}[d.kind or "SLA"], d.id or ""))


def agreement_credits(result: LoadResult, docs: list[LoadedDocument], results: list[ObjectiveResult]) -> list[AgreementCredit]:
    credits = []
    for doc in docs:
        spec = doc.model.spec
        own = [r for r in results if r.agreement == doc.id]
        total = sum((exact(r.credit_percent) for r in own if r.credit_percent is not None), Fraction(0))
        capped = min(total, exact(spec.credit_cap))
        amount = None if spec.monthly_fee is None else number(exact(spec.monthly_fee) * capped / 100)
        worst = max((r.status for r in own), key=lambda s: STATUS_RANK[s], default="met")
        credits.append(AgreementCredit(agreement=doc.id or "", credit_percent=number(capped), credit_amount=amount,
                                       currency=spec.currency, kind=doc.kind or "", status=worst))
    return credits


def compute_compliance(
    repo_root: Path,
    result: LoadResult,
    period: str | Period,
    *,
    as_of: datetime | None = None,
    agreement: str | None = None,
    customer: str | None = None,
    service: str | None = None,
    store: Any = None,
    ingest: bool = True,
) -> ComplianceReport:
    """Every objective of every agreement in force, for one period (SPEC 3)."""
    period_ = parse_period(period) if isinstance(period, str) else period
    data_findings: list[Any] = []
    if store is None:
        from slactl.loader.repository import load_config
        from slactl.store import Store

        store = Store(load_config(Path(repo_root)).store_path)
    if ingest:
        report = store.ensure_ingested(result, Path(repo_root))
        data_findings = report.findings()
    comp = Computation(result=result, store=store)
    docs = select_agreements(result, period_, agreement, customer, service)
    results = [evaluate_objective(comp, doc, objective, period_, as_of)
               for doc in docs for objective in doc.model.spec.objectives]
    as_of_text = as_of.isoformat() if as_of is not None else datetime.combine(period_.end, time(0)).isoformat()
    return ComplianceReport(period=period_.label, as_of=as_of_text, results=results,
                            agreements=agreement_credits(result, docs, results), data_findings=data_findings)


