"""OpenSLO import and export: fixtures written to the OpenSLO specification, through the library and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.interop.documents import make_id, read_source_documents, to_plain
from slactl.interop.openslo import export_openslo, import_openslo, parse_shorthand
from slactl.interop.writer import render_document, render_stream
from slactl.loader import load_repository
from slactl.loader.documents import load_text

FIXTURES = Path(__file__).parent / "fixtures" / "openslo"
SCHEMA = json.loads((FIXTURES / "openslo-v1.schema.json").read_text(encoding="utf-8"))
runner = CliRunner()


def _import(name: str, **kwargs: object):
    return import_openslo([(FIXTURES / name, name)], effective=date(2026, 1, 1), **kwargs)  # type: ignore[arg-type]


def _by(result, kind: str, id_: str) -> dict:
    doc = result.find(kind, id_)
    assert doc is not None, f"{kind} {id_} not produced"
    return doc.data


def _rules(result) -> set[tuple[str, int, str]]:
    return {(f.rule, f.line, f.severity.value) for f in result.findings}


def test_payments_fixture_is_valid_openslo_v1() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    docs, findings = read_source_documents(FIXTURES / "payments.yaml", "payments.yaml")
    assert not findings
    for doc in docs:
        assert list(validator.iter_errors(to_plain(doc.raw))) == []


def test_import_payments_converts_every_kind() -> None:
    result = _import("payments.yaml")
    assert not [f for f in result.findings if f.severity.value == "error"]
    service = _by(result, "Service", "payments-api")
    assert service["metadata"]["name"] == "Payments API"
    assert service["metadata"]["labels"] == {"team": "payments"}

    sla = _by(result, "SLA", "payments-availability")
    assert sla["spec"]["calendar"] == "europe-london"
    assert sla["spec"]["services"] == ["payments-api"]
    assert sla["spec"]["status"] == "draft" and sla["spec"]["effective"] == date(2026, 1, 1)
    assert sla["metadata"]["labels"] == {"tier": "gold", "env": "prod,dr"}
    # the queries are kept in the description
    assert 'code!~"5.."' in sla["metadata"]["description"]
    [objective] = sla["spec"]["objectives"]
    assert objective == {
        "id": "authorisations-succeed", "indicator": "success_ratio", "source": "prometheus-main",
        "target": 99.9, "window": "calendar_month",
        "alerts": [
            {"long": "1h", "short": "5m", "factor": 14.4, "severity": "page"},
            {"long": "1d", "short": "2h", "factor": 3.0, "severity": "ticket"},
        ],
    }
    calendar = _by(result, "Calendar", "europe-london")
    assert calendar["spec"] == {"timezone": "Europe/London"}

    latency = _by(result, "SLA", "payments-latency")
    [objective] = latency["spec"]["objectives"]
    assert objective == {
        "id": "fast-authorisations", "indicator": "latency", "source": "prometheus-main", "target": 99.0,
        "window": "rolling_28d", "budgeting": "timeslices", "slice": "5m", "slice_target": 95.0,
        "threshold": "300ms",
    }
    assert "calendar" not in latency["spec"]
    source = _by(result, "DataSource", "prometheus-main")
    assert source["spec"] == {"type": "events", "path": "data/prometheus-main/*.csv"}


def test_import_reports_what_it_does_not_keep() -> None:
    result = _import("payments.yaml")
    found = _rules(result)
    # the data source's connection details (with a token) are reported by key, never copied
    assert ("openslo-unsupported", 20, "info") in found
    token = [f for f in result.findings if "connectionDetails" in f.message][0]
    assert "bearerToken" in token.message and "do-not-copy-me" not in token.message
    assert all("do-not-copy-me" not in render_document(d) for d in result.documents)
    # notification targets of both policies and the target itself
    assert ("openslo-unsupported", 97, "info") in found
    assert ("openslo-unsupported", 132, "info") in found
    assert ("openslo-unsupported", 151, "info") in found
    # the choices made are findings too
    assert ("openslo-assumed", 54, "info") in found
    assert ("openslo-assumed", 19, "warning") in found


def test_import_output_validates_with_the_loader() -> None:
    for name in ("payments.yaml", "v1alpha.yaml"):
        result = _import(name)
        text = render_stream(render_document(d) for d in result.documents)
        loaded = load_text(text, "imported.yaml")
        assert loaded.findings == []
        assert len(loaded.documents) == len(result.documents)
        for doc in result.documents:
            assert render_document(doc).startswith(
                f"# yaml-language-server: $schema=https://slactl.dev/schemas/v1/{doc.kind.lower()}.json\n")


def test_import_v1alpha() -> None:
    result = _import("v1alpha.yaml")
    sla = _by(result, "SLA", "search-success")
    [objective] = sla["spec"]["objectives"]
    assert objective["target"] == 99.5
    assert objective["window"] == "rolling_30d"
    assert objective["source"] == "search-success-prometheus"
    assert "search_requests_total" in sla["metadata"]["description"]
    assert _by(result, "DataSource", "search-success-prometheus")["spec"]["type"] == "events"


def test_invalid_documents_give_findings_with_positions() -> None:
    result = _import("invalid.yaml")
    assert _rules(result) >= {
        ("openslo-unsupported", 24, "error"),  # rolling 7d
        ("openslo-invalid", 36, "error"),  # indicatorRef to a missing SLI
        ("openslo-invalid", 67, "error"),  # time zone Mars/Olympus
        ("openslo-unsupported", 94, "error"),  # RatioTimeslices
        ("openslo-invalid", 98, "error"),  # apiVersion openslo/v2
    }
    by_line = {f.line: f for f in result.findings}
    assert by_line[24].column == 17 and "7d" in by_line[24].message
    assert by_line[67].column == 19
    assert [d for d in result.documents if d.kind == "SLA"] == []


@pytest.mark.parametrize(
    ("body", "rule", "line", "text"),
    [
        ("objectives:\n    - target: 1.5\n", "openslo-invalid", 21, "ratio from 0 to 1"),
        ("objectives:\n    - displayName: x\n", "openslo-invalid", 21, "no target"),
        ("objectives: []\n", "openslo-invalid", 20, "no objectives"),
        ("objectives:\n    - target: 0.9\n      targetPercent: 90\n", "openslo-invalid", 21, "not both"),
    ],
)
def test_objective_problems(tmp_path: Path, body: str, rule: str, line: int, text: str) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: web\nspec:\n  service: web\n"
        "  indicator:\n    metadata:\n      name: web-ratio\n    spec:\n      ratioMetric:\n"
        "        good:\n          metricSource: {type: Prometheus, spec: {query: good}}\n"
        "        total:\n          metricSource: {type: Prometheus, spec: {query: total}}\n"
        "  timeWindow:\n    - duration: 30d\n      isRolling: true\n  budgetingMethod: Occurrences\n  " + body,
        encoding="utf-8",
    )
    result = import_openslo([(path, "slo.yaml")])
    matching = [f for f in result.findings if f.rule == rule and text in f.message]
    assert matching, result.findings
    assert matching[0].line == line
    assert result.find("SLA", "web") is None


def test_yaml_syntax_error_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: [name\n", encoding="utf-8")
    result = import_openslo([(path, "broken.yaml")])
    [finding] = result.findings
    assert finding.rule == "yaml-syntax" and finding.file == "broken.yaml" and finding.line >= 3


def test_alert_condition_defaults_and_problems(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(
        """apiVersion: openslo/v1
