"""slo-generator v2 import: SLO configs and error-budget policies written as in the slo-generator samples."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.interop.build import short_window
from slactl.interop.slo_generator import import_slo_generator
from slactl.interop.writer import render_document, render_stream
from slactl.loader import load_repository
from slactl.loader.documents import load_text

FIXTURES = Path(__file__).parent / "fixtures" / "slo_generator"
runner = CliRunner()


def _import(*names: str, **kwargs: object):
    return import_slo_generator([(FIXTURES / n, n) for n in names], effective=date(2026, 3, 1),
                                **kwargs)  # type: ignore[arg-type]


def _objective(result, agreement: str) -> dict:
    doc = result.find("SLA", agreement)
    assert doc is not None, result.findings
    [objective] = doc.data["spec"]["objectives"]
    return objective


def test_short_window_is_a_twelfth_of_the_long_one() -> None:
    # the multi-window practice: 1h/5m, 6h/30m, 24h/2h, 3d/6h
    assert [short_window(s) for s in (3600, 21600, 86400, 259200)] == [300, 1800, 7200, 21600]


def test_good_bad_ratio_with_policy_steps() -> None:
    result = _import("gae-app-availability.yaml", "error_budget_policy.yaml")
    assert [f for f in result.findings if f.severity.value == "error"] == []
    objective = _objective(result, "gae-app-availability")
    assert objective == {
        "id": "availability", "indicator": "success_ratio", "source": "cloud-monitoring", "target": 95.0,
        # the longest step is 28 days (2419200 s)
        "window": "rolling_28d",
        "alerts": [
            {"long": "1h", "short": "5m", "factor": 9.0, "severity": "page"},
            {"long": "12h", "short": "1h", "factor": 3.0, "severity": "page"},
            {"long": "7d", "short": "14h", "factor": 1.5, "severity": "ticket"},
            {"long": "28d", "short": "2d8h", "factor": 1.0, "severity": "ticket"},
        ],
    }
    sla = result.find("SLA", "gae-app-availability").data
    assert sla["spec"]["services"] == ["gae"]
    assert sla["metadata"]["labels"] == {"service_name": "gae", "feature_name": "app", "slo_name": "availability"}
    assert 'metric.labels.response_code < 500' in sla["metadata"]["description"]
    assert result.find("Service", "gae") is not None
    assert result.find("DataSource", "cloud-monitoring").data["spec"]["type"] == "events"
    rules = {(f.file, f.rule, f.line, f.severity.value) for f in result.findings}
    assert ("gae-app-availability.yaml", "slo-generator-unsupported", 14, "info") in rules  # exporters
    assert ("gae-app-availability.yaml", "slo-generator-assumed", 12, "warning") in rules  # backend -> source
    assert ("error_budget_policy.yaml", "slo-generator-unsupported", 2, "info") in rules  # messages


def test_distribution_cut_on_prometheus_and_named_policies() -> None:
    result = _import("prometheus-latency.yaml", "config.yaml")
    objective = _objective(result, "prometheus-latency724ms")
    assert objective["indicator"] == "latency"
    assert objective["threshold"] == "724ms"
    assert objective["target"] == 99.99
    assert objective["window"] == "rolling_30d"  # the default policy's longest step is 30 days
    assert objective["alerts"] == [
        {"long": "1h", "short": "5m", "factor": 14.4, "severity": "page"},
        {"long": "30d", "short": "2d12h", "factor": 1.0, "severity": "ticket"},
    ]
    strict = _import("prometheus-latency.yaml", "config.yaml", policy="strict", window="calendar_month")
    objective = _objective(strict, "prometheus-latency724ms")
    assert objective["alerts"] == [{"long": "6h", "short": "30m", "factor": 6.0, "severity": "page"}]
    assert objective["window"] == "calendar_month"
    missing = _import("prometheus-latency.yaml", "config.yaml", policy="lenient")
    assert any(f.rule == "slo-generator-invalid" and "lenient" in f.message for f in missing.findings)


def test_without_policy_the_default_tiers_apply() -> None:
    result = _import("gae-app-availability.yaml")
    objective = _objective(result, "gae-app-availability")
    assert "alerts" not in objective and objective["window"] == "rolling_28d"
    assert any(f.rule == "slo-generator-assumed" and "no error-budget policy" in f.message
               for f in result.findings)


def test_invalid_configs_give_findings_with_positions() -> None:
    result = _import("invalid.yaml", "bad_policy.yaml")
    rules = {(f.file, f.rule, f.line, f.column, f.severity.value) for f in result.findings}
    assert {
        ("invalid.yaml", "slo-generator-invalid", 13, 9, "error"),  # goal 99.5 is not a ratio
        ("invalid.yaml", "slo-generator-unsupported", 21, 11, "error"),  # unknown method
        ("invalid.yaml", "slo-generator-unsupported", 34, 23, "error"),  # bucket index
        ("invalid.yaml", "slo-generator-invalid", 37, 13, "error"),  # apiVersion v1
        ("bad_policy.yaml", "slo-generator-invalid", 3, 26, "error"),  # burn_rate_threshold: fast
        ("bad_policy.yaml", "slo-generator-invalid", 9, 13, "error"),  # window: -1
    } <= rules
    assert [d for d in result.documents if d.kind == "SLA"] == []


def test_v1_policy_steps_are_read(tmp_path: Path) -> None:
    policy = tmp_path / "error_budget_policy.yaml"
    policy.write_text(
        "- error_budget_policy_step_name: 1 hour\n  measurement_window_seconds: 3600\n"
        "  alerting_burn_rate_threshold: 9\n  urgent_notification: true\n"
        "  overburned_consequence_message: Page the SRE team\n  achieved_consequence_message: On track\n"
        "- error_budget_policy_step_name: 30 days\n  measurement_window_seconds: 2592000\n"
        "  alerting_burn_rate_threshold: 1\n  urgent_notification: false\n"
        "  overburned_consequence_message: Freeze\n  achieved_consequence_message: On track\n",
        encoding="utf-8",
    )
    result = import_slo_generator([(FIXTURES / "gae-app-availability.yaml", "slo.yaml"),
                                   (policy, "error_budget_policy.yaml")])
    objective = _objective(result, "gae-app-availability")
    assert objective["window"] == "rolling_30d"
    assert [a["factor"] for a in objective["alerts"]] == [9.0, 1.0]


def test_threshold_method_and_good_above(tmp_path: Path) -> None:
    path = tmp_path / "dynatrace.yaml"
    path.write_text(
        """apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: checkout-latency
  labels: {service_name: checkout, slo_name: latency}
