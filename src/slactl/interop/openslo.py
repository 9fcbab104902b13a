"""OpenSLO (openslo/v1 and openslo/v1alpha) definitions into slactl documents, and slactl objectives out as openslo/v1.

Import: Service, SLO (inline `indicator` or `indicatorRef` to an SLI), DataSource, AlertPolicy and AlertCondition
become slactl Services, agreements with objectives, data sources, calendars and burn-rate alert tiers. What has no
slactl equivalent is kept in the agreement's description or labels, or reported as a finding.

Export: every objective becomes one OpenSLO SLO with an inline indicator, its Service, its DataSource, and one
AlertPolicy per burn-rate alert tier. What OpenSLO cannot say natively travels in `slactl.dev/*` annotations, so
`import(export(x))` keeps every objective's meaning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, TypeAdapter, ValidationError

from slactl.durations import format_duration
from slactl.findings import Finding, Severity
from slactl.interop.build import COMPATIBLE_TYPES, SOURCE_TYPE, Planner, alert_tier, short_window
from slactl.interop.documents import (
    ImportResult,
    OutputDocument,
    SourceDocument,
    as_number,
    join_id,
    make_id,
    new_document,
    percent_to_ratio,
    plain_labels,
    ratio_to_percent,
    read_source_documents,
)
from slactl.interop.writer import check_documents
from slactl.loader.documents import LoadResult
from slactl.model.agreement import DEFAULT_ALERT_TIERS, AlertTier, Objective, OLASpec, SLASpec, UCSpec
from slactl.model.common import Duration
from slactl.model.kinds import DataSourceSpec

API_V1 = "openslo/v1"
API_VERSIONS = (API_V1, "openslo/v1alpha")
KINDS = ("SLO", "SLI", "DataSource", "Service", "AlertPolicy", "AlertCondition", "AlertNotificationTarget")

INVALID = "openslo-invalid"
UNSUPPORTED = "openslo-unsupported"
ASSUMED = "openslo-assumed"

ANNOTATION = "slactl.dev/"
DAY = 86400.0
PAGE_SEVERITIES = {"page", "critical", "sev1", "sev-1", "p1", "high", "urgent", "emergency"}
# Keys of a metric source's `spec` copied into the description: queries, never credentials.
QUERY_KEYS = {"query", "queries", "expr", "expression", "filter", "promql", "metric", "metricname",
              "metric_selector", "metricselector", "selector", "entityselector", "dql", "nrql", "sql"}

_SHORTHAND = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h|d|w|M|Q|Y)$")
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY, "w": 7 * DAY}
_V1ALPHA_UNITS = {"second": "s", "minute": "m", "hour": "h", "day": "d", "week": "w", "month": "M",
                  "quarter": "Q", "year": "Y"}


# --------------------------------------------------------------------------------------------------- import


class _Skip(Exception):
    """The definition being converted cannot be imported; its finding is already recorded."""


@dataclass
class _Index:
    """Named OpenSLO objects of the input, and which of them an SLO used."""

    objects: dict[tuple[str, str], SourceDocument] = field(default_factory=dict)
    used: set[tuple[str, str]] = field(default_factory=set)

    def get(self, kind: str, name: Any) -> SourceDocument | None:
        key = (kind, str(name))
        found = self.objects.get(key)
        if found is not None:
            self.used.add(key)
        return found


def parse_shorthand(value: Any) -> tuple[float, str] | None:
    """`28d` -> (28, 'd'); OpenSLO's duration shorthand (m h d w M Q Y; s accepted too)."""
    if isinstance(value, bool) or value is None:
        return None
    match = _SHORTHAND.match(str(value).strip())
    if not match:
        return None
    return float(match.group(1)), match.group(2)


def shorthand_seconds(value: Any) -> float | None:
    parsed = parse_shorthand(value)
    if parsed is None or parsed[1] not in _UNIT_SECONDS:
        return None
    return parsed[0] * _UNIT_SECONDS[parsed[1]]


