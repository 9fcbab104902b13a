"""Compliance results and definitions -> plain dicts per report view, every number both raw and formatted.

The templates only lay these dicts out; every judgement (what is at risk, what goes on the review
agenda, which problem records belong to a breach) is made here, where it can be tested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slactl.compliance.results import ComplianceReport, ObjectiveResult
from slactl.display import fmt_percent
from slactl.durations import format_duration
from slactl.loader.documents import LoadedDocument, LoadResult
from slactl.model.agreement import CADENCE_MONTHS
from slactl.report import charts

VIEWS = ("executive", "manager", "technical")
STATUS_ORDER = {"breached": 0, "at_risk": 1, "insufficient_data": 2, "met": 3}
STATUS_LABEL = {"met": "Met", "at_risk": "At risk", "breached": "Breached", "insufficient_data": "Insufficient data"}
STATUS_ICON = {"met": "✔", "at_risk": "▲", "breached": "✖", "insufficient_data": "?"}
RAG = {"met": "green", "at_risk": "amber", "breached": "red", "insufficient_data": "grey"}
INDICATOR_LABEL = {
    "availability": "Availability",
    "success_ratio": "Success ratio",
    "latency": "Latency",
    "response_time": "Response time",
    "resolution_time": "Resolution time",
    "csat": "Customer satisfaction",
}
OPEN_IMPROVEMENT = {"identified", "approved", "in_progress", "implemented"}
OPEN_PROBLEM = {"open", "known_error"}
KIND_ORDER = {"SLA": 0, "OLA": 1, "UC": 2}
TIMELINE_LIMIT = 20
_WEEKDAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
                  "sat": "Saturday", "sun": "Sunday"}
TOP_N = 5


@dataclass(frozen=True)
class Scope:
    """Which agreements the report covers: all, one agreement, one customer's or one service's."""

    agreement: str | None = None
    customer: str | None = None
    service: str | None = None

    def describe(self) -> str:
        if self.agreement:
            return f"agreement {self.agreement}"
        if self.customer:
            return f"customer {self.customer}"
        if self.service:
            return f"service {self.service}"
        return "all agreements"


@dataclass
class ReportInputs:
    """What one report is made of: this period's results, earlier periods' (oldest first), definitions."""

    period: str
    current: ComplianceReport
    result: LoadResult
    history: list[ComplianceReport] = field(default_factory=list)
    _by_ref: list[dict[str, ObjectiveResult]] | None = field(default=None, repr=False, compare=False)
    _zones: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def by_ref(self) -> list[dict[str, ObjectiveResult]]:
        """Each period's results by AGREEMENT/OBJECTIVE, oldest first (built once)."""
        if self._by_ref is None:
            self._by_ref = [{f"{r.agreement}/{r.objective}": r for r in report.results}
                            for report in [*self.history, self.current]]
        return self._by_ref

    def zones(self) -> dict[str, str]:
        """Calendar id -> time zone (LoadResult.get indexes every document per call; this is built once)."""
        if self._zones is None:
            self._zones = {d.id or "": d.model.spec.timezone for d in self.result.of_kind("Calendar")}
        return self._zones


class ScopeError(ValueError):
    """The scope names an agreement, customer or service the definitions do not have."""


# ---------------------------------------------------------------- formatting


def _decimals_for(target: float | None) -> int:
    if target is None:
        return 3
    text = repr(float(target))
    frac = text.split(".")[1] if "." in text else ""
    return max(3, len(frac.rstrip("0")))


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1:
        return format_duration(round(value))
    return format_duration(value) if value else "0s"


def fmt_number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}"


def fmt_money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "–"
    return f"{amount:,.2f} {currency}".strip() if currency else f"{amount:,.2f}"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f}%"