kind: SLO
metadata:
  name: web
spec:
  service: web
  indicator:
    metadata: {name: web-ratio}
    spec:
      ratioMetric:
        good: {metricSource: {type: Prometheus, spec: {query: good}}}
        total: {metricSource: {type: Prometheus, spec: {query: total}}}
  timeWindow:
    - duration: 4w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.995
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: slow}
      spec:
        alertWhenNoData: true
        conditions:
          - kind: AlertCondition
            metadata: {name: slow-condition}
            spec:
              severity: critical
              condition:
                kind: burnrate
                threshold: 6
                lookbackWindow: 6h
    - alertPolicyRef: not-there
    - kind: AlertPolicy
      metadata: {name: weird}
      spec:
        conditions:
          - kind: AlertCondition
            metadata: {name: weird-condition}
            spec:
              severity: page
              condition:
                kind: burnrate
                threshold: 2
                lookbackWindow: 1M
""",
        encoding="utf-8",
    )
    result = import_openslo([(path, "alerts.yaml")])
    [objective] = _by(result, "SLA", "web")["spec"]["objectives"]
    assert objective["window"] == "rolling_28d"
    # no alertAfter: the short window is 1/12 of the lookback window; "critical" pages
    assert objective["alerts"] == [{"long": "6h", "short": "30m", "factor": 6.0, "severity": "page"}]
    found = _rules(result)
    assert ("openslo-unsupported", 23, "info") in found  # alertWhenNoData
    assert ("openslo-invalid", 33, "error") in found  # unknown policy reference
    assert ("openslo-invalid", 42, "error") in found  # lookbackWindow 1M is not a fixed duration


def test_make_id_and_shorthand() -> None:
    assert make_id("Payments API (EU)") == "payments-api-eu"
    assert make_id("---") == "unnamed"
    long = make_id("x" * 80)
    assert len(long) == 63 and long != make_id("x" * 81)
    assert parse_shorthand("28d") == (28, "d") and parse_shorthand("1M") == (1, "M")
    assert parse_shorthand("1 hour") is None and parse_shorthand(True) is None


# ------------------------------------------------------------------------------------------------ CLI import


def test_cli_import_writes_files_that_validate(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    out.mkdir()
    result = runner.invoke(app, ["import", "openslo", str(FIXTURES / "payments.yaml"), "--repo", str(out),
                                 "--effective", "2026-01-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "5 file(s) written; 0 error(s), 1 warning(s), 6 note(s)" in result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml"))
    assert written == ["calendars/europe-london.yaml", "datasources/prometheus-main.yaml",
                       "services/payments-api.yaml", "slas/payments-availability.yaml",
                       "slas/payments-latency.yaml"]
    loaded = load_repository(out)
    assert loaded.findings == []
    assert {d.id for d in loaded.agreements()} == {"payments-availability", "payments-latency"}
    validate = runner.invoke(app, ["validate", "--repo", str(out)], catch_exceptions=False)
    assert validate.exit_code == 0, validate.output
    # nothing is overwritten without --force: the whole import is refused
    before = (out / "slas/payments-latency.yaml").read_text(encoding="utf-8")
    (out / "slas/payments-latency.yaml").write_text(before + "# edited\n", encoding="utf-8")
    again = runner.invoke(app, ["import", "openslo", str(FIXTURES / "payments.yaml"), "--repo", str(out),
                                "--effective", "2026-01-01"], catch_exceptions=False)
    assert again.exit_code == 1
    assert "[import-exists]" in again.output and "nothing written" in again.output
    assert (out / "slas/payments-latency.yaml").read_text(encoding="utf-8").endswith("# edited\n")
    forced = runner.invoke(app, ["import", "openslo", str(FIXTURES / "payments.yaml"), "--repo", str(out),
                                 "--effective", "2026-01-01", "--force"], catch_exceptions=False)
    assert forced.exit_code == 0
    assert (out / "slas/payments-latency.yaml").read_text(encoding="utf-8") == before
    assert not list(out.rglob("*.tmp"))


def test_cli_import_reuses_existing_services(tmp_path: Path) -> None:
    slo = tmp_path / "in.yaml"
    tmp_path = tmp_path / "repo"
    (tmp_path / "services").mkdir(parents=True)
    (tmp_path / "services" / "search.yaml").write_text(
        "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: search}\nspec: {tier: high}\n", encoding="utf-8")
    text = (FIXTURES / "v1alpha.yaml").read_text(encoding="utf-8")
    slo.write_text(text.split("---\n", 1)[1], encoding="utf-8")  # the SLO only, not its Service
    result = runner.invoke(app, ["import", "openslo", str(slo), "--repo", str(tmp_path), "--out", str(tmp_path),
                                 "--kind", "OLA"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "olas" / "search-success.yaml").exists()
    assert "tier: high" in (tmp_path / "services" / "search.yaml").read_text(encoding="utf-8")
    assert load_repository(tmp_path).findings == []


def test_cli_import_to_stdout_and_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "openslo", str(FIXTURES / "v1alpha.yaml"), "--out", "-",
                                 "--repo", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "kind: SLA" in result.stdout and "---\n" in result.stdout
    assert load_text(result.stdout).findings == []
    as_json = runner.invoke(app, ["import", "openslo", str(FIXTURES / "invalid.yaml"), "--out", "-",
                                  "--format", "json", "--repo", str(tmp_path)], catch_exceptions=False)
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert {"schema_version", "tool_version", "generated_at", "documents", "findings", "summary"} <= set(data)
    assert data["summary"]["errors"] == 5
    assert {"rule": "openslo-unsupported", "severity": "error", "file": str(FIXTURES / "invalid.yaml"),
            "line": 24, "column": 17} .items() <= data["findings"][0].items()


def test_cli_import_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "openslo", str(tmp_path / "nope.yaml"), "--repo", str(tmp_path)],
                           catch_exceptions=False)
    assert result.exit_code == 2
    assert "error: file" in result.output and "does not exist" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------------------------ export


REPO = {
    "services/payments.yaml": "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: payments, name: Payments}\n"
                              "spec: {tier: critical}\n",
    "calendars/london.yaml": "apiVersion: slactl/v1\nkind: Calendar\nmetadata: {id: london}\n"
                             "spec: {timezone: Europe/London}\n",
    "datasources/probes.yaml": "apiVersion: slactl/v1\nkind: DataSource\nmetadata: {id: probes}\n"
                               "spec: {type: probes, path: data/probes/*.csv, interval: 60s}\n",
    "datasources/tickets.yaml": "apiVersion: slactl/v1\nkind: DataSource\nmetadata: {id: tickets, owner: desk}\n"
                                "spec: {type: tickets, path: data/tickets/*.csv, timezone: Europe/London,\n"
                                "       columns: {opened_at: Opened}, formats: {opened_at: '%d/%m/%Y %H:%M'},\n"
                                "       null_values: ['NULL'], value_map: {priority: {'1 - Critical': P1}},\n"
                                "       pauses: ticket-pauses, delimiter: ';', encoding: cp1252}\n",
    "datasources/ticket-pauses.yaml": "apiVersion: slactl/v1\nkind: DataSource\nmetadata: {id: ticket-pauses}\n"
                                      "spec: {type: pauses, path: data/pauses/*.csv, timezone: Europe/London}\n",
    "slas/gold.yaml": """apiVersion: slactl/v1
