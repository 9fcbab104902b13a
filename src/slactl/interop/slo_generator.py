"""Google slo-generator (sre.google.com/v2) SLO configs and error-budget policies into slactl objectives.

A ServiceLevelObjective becomes an agreement with one objective; the steps of an error-budget policy become
the objective's burn-rate alert tiers. slo-generator gives one window per step, so the short window of each
tier is 1/12 of it, as in the multi-window, multi-burn-rate practice (1h -> 5m, 6h -> 30m, 24h -> 2h).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from slactl.durations import format_duration
from slactl.findings import Severity
from slactl.interop.build import SOURCE_TYPE, Planner, alert_tier, short_window
from slactl.interop.documents import (
    ImportResult,
    SourceDocument,
    as_number,
    make_id,
    plain_labels,
    ratio_to_percent,
    read_source_documents,
)
from slactl.interop.openslo import _drop_invalid
from slactl.model.agreement import Objective

API_VERSION = "sre.google.com/v2"
KIND = "ServiceLevelObjective"
INVALID = "slo-generator-invalid"
UNSUPPORTED = "slo-generator-unsupported"
ASSUMED = "slo-generator-assumed"

DAY = 86400.0
METHODS = {
    "good_bad_ratio": "success_ratio",
    "query_sli": "success_ratio",
    "distribution_cut": "latency",
    "threshold": "latency",
}
WINDOWS = ("calendar_month", "calendar_quarter", "rolling_28d", "rolling_30d")
# slo-generator v1 step keys -> v2 names
_V1_STEP_KEYS = {
    "error_budget_policy_step_name": "name",
    "measurement_window_seconds": "window",
    "alerting_burn_rate_threshold": "burn_rate_threshold",
    "urgent_notification": "alert",
    "overburned_consequence_message": "message_alert",
    "achieved_consequence_message": "message_ok",
}


@dataclass
class _Policy:
    name: str
    doc: SourceDocument
    path: tuple[Any, ...]
    steps: list[tuple[tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)


class _Importer:
    def __init__(self, kind: str | None, effective: date, existing: dict[str, set[str]] | None,
                 policy: str | None, window: str | None) -> None:
        self.kind = kind or "SLA"
        self.effective = effective
        self.result = ImportResult()
        self.planner = Planner(self.result, existing)
        self.policy_name = policy
        self.window_option = window
        self.policies: dict[str, _Policy] = {}
        self.slos: list[SourceDocument] = []

    def note(self, doc: SourceDocument, rule: str, severity: Severity, message: str, *path: Any,
             hint: str | None = None) -> None:
        self.result.findings.append(doc.finding(rule, severity, message, *path, hint=hint))

    def read(self, files: list[tuple[Path, str]]) -> None:
        v1_steps: list[SourceDocument] = []
        for path, display in files:
            docs, findings = read_source_documents(path, display)
            self.result.findings.extend(findings)
            for doc in docs:
                raw = doc.raw
                if not isinstance(raw, dict):
                    self.note(doc, INVALID, Severity.ERROR, "expected a mapping: a ServiceLevelObjective or an "
                              "error-budget policy with steps")
                elif raw.get("kind") == KIND or "apiVersion" in raw:
                    self._slo_envelope(doc)
                elif "error_budget_policies" in raw:
                    self._policies(doc)
                elif "steps" in raw:
                    self._policy(doc, str(doc.get("name") or Path(display).stem), ())
                elif "error_budget_policy_step_name" in raw:
                    v1_steps.append(doc)
                elif "slo_name" in raw and "backend" in raw:
                    self.note(doc, UNSUPPORTED, Severity.ERROR, "this is an slo-generator v1 config; slactl imports "
                              f"apiVersion {API_VERSION}", hint="convert it first with `slo-generator migrate`")
                else:
                    self.note(doc, INVALID, Severity.ERROR, "not a ServiceLevelObjective or an error-budget policy",
                              hint=f"an SLO config has apiVersion {API_VERSION} and kind {KIND}; a policy has steps")
        if v1_steps:
            policy = _Policy("default", v1_steps[0], ())
            for doc in v1_steps:
                policy.steps.append(((), {_V1_STEP_KEYS.get(str(k), str(k)): v for k, v in doc.raw.items()}))
                policy.doc = doc
            self._add_policy(policy)

    def _slo_envelope(self, doc: SourceDocument) -> None:
        api, kind = doc.get("apiVersion"), doc.get("kind")
        if api != API_VERSION:
            self.note(doc, INVALID, Severity.ERROR, f"apiVersion is {api!r}; slactl imports {API_VERSION}",
                      *(("apiVersion",) if api is not None else ()),
                      hint="OpenSLO files go to `slactl import openslo`; v1 configs need `slo-generator migrate`")
            return
        if kind != KIND:
            self.note(doc, UNSUPPORTED, Severity.WARNING, f"kind {kind!r} is not imported; only {KIND} is",
                      *(("kind",) if kind is not None else ()))
            return
        self.slos.append(doc)

    def _policies(self, doc: SourceDocument) -> None:
        policies = doc.get("error_budget_policies")
        if not isinstance(policies, dict):
            self.note(doc, INVALID, Severity.ERROR, "error_budget_policies must map policy names to {steps: [...]}",
                      "error_budget_policies")
            return
        for name in policies:
            self._policy(doc, str(name), ("error_budget_policies", name))
        for key in doc.raw:
            if key in ("backends", "exporters"):
                self.note(doc, UNSUPPORTED, Severity.INFO, f"{key} of the shared config are not imported: slactl "
                          "reads exported files and reports itself", key)

    def _policy(self, doc: SourceDocument, name: str, path: tuple[Any, ...]) -> None:
        steps = doc.get(*path, "steps")
        if not isinstance(steps, list) or not steps:
            self.note(doc, INVALID, Severity.ERROR, f"error-budget policy '{name}' has no steps", *path,
                      hint="list steps with name, window (seconds), burn_rate_threshold and alert")
            return
        policy = _Policy(name, doc, path)
        for index, step in enumerate(steps):
            policy.steps.append(((*path, "steps", index), step))
        self._add_policy(policy)

    def _add_policy(self, policy: _Policy) -> None:
        if policy.name in self.policies:
            self.note(policy.doc, INVALID, Severity.ERROR, f"error-budget policy '{policy.name}' is given twice",
                      *policy.path)
            return
        self.policies[policy.name] = policy

    def chosen_policy(self) -> _Policy | None:
        if not self.policies:
            return None
        if self.policy_name is not None:
            found = self.policies.get(self.policy_name)
            if found is None:
                first = next(iter(self.policies.values()))
                self.note(first.doc, INVALID, Severity.ERROR, f"no error-budget policy named '{self.policy_name}'",
                          *first.path, hint="policies read: " + ", ".join(self.policies))
            return found
        if "default" in self.policies:
            return self.policies["default"]
        first = next(iter(self.policies.values()))
        if len(self.policies) > 1:
            self.note(first.doc, ASSUMED, Severity.WARNING, f"several error-budget policies; '{first.name}' is used",
                      *first.path, hint="choose one with --policy NAME")
        return first

    def tiers(self, policy: _Policy) -> tuple[list[dict[str, Any]], float]:
        """Alert tiers of a policy and its longest step window (seconds)."""
        tiers: list[dict[str, Any]] = []
        longest = 0.0
        messages = False
        for path, step in policy.steps:
            if not isinstance(step, dict):
                self.note(policy.doc, INVALID, Severity.ERROR, "a policy step must be a mapping", *path)
                continue
            label = step.get("name", f"step {path[-1] if path else ''}")
            window = as_number(step.get("window"))
            factor = as_number(step.get("burn_rate_threshold"))
            if window is None or window <= 0:
                self.note(policy.doc, INVALID, Severity.ERROR, f"step '{label}': window must be a number of "
                          "seconds above 0", *path, *(("window",) if "window" in step else ()))
                continue
            if factor is None or factor <= 0:
                self.note(policy.doc, INVALID, Severity.ERROR, f"step '{label}': burn_rate_threshold must be a "
                          "number above 0", *path, *(("burn_rate_threshold",) if "burn_rate_threshold" in step
                                                       else ()))
                continue
            alert = step.get("alert", False)
            if not isinstance(alert, bool):
                self.note(policy.doc, INVALID, Severity.ERROR, f"step '{label}': alert must be true or false",
                          *path, "alert")
                continue
            longest = max(longest, window)
            tiers.append(alert_tier(window, short_window(window), factor, "page" if alert else "ticket"))
            messages = messages or bool(step.get("message_alert") or step.get("message_ok"))
        if messages:
            self.note(policy.doc, UNSUPPORTED, Severity.INFO, "the steps' message_alert and message_ok texts are not "
                      "imported; slactl's notifications name the tier and the burn rate", *policy.path)
        return tiers, longest

    def window(self, longest: float, doc: SourceDocument) -> str:
        if self.window_option:
            return self.window_option
        if longest == 28 * DAY:
            return "rolling_28d"
        if longest == 30 * DAY:
            return "rolling_30d"
        self.note(doc, ASSUMED, Severity.INFO, "slo-generator has no SLO window; rolling_28d is used"
                  + (f" (the longest policy step is {format_duration(longest)})" if longest else ""),
                  hint="choose another with --window")
        return "rolling_28d"

    def slo(self, doc: SourceDocument, alerts: list[dict[str, Any]] | None, longest: float) -> None:
        name = doc.get("metadata", "name")
        if not isinstance(name, str) or not name.strip():
            self.note(doc, INVALID, Severity.ERROR, "ServiceLevelObjective has no metadata.name",
                      *(("metadata",) if "metadata" in doc.raw else ()))
            return
        spec = doc.get("spec")
        if not isinstance(spec, dict):
            self.note(doc, INVALID, Severity.ERROR, f"ServiceLevelObjective '{name}' has no spec mapping")
            return
        labels = plain_labels(doc.get("metadata", "labels"))
        method = spec.get("method")
        indicator = METHODS.get(str(method))
        if indicator is None:
            self.note(doc, UNSUPPORTED if method else INVALID, Severity.ERROR,
                      f"method {method!r} is not imported; slactl reads " + ", ".join(METHODS),
                      *(("spec", "method") if "method" in spec else ("spec",)))
            return
        goal = as_number(spec.get("goal"))
        if goal is None or not 0 <= goal <= 1:
            self.note(doc, INVALID, Severity.ERROR, f"goal {spec.get('goal')!r} must be a ratio from 0 to 1 "
                      "(0.999 = 99.9%)", *(("spec", "goal") if "goal" in spec else ("spec",)))
            return
        sli = spec.get("service_level_indicator")
        if not isinstance(sli, dict):
            self.note(doc, INVALID, Severity.ERROR, "spec.service_level_indicator must be a mapping",
                      *(("spec", "service_level_indicator") if "service_level_indicator" in spec else ("spec",)))
            return
        sli_path = ("spec", "service_level_indicator")
        fields: dict[str, Any] = {}
        if method == "query_sli":
            self.note(doc, ASSUMED, Severity.WARNING, "query_sli returns a ratio; slactl computes success_ratio from "
                      "good and total counts, so export those counts to the data source", "spec", "method")
        if indicator == "latency":
            threshold = self.threshold(doc, method, spec, sli, sli_path)
            if threshold is None:
                return
            fields["threshold"] = format_duration(threshold)
        backend = spec.get("backend")
        source = make_id(str(backend) if isinstance(backend, str) else f"{name}-backend")
        note = doc.finding(ASSUMED, Severity.WARNING, f"backend '{backend}' becomes slactl DataSource '{source}' "
                           f"reading data/{source}/*.csv", *(("spec", "backend") if "backend" in spec else ("spec",)),
                           hint="slactl reads exported files: point `path` at the CSV export of this metric")
        self.planner.source_stub(source, SOURCE_TYPE[indicator], doc.where,
                                 f"slo-generator backend '{backend}'.", note)
        if spec.get("exporters"):
            self.note(doc, UNSUPPORTED, Severity.INFO, "exporters are not imported: slactl writes its own reports",
                      "spec", "exporters")
        window = self.window(longest, doc)
        agreement_id = make_id(name)
        objective_id = make_id(labels.get("slo_name") or labels.get("feature_name") or name)
        fields = {"id": objective_id, "indicator": indicator, "source": source,
                  "target": ratio_to_percent(goal), "window": window, **fields}
        if alerts:
            fields["alerts"] = alerts
        try:
            Objective.model_validate(fields)
        except ValidationError as exc:
            problem = exc.errors(include_url=False)[0]
            self.note(doc, INVALID, Severity.ERROR, f"ServiceLevelObjective '{name}' cannot be converted: "
                      f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}", "spec")
            return
        planned = self.planner.agreement(agreement_id, self.kind, doc.where)
        if planned.objectives:
            self.note(doc, INVALID, Severity.ERROR, f"ServiceLevelObjective '{name}' is given twice", "metadata",
                      "name")
            return
        planned.name = _text(spec.get("description"))
        planned.labels.update(labels)
        planned.add_service(make_id(labels.get("service_name") or name))
        planned.objectives.append(fields)
        planned.description_parts.append(f"slo-generator ServiceLevelObjective '{name}' ({doc.where}), method "
                                         f"{method}, backend {backend}")
        for key, value in sli.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                planned.description_parts.append(f"{key}: {str(value).strip()}")

    def threshold(self, doc: SourceDocument, method: Any, spec: dict[str, Any], sli: dict[str, Any],
                  path: tuple[Any, ...]) -> float | None:
        """Latency threshold in seconds, or None with an error finding."""
        if sli.get("good_below_threshold", True) is not True:
            self.note(doc, UNSUPPORTED, Severity.ERROR, "good_below_threshold: false (good above a threshold) has no "
                      "slactl equivalent", *path, "good_below_threshold")
            return None
        key = "threshold_bucket" if method == "distribution_cut" else "threshold"
        value = as_number(sli.get(key))
        if value is None or value <= 0:
            self.note(doc, INVALID, Severity.ERROR, f"{method} needs a positive {key}", *path,
                      *((key,) if key in sli else ()))
            return None
        if method == "distribution_cut":
            if "prometheus" not in str(spec.get("backend", "")).lower():
                self.note(doc, UNSUPPORTED, Severity.ERROR, f"threshold_bucket {sli.get(key)} is a bucket index of "
                          "the backend's distribution; slactl needs the latency threshold itself", *path, key,
                          hint="write a latency objective with `threshold:` (e.g. 300ms) by hand")
                return None
            self.note(doc, ASSUMED, Severity.INFO, f"threshold_bucket {sli.get(key)} is read as the Prometheus "
                      "bucket bound (le) in seconds", *path, key)
            return value
        self.note(doc, ASSUMED, Severity.INFO, f"threshold {sli.get(key)} is read as milliseconds", *path, key)
        return value / 1000.0


def import_slo_generator(files: list[tuple[Path, str]], *, kind: str | None = None, effective: date | None = None,
                         existing: dict[str, set[str]] | None = None, policy: str | None = None,
                         window: str | None = None) -> ImportResult:
    """Convert slo-generator v2 SLO configs (and error-budget policies among the files) into slactl documents."""
    if window is not None and window not in WINDOWS:
        raise ValueError(f"window must be one of {', '.join(WINDOWS)}")
    importer = _Importer(kind, effective or date.today(), existing, policy, window)
    importer.read(files)
    chosen = importer.chosen_policy()
    alerts: list[dict[str, Any]] | None = None
    longest = 0.0
    if chosen is not None:
        alerts, longest = importer.tiers(chosen)
        alerts = alerts or None
    for doc in importer.slos:
        if chosen is None:
            importer.note(doc, ASSUMED, Severity.INFO, "no error-budget policy among the files: the default "
                          "burn-rate tiers of the window apply", hint="pass error_budget_policy.yaml too")
        importer.slo(doc, alerts, longest)
    importer.planner.finish(importer.effective)
    _drop_invalid(importer.result)
    return importer.result


def _text(value: Any) -> str | None:
    return str(value).strip() if isinstance(value, str) and value.strip() else None