def _fmt_amount(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "seconds":
        return fmt_seconds(value)
    word = unit[:-1] if float(value) == 1 and unit.endswith("s") else unit  # 1 ticket, 1.5 tickets
    return f"{fmt_number(value, 0 if float(value).is_integer() else 1)} {word}"


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def fmt_time(value: datetime | str | None, tz: str | None = None) -> str:
    """A time for people: in the agreement's time zone when given, with the zone's abbreviation."""
    parsed = _parse_time(value) if isinstance(value, str) else value
    if parsed is None:
        return "–"
    if tz is not None:
        parsed = parsed.astimezone(ZoneInfo(tz))
    return parsed.strftime("%Y-%m-%d %H:%M %Z").strip()


def _words(value: Any) -> str:
    return str(getattr(value, "value", value) or "").replace("_", " ")


def period_bounds(label: str, tz: str = "UTC") -> tuple[datetime, datetime] | None:
    """[start, end) of a `YYYY-MM` or `YYYY-Qn` period in a time zone; None for other labels."""
    zone = ZoneInfo(tz)
    try:
        year_text, part = label.split("-", 1)
        year = int(year_text)
        if part.startswith("Q"):
            first = (int(part[1:]) - 1) * 3 + 1
            months = 3
        else:
            first, months = int(part), 1
    except ValueError:
        return None
    if not 1 <= first <= 12:
        return None
    end_month = first + months
    end_year, end_month = (year + 1, end_month - 12) if end_month > 12 else (year, end_month)
    return datetime(year, first, 1, tzinfo=zone), datetime(end_year, end_month, 1, tzinfo=zone)


# ---------------------------------------------------------------- definitions helpers


def _spec(doc: LoadedDocument) -> Any:
    return doc.model.spec


def _name(doc: LoadedDocument) -> str:
    return doc.model.metadata.name or doc.id or ""


def _timezone_of(inputs: ReportInputs, doc: LoadedDocument) -> str:
    calendar_id = getattr(_spec(doc), "calendar", None)
    return inputs.zones().get(calendar_id, "UTC") if calendar_id else "UTC"


def _aware(value: datetime, tz: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def select_agreements(result: LoadResult, report: ComplianceReport, scope: Scope) -> list[LoadedDocument]:
    """The agreements in scope that have results this period, SLAs first, then OLAs and UCs, by id."""
    docs = {d.id: d for d in result.agreements()}
    with_results = {r.agreement for r in report.results}
    if scope.agreement:
        if scope.agreement not in docs:
            raise ScopeError(f"no agreement with id '{scope.agreement}' in the definitions")
        chosen = [docs[scope.agreement]]
    elif scope.customer:
        chosen = [d for d in docs.values() if d.kind == "SLA" and _spec(d).customer == scope.customer]
        if not chosen:
            customers = sorted({str(_spec(d).customer) for d in docs.values() if d.kind == "SLA" and _spec(d).customer})
            raise ScopeError(f"no SLA has customer '{scope.customer}'; customers: {', '.join(customers) or 'none'}")
    elif scope.service:
        if result.get("Service", scope.service) is None and not any(
            scope.service in _spec(d).services for d in docs.values()
        ):
            raise ScopeError(f"no service with id '{scope.service}' in the definitions")
        chosen = [d for d in docs.values() if scope.service in _spec(d).services]
    else:
        chosen = list(docs.values())
    chosen = [d for d in chosen if d.id in with_results or scope.agreement == d.id]
    return sorted(chosen, key=lambda d: (KIND_ORDER.get(d.kind or "", 9), d.id or ""))


# ---------------------------------------------------------------- objective rows


def _trend_points(ref: str, inputs: ReportInputs) -> list[dict[str, Any]]:
    points = []
    for report, index in zip([*inputs.history, inputs.current], inputs.by_ref(), strict=True):
        found = index.get(ref)
        status = found.status if found is not None else "insufficient_data"
        # a figure from too little data is no figure: shown as no data, left out of the trend's direction
        attained = found.attained if found is not None and status != "insufficient_data" else None
        points.append({
            "period": report.period,
            "attained": attained,
            "attained_text": "no data" if found is not None and attained is None else
            fmt_percent(attained, _decimals_for(found.target if found else None)),
            "status": status,
            "status_label": STATUS_LABEL.get(status, status),
        })
    return points


def trend_direction(values: list[float | None]) -> str:
    """declining / improving when the last three known periods move the same way; else steady."""
    known = [v for v in values if v is not None]
    if len(known) < 3:
        return "steady" if len(known) < 2 or known[-1] == known[-2] else (
            "declining" if known[-1] < known[-2] else "improving")
    a, b, c = known[-3:]
    if a > b > c:
        return "declining"
    if a < b < c:
        return "improving"
    return "steady"


def _consecutive_breaches(points: list[dict[str, Any]]) -> int:
    count = 0
    for point in reversed(points):
        if point["status"] != "breached":
            break
        count += 1
    return count


def _problems_for(result: LoadResult, ref: str) -> list[dict[str, Any]]:
    found = []
    for doc in result.of_kind("Problem"):
        spec = _spec(doc)
        periods = [b.period for b in spec.breaches if b.objective == ref]
        if not periods:
            continue
        found.append({
            "id": doc.id, "title": spec.title or _name(doc), "status": _words(spec.status), "periods": periods,
            "root_cause": spec.root_cause, "technique": spec.technique, "improvements": list(spec.improvements),
            "open": spec.status in OPEN_PROBLEM, "owner": doc.model.metadata.owner,
        })
    return sorted(found, key=lambda p: p["id"])


def _breach_timeline(r: ObjectiveResult, tz: str) -> dict[str, Any]:
    events = []
    for item in r.down_intervals or []:
        start, end = _parse_time(item[0]), _parse_time(item[1])
        seconds = (end - start).total_seconds() if start and end else None
        events.append({
            "start": item[0], "end": item[1], "start_text": fmt_time(start, tz), "end_text": fmt_time(end, tz),
            "seconds": seconds, "duration_text": fmt_seconds(seconds),
        })
    events.sort(key=lambda e: str(e["start"]))
    return {"events": events[:TIMELINE_LIMIT], "more": max(0, len(events) - TIMELINE_LIMIT), "count": len(events)}


def _at_risk_reasons(r: ObjectiveResult, direction: str) -> list[str]:
    reasons = []
    if r.status == "at_risk":
        if r.warning is not None and r.attained is not None and r.attained < r.warning:
            reasons.append(f"attained {fmt_percent(r.attained)} is under the warning level {fmt_percent(r.warning)}")
        if r.projected is not None and r.target is not None and r.projected < r.target:
            reasons.append(f"projected {fmt_percent(r.projected)} by the end of the period, under the target")
        if not reasons:
            reasons.append("flagged at risk by the leading indicators")
    if r.status in ("met", "at_risk"):
        budget = r.error_budget
        if budget is not None and budget.remaining_ratio is not None and budget.remaining_ratio < 0.25:
            reasons.append(f"only {fmt_ratio(budget.remaining_ratio)} of the error budget left")
        firing = [a for a in r.alerts or [] if a.get("firing", True)]  # the run lists the tiers that fire
        for alert in firing:
            reasons.append(f"burn-rate alert ({alert.get('severity', 'page')}) firing: faster than "
                           f"{alert.get('factor', '?')}x over {_window_text(alert.get('long'))} "
                           f"and {_window_text(alert.get('short'))}")
        if direction == "declining":
            reasons.append("attainment declined three periods running")
    return reasons


def _window_text(value: Any) -> str:
    if isinstance(value, (int, float)):
        return fmt_seconds(float(value))
    return str(value or "?")


def _budget(r: ObjectiveResult) -> dict[str, Any] | None:
    b = r.error_budget
    if b is None:
        return None
    remaining = b.remaining_ratio
    if remaining is None:
        left = "no budget (target 100%)"
    elif remaining < 0:
        left = f"overspent by {fmt_ratio(-remaining)}"
    else:
        left = f"{fmt_ratio(remaining)} left"
    return {
        "unit": b.unit, "total": b.total, "consumed": b.consumed, "remaining_ratio": remaining,
        "total_text": _fmt_amount(b.total, b.unit), "consumed_text": _fmt_amount(b.consumed, b.unit),
        "remaining_text": left, "overspent": remaining is not None and remaining < 0,
    }


def _objective_row(r: ObjectiveResult, inputs: ReportInputs, with_charts: bool, tz: str = "UTC") -> dict[str, Any]:
    ref = f"{r.agreement}/{r.objective}"
    decimals = _decimals_for(r.target)
    points = _trend_points(ref, inputs)
    direction = trend_direction([p["attained"] for p in points])
    raw = {f.name: getattr(r, f.name) for f in fields(r)}  # shallow: asdict's deep copies cost
    raw["error_budget"] = asdict(r.error_budget) if r.error_budget is not None else None
    down = raw.pop("down_intervals", [])
    raw["down_intervals"] = f"{len(down)} interval(s), listed in the breach timeline" if down else []
    row: dict[str, Any] = {
        "ref": ref,
        "id": r.objective,
        "agreement": r.agreement,
        "kind": r.kind,
        "indicator": r.indicator,
        "indicator_label": INDICATOR_LABEL.get(r.indicator, r.indicator),
        "service": r.service,
        "source": r.source,
        "supports": r.supports,
        "target": r.target,
        "target_text": fmt_percent(r.target, decimals),
        "warning": r.warning,
        "warning_text": fmt_percent(r.warning, decimals) if r.warning is not None else "",
        "attained": r.attained,
        "attained_text": fmt_percent(r.attained, decimals),
        "status": r.status,
        "status_label": STATUS_LABEL.get(r.status, r.status),
        "status_icon": STATUS_ICON.get(r.status, "?"),
        "rag": RAG.get(r.status, "grey"),
        "coverage": r.coverage,
        "coverage_text": fmt_ratio(r.coverage),
        "threshold_text": fmt_seconds(r.threshold_seconds) if r.threshold_seconds is not None else "",
        "counted": r.counted,
        "within": r.within,
        "pending": r.pending,
        "eligible_text": fmt_seconds(r.eligible_seconds),
        "excluded_text": fmt_seconds(r.excluded_seconds),
        "bad_text": fmt_seconds(r.bad_seconds),
        "known_text": fmt_seconds(r.known_seconds),
        "budget": _budget(r),
        "credit_percent": r.credit_percent,
        "credit_text": "review" if r.credit_percent is None else fmt_percent(r.credit_percent, 2),
        "review_required": r.review_required,
        "projected": r.projected,
        "projected_text": fmt_percent(r.projected, decimals) if r.projected is not None else "",
        "burn_rates": [
            {"lookback": k, "rate": v, "rate_text": "–" if v is None else f"{v:.2f}×"}
            for k, v in (r.burn_rates or {}).items()
        ],
        "alerts": list(r.alerts or []),
        "percentiles": [
            {"name": k, "value": v, "text": _percentile_text(r.indicator, v)} for k, v in (r.percentiles or {}).items()
        ],
        "mean_score": r.mean_score,
        "mean_score_text": f"{r.mean_score:.2f} / 5" if r.mean_score is not None else "",
        "notes": list(r.notes or []),
        "trend": points,
        "trend_direction": direction,
        "trend_text": " → ".join(p["attained_text"] for p in points),
        "consecutive_breaches": _consecutive_breaches(points),
        "at_risk_reasons": _at_risk_reasons(r, direction),
        "raw": raw,
        "charts": {},
    }
    if r.status == "breached":
        row["breach"] = {"timeline": _breach_timeline(r, tz), "problems": _problems_for(inputs.result, ref)}
    if with_charts:
        row["charts"] = _objective_charts(r, row, tz)
    return row


def _objective_charts(r: ObjectiveResult, row: dict[str, Any], tz: str = "UTC") -> dict[str, str]:
    ref = row["ref"]
    out = {
        "sparkline": charts.sparkline([p["attained"] for p in row["trend"]], r.target,
                                      label=f"Trend of {ref}", chart_id=charts.svg_id("spark", ref)),
        "trend": charts.trend_chart(
            [(p["period"], p["attained"], p["status"]) for p in row["trend"]], r.target,
            warning=r.warning, title=f"Attainment of {ref} against its target",
            chart_id=charts.svg_id("trend", ref)),
    }
    start, end = _parse_time(r.start), _parse_time(r.end)
    b = r.error_budget
    if b is not None and b.unit == "seconds" and start and end and b.total > 0:
        # Down intervals are the union over services, unweighted by impact: spread the reported
        # consumption over them in proportion to their length so the line ends at the real figure.
        spends = []
        for item in r.down_intervals or []:
            s, e = _parse_time(item[0]), _parse_time(item[1])
            if s and e:
                spends.append((max(s, start), max(0.0, (min(e, end) - max(s, start)).total_seconds())))
        length = sum(a for _, a in spends)
        if length > 0:
            spends = [(t, a * float(b.consumed) / length) for t, a in spends]
        elif b.consumed:
            spends = [(end, float(b.consumed))]
        out["burndown"] = charts.burndown_chart(
            start, end, b.total, spends, unit="seconds", title=f"Error budget of {ref} through the period",
            chart_id=charts.svg_id("burn", ref), zone=ZoneInfo(tz))
    samples = _ticket_samples(r)
    if samples and r.threshold_seconds:
        out["histogram"] = charts.histogram_chart(
            samples, r.threshold_seconds, title=f"Ticket times of {ref} against the threshold",
            chart_id=charts.svg_id("hist", ref))
    elif r.percentiles and r.threshold_seconds:
        if r.indicator == "latency":
            values = [(k, float(v)) for k, v in r.percentiles.items() if v is not None]
            threshold, unit = r.threshold_seconds * 1000, "ms"
        else:
            scale = 3600.0 if r.threshold_seconds >= 3600 else 60.0
            values = [(k, float(v) / scale) for k, v in r.percentiles.items() if v is not None]
            threshold, unit = r.threshold_seconds / scale, "hours" if scale == 3600 else "minutes"
        out["percentiles"] = charts.percentile_chart(
            values, threshold, unit_label=unit, title=f"Distribution of {ref} against its threshold",
            chart_id=charts.svg_id("pct", ref))
    return out


def _percentile_text(indicator: str, value: float | None) -> str:
    if value is None:
        return "–"
    if indicator == "latency":
        return f"{value:,.0f} ms"
    return fmt_seconds(value)


def _ticket_samples(r: ObjectiveResult) -> list[float]:
    """Per-ticket elapsed seconds, when the compliance run kept them."""
    for name in ("elapsed_seconds", "samples", "durations"):
        values = getattr(r, name, None)
        if isinstance(values, list) and values:
            return [float(v) for v in values if v is not None]
    return []


# ---------------------------------------------------------------- agreement sections


def _exclusions(tz: str, doc: LoadedDocument, bounds: tuple[datetime, datetime] | None,
                rows: list[dict[str, Any]], results: list[ObjectiveResult]) -> dict[str, Any]:
    """Excluded time with its reasons: declared exclusions (force majeure) and maintenance windows.

    The compliance run lists each occurrence inside the service hours; without it, the definitions
    are read directly (exclusions overlapping the period, maintenance schedules).
    """
    spec = _spec(doc)
    occurrences: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in results:
        for item in r.exclusions or []:
            key = (str(item.get("id")), str(item.get("start")), str(item.get("end")))
            occurrences.setdefault(key, item)
    maintenance_seconds: dict[str, list[float]] = {}
    declared = []
    for item in sorted(occurrences.values(), key=lambda i: str(i.get("start"))):
        if item.get("kind") == "maintenance":
            maintenance_seconds.setdefault(str(item.get("id")), []).append(float(item.get("seconds") or 0.0))
            continue
        declared.append(_declared_row(str(item.get("id")), _parse_time(item.get("start")), _parse_time(item.get("end")),
                                      item.get("seconds"), item.get("reason"), item.get("clause"), tz))
    if not occurrences:
        for ex in spec.exclusions:
            start, end = _aware(ex.start, tz), _aware(ex.end, tz)
            if bounds is not None and not (start < bounds[1] and end > bounds[0]):
                continue
            inside = (min(end, bounds[1]) - max(start, bounds[0])).total_seconds() if bounds is not None else None
            declared.append(_declared_row(ex.id, start, end, inside, ex.reason, ex.clause, tz))
    maintenance = []
    for m in spec.maintenance:
        if m.every == "once":
            if m.start is None:
                continue
            start = _aware(m.start, tz)
            end = _aware(m.end, tz) if m.end is not None else start + timedelta(seconds=m.duration or 0)
            if bounds is not None and not (start < bounds[1] and end > bounds[0]):
                continue
            schedule = f"once, {fmt_time(start, tz)} to {fmt_time(end, tz)}"
        else:
            weekday = _WEEKDAY_NAMES.get(str(m.on).lower()[:3], str(m.on))
            when = {"day": "every day", "week": f"every {weekday}", "month": f"day {m.on} of every month"}[m.every]
            schedule = f"{when} at {m.at or '00:00'} ({tz}) for {fmt_seconds(m.duration)}"
        seen = maintenance_seconds.get(m.id)
        maintenance.append({
            "id": m.id, "schedule": schedule, "notice_text": fmt_seconds(m.notice) if m.notice else "",
            "reason": m.reason or "scheduled maintenance",
            "occurrences": len(seen) if seen is not None else None,
            "in_period_text": fmt_seconds(sum(seen)) if seen is not None else "",
        })
    excluded = [(row["ref"], row["excluded_text"]) for row in rows if row["raw"].get("excluded_seconds")]
    return {"declared": declared, "maintenance": maintenance,
            "per_objective": [{"ref": ref, "excluded_text": text} for ref, text in excluded]}


def _declared_row(id_: str, start: datetime | None, end: datetime | None, seconds: Any, reason: Any, clause: Any,
                  tz: str) -> dict[str, Any]:
    reason_text, clause_text = str(reason or ""), str(clause or "")
    majeure = "force" in reason_text.lower() or "majeure" in (reason_text + clause_text).lower()
    return {
        "id": id_, "start_text": fmt_time(start, tz), "end_text": fmt_time(end, tz),
        "in_period_text": fmt_seconds(float(seconds)) if seconds is not None else "–",
        "reason": reason_text, "clause": clause_text,
        "kind": "force majeure" if majeure else "declared exclusion",
    }


def _improvements_for(result: LoadResult, agreement_ids: set[str]) -> list[dict[str, Any]]:
    found = []
    for doc in result.of_kind("Improvement"):
        spec = _spec(doc)
        expected_agreement = spec.expected.objective.split("/")[0] if spec.expected else None
        if not (set(spec.agreements) & agreement_ids or expected_agreement in agreement_ids):
            continue
        found.append(_improvement_row(doc))
    return sorted(found, key=lambda i: (-i["priority"], i["id"]))


def _improvement_row(doc: LoadedDocument) -> dict[str, Any]:
    spec = _spec(doc)
    priority = 0.0
    score_text = ""
    if spec.score is not None:
        priority = spec.score.impact * spec.score.recurrence / spec.score.cost
        score_text = f"impact {spec.score.impact}, recurrence {spec.score.recurrence}, cost {spec.score.cost}"
    return {
        "id": doc.id, "title": spec.title, "status": _words(spec.status), "phase": spec.phase,
        "source": spec.source,
        "owner": doc.model.metadata.owner or "", "priority": priority, "priority_text": f"{priority:.1f}",
        "score_text": score_text, "kpi": spec.kpi or "", "open": spec.status in OPEN_IMPROVEMENT,
        "objective": spec.expected.objective if spec.expected else "",
        "agreements": list(spec.agreements),
    }


def _underpinning(result: LoadResult, doc: LoadedDocument, by_agreement: dict[str, list[dict[str, Any]]]
                  ) -> list[dict[str, Any]]:
    ids = list(_spec(doc).underpinned_by)
    for agreement_id, rows in by_agreement.items():
        if any((row["supports"] or "").split("/")[0] == doc.id for row in rows) and agreement_id not in ids:
            ids.append(agreement_id)
    out = []
    for agreement_id in ids:
        other = result.get("agreement", agreement_id)
        rows = by_agreement.get(agreement_id, [])
        out.append({
            "id": agreement_id, "kind": other.kind if other else "?", "name": _name(other) if other else agreement_id,
            "party": (getattr(_spec(other), "provider", None) or getattr(_spec(other), "supplier", None) or "")
            if other else "",
            "objectives": rows, "missing": not rows,
        })
    return out


def _agenda(section: dict[str, Any], review_next: date | None, bounds: tuple[datetime, datetime] | None
            ) -> list[dict[str, Any]]:
    """The review meeting's agenda: open actions first, then trends, then this period's exceptions."""
    items: list[dict[str, Any]] = []
    actions = section["open_actions"]
    items.append({
        "topic": "Actions from the last review",
        "details": [f"{a['kind']} {a['id']}: {a['title']} ({a['status']})" for a in actions]
        or ["no open actions"],
    })
    trend_lines = []
    for row in section["objectives"]:
        if row["consecutive_breaches"] >= 2:
            trend_lines.append(f"{row['ref']} breached {row['consecutive_breaches']} periods running "
                               f"({row['trend_text']}): recurring, root cause analysis needed"
                               + ("" if row.get("breach", {}).get("problems") else "; no Problem record yet"))
        elif row["trend_direction"] == "declining":
            trend_lines.append(f"{row['ref']} declining: {row['trend_text']} (target {row['target_text']})")
        elif row["trend_direction"] == "improving":
            trend_lines.append(f"{row['ref']} improving: {row['trend_text']}")
    items.append({"topic": "Trends over the last periods",
                  "details": trend_lines or ["every objective steady over the trend periods"]})
    breaches = [f"{row['ref']}: {row['attained_text']} against {row['target_text']}, credit {row['credit_text']}"
                for row in section["objectives"] if row["status"] == "breached"]
    if breaches:
        items.append({"topic": "Breaches this period and service credits", "details": breaches})
    risks = [f"{row['ref']}: {'; '.join(row['at_risk_reasons'])}" for row in section["objectives"]
             if row["at_risk_reasons"]]
    if risks:
        items.append({"topic": "At risk (leading indicators)", "details": risks})
    under = [f"{u['kind']} {u['id']} / {o['id']}: {o['status_label']} ({o['attained_text']} against {o['target_text']})"
             for u in section["underpinning"] for o in u["objectives"] if o["status"] in ("breached", "at_risk")]
    if under:
        items.append({"topic": "Underpinning agreements (OLA/UC)", "details": under})
    data = [f"{row['ref']}: insufficient data (coverage {row['coverage_text']}), manual review of credits"
            for row in section["objectives"] if row["status"] == "insufficient_data" or row["review_required"]]
    if data:
        items.append({"topic": "Data quality", "details": data})
    if review_next is not None and bounds is not None and review_next < bounds[1].date():
        items.append({"topic": "Agreement review",
                      "details": [f"the agreement's review is due on {review_next.isoformat()}: confirm targets and "
                                  "relevance with the customer"]})
    items.append({"topic": "Customer feedback and any other business", "details": ["unmet expectations not in the metrics"]})
    return items


def _review_next(spec: Any) -> date | None:
    review = getattr(spec, "review", None)
    if review is None:
        return None
    if review.next is not None:
        return review.next
    if review.last is None:
        return None
    months = review.last.month - 1 + CADENCE_MONTHS[review.cadence]
    year, month = review.last.year + months // 12, months % 12 + 1
    day = min(review.last.day, 28)
    return date(year, month, day)


def _bounds_for(doc: LoadedDocument, rows: list[ObjectiveResult], inputs: ReportInputs
                ) -> tuple[datetime, datetime] | None:
    for r in rows:
        start, end = _parse_time(r.start), _parse_time(r.end)
        if start and end and r.window in ("", "calendar_month", "calendar_quarter"):
            return start, end
    return period_bounds(inputs.period, _timezone_of(inputs, doc))


def _agreement_section(doc: LoadedDocument, inputs: ReportInputs, rows: list[dict[str, Any]],
                       results: list[ObjectiveResult], by_agreement: dict[str, list[dict[str, Any]]]
                       ) -> dict[str, Any]:
    spec = _spec(doc)
    credit = next((a for a in inputs.current.agreements if a.agreement == doc.id), None)
    bounds = _bounds_for(doc, results, inputs)
    tz = _timezone_of(inputs, doc)
    worst = min((row["status"] for row in rows), key=lambda s: STATUS_ORDER.get(s, 9), default="insufficient_data")
    problems = {p["id"]: p for row in rows for p in row.get("breach", {}).get("problems", [])}
    for row in rows:
        for p in _problems_for(inputs.result, row["ref"]):
            problems.setdefault(p["id"], p)
    improvements = _improvements_for(inputs.result, {doc.id or ""})
    open_actions = [
        {"kind": "Improvement", "id": i["id"], "title": i["title"], "status": i["status"], "owner": i["owner"]}
        for i in improvements if i["open"]
    ] + [
        {"kind": "Problem", "id": p["id"], "title": p["title"], "status": p["status"], "owner": p["owner"] or ""}
        for p in sorted(problems.values(), key=lambda p: p["id"]) if p["open"]
    ]
    section: dict[str, Any] = {
        "id": doc.id,
        "anchor": charts.svg_id("agreement", doc.id or ""),
        "kind": doc.kind,
        "name": _name(doc),
        "owner": doc.model.metadata.owner or "",
        "party": getattr(spec, "customer", None) or getattr(spec, "provider", None) or getattr(spec, "supplier", None)
        or "",
        "level": getattr(spec, "level", None) or "",
        "services": list(spec.services),
        "version": spec.version,
        "agreement_status": spec.status.value if hasattr(spec.status, "value") else str(spec.status),
        "file": doc.file,
        "status": worst,
        "status_label": STATUS_LABEL.get(worst, worst),
        "status_icon": STATUS_ICON.get(worst, "?"),
        "rag": RAG.get(worst, "grey"),
        "start_text": fmt_time(bounds[0], tz) if bounds else "",
        "end_text": fmt_time(bounds[1], tz) if bounds else "",
        "timezone": tz,
        "credit_percent": credit.credit_percent if credit else 0.0,
        "credit_text": fmt_percent(credit.credit_percent, 2) if credit else "0%",
        "credit_amount": credit.credit_amount if credit else None,
        "credit_amount_text": fmt_money(credit.credit_amount, credit.currency) if credit and credit.credit_amount
        is not None else "",
        "objectives": rows,
        "breaches": [row for row in rows if row["status"] == "breached"],
        "at_risk": [row for row in rows if row["at_risk_reasons"]],
        "exclusions": _exclusions(tz, doc, bounds, rows, results),
        "underpinning": _underpinning(inputs.result, doc, by_agreement) if doc.kind == "SLA" else [],
        "improvements": improvements,
        "problems": sorted(problems.values(), key=lambda p: p["id"]),
        "open_actions": open_actions,
        "services_detail": _services_detail(rows, list(spec.services)),
    }
    section["agenda"] = _agenda(section, _review_next(spec), bounds)
    return section


def _services_detail(rows: list[dict[str, Any]], services: list[str]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = row["service"] or ("all services: " + ", ".join(services))
        groups.setdefault(key, []).append(row)
    return [{"service": key, "objectives": value} for key, value in groups.items()]


# ---------------------------------------------------------------- executive and whole-report parts


def _worst(statuses: Iterable[str]) -> str:
    return min(statuses, key=lambda s: STATUS_ORDER.get(s, 9), default="insufficient_data")


def _rag_row(name: str, rows: list[dict[str, Any]], credit_text: str = "") -> dict[str, Any]:
    status = _worst(row["status"] for row in rows)
    met = sum(1 for row in rows if row["status"] in ("met", "at_risk"))
    return {"name": name, "status": status, "status_label": STATUS_LABEL.get(status, status),
            "status_icon": STATUS_ICON.get(status, "?"), "rag": RAG.get(status, "grey"),
            "objectives": len(rows), "meeting": met, "breached": sum(1 for r in rows if r["status"] == "breached"),
            "credit_text": credit_text}


def _period_summary(report: ComplianceReport, refs: set[str]) -> dict[str, Any]:
    rows = [r for r in report.results if f"{r.agreement}/{r.objective}" in refs]
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUS_LABEL}
    with_data = len(rows) - counts["insufficient_data"]
    share = 100.0 * (counts["met"] + counts["at_risk"]) / with_data if with_data else None
    return {"period": report.period, "objectives": len(rows), "counts": counts, "meeting_share": share,
            "meeting_share_text": fmt_ratio(share / 100 if share is not None else None),
            "status": "breached" if counts["breached"] else ("at_risk" if counts["at_risk"] else
                                                              ("met" if with_data else "insufficient_data"))}


def _credits(sections: list[dict[str, Any]], inputs: ReportInputs) -> dict[str, Any]:
    owed = []
    totals: dict[str, float] = {}
    for s in sections:
        if s["kind"] != "SLA" or not s["credit_percent"]:
            continue
        credit = next((a for a in inputs.current.agreements if a.agreement == s["id"]), None)
        owed.append({"agreement": s["id"], "name": s["name"], "customer": s["party"],
                     "credit_text": s["credit_text"], "amount_text": s["credit_amount_text"] or "–"})
        if credit and credit.credit_amount is not None:
            key = credit.currency or ""
            totals[key] = totals.get(key, 0.0) + credit.credit_amount
    return {"owed": owed, "totals": [{"currency": k, "text": fmt_money(v, k)} for k, v in sorted(totals.items())]}


def _data_quality(report: ComplianceReport, result: LoadResult, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import fnmatch

    sources = {d.id: d.model.spec.path for d in result.of_kind("DataSource")}
    groups: dict[str, list[str]] = {}
    for item in report.data_findings:
        file = str(getattr(item, "file", "") or "")
        source = next((sid for sid, pattern in sources.items() if fnmatch.fnmatch(file, pattern)), file or "store")
        rule = getattr(item, "rule", "")
        line = getattr(item, "line", "")
        severity = getattr(item, "severity", "")
        severity = getattr(severity, "value", severity)
        message = getattr(item, "message", str(item))
        groups.setdefault(str(source), []).append(f"{severity} {rule} {file}:{line}: {message}".strip())
    for row in rows:
        for note in row["notes"]:
            groups.setdefault(row["source"] or "objective notes", []).append(f"{row['ref']}: {note}")
    coverage: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        coverage.setdefault(row["source"] or "–", []).append(row)
    out = []
    for source in sorted(set(groups) | set(coverage)):
        out.append({"source": source, "notes": groups.get(source, []),
                    "coverage": [{"ref": r["ref"], "coverage_text": r["coverage_text"],
                                  "known_text": r["known_text"], "eligible_text": r["eligible_text"]}
                                 for r in coverage.get(source, [])]})
    return out


def build_view(inputs: ReportInputs, view: str = "manager", scope: Scope | None = None,
               *, with_charts: bool = True, generated_at: str | None = None, tool_version: str = "",
               definitions: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's data for one view: plain dicts, lists and strings (SVG charts included when asked)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view '{view}'; views: {', '.join(VIEWS)}")
    scope = scope or Scope()
    docs = select_agreements(inputs.result, inputs.current, scope)
    selected_ids = {d.id for d in docs}
    by_agreement: dict[str, list[dict[str, Any]]] = {}
    results_by_agreement: dict[str, list[ObjectiveResult]] = {}
    for r in inputs.current.results:
        results_by_agreement.setdefault(r.agreement, []).append(r)
    needed: set[str] = {i for i in selected_ids if i}
    for d in docs:
        needed.update(_spec(d).underpinned_by)
    for r in inputs.current.results:
        if r.supports and r.supports.split("/")[0] in selected_ids:
            needed.add(r.agreement)
    agreement_docs = {d.id or "": d for d in inputs.result.agreements()}
    for agreement_id in needed:
        doc = agreement_docs.get(agreement_id)
        tz = _timezone_of(inputs, doc) if doc is not None else "UTC"
        by_agreement[agreement_id] = [
            _objective_row(r, inputs, with_charts and view != "executive", tz)
            for r in results_by_agreement.get(agreement_id, [])
        ]
    sections = [
        _agreement_section(d, inputs, by_agreement.get(d.id or "", []), results_by_agreement.get(d.id or "", []),
                           by_agreement)
        for d in docs
    ]
    all_rows = [row for s in sections for row in s["objectives"]]
    refs = {row["ref"] for row in all_rows}
    history = [_period_summary(rep, refs) for rep in [*inputs.history, inputs.current]]

    customers: dict[str, list[dict[str, Any]]] = {}
    services: dict[str, list[dict[str, Any]]] = {}
    for s in sections:
        if s["kind"] == "SLA":
            customers.setdefault(s["party"] or "(no customer named)", []).extend(s["objectives"])
        for row in s["objectives"]:
            for service in ([row["service"]] if row["service"] else s["services"]):
                services.setdefault(service, []).append(row)
    risks = sorted(
        [row for row in all_rows if row["status"] == "breached" or row["at_risk_reasons"]],
        key=lambda row: (STATUS_ORDER.get(row["status"], 9),
                         (row["budget"] or {}).get("remaining_ratio") if (row["budget"] or {}).get("remaining_ratio")
                         is not None else 0.0, row["ref"]),
    )
    improvements = sorted(
        {i["id"]: i for s in sections for i in s["improvements"] if i["open"]}.values(),
        key=lambda i: (-i["priority"], i["id"]),
    )
    overall_status = _worst(row["status"] for row in all_rows)
    view_data: dict[str, Any] = {
        "title": f"Service review {inputs.period}",
        "view": view,
        "view_label": {"executive": "Executive summary", "manager": "Service manager's report",
                       "technical": "Technical report"}[view],
        "period": inputs.period,
        "as_of": _as_of_text(inputs.current.as_of),
        "scope": scope.describe(),
        "generated_at": generated_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": tool_version,
        "definitions_text": _definitions_text(definitions),
        "status": overall_status,
        "status_label": STATUS_LABEL.get(overall_status, overall_status),
        "status_icon": STATUS_ICON.get(overall_status, "?"),
        "rag": RAG.get(overall_status, "grey"),
        "counts": {s: sum(1 for row in all_rows if row["status"] == s) for s in STATUS_LABEL},
        "objective_count": len(all_rows),
        "agreements": sections,
        "history": history,
        "trend_periods": [h["period"] for h in history],
        "customers": [_rag_row(name, rows, _customer_credit(sections, name)) for name, rows in sorted(customers.items())],
        "customer_trend": _customer_trend(inputs, customers),
        "services": [_rag_row(name, rows) for name, rows in sorted(services.items())],
        "credits": _credits(sections, inputs),
        "top_risks": risks[:TOP_N],
        "risk_count": len(risks),
        "top_improvements": improvements[:TOP_N],
        "improvement_count": len(improvements),
        "data_quality": _data_quality(inputs.current, inputs.result, all_rows) if view == "technical" else [],
        "charts": {},
    }
    if with_charts:
        view_data["charts"]["overall_trend"] = charts.trend_chart(
            [(h["period"], h["meeting_share"], h["status"]) for h in history], None,
            title="Share of objectives meeting their target, per period", chart_id="c-overall-trend")
    return view_data


def _customer_trend(inputs: ReportInputs, customers: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per customer and period: the share of its SLA objectives that met their target."""
    out = []
    for name, rows in sorted(customers.items()):
        refs = [row["ref"] for row in rows]
        cells = []
        for report, index in zip([*inputs.history, inputs.current], inputs.by_ref(), strict=True):
            found = [index[ref] for ref in refs if ref in index]
            judged = [r for r in found if r.status != "insufficient_data"]
            meeting = sum(1 for r in judged if r.status in ("met", "at_risk"))
            status = _worst(r.status for r in found) if found else "insufficient_data"
            share = 100.0 * meeting / len(judged) if judged else None
            cells.append({"period": report.period, "share": share,
                          "text": fmt_ratio(share / 100 if share is not None else None),
                          "status": status, "status_icon": STATUS_ICON.get(status, "?"),
                          "status_label": STATUS_LABEL.get(status, status)})
        out.append({"name": name, "periods": cells})
    return out


def _definitions_text(state: dict[str, Any] | None) -> str:
    """Which version of the definitions the report was made from, for the reader and the auditor."""
    if state is None:
        return ""
    commit = state.get("commit")
    if commit is None:
        return "not a git commit" + (f" ({state['note']})" if state.get("note") else "")
    return f"git commit {str(commit)[:12]}" + (" with uncommitted changes" if state.get("dirty") else "")


def _as_of_text(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    return parsed.strftime("%Y-%m-%d %H:%M %Z").strip()


def _customer_credit(sections: list[dict[str, Any]], customer: str) -> str:
    parts = [s["credit_amount_text"] or s["credit_text"] for s in sections
             if s["kind"] == "SLA" and (s["party"] or "(no customer named)") == customer and s["credit_percent"]]
    return ", ".join(parts)