kind: SLA
metadata: {id: gold, name: Payments Gold, labels: {tier: gold}}
spec:
  level: customer
  customer: Acme Payments Ltd
  services: [payments]
  status: active
  version: 1
  effective: 2026-02-10
  calendar: london
  maintenance:
    - {id: sunday, every: week, on: sun, at: "02:00", duration: 2h}
  objectives:
    - id: availability
      indicator: availability
      source: probes
      target: 99.9
      warning: 99.95
      credits: [{below: 99.9, credit: 10}]
      window: calendar_month
    - id: p1-resolution
      indicator: resolution_time
      source: tickets
      filter: {priority: P1}
      threshold: 4h
      target: 95
      window: rolling_28d
      budgeting: timeslices
      slice: 1h
      slice_target: 90
      alerts:
        - {long: 6h, short: 30m, factor: 6, severity: page}
    - id: perfect
      indicator: availability
      source: probes
      target: 100
""",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for rel, text in REPO.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert load_repository(tmp_path).findings == []
    return tmp_path


def test_export_is_valid_openslo_v1(repo: Path) -> None:
    result = export_openslo(load_repository(repo))
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for document in result.documents:
        errors = [e.message for e in validator.iter_errors(json.loads(json.dumps(document)))]
        assert errors == [], (document["metadata"]["name"], errors)
    kinds = [d["kind"] for d in result.documents]
    assert kinds.count("SLO") == 2 and kinds.count("AlertPolicy") == 5
    slo = next(d for d in result.documents if d["metadata"]["name"] == "gold-availability")
    assert slo["spec"]["timeWindow"] == [{"duration": "1M", "isRolling": False,
                                          "calendar": {"startTime": "2026-02-01 00:00:00",
                                                       "timeZone": "Europe/London"}}]
    assert slo["spec"]["objectives"] == [{"displayName": "availability", "target": 0.999}]
    assert slo["spec"]["budgetingMethod"] == "Occurrences"
    assert slo["metadata"]["annotations"]["slactl.dev/indicator"] == "availability"
    assert json.loads(slo["metadata"]["annotations"]["slactl.dev/extra"]) == {
        "credits": [{"below": 99.9, "credit": 10.0}], "warning": 99.95}
    tickets = next(d for d in result.documents if d["metadata"]["name"] == "gold-p1-resolution")
    assert tickets["spec"]["objectives"] == [{"displayName": "p1-resolution", "target": 0.95, "op": "lte",
                                              "value": 14400, "timeSliceTarget": 0.9, "timeSliceWindow": "1h"}]
    assert tickets["spec"]["alertPolicies"] == [{"alertPolicyRef": "gold-p1-resolution-burn-1-6h"}]
    policy = next(d for d in result.documents if d["metadata"]["name"] == "gold-p1-resolution-burn-1-6h")
    assert policy["spec"]["conditions"][0]["spec"] == {
        "severity": "page",
        "condition": {"kind": "burnrate", "op": "gt", "threshold": 6, "lookbackWindow": "6h", "alertAfter": "30m"},
    }
    rules = {(f.rule, f.severity.value, f.line) for f in result.findings}
    assert ("export-unsupported", "warning", 37) in rules  # target 100 has no OpenSLO equivalent
    assert ("export-unsupported", "info", 12) in rules  # maintenance windows
    assert json.loads(slo["metadata"]["annotations"]["slactl.dev/agreement-extra"]) == {
        "level": "customer", "customer": "Acme Payments Ltd"}
    source = next(d for d in result.documents if d["kind"] == "DataSource" and d["metadata"]["name"] == "tickets")
    assert source["metadata"]["annotations"]["slactl.dev/owner"] == "desk"
    assert json.loads(source["metadata"]["annotations"]["slactl.dev/source-extra"]) == {
        "timezone": "Europe/London", "columns": {"opened_at": "Opened"}, "formats": {"opened_at": "%d/%m/%Y %H:%M"},
        "null_values": ["NULL"], "value_map": {"priority": {"1 - Critical": "P1"}}, "pauses": "ticket-pauses",
        "delimiter": ";", "encoding": "cp1252"}
    # the status history the tickets source reads its pauses from is exported with it
    assert any(d["kind"] == "DataSource" and d["metadata"]["name"] == "ticket-pauses" for d in result.documents)


def test_export_round_trips_through_import(repo: Path, tmp_path: Path) -> None:
    exported = export_openslo(load_repository(repo))
    stream = tmp_path / "openslo.yaml"
    from slactl.interop.writer import dump_yaml

    stream.write_text(render_stream(dump_yaml(d) for d in exported.documents), encoding="utf-8")
    back = import_openslo([(stream, "openslo.yaml")])
    assert [f for f in back.findings if f.severity.value == "error"] == []
    sla = _by(back, "SLA", "gold")
    assert sla["metadata"]["name"] == "Payments Gold"
    assert sla["metadata"]["labels"] == {"tier": "gold"}
    assert sla["spec"]["calendar"] == "london"
    objectives = {o["id"]: o for o in sla["spec"]["objectives"]}
    assert objectives["availability"]["warning"] == 99.95
    assert objectives["p1-resolution"]["threshold"] == "4h"
    assert objectives["p1-resolution"]["filter"] == {"priority": "P1"}
    assert _by(back, "DataSource", "probes")["spec"] == {"type": "probes", "path": "data/probes/*.csv",
                                                         "interval": "1m"}
    assert sla["spec"]["level"] == "customer" and sla["spec"]["customer"] == "Acme Payments Ltd"
    tickets = _by(back, "DataSource", "tickets")
    assert tickets["metadata"]["owner"] == "desk"
    assert tickets["spec"] == {"type": "tickets", "path": "data/tickets/*.csv", "timezone": "Europe/London",
                               "columns": {"opened_at": "Opened"}, "formats": {"opened_at": "%d/%m/%Y %H:%M"},
                               "null_values": ["NULL"], "value_map": {"priority": {"1 - Critical": "P1"}},
                               "pauses": "ticket-pauses", "delimiter": ";", "encoding": "cp1252"}
    assert _by(back, "DataSource", "ticket-pauses")["spec"] == {"type": "pauses", "path": "data/pauses/*.csv",
                                                                "timezone": "Europe/London"}


def test_bad_settings_annotations_are_findings(tmp_path: Path) -> None:
    text = """apiVersion: openslo/v1