spec:
  backend: dynatrace
  method: threshold
  service_level_indicator:
    query_valid:
      metric_selector: ext:app.request_count
    threshold: 250
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: checkout-throughput
spec:
  backend: dynatrace
  method: threshold
  service_level_indicator:
    threshold: 100
    good_below_threshold: false
  goal: 0.99
""",
        encoding="utf-8",
    )
    result = import_slo_generator([(path, "dynatrace.yaml")])
    objective = _objective(result, "checkout-latency")
    assert objective["threshold"] == "250ms" and objective["indicator"] == "latency"
    assert any(f.line == 24 and f.rule == "slo-generator-unsupported" for f in result.findings)
    assert result.find("SLA", "checkout-throughput") is None


def test_output_validates_with_the_loader() -> None:
    result = _import("gae-app-availability.yaml", "prometheus-latency.yaml", "error_budget_policy.yaml")
    loaded = load_text(render_stream(render_document(d) for d in result.documents), "out.yaml")
    assert loaded.findings == []
    assert {d.id for d in loaded.agreements()} == {"gae-app-availability", "prometheus-latency724ms"}


def test_cli_import_slo_generator(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "slo-generator", str(FIXTURES / "gae-app-availability.yaml"),
                                 str(FIXTURES / "error_budget_policy.yaml"), "--repo", str(tmp_path),
                                 "--kind", "OLA", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["written"] == 3 and data["summary"]["errors"] == 0
    assert (tmp_path / "olas" / "gae-app-availability.yaml").exists()
    loaded = load_repository(tmp_path)
    assert loaded.findings == []
    validate = runner.invoke(app, ["validate", "--repo", str(tmp_path)], catch_exceptions=False)
    assert validate.exit_code == 0, validate.output
    bad = runner.invoke(app, ["import", "slo-generator", str(FIXTURES / "invalid.yaml"), "--out", "-",
                              "--repo", str(tmp_path)], catch_exceptions=False)
    assert bad.exit_code == 1
    assert "invalid.yaml:13:9: error [slo-generator-invalid] goal 99.5" in bad.stderr