def format_shorthand(seconds: float) -> str | None:
    """Seconds as OpenSLO shorthand in the largest exact unit of m, h, d; None if not whole minutes."""
    if seconds <= 0 or seconds % 60:
        return None
    for unit, size in (("d", DAY), ("h", 3600.0), ("m", 60.0)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return None


class _Importer:
    def __init__(self, kind: str | None, effective: date, existing: dict[str, set[str]] | None) -> None:
        self.kind = kind
        self.effective = effective
        self.result = ImportResult()
        self.planner = Planner(self.result, existing)
        self.index = _Index()
        self.source_types: dict[str, tuple[str, SourceDocument]] = {}

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings

    def note(self, doc: SourceDocument, rule: str, severity: Severity, message: str, *path: Any,
             hint: str | None = None) -> None:
        self.findings.append(doc.finding(rule, severity, message, *path, hint=hint))

    def fail(self, doc: SourceDocument, message: str, *path: Any, hint: str | None = None,
             rule: str = INVALID) -> _Skip:
        self.note(doc, rule, Severity.ERROR, message, *path, hint=hint)
        return _Skip(message)

    # -- reading

    def read(self, files: list[tuple[Path, str]]) -> list[SourceDocument]:
        accepted: list[SourceDocument] = []
        for path, display in files:
            docs, findings = read_source_documents(path, display)
            self.findings.extend(findings)
            for doc in docs:
                if self._check_envelope(doc):
                    accepted.append(doc)
        for doc in accepted:
            key = (doc.get("kind"), str(doc.get("metadata", "name")))
            if key in self.index.objects:
                first = self.index.objects[key]
                self.note(doc, INVALID, Severity.ERROR,
                          f"{key[0]} '{key[1]}' is defined twice (first at {first.where})", "metadata", "name",
                          hint="names are unique per kind; rename one")
                continue
            self.index.objects[key] = doc
        return [d for d in self.index.objects.values()]

    def _check_envelope(self, doc: SourceDocument) -> bool:
        if not isinstance(doc.raw, dict):
            self.note(doc, INVALID, Severity.ERROR,
                      "an OpenSLO document must be a mapping with apiVersion, kind, metadata and spec")
            return False
        api = doc.get("apiVersion")
        if api not in API_VERSIONS:
            self.note(doc, INVALID, Severity.ERROR,
                      f"apiVersion is {api!r}; slactl imports {' and '.join(API_VERSIONS)}",
                      *(("apiVersion",) if api is not None else ()),
                      hint="pass OpenSLO files only; slo-generator configs go to `slactl import slo-generator`")
            return False
        kind = doc.get("kind")
        if kind not in KINDS:
            self.note(doc, UNSUPPORTED, Severity.WARNING,
                      f"OpenSLO kind {kind!r} has no slactl equivalent; the document is not imported",
                      *(("kind",) if kind is not None else ()), hint="kinds imported: " + ", ".join(KINDS))
            return False
        name = doc.get("metadata", "name")
        if not isinstance(name, str) or not name.strip():
            self.note(doc, INVALID, Severity.ERROR, f"{kind} has no metadata.name", "metadata",
                      hint="every OpenSLO object needs a name (RFC 1123: lower case, digits and '-')")
            return False
        if not isinstance(doc.get("spec"), dict):
            self.note(doc, INVALID, Severity.ERROR, f"{kind} '{name}' has no spec mapping",
                      *(("spec",) if "spec" in doc.raw else ()))
            return False
        return True

    def slactl_id(self, doc: SourceDocument, name: str, *path: Any) -> str:
        id_ = make_id(name)
        if id_ != name:
            self.note(doc, ASSUMED, Severity.INFO, f"name '{name}' becomes the slactl id '{id_}'", *path)
        return id_

    # -- kinds

    def service(self, doc: SourceDocument) -> None:
        name = doc.get("metadata", "name")
        id_ = self.slactl_id(doc, name, "metadata", "name")
        data = new_document("Service", id_, name=_text(doc.get("metadata", "displayName")),
                            description=_text(doc.get("spec", "description")),
                            labels=self.labels(doc) or None)
        self.result.add(OutputDocument("Service", id_, data, origin=doc.where))

    def labels(self, doc: SourceDocument) -> dict[str, Any]:
        labels = plain_labels(doc.get("metadata", "labels"))
        annotations = doc.get("metadata", "annotations")
        for key, value in (annotations.items() if isinstance(annotations, dict) else ()):
            if not str(key).startswith(ANNOTATION):
                labels[str(key)] = str(value)
        return labels

    def annotations(self, doc: SourceDocument) -> dict[str, str]:
        raw = doc.get("metadata", "annotations")
        if not isinstance(raw, dict):
            return {}
        return {str(k)[len(ANNOTATION):]: str(v) for k, v in raw.items() if str(k).startswith(ANNOTATION)}

    def slo(self, doc: SourceDocument) -> None:
        name = str(doc.get("metadata", "name"))
        notes = self.annotations(doc)
        spec = doc.get("spec")
        alpha = doc.get("apiVersion") != API_V1
        service = spec.get("service")
        if not isinstance(service, str) or not service.strip():
            raise self.fail(doc, f"SLO '{name}' names no service", *(("spec", "service") if "service" in spec
                                                                        else ("spec",)),
                            hint="set spec.service to the name of the service this SLO is about")
        service_id = make_id(service)
        objectives = spec.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            raise self.fail(doc, f"SLO '{name}' has no objectives", *(("spec", "objectives") if "objectives" in spec
                                                                       else ("spec",)),
                            hint="add objectives with a target (0..1) or targetPercent")
        budgeting = spec.get("budgetingMethod")
        if budgeting not in ("Occurrences", "Timeslices"):
            if budgeting == "RatioTimeslices":
                raise self.fail(doc, "budgetingMethod RatioTimeslices (the mean of slice ratios) has no slactl "
                                "equivalent", "spec", "budgetingMethod", rule=UNSUPPORTED,
                                hint="use Timeslices (good slices / slices) or Occurrences")
            raise self.fail(doc, f"budgetingMethod is {budgeting!r}; OpenSLO allows Occurrences or Timeslices",
                            *(("spec", "budgetingMethod") if "budgetingMethod" in spec else ("spec",)))
        window, timezone = self.window(doc, alpha)
        indicator_kind, metric, metric_path = self.indicator(doc, alpha, notes)
        kind = self.kind or notes.get("kind") or "SLA"
        if kind not in ("SLA", "OLA", "UC"):
            kind = "SLA"
        agreement_id = make_id(notes["agreement"]) if notes.get("agreement") else self.slactl_id(
            doc, name, "metadata", "name")
        planned = self.planner.agreement(agreement_id, kind, doc.where)
        if planned.kind != kind:
            raise self.fail(doc, f"agreement '{agreement_id}' is both {planned.kind} and {kind}", "metadata")
        planned.name = planned.name or notes.get("name") or _text(doc.get("metadata", "displayName"))
        planned.owner = planned.owner or notes.get("owner")
        if not planned.settings and not planned.objectives:
            planned.settings = self.settings(doc, notes, "agreement-extra", AGREEMENT_SPECS[kind], f"an {kind}",
                                             _AGREEMENT_NATIVE)
        planned.labels.update(self.labels(doc))
        calendar = None
        if timezone not in (None, "UTC", "Etc/UTC"):
            calendar = make_id(notes["calendar"]) if notes.get("calendar") else make_id(timezone)
            self.planner.calendar_stub(calendar, timezone, doc.where)
        if planned.objectives and planned.calendar != calendar:
            raise self.fail(doc, f"SLO '{name}' uses time zone {timezone or 'UTC'} but agreement "
                            f"'{agreement_id}' already has calendar {planned.calendar or 'UTC'}",
                            "spec", "timeWindow", rule=UNSUPPORTED,
                            hint="one agreement has one calendar; import the SLOs into different agreements")
        source_id = self.source(doc, name, indicator_kind, metric, metric_path)
        alerts = self.alerts(doc, window)
        extra = self.extra(doc, notes)
        described = [f"OpenSLO SLO '{name}' ({doc.where})" + (f": {spec['description']}"
                                                              if spec.get("description") else "")]
        described.extend(self.queries(metric))
        converted = []
        for index, objective in enumerate(objectives):
            path = ("spec", "objectives", index)
            if not isinstance(objective, dict):
                self.note(doc, INVALID, Severity.ERROR, "an objective must be a mapping", *path)
                continue
            try:
                fields = self.objective(doc, objective, path, alpha, indicator_kind, metric, budgeting)
            except _Skip:
                continue
            wanted = (notes.get("objective") if len(objectives) == 1 and notes.get("objective") else
                      objective.get("displayName") or objective.get("name") or
                      (name if len(objectives) == 1 else f"objective-{index + 1}"))
            fields = {"id": planned.objective_id(make_id(wanted)), "indicator": indicator_kind,
                      "source": source_id, **fields, "window": window}
            if alerts is not None:
                fields["alerts"] = alerts
            fields.update(extra)
            try:
                Objective.model_validate(fields)
            except ValidationError as exc:
                problem = exc.errors(include_url=False)[0]
                self.note(doc, INVALID, Severity.ERROR,
                          f"objective {index + 1} of SLO '{name}' cannot be converted: "
                          f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}", *path)
                continue
            converted.append(fields)
        if not converted:
            raise _Skip(name)
        planned.add_service(service_id)
        planned.calendar = calendar
        planned.objectives.extend(converted)
        planned.description_parts.extend(described)

    def window(self, doc: SourceDocument, alpha: bool) -> tuple[str, str | None]:
        key = "timeWindows" if alpha and "timeWindows" in doc.get("spec") else "timeWindow"
        windows = doc.get("spec", key)
        if windows is None:
            self.note(doc, ASSUMED, Severity.INFO, "SLO has no timeWindow; slactl's default calendar_month (UTC) "
                      "is used", "spec")
            return "calendar_month", None
        if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0], dict):
            raise self.fail(doc, f"{key} must be a list of exactly one time window", "spec", key)
        item = windows[0]
        path = ("spec", key, 0)
        if "duration" in item:
            parsed = parse_shorthand(item["duration"])
        elif "unit" in item and "count" in item:  # v1alpha
            unit = _V1ALPHA_UNITS.get(str(item["unit"]).lower())
            count = as_number(item["count"])
            parsed = (count, unit) if unit and count else None
        else:
            parsed = None
        if parsed is None:
            raise self.fail(doc, "time window has no readable duration (write e.g. 28d, 30d, 1M or 1Q)", *path)
        count, unit = parsed
        calendar = item.get("calendar")
        rolling = item.get("isRolling")
        if rolling is None:
            rolling = not isinstance(calendar, dict)
        timezone = None
        if isinstance(calendar, dict) and calendar.get("timeZone") is not None:
            timezone = str(calendar["timeZone"])
        timezone = self.annotations(doc).get("timezone", timezone)
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
                raise self.fail(doc, f"'{timezone}' is not an IANA time zone name", *path, "calendar",
                                "timeZone", hint="write e.g. Europe/London or America/New_York") from None
        text = f"{count:g}{unit}"
        if rolling is True:
            seconds = count * _UNIT_SECONDS[unit] if unit in _UNIT_SECONDS else None
            if seconds == 28 * DAY:
                return "rolling_28d", timezone
            if seconds == 30 * DAY:
                return "rolling_30d", timezone
            raise self.fail(doc, f"a rolling window of {text} has no slactl equivalent (rolling_28d or "
                            "rolling_30d)", *path, "duration", rule=UNSUPPORTED,
                            hint="use 28d (4w) or 30d, or a calendar month or quarter")
        if rolling is not False:
            raise self.fail(doc, "isRolling must be true or false", *path, "isRolling")
        if (count, unit) == (1, "M"):
            window = "calendar_month"
        elif (count, unit) in ((1, "Q"), (3, "M")):
            window = "calendar_quarter"
        else:
            raise self.fail(doc, f"a calendar window of {text} has no slactl equivalent (1M or 1Q)", *path,
                            "duration", rule=UNSUPPORTED, hint="use a calendar month (1M) or quarter (1Q)")
        start = calendar.get("startTime") if isinstance(calendar, dict) else None
        if start is not None and not _aligned(start, window):
            self.note(doc, UNSUPPORTED, Severity.WARNING,
                      f"startTime {start} is not kept: slactl's calendar periods start on the first day of "
                      f"each {'month' if window == 'calendar_month' else 'quarter'} at 00:00", *path, "calendar",
                      "startTime")
        return window, timezone

    def indicator(self, doc: SourceDocument, alpha: bool, notes: dict[str, str]
                  ) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
        """The slactl indicator kind, the OpenSLO metric (ratio or threshold) and where it is written."""
        spec = doc.get("spec")
        if alpha:
            first = (spec.get("objectives") or [{}])[0]
            if isinstance(spec.get("indicator"), dict) and "thresholdMetric" in spec["indicator"]:
                metric = {"threshold": spec["indicator"]["thresholdMetric"]}
                path: tuple[Any, ...] = ("spec", "indicator", "thresholdMetric")
            elif isinstance(first, dict) and isinstance(first.get("ratioMetrics"), dict):
                metric = {"ratio": first["ratioMetrics"]}
                path = ("spec", "objectives", 0, "ratioMetrics")
            else:
                raise self.fail(doc, "SLO has neither indicator.thresholdMetric nor objectives[].ratioMetrics",
                                "spec")
        else:
            if isinstance(spec.get("indicator"), dict):
                sli_spec = spec["indicator"].get("spec")
                path = ("spec", "indicator", "spec")
                owner = doc
            elif spec.get("indicatorRef") is not None:
                sli = self.index.get("SLI", spec["indicatorRef"])
                if sli is None:
                    raise self.fail(doc, f"indicatorRef '{spec['indicatorRef']}' names no SLI in the imported "
                                    "files", "spec", "indicatorRef", hint="pass the file that defines the SLI too")
                sli_spec, path, owner = sli.get("spec"), ("spec",), sli
            else:
                raise self.fail(doc, "SLO has neither indicator nor indicatorRef", "spec",
                                hint="inline the SLI under spec.indicator or name it with spec.indicatorRef")
            if not isinstance(sli_spec, dict):
                raise self.fail(owner, "indicator has no spec", *path[:-1])
            if isinstance(sli_spec.get("ratioMetric"), dict):
                metric, path = {"ratio": sli_spec["ratioMetric"]}, (*path, "ratioMetric")
            elif isinstance(sli_spec.get("thresholdMetric"), dict):
                metric, path = {"threshold": sli_spec["thresholdMetric"]}, (*path, "thresholdMetric")
            else:
                raise self.fail(owner, "indicator has neither ratioMetric nor thresholdMetric", *path)
            if owner is not doc:
                metric["owner"] = owner
        wanted = notes.get("indicator")
        if wanted in SOURCE_TYPE:
            return wanted, metric, path
        if "ratio" in metric:
            ratio = metric["ratio"]
            if "raw" in ratio:
                self.note(doc, UNSUPPORTED, Severity.WARNING,
                          "a raw (precomputed) ratio becomes a success_ratio objective; slactl computes it from "
                          "good and total counts, so export those counts to the data source", *path, "raw")
            self.note(doc, ASSUMED, Severity.INFO, "ratioMetric is read as a success_ratio objective (good / total "
                      "events)", *path, hint="change `indicator` to availability or csat if that is what it measures")
            return "success_ratio", metric, path
        self.note(doc, ASSUMED, Severity.INFO, "thresholdMetric is read as a latency objective with the "
                  "objective's value in milliseconds", *path)
        return "latency", metric, path

    def objective(self, doc: SourceDocument, objective: dict[str, Any], path: tuple[Any, ...], alpha: bool,
                  indicator: str, metric: dict[str, Any], budgeting: str) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if "target" in objective and "targetPercent" in objective:
            raise self.fail(doc, "give target or targetPercent, not both", *path)
        if "target" in objective:
            target = as_number(objective["target"])
            if target is None or not 0 <= target <= 1:
                raise self.fail(doc, f"target {objective['target']!r} must be a ratio from 0 to 1 (0.999 = 99.9%)",
                                *path, "target")
            fields["target"] = ratio_to_percent(target)
        elif "targetPercent" in objective:
            target = as_number(objective["targetPercent"])
            if target is None or not 0 <= target <= 100:
                raise self.fail(doc, f"targetPercent {objective['targetPercent']!r} must be from 0 to 100",
                                *path, "targetPercent")
            fields["target"] = float(target)
        else:
            raise self.fail(doc, "objective has no target (0..1) or targetPercent", *path)
        if "threshold" in metric:
            op, value = objective.get("op"), as_number(objective.get("value"))
            if value is None:
                raise self.fail(doc, "a thresholdMetric objective needs a numeric value", *path)
            if op not in ("lte", "lt"):
                raise self.fail(doc, f"op {op!r}: slactl counts an event good when it is at most the threshold "
                                "(lte); other comparisons have no slactl equivalent", *path,
                                *(("op",) if "op" in objective else ()), rule=UNSUPPORTED)
            if op == "lt":
                self.note(doc, ASSUMED, Severity.INFO, "op lt is read as lte (at most the threshold)", *path, "op")
            unit = 1.0 if indicator in ("response_time", "resolution_time") else 0.001
            fields["threshold"] = format_duration(value * unit)
        elif "op" in objective or "value" in objective:
            self.note(doc, UNSUPPORTED, Severity.INFO, "op and value apply to threshold metrics only; ignored for "
                      "a ratio", *path)
        if budgeting == "Timeslices":
            slice_target = as_number(objective.get("timeSliceTarget"))
            if slice_target is None or not 0 < slice_target <= 1:
                raise self.fail(doc, "Timeslices needs timeSliceTarget, a ratio above 0 and at most 1", *path,
                                *(("timeSliceTarget",) if "timeSliceTarget" in objective else ()))
            raw_window = objective.get("timeSliceWindow")
            if raw_window is None and alpha:
                raise self.fail(doc, "Timeslices needs timeSliceWindow (the slice length)", *path)
            number = as_number(raw_window) if not isinstance(raw_window, str) else None
            seconds = number * 60 if number is not None else shorthand_seconds(raw_window)
            if seconds is None or seconds <= 0:
                raise self.fail(doc, f"timeSliceWindow {raw_window!r} is not a duration (write 1m, 5m, 1h; a bare "
                                "number is minutes)", *path, *(("timeSliceWindow",) if raw_window is not None else ()))
            fields["budgeting"] = "timeslices"
            fields["slice"] = format_duration(seconds)
            fields["slice_target"] = ratio_to_percent(slice_target)
        elif "timeSliceTarget" in objective or "timeSliceWindow" in objective:
            self.note(doc, UNSUPPORTED, Severity.INFO, "timeSliceTarget and timeSliceWindow apply to Timeslices "
                      "only; ignored", *path)
        if "compositeWeight" in objective:
            self.note(doc, UNSUPPORTED, Severity.WARNING, "compositeWeight (composite SLOs) has no slactl "
                      "equivalent; each objective is judged on its own", *path, "compositeWeight")
        return fields

    def source(self, doc: SourceDocument, name: str, indicator: str, metric: dict[str, Any],
               path: tuple[Any, ...]) -> str:
        """The slactl DataSource id the objective reads, creating the data source when needed."""
        owner: SourceDocument = metric.get("owner", doc)
        sources = list(_metric_sources(metric))
        wanted_type = SOURCE_TYPE[indicator]
        for _part, source in sources:
            ref = source.get("metricSourceRef") or source.get("source") if isinstance(source, dict) else None
            if ref and self.index.get("DataSource", ref) is not None:
                id_ = make_id(ref)
                self.source_types.setdefault(id_, (indicator, owner))
                return id_
        kinds = sorted({str(s.get("type") or s.get("source") or "metrics") for _, s in sources if isinstance(s, dict)})
        id_ = make_id(f"{name}-{kinds[0] if kinds else 'metrics'}")
        refs = sorted({str(s.get("metricSourceRef")) for _, s in sources
                       if isinstance(s, dict) and s.get("metricSourceRef")})
        what = f"data source {', '.join(refs)} (not in the imported files)" if refs else \
            f"inline {', '.join(kinds) or 'metric'} source"
        note = owner.finding(ASSUMED, Severity.WARNING,
                             f"the {what} becomes slactl DataSource '{id_}' reading data/{id_}/*.csv", *path,
                             hint="slactl reads exported files: point `path` at the CSV export of this metric")
        self.planner.source_stub(id_, wanted_type, doc.where, f"OpenSLO {what} of SLO '{name}'.", note)
        return id_

    def queries(self, metric: dict[str, Any]) -> list[str]:
        lines = []
        for part, source in _metric_sources(metric):
            if not isinstance(source, dict):
                continue
            spec = source.get("spec") if isinstance(source.get("spec"), dict) else source
            for key, value in (spec or {}).items():
                if str(key).lower() in QUERY_KEYS and isinstance(value, (str, int, float)):
                    lines.append(f"{part} {key}: {str(value).strip()}")
        return lines

    def extra(self, doc: SourceDocument, notes: dict[str, str]) -> dict[str, Any]:
        if "extra" not in notes:
            return {}
        try:
            data = json.loads(notes["extra"])
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.note(doc, INVALID, Severity.WARNING, f"annotation {ANNOTATION}extra is not a JSON object; ignored",
                      "metadata", "annotations")
            return {}
        return data

    def settings(self, doc: SourceDocument, notes: dict[str, str], key: str, model: type[BaseModel],
                 what: str, skip: set[str]) -> dict[str, Any]:
        """The JSON object of annotation `slactl.dev/KEY`: only the fields `model` has, each valid on its own."""
        if key not in notes:
            return {}
        where = ("metadata", "annotations", f"{ANNOTATION}{key}")
        try:
            data = json.loads(notes[key])
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.note(doc, INVALID, Severity.WARNING, f"annotation {ANNOTATION}{key} is not a JSON object; ignored",
                      *where)
            return {}
        kept: dict[str, Any] = {}
        for name, value in data.items():
            info = model.model_fields.get(name)
            if info is None or name in skip:
                self.note(doc, UNSUPPORTED, Severity.INFO, f"annotation {ANNOTATION}{key}: {what} has no field "
                          f"'{name}'; ignored", *where)
                continue
            # Any: pydantic's stubs type a field's annotation as a typing form or None, by version
            annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            try:
                TypeAdapter(annotation).validate_python(value)
            except ValidationError as exc:
                problem = exc.errors(include_url=False)[0]["msg"]
                self.note(doc, INVALID, Severity.WARNING, f"annotation {ANNOTATION}{key}: {name} {value!r} is not "
                          f"valid ({problem}); ignored", *where)
                continue
            kept[name] = _temporal(value) if isinstance(value, str) and _is_temporal(info.annotation) else value
        return kept

    def alerts(self, doc: SourceDocument, window: str) -> list[dict[str, Any]] | None:
        policies = doc.get("spec", "alertPolicies")
        if policies is None:
            return None
        if not isinstance(policies, list):
            self.note(doc, INVALID, Severity.ERROR, "alertPolicies must be a list", "spec", "alertPolicies")
            return None
        tiers: list[dict[str, Any]] = []
        for index, item in enumerate(policies):
            path = ("spec", "alertPolicies", index)
            policy = self._resolve(doc, item, path, "AlertPolicy", "alertPolicyRef")
            if policy is None:
                continue
            pdoc, ppath = policy
            spec = pdoc.get(*ppath, "spec")
            if not isinstance(spec, dict):
                self.note(pdoc, INVALID, Severity.ERROR, "AlertPolicy has no spec", *ppath)
                continue
            for flag in ("alertWhenNoData", "alertWhenResolved"):
                if spec.get(flag) is True:
                    self.note(pdoc, UNSUPPORTED, Severity.INFO, f"{flag} has no slactl equivalent; slactl alerts "
                              "when burn-rate tiers fire", *ppath, "spec", flag)
            if spec.get("notificationTargets"):
                self.note(pdoc, UNSUPPORTED, Severity.INFO, "notification targets are not imported: slactl routes "
                          "alerts through the agreement's EscalationPolicy", *ppath, "spec", "notificationTargets",
                          hint="name an EscalationPolicy in the agreement's `escalation`")
            conditions = spec.get("conditions")
            if not isinstance(conditions, list) or not conditions:
                self.note(pdoc, INVALID, Severity.ERROR, "AlertPolicy has no conditions", *ppath, "spec")
                continue
            for cindex, citem in enumerate(conditions):
                cpath = (*ppath, "spec", "conditions", cindex)
                tier = self._condition(pdoc, citem, cpath)
                if tier is not None:
                    tiers.append(tier)
        return tiers or None

    def _resolve(self, doc: SourceDocument, item: Any, path: tuple[Any, ...], kind: str, ref_key: str
                 ) -> tuple[SourceDocument, tuple[Any, ...]] | None:
        """An inline object (doc, its path) or a referenced one (its own doc, ())."""
        ref = item if isinstance(item, str) else (item.get(ref_key) if isinstance(item, dict) else None)
        if ref is not None:
            found = self.index.get(kind, ref)
            if found is None:
                self.note(doc, INVALID, Severity.ERROR, f"{ref_key} '{ref}' names no {kind} in the imported files",
                          *path, hint=f"pass the file that defines the {kind} too")
                return None
            return found, ()
        if isinstance(item, dict):
            return doc, path
        self.note(doc, INVALID, Severity.ERROR, f"expected an inline {kind} or {{{ref_key}: NAME}}", *path)
        return None

    def _condition(self, doc: SourceDocument, item: Any, path: tuple[Any, ...]) -> dict[str, Any] | None:
        resolved = self._resolve(doc, item, path, "AlertCondition", "conditionRef")
        if resolved is None:
            return None
        cdoc, cpath = resolved
        body = cdoc.get(*cpath)
        if isinstance(body, dict) and isinstance(body.get("spec"), dict):
            spec_path: tuple[Any, ...] = (*cpath, "spec")
        elif isinstance(body, dict) and "lookbackWindow" in body:
            spec_path = cpath  # a bare condition written inline
        else:
            self.note(cdoc, INVALID, Severity.ERROR, "AlertCondition has no spec", *cpath)
            return None
        spec = cdoc.get(*spec_path)
        condition = spec.get("condition") if "condition" in spec else spec
        cond_path = (*spec_path, "condition") if "condition" in spec else spec_path
        if not isinstance(condition, dict):
            self.note(cdoc, INVALID, Severity.ERROR, "AlertCondition has no condition", *spec_path)
            return None
        kind = condition.get("kind", "burnrate")
        if kind != "burnrate":
            self.note(cdoc, UNSUPPORTED, Severity.WARNING, f"alert condition kind {kind!r} is not imported; slactl "
                      "alerts on burn rate only", *cond_path, "kind")
            return None
        factor = as_number(condition.get("threshold"))
        if factor is None or factor <= 0:
            self.note(cdoc, INVALID, Severity.ERROR, "a burnrate condition needs a threshold above 0 (the burn "
                      "rate factor)", *cond_path)
            return None
        long = shorthand_seconds(condition.get("lookbackWindow"))
        if long is None or long <= 0:
            self.note(cdoc, INVALID, Severity.ERROR, f"lookbackWindow {condition.get('lookbackWindow')!r} is not "
                      "a duration such as 1h", *cond_path)
            return None
        after = condition.get("alertAfter")
        short = shorthand_seconds(after) if after is not None else None
        if after is not None and short is None:
            self.note(cdoc, INVALID, Severity.ERROR, f"alertAfter {after!r} is not a duration such as 5m",
                      *cond_path, "alertAfter")
            return None
        if not short:
            short = short_window(long)
            self.note(cdoc, ASSUMED, Severity.INFO, f"no alertAfter: the short window is 1/12 of the lookback "
                      f"window, {format_duration(short)}", *cond_path)
        if short > long:
            self.note(cdoc, INVALID, Severity.ERROR, "alertAfter (the short window) is longer than lookbackWindow",
                      *cond_path, "alertAfter")
            return None
        if condition.get("op") in ("lt", "lte"):
            self.note(cdoc, ASSUMED, Severity.WARNING, f"op {condition['op']} on a burn rate is read as 'burns "
                      "faster than the threshold'", *cond_path, "op")
        raw_severity = str(spec.get("severity", "page")).strip().lower()
        severity = "page" if raw_severity in PAGE_SEVERITIES else "ticket"
        if raw_severity not in ("page", "ticket"):
            self.note(cdoc, ASSUMED, Severity.INFO, f"severity '{spec.get('severity')}' is read as {severity}",
                      *spec_path, *(("severity",) if "severity" in spec else ()))
        return alert_tier(long, short, factor, severity)

    def datasources(self) -> None:
        for (kind, name), doc in list(self.index.objects.items()):
            if kind != "DataSource":
                continue
            id_ = make_id(name)
            wanted = self.source_types.get(id_)
            spec = doc.get("spec")
            details = spec.get("connectionDetails")
            source_type = SOURCE_TYPE[wanted[0]] if wanted else "events"
            path = f"data/{id_}/*.csv"
            if spec.get("type") == "slactl" and isinstance(details, dict):
                source_type = str(details.get("sourceType", source_type))
                path = str(details.get("path", path))
            else:
                self.note(doc, ASSUMED, Severity.WARNING,
                          f"OpenSLO DataSource '{name}' ({spec.get('type')}) becomes a slactl {source_type} source "
                          f"reading {path}", "spec", *(("type",) if "type" in spec else ()),
                          hint="slactl reads exported files: point `path` at the CSV export of this source")
                if isinstance(details, dict) and details:
                    self.note(doc, UNSUPPORTED, Severity.INFO,
                              "connectionDetails (" + ", ".join(str(k) for k in details) + ") are not imported; "
                              "slactl never stores credentials", "spec", "connectionDetails")
            description = _text(spec.get("description")) or (
                None if spec.get("type") == "slactl" else f"OpenSLO DataSource of type {spec.get('type')}.")
            notes = self.annotations(doc)
            data = new_document("DataSource", id_, name=_text(doc.get("metadata", "displayName")),
                                description=description, labels=self.labels(doc) or None, owner=notes.get("owner"))
            data["spec"] = {"type": source_type, "path": path,
                            **self.settings(doc, notes, "source-extra", DataSourceSpec, "a DataSource",
                                            {"type", "path"})}
            if wanted and source_type not in COMPATIBLE_TYPES[wanted[0]]:
                self.note(doc, UNSUPPORTED, Severity.WARNING, f"a {wanted[0]} objective reads this source but it "
                          f"is declared as {source_type} data", "spec")
            self.result.add(OutputDocument("DataSource", id_, data, origin=doc.where))

    def leftovers(self) -> None:
        for key, doc in self.index.objects.items():
            kind = key[0]
            if kind == "AlertNotificationTarget":
                self.note(doc, UNSUPPORTED, Severity.INFO, f"AlertNotificationTarget '{key[1]}' "
                          f"({doc.get('spec', 'target')}) is not imported: slactl notifies through EscalationPolicy "
                          "channels", "metadata", "name", hint="add an EscalationPolicy with a notify entry for it")
            elif kind in ("SLI", "AlertPolicy", "AlertCondition") and key not in self.index.used:
                self.note(doc, UNSUPPORTED, Severity.INFO, f"{kind} '{key[1]}' is not used by any imported SLO; "
                          "not imported on its own", "metadata", "name")