kind: DataSource
metadata:
  name: tickets
  annotations:
    slactl.dev/source-extra: '{"timezone": "Mars/Olympus", "colour": "red", "delimiter": ";"}'
spec: {type: slactl, connectionDetails: {sourceType: tickets, path: data/t/*.csv}}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: fast
  annotations:
    slactl.dev/indicator: resolution_time
    slactl.dev/agreement-extra: '{"level": "galactic", "customer": "Acme"}'
spec:
  service: payments
  indicator:
    metadata: {name: fast-sli}
    spec:
      thresholdMetric: {metricSource: {metricSourceRef: tickets, type: slactl, spec: {}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.95, op: lte, value: 3600}]
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: slow
  annotations: {slactl.dev/agreement-extra: 'not json'}
spec:
  service: payments
  indicator:
    metadata: {name: slow-sli}
    spec:
      thresholdMetric: {metricSource: {metricSourceRef: tickets, type: slactl, spec: {}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.95, op: lte, value: 3600}]
"""
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = import_openslo([(path, "bad.yaml")], effective=date(2026, 1, 1))
    assert [f for f in result.findings if f.severity.value == "error"] == []
    messages = {(f.rule, f.line, f.severity.value, f.message.split(" (")[0]) for f in result.findings}
    assert ("openslo-invalid", 6, "warning", "annotation slactl.dev/source-extra: timezone 'Mars/Olympus' is not "
            "valid") in messages
    assert ("openslo-unsupported", 6, "info", "annotation slactl.dev/source-extra: a DataSource has no field "
            "'colour'; ignored") in messages
    assert ("openslo-invalid", 15, "warning", "annotation slactl.dev/agreement-extra: level 'galactic' is not "
            "valid") in messages
    assert ("openslo-invalid", 30, "warning", "annotation slactl.dev/agreement-extra is not a JSON object; "
            "ignored") in messages
    assert _by(result, "DataSource", "tickets")["spec"] == {"type": "tickets", "path": "data/t/*.csv",
                                                            "delimiter": ";"}
    assert _by(result, "SLA", "fast")["spec"]["level"] == "service"
    assert _by(result, "SLA", "fast")["spec"]["customer"] == "Acme"


def test_forced_kind_drops_fields_the_kind_has_not(repo: Path, tmp_path: Path) -> None:
    from slactl.interop.writer import dump_yaml

    stream = tmp_path / "openslo.yaml"
    stream.write_text(render_stream(dump_yaml(d) for d in export_openslo(load_repository(repo)).documents),
                      encoding="utf-8")
    back = import_openslo([(stream, "openslo.yaml")], kind="OLA")
    assert [f for f in back.findings if f.severity.value == "error"] == []
    ola = _by(back, "OLA", "gold")
    assert "level" not in ola["spec"] and "customer" not in ola["spec"]
    assert any(f.rule == "openslo-unsupported" and "an OLA has no field 'customer'" in f.message
               for f in back.findings)


def test_cli_export(repo: Path, tmp_path: Path) -> None:
    printed = runner.invoke(app, ["export", "openslo", "--repo", str(repo), "--agreement", "gold"],
                            catch_exceptions=False)
    assert printed.exit_code == 0  # the 100% objective is reported (a warning), not exported
    assert "apiVersion: openslo/v1" in printed.stdout
    assert "gold.yaml:37:15: warning [export-unsupported] objective 'perfect' has target 100" in printed.stderr
    out = tmp_path / "openslo"
    written = runner.invoke(app, ["export", "openslo", "--repo", str(repo), "--out", str(out), "--format", "json"],
                            catch_exceptions=False)
    data = json.loads(written.stdout)
    assert data["summary"]["written"] == len(list(out.glob("*.yaml"))) == 12
    assert (out / "slo-gold-availability.yaml").exists()
    again = runner.invoke(app, ["export", "openslo", "--repo", str(repo), "--out", str(out)],
                          catch_exceptions=False)
    assert again.exit_code == 1 and "[import-exists]" in again.stdout
    unknown = runner.invoke(app, ["export", "openslo", "--repo", str(repo), "--agreement", "silver"],
                            catch_exceptions=False)
    assert unknown.exit_code == 2 and "no valid agreement 'silver'" in unknown.output


def test_help_has_examples() -> None:
    for args in (["import", "openslo"], ["import", "slo-generator"], ["export", "openslo"]):
        result = runner.invoke(app, [*args, "--help"], catch_exceptions=False)
        assert result.exit_code == 0
        assert "Example: slactl " + " ".join(args) in result.output


def test_interop_library_does_not_import_cli_or_heavy_libraries() -> None:
    code = ("import sys, slactl.interop.openslo, slactl.interop.slo_generator\n"
            "bad = [m for m in ('typer', 'rich', 'pandas', 'pyarrow', 'numpy', 'jinja2') if m in sys.modules]\n"
            "print(bad)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_every_finding_id_is_documented() -> None:
    from slactl.interop import INTEROP_FINDINGS

    docs = (Path(__file__).parents[1] / "docs" / "interop.md").read_text(encoding="utf-8")
    sources = "".join(p.read_text(encoding="utf-8")
                      for p in (Path(__file__).parents[1] / "src" / "slactl" / "interop").glob("*.py")
                      if p.name != "__init__.py")
    for rule_id in INTEROP_FINDINGS:
        assert f"`{rule_id}`" in docs
        assert f'"{rule_id}"' in sources
