"""import(export(x)) keeps every objective's meaning: a property over generated agreements."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slactl.durations import format_duration
from slactl.interop.openslo import effective_alert_tiers, export_openslo, import_openslo
from slactl.interop.writer import dump_yaml, render_document, render_stream
from slactl.loader.documents import load_text

INDICATORS = ["availability", "success_ratio", "latency", "response_time", "resolution_time", "csat"]
WINDOWS = ["calendar_month", "calendar_quarter", "rolling_28d", "rolling_30d"]
MINUTE = 60


def _percent(scale: int) -> st.SearchStrategy[float]:
    # decimals as people write them: 99.9, 99.95, 99.995 (never 100: OpenSLO targets are below 1)
    return st.integers(50 * scale, 100 * scale - 1).map(lambda n: float(Decimal(n) / scale))


tiers = st.builds(
    lambda long_minutes, short_share, factor, severity: {
        "long": format_duration(long_minutes * MINUTE),
        "short": format_duration(max(1, long_minutes // short_share) * MINUTE),
        "factor": float(Decimal(factor) / 10),
        "severity": severity,
    },
    st.sampled_from([60, 360, 1440, 4320, 10080]),
    st.sampled_from([1, 6, 12]),
    st.integers(1, 200),
    st.sampled_from(["page", "ticket"]),
)


@st.composite
def objectives(draw: st.DrawFn, index: int) -> dict[str, Any]:
    indicator = draw(st.sampled_from(INDICATORS))
    objective: dict[str, Any] = {
        "id": f"objective-{index}",
        "indicator": indicator,
        "source": f"source-{indicator.replace('_', '-')}",
        "target": draw(st.one_of(_percent(10), _percent(100), _percent(1000))),
        "window": draw(st.sampled_from(WINDOWS)),
    }
    if indicator == "latency":
        objective["threshold"] = format_duration(draw(st.integers(1, 60_000)) / 1000)
    elif indicator in ("response_time", "resolution_time"):
        objective["threshold"] = format_duration(draw(st.integers(1, 72 * 60)) * MINUTE)
    if draw(st.booleans()):
        objective["budgeting"] = "timeslices"
        objective["slice"] = format_duration(draw(st.sampled_from([1, 5, 10, 60, 1440])) * MINUTE)
        objective["slice_target"] = draw(_percent(10) | st.just(100.0))
    alerts = draw(st.one_of(st.none(), st.lists(tiers, min_size=1, max_size=4)))
    if alerts is not None:
        objective["alerts"] = alerts
    return objective


# Text as data exports write it: headers with spaces, punctuation and accents, values such as "NULL" or "-".
words = st.text(st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="\x85\u2028\u2029"),
                min_size=1, max_size=12).filter(lambda t: t.strip() == t)
COLUMNS = ["id", "time", "status", "service", "priority", "opened_at", "resolved_at", "good", "total", "score"]


@st.composite
def source_settings(draw: st.DrawFn, source_type: str) -> dict[str, Any]:
    """Reading settings of a DataSource: each present or absent, as people write them."""
    settings: dict[str, Any] = {}
    if draw(st.booleans()):
        settings["timezone"] = draw(st.sampled_from(["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"]))
    if draw(st.booleans()):
        # each column read from its own header (two names on one header are refused)
        columns = draw(st.dictionaries(st.sampled_from(COLUMNS), words, min_size=1, max_size=4))
        settings["columns"] = {name: f"{header}-{name}" for name, header in columns.items()}
    if draw(st.booleans()):
        settings["formats"] = draw(st.dictionaries(st.sampled_from(["time", "opened_at", "resolved_at"]),
                                                   st.sampled_from(["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z",
                                                                    "%m/%d/%y %I:%M %p"]), min_size=1))
    if draw(st.booleans()):
        settings["null_values"] = draw(st.lists(st.sampled_from(["NULL", "-", "n/a", "", "#N/A"]), min_size=1,
                                                max_size=3, unique=True))
    if draw(st.booleans()):
        settings["value_map"] = draw(st.dictionaries(st.sampled_from(["priority", "service", "status"]),
                                                     st.dictionaries(words, words, min_size=1, max_size=3),
                                                     min_size=1, max_size=2))
    if draw(st.booleans()):
        settings["delimiter"] = draw(st.sampled_from([";", "\t", "|"]))
    if draw(st.booleans()):
        settings["encoding"] = draw(st.sampled_from(["cp1252", "latin-1", "utf-16"]))
    if source_type == "probes":
        if draw(st.booleans()):
            settings["up_values"] = draw(st.lists(st.one_of(st.sampled_from(["UP", "green", "200"]), st.booleans(),
                                                            st.integers(0, 1)), min_size=1, max_size=3))
        if draw(st.booleans()):
            settings["interval"] = format_duration(draw(st.integers(1, 3600)))
    if source_type == "tickets" and draw(st.booleans()):
        settings["pauses"] = "source-pauses"
    if source_type == "outages" and draw(st.booleans()):
        moment = draw(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
        zone = draw(st.sampled_from([None, UTC, timezone(timedelta(hours=5, minutes=30))]))
        settings["complete_until"] = draw(st.sampled_from([moment.date(), moment.replace(tzinfo=zone),
                                                           moment.replace(hour=0, minute=0, second=0,
                                                                          microsecond=0, tzinfo=zone)]))
    return settings


@st.composite
def agreements(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["SLA", "OLA", "UC"]))
    settings: dict[str, Any] = {}
    if kind == "SLA":
        settings["level"] = draw(st.sampled_from(["corporate", "customer", "service"]))
        if draw(st.booleans()):
            settings["customer"] = draw(words)
    elif kind == "OLA" and draw(st.booleans()):
        settings["provider"] = draw(words)
    elif kind == "UC" and draw(st.booleans()):
        settings["supplier"] = draw(words)
        settings["contract_ref"] = draw(words)
    if draw(st.booleans()):
        settings["parent"] = "corporate-sla"
    if draw(st.booleans()):
        settings["underpinned_by"] = ["ola-desk"]
    if draw(st.booleans()):
        settings["monthly_fee"] = float(draw(st.integers(0, 10**6)))
        settings["currency"] = draw(st.sampled_from(["GBP", "EUR", "USD"]))
        settings["credit_cap"] = float(draw(st.integers(0, 100)))
    return {
        "kind": kind,
        "settings": settings,
        "owner": draw(st.none() | words),
        "timezone": draw(st.sampled_from([None, "Europe/London", "America/New_York", "Asia/Kolkata"])),
        "availability_type": draw(st.sampled_from(["probes", "outages"])),
        "sources": {t: draw(source_settings(t)) for t in ("probes", "outages", "events", "tickets", "csat",
                                                          "pauses")},
        "source_owner": draw(st.none() | words),
        "objectives": [draw(objectives(i)) for i in range(count)],
    }


def _repository_text(agreement: dict[str, Any]) -> str:
    documents: list[dict[str, Any]] = [
        {"apiVersion": "slactl/v1", "kind": "Service", "metadata": {"id": "web"}, "spec": {}},
    ]
    for indicator in [*INDICATORS, "pauses"]:
        source_type = {"availability": agreement["availability_type"], "csat": "csat", "response_time": "tickets",
                       "resolution_time": "tickets", "pauses": "pauses"}.get(indicator, "events")
        metadata: dict[str, Any] = {"id": f"source-{indicator.replace('_', '-')}"}
        if agreement["source_owner"]:
            metadata["owner"] = agreement["source_owner"]
        documents.append({"apiVersion": "slactl/v1", "kind": "DataSource", "metadata": metadata,
                          "spec": {"type": source_type, "path": f"data/{indicator}/*.csv",
                                   **agreement["sources"][source_type]}})
    spec: dict[str, Any] = dict(agreement["settings"])
    spec.update({"services": ["web"], "status": "active", "version": 3, "effective": "2026-05-17"})
    if agreement["timezone"]:
        documents.append({"apiVersion": "slactl/v1", "kind": "Calendar", "metadata": {"id": "local"},
                          "spec": {"timezone": agreement["timezone"]}})
        spec["calendar"] = "local"
    spec["objectives"] = agreement["objectives"]
    metadata = {"id": "web-agreement", **({"owner": agreement["owner"]} if agreement["owner"] else {})}
    documents.append({"apiVersion": "slactl/v1", "kind": agreement["kind"], "metadata": metadata, "spec": spec})
    return render_stream(dump_yaml(d) for d in documents)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agreements())
def test_import_of_export_keeps_every_objective(agreement: dict[str, Any]) -> None:
    original = load_text(_repository_text(agreement), "repo.yaml")
    assert original.findings == []
    [source_doc] = original.agreements()

    exported = export_openslo(original)
    assert [f for f in exported.findings if f.severity.value == "error"] == []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "openslo.yaml"
        path.write_text(render_stream(dump_yaml(d) for d in exported.documents), encoding="utf-8")
        imported = import_openslo([(path, "openslo.yaml")])
    assert [f for f in imported.findings if f.severity.value == "error"] == []

    back = load_text(render_stream(render_document(d) for d in imported.documents), "imported.yaml")
    assert back.findings == []
    [result_doc] = back.agreements()
    assert result_doc.id == source_doc.id and result_doc.kind == source_doc.kind
    assert result_doc.model.metadata.owner == source_doc.model.metadata.owner
    before, after = source_doc.model.spec, result_doc.model.spec
    for field in ("level", "customer", "provider", "supplier", "contract_ref", "parent", "underpinned_by",
                  "monthly_fee", "currency", "credit_cap"):
        assert getattr(after, field, None) == getattr(before, field, None), field
    # every data source an objective reads (and the pauses source of a tickets source) keeps its reading settings
    read = {o.source for o in after.objectives}
    read |= {back.get("DataSource", s).model.spec.pauses for s in read} - {None}
    for source in read:
        mine, theirs = original.get("DataSource", source).model, back.get("DataSource", source).model
        assert theirs.spec == mine.spec, source
        assert theirs.metadata.owner == mine.metadata.owner
    assert after.calendar == before.calendar
    if before.calendar:
        assert back.get("Calendar", after.calendar).model.spec.timezone == agreement["timezone"]
    assert [o.id for o in after.objectives] == [o.id for o in before.objectives]
    for mine, theirs in zip(before.objectives, after.objectives, strict=True):
        for field in ("indicator", "source", "target", "window", "budgeting", "slice", "slice_target", "threshold"):
            assert getattr(theirs, field) == getattr(mine, field), field
        assert effective_alert_tiers(theirs) == effective_alert_tiers(mine)


# Bad input is never a traceback: any shape under the documents' fields gives findings, not exceptions.

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["", "x", "28d", "1M", "lte", "burnrate", "page", "UTC", "Europe/London", "5m"]))
shapes = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(
                                                           ["metricSource", "spec", "good", "total", "target",
                                                            "op", "value", "duration", "isRolling", "calendar",
                                                            "timeZone", "conditions", "condition", "threshold",
                                                            "lookbackWindow", "alertAfter", "kind", "name",
                                                            "steps", "window", "burn_rate_threshold"]),
                                                           inner, max_size=4)), max_leaves=12)
SLO_FIELDS = ["service", "indicator", "indicatorRef", "timeWindow", "timeWindows", "budgetingMethod", "objectives",
              "alertPolicies", "description"]


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(SLO_FIELDS), shapes, max_size=8), st.sampled_from(["openslo/v1",
                                                                                          "openslo/v1alpha"]))
def test_openslo_import_never_crashes(spec: dict[str, Any], api: str) -> None:
    document = {"apiVersion": api, "kind": "SLO", "metadata": {"name": "fuzz", "annotations": spec.get("service")},
                "spec": spec}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(dump_yaml(document), encoding="utf-8")
        result = import_openslo([(path, "fuzz.yaml")])
    for finding in result.findings:
        assert finding.file == "fuzz.yaml" and finding.line >= 1


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["backend", "method", "service_level_indicator", "goal", "exporters"]),
                       shapes, max_size=5), shapes)
def test_slo_generator_import_never_crashes(spec: dict[str, Any], steps: Any) -> None:
    from slactl.interop.slo_generator import import_slo_generator

    slo = {"apiVersion": "sre.google.com/v2", "kind": "ServiceLevelObjective", "metadata": {"name": "fuzz"},
           "spec": spec}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "slo.yaml"
        path.write_text(dump_yaml(slo), encoding="utf-8")
        policy = Path(folder) / "policy.yaml"
        policy.write_text(dump_yaml({"steps": steps}), encoding="utf-8")
        result = import_slo_generator([(path, "slo.yaml"), (policy, "policy.yaml")])
    for finding in result.findings:
        assert finding.line >= 1