def import_openslo(files: list[tuple[Path, str]], *, kind: str | None = None, effective: date | None = None,
                   existing: dict[str, set[str]] | None = None) -> ImportResult:
    """Convert OpenSLO files into slactl documents.

    `files` pairs each path with the name findings should show; `kind` forces SLA or OLA (default: the
    `slactl.dev/kind` annotation, else SLA); `existing` holds ids already in the repository by namespace,
    which are referred to instead of created.
    """
    importer = _Importer(kind, effective or date.today(), existing)
    documents = importer.read(files)
    for doc in documents:
        if doc.get("kind") == "Service":
            importer.service(doc)
    for doc in documents:
        if doc.get("kind") == "SLO":
            try:
                importer.slo(doc)
            except _Skip:
                continue
    importer.datasources()
    importer.leftovers()
    importer.planner.finish(importer.effective)
    _drop_invalid(importer.result)
    return importer.result


def _drop_invalid(result: ImportResult) -> None:
    """Check every produced document with the slactl loader; a document that fails is reported, not written."""
    for doc in list(result.documents):
        problems = check_documents([doc])
        if problems:
            result.findings.extend(problems)
            result.documents.remove(doc)


def _metric_sources(metric: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "threshold" in metric:
        body = metric["threshold"]
        if isinstance(body, dict):
            yield "threshold", body.get("metricSource", body)
        return
    ratio = metric.get("ratio")
    if not isinstance(ratio, dict):
        return
    for part in ("good", "bad", "total", "raw"):
        body = ratio.get(part)
        if isinstance(body, dict):
            yield part, body.get("metricSource", body)


def _aligned(start: Any, window: str) -> bool:
    if isinstance(start, datetime):
        moment = start
    elif isinstance(start, date):
        moment = datetime(start.year, start.month, start.day)
    else:
        try:
            moment = datetime.fromisoformat(str(start).strip().replace(" ", "T"))
        except ValueError:
            return False
    months = (1, 4, 7, 10) if window == "calendar_quarter" else range(1, 13)
    return moment.day == 1 and moment.month in months and (moment.hour, moment.minute, moment.second) == (0, 0, 0)


def _is_temporal(annotation: Any) -> bool:
    return annotation in (date, datetime) or any(_is_temporal(arg) for arg in get_args(annotation))


def _temporal(text: str) -> date | datetime | str:
    """An ISO 8601 date or date-time as the YAML timestamp it was written as (text stays a date-time when read
    back, even at midnight)."""
    try:
        return date.fromisoformat(text) if len(text.strip()) <= 10 else datetime.fromisoformat(text.strip())
    except ValueError:
        return text


def _text(value: Any) -> str | None:
    return str(value).strip() if isinstance(value, str) and value.strip() else None


# --------------------------------------------------------------------------------------------------- export


@dataclass
class ExportResult:
    """OpenSLO documents (plain data, in order) and what could not be expressed."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def names(self) -> set[tuple[str, str]]:
        return {(d["kind"], d["metadata"]["name"]) for d in self.documents}


def effective_alert_tiers(objective: Objective) -> list[AlertTier]:
    """The objective's own tiers, else the multi-window defaults for its window (28 days or 30 days)."""
    if objective.alerts:  # an empty list means the defaults, as in compliance
        return list(objective.alerts)
    return list(DEFAULT_ALERT_TIERS[28 if objective.window.value == "rolling_28d" else 30])


def _extra(objective: Objective) -> dict[str, Any]:
    """Objective fields OpenSLO has no place for, as written in slactl definitions."""
    extra: dict[str, Any] = {}
    if objective.service:
        extra["service"] = objective.service
    if objective.warning is not None:
        extra["warning"] = objective.warning
    if objective.min_coverage != 0.9:
        extra["min_coverage"] = objective.min_coverage
    if objective.credits:
        extra["credits"] = [{"below": c.below, "credit": c.credit} for c in objective.credits]
    if objective.min_downtime is not None:
        extra["min_downtime"] = format_duration(objective.min_downtime)
    if objective.clock != "business":
        extra["clock"] = objective.clock
    if objective.pause_states:
        extra["pause_states"] = list(objective.pause_states)
    if objective.filter:
        extra["filter"] = dict(objective.filter)
    if objective.supports:
        extra["supports"] = objective.supports
    if objective.threshold is not None and objective.indicator is not None and \
            objective.indicator.value not in ("latency", "response_time", "resolution_time"):
        extra["threshold"] = format_duration(objective.threshold)
    return extra


# Agreement fields exported natively (services, calendar, objectives) or deliberately not carried: an import
# is a new draft (status, version, effective and its lifecycle), and maintenance and exclusions are reported.
_AGREEMENT_NATIVE = {"services", "calendar", "objectives", "status", "version", "effective", "expires", "review",
                     "changelog", "maintenance", "exclusions"}
AGREEMENT_SPECS: dict[str, type[BaseModel]] = {"SLA": SLASpec, "OLA": OLASpec, "UC": UCSpec}


def _as_written(value: Any, annotation: Any) -> Any:
    """A model value as slactl definitions write it: durations as text, dates and times in ISO 8601."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and (annotation == Duration or Duration in get_args(annotation)):
        return format_duration(value)
    if isinstance(value, dict):
        return {str(k): _as_written(v, None) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_written(v, None) for v in value]
    return value


def _settings(spec: BaseModel, skip: set[str]) -> dict[str, Any]:
    """Fields of a spec that differ from their defaults (required ones always), as written in definitions."""
    settings: dict[str, Any] = {}
    for name, info in type(spec).model_fields.items():
        if name in skip:
            continue
        value = getattr(spec, name)
        if not info.is_required() and value == info.get_default(call_default_factory=True):
            continue
        settings[name] = _as_written(value, info.annotation)
    return settings


def agreement_settings(spec: BaseModel) -> dict[str, Any]:
    """The agreement fields OpenSLO has no place for (level, customer, parent, fees...), as written."""
    return _settings(spec, _AGREEMENT_NATIVE)


def source_settings(spec: DataSourceSpec) -> dict[str, Any]:
    """A DataSource's reading settings besides type and path (time zone, columns, formats, pauses...)."""
    return _settings(spec, {"type", "path"})


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _metric_source(source: str | None, spec: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "slactl", "spec": spec}
    if source:
        body = {"metricSourceRef": source, **body}
    return {"metricSource": body}


def _indicator(indicator: str, source: str | None, name: str) -> dict[str, Any]:
    if indicator in ("latency", "response_time", "resolution_time"):
        column = "latency_ms" if indicator == "latency" else indicator
        spec: dict[str, Any] = {"thresholdMetric": _metric_source(source, {"indicator": indicator, "column": column})}
    else:
        good, total = {
            "availability": ({"status": "up"}, {"status": "any"}),
            "success_ratio": ({"column": "good"}, {"column": "total"}),
            "csat": ({"score": "4-5"}, {"score": "1-5"}),
        }[indicator]
        spec = {"ratioMetric": {
            "counter": False,
            "good": _metric_source(source, {"indicator": indicator, **good}),
            "total": _metric_source(source, {"indicator": indicator, **total}),
        }}
    return {"metadata": {"name": make_id(f"{name}-sli")}, "spec": spec}


def _time_window(window: str, timezone: str | None, effective: date) -> dict[str, Any]:
    if window == "rolling_28d":
        return {"duration": "28d", "isRolling": True}
    if window == "rolling_30d":
        return {"duration": "30d", "isRolling": True}
    month = effective.month if window == "calendar_month" else 3 * ((effective.month - 1) // 3) + 1
    return {
        "duration": "1M" if window == "calendar_month" else "1Q",
        "calendar": {"startTime": f"{effective.year:04d}-{month:02d}-01 00:00:00", "timeZone": timezone or "UTC"},
        "isRolling": False,
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


class _Exporter:
    def __init__(self, result: LoadResult) -> None:
        self.repo = result
        self.out = ExportResult()
        self.seen: set[tuple[str, str]] = set()

    def add(self, document: dict[str, Any]) -> None:
        key = (document["kind"], document["metadata"]["name"])
        if key not in self.seen:
            self.seen.add(key)
            self.out.documents.append(document)

    def note(self, doc: Any, severity: Severity, message: str, *path: Any, hint: str | None = None) -> None:
        self.out.findings.append(doc.finding("export-unsupported", severity, message, *path, hint=hint))

    def agreement(self, doc: Any) -> None:
        model = doc.model
        spec = model.spec
        timezone = None
        if spec.calendar:
            calendar = self.repo.get("Calendar", spec.calendar)
            if calendar is not None:
                timezone = calendar.model.spec.timezone
                cal_spec = calendar.model.spec
                full_week = all(cal_spec.hours.get(day) == ["00:00-24:00"]
                                for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
                if not full_week or cal_spec.holidays:
                    self.note(doc, Severity.WARNING, f"calendar '{spec.calendar}' has service hours or holidays; "
                              "OpenSLO has no service hours, so only its time zone is exported", "spec", "calendar")
        for field_name, what in (("maintenance", "maintenance windows"), ("exclusions", "declared exclusions")):
            if getattr(spec, field_name):
                self.note(doc, Severity.INFO, f"{what} are not expressible in OpenSLO and are not exported",
                          "spec", field_name)
        target_name = make_id(f"{model.metadata.id}-notify")
        self.add({
            "apiVersion": API_V1, "kind": "AlertNotificationTarget",
            "metadata": {"name": target_name},
            "spec": {"target": "slactl",
                     "description": (f"Routed by slactl escalation policy '{spec.escalation}'" if spec.escalation
                                     else f"Alerts of {model.kind} '{model.metadata.id}'")[:1050]},
        })
        for index, objective in enumerate(spec.objectives):
            self.objective(doc, objective, index, timezone, target_name)

    def objective(self, doc: Any, objective: Objective, index: int, timezone: str | None, target_name: str) -> None:
        model = doc.model
        spec = model.spec
        path = ("spec", "objectives", index)
        indicator = objective.indicator.value if objective.indicator is not None else None
        source = objective.source
        if indicator is None and objective.supports:
            agreement_id, objective_id = objective.supports.split("/", 1)
            parent = self.repo.index("agreement").get(agreement_id)
            supported = next((o for o in parent.model.spec.objectives if o.id == objective_id), None) if parent else None
            if supported is not None and supported.indicator is not None:
                indicator = supported.indicator.value
                source = source or supported.source
        if indicator is None or objective.target is None:
            self.note(doc, Severity.WARNING, f"objective '{objective.id}' has no indicator or target of its own; "
                      "not exported", *path)
            return
        if objective.target >= 100:
            self.note(doc, Severity.WARNING, f"objective '{objective.id}' has target 100; OpenSLO targets are below "
                      "1 (100%), so it is not exported", *path, "target", hint="a 100% objective has no error budget; use e.g. 99.99")
            return
        name = join_id(model.metadata.id, objective.id)
        slo_objective: dict[str, Any] = {"displayName": objective.id, "target": percent_to_ratio(objective.target)}
        if indicator in ("latency", "response_time", "resolution_time"):
            if objective.threshold is None:
                self.note(doc, Severity.WARNING, f"objective '{objective.id}' has no threshold; not exported", *path)
                return
            slo_objective["op"] = "lte"
            unit = 1000.0 if indicator == "latency" else 1.0
            slo_objective["value"] = _number(round(objective.threshold * unit, 6))
        if objective.budgeting == "timeslices":
            slice_text = format_shorthand(objective.slice) if objective.slice else None
            if slice_text is None or objective.slice_target is None:
                self.note(doc, Severity.WARNING, f"objective '{objective.id}' needs a slice of whole minutes and a "
                          "slice_target to be exported as Timeslices", *path)
                return
            slo_objective["timeSliceTarget"] = percent_to_ratio(objective.slice_target)
            slo_objective["timeSliceWindow"] = slice_text
        annotations = {
            f"{ANNOTATION}agreement": model.metadata.id,
            f"{ANNOTATION}kind": model.kind,
            f"{ANNOTATION}objective": objective.id,
            f"{ANNOTATION}indicator": indicator,
        }
        if model.metadata.name:
            annotations[f"{ANNOTATION}name"] = model.metadata.name
        if spec.calendar:
            annotations[f"{ANNOTATION}calendar"] = spec.calendar
        if timezone and objective.window.value.startswith("rolling"):
            annotations[f"{ANNOTATION}timezone"] = timezone
        extra = _extra(objective)
        if extra:
            annotations[f"{ANNOTATION}extra"] = json.dumps(extra, separators=(",", ":"), sort_keys=True)
        settings = agreement_settings(spec)
        if settings:
            annotations[f"{ANNOTATION}agreement-extra"] = _json(settings)
        if model.metadata.owner:
            annotations[f"{ANNOTATION}owner"] = model.metadata.owner
        service = objective.service or spec.services[0]
        self.service(service)
        if source:
            self.datasource(doc, source, (*path, "source"))
        else:
            self.note(doc, Severity.WARNING, f"objective '{objective.id}' names no source; its metric source is "
                      "exported without a DataSource", *path)
        policies = []
        for tier_index, tier in enumerate(effective_alert_tiers(objective)):
            policy = self.alert_policy(doc, name, tier, tier_index, target_name, path)
            if policy is not None:
                policies.append({"alertPolicyRef": policy})
        metadata: dict[str, Any] = {"name": name, "displayName": f"{model.metadata.name or model.metadata.id}: "
                                                                 f"{objective.id}"}
        labels = {str(k): str(v) for k, v in model.metadata.labels.items()}
        if labels:
            metadata["labels"] = labels
        metadata["annotations"] = annotations
        slo_spec: dict[str, Any] = {}
        if model.metadata.description:
            slo_spec["description"] = model.metadata.description[:1050]
        slo_spec["service"] = service
        slo_spec["indicator"] = _indicator(indicator, source, name)
        slo_spec["timeWindow"] = [_time_window(objective.window.value, timezone, spec.effective)]
        slo_spec["budgetingMethod"] = "Timeslices" if objective.budgeting == "timeslices" else "Occurrences"
        slo_spec["objectives"] = [slo_objective]
        if policies:
            slo_spec["alertPolicies"] = policies
        self.add({"apiVersion": API_V1, "kind": "SLO", "metadata": metadata, "spec": slo_spec})

    def alert_policy(self, doc: Any, slo_name: str, tier: AlertTier, index: int, target_name: str,
                     path: tuple[Any, ...]) -> str | None:
        long, short = format_shorthand(tier.long), format_shorthand(tier.short)
        if long is None or short is None:
            self.note(doc, Severity.WARNING, f"alert tier {index + 1} ({format_duration(tier.long)}/"
                      f"{format_duration(tier.short)}) is not in whole minutes, which OpenSLO durations need; "
                      "not exported", *path, "alerts")
            return None
        name = make_id(f"{slo_name}-burn-{index + 1}-{long}")
        self.add({
            "apiVersion": API_V1, "kind": "AlertPolicy",
            "metadata": {"name": name},
            "spec": {
                "description": f"Burn rate above {tier.factor:g} over {long} and {short}",
                "alertWhenNoData": False,
                "alertWhenResolved": False,
                "alertWhenBreaching": True,
                "conditions": [{
                    "kind": "AlertCondition",
                    "metadata": {"name": make_id(f"{name}-condition")},
                    "spec": {
                        "severity": tier.severity,
                        "condition": {"kind": "burnrate", "op": "gt", "threshold": _number(tier.factor),
                                      "lookbackWindow": long, "alertAfter": short},
                    },
                }],
                "notificationTargets": [{"targetRef": target_name}],
            },
        })
        return name

    def service(self, service: str) -> None:
        found = self.repo.get("Service", service)
        metadata: dict[str, Any] = {"name": service}
        spec: dict[str, Any] = {}
        if found is not None:
            if found.model.metadata.name:
                metadata["displayName"] = found.model.metadata.name
            if found.model.metadata.description:
                spec["description"] = found.model.metadata.description[:1050]
        self.add({"apiVersion": API_V1, "kind": "Service", "metadata": metadata, "spec": spec})

    def datasource(self, doc: Any, source: str, path: tuple[Any, ...]) -> None:
        """The DataSource at `path` of `doc` (an objective's `source`, or a tickets source's `pauses`)."""
        if ("DataSource", source) in self.seen:
            return
        found = self.repo.get("DataSource", source)
        metadata: dict[str, Any] = {"name": source}
        if found is None:
            self.note(doc, Severity.WARNING, f"data source '{source}' is not defined in the repository", *path)
            details: dict[str, Any] = {}
        else:
            ds = found.model
            details = {"sourceType": ds.spec.type, "path": ds.spec.path}
            if ds.metadata.name:
                metadata["displayName"] = ds.metadata.name
            if ds.metadata.labels:
                metadata["labels"] = {str(k): str(v) for k, v in ds.metadata.labels.items()}
            annotations: dict[str, str] = {}
            if ds.metadata.owner:
                annotations[f"{ANNOTATION}owner"] = ds.metadata.owner
            settings = source_settings(ds.spec)
            if settings:
                annotations[f"{ANNOTATION}source-extra"] = _json(settings)
            if annotations:
                metadata["annotations"] = annotations
        spec: dict[str, Any] = {"type": "slactl", "connectionDetails": details}
        if found is not None and found.model.metadata.description:
            spec = {"description": found.model.metadata.description[:1050], **spec}
        self.add({"apiVersion": API_V1, "kind": "DataSource", "metadata": metadata, "spec": spec})
        if found is not None and found.model.spec.pauses:
            # the status history a tickets source reads its pauses from travels with it
            self.datasource(found, found.model.spec.pauses, ("spec", "pauses"))


def export_openslo(result: LoadResult, agreement: str | None = None) -> ExportResult:
    """OpenSLO v1 documents for every agreement's objectives (or one agreement's)."""
    exporter = _Exporter(result)
    for doc in result.agreements():
        if agreement is None or doc.id == agreement:
            exporter.agreement(doc)
    kinds = ["Service", "DataSource", "SLO", "AlertPolicy", "AlertNotificationTarget"]
    exporter.out.documents.sort(key=lambda d: kinds.index(d["kind"]))
    return exporter.out


def export_file_name(document: dict[str, Any]) -> str:
    return f"{document['kind'].lower()}-{make_id(document['metadata']['name'])}.yaml"
