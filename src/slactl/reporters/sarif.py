"""Findings as SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards."""

from __future__ import annotations

import json
import re
from typing import Any

from slactl import __version__
from slactl.reporters.base import FindingsReport, Reporter

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", rule_id))


def rule_descriptors() -> list[dict[str, Any]]:
    """Every rule slactl knows (registered, loader-reserved, amendment checks) as SARIF reportingDescriptors."""
    from slactl.rules.listing import all_rules

    descriptors = []
    for rule in all_rules():
        help_text = f"{rule.summary}\n\n{rule.doc}" if rule.doc else rule.summary
        descriptors.append({
            "id": rule.id, "name": _name(rule.id),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc.split("\n\n")[0] if rule.doc else rule.summary},
            "help": {"text": help_text, "markdown": help_text},
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"tags": [rule.scope, rule.standard]},
        })
    return descriptors


class SarifReporter(Reporter):
    name = "sarif"
    description = "SARIF 2.1.0 for code scanning (github/codeql-action/upload-sarif)"

    def render(self, report: FindingsReport, *, color: bool = False) -> str:
        rules = rule_descriptors()
        index = {rule["id"]: position for position, rule in enumerate(rules)}
        results = []
        for f in report.findings:
            if f.rule not in index:
                index[f.rule] = len(rules)
                rules.append({"id": f.rule, "name": _name(f.rule), "shortDescription": {"text": f.rule}})
            message = f.message + (f" (hint: {f.hint})" if f.hint else "")
            results.append({
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _LEVEL[f.severity.value],
                "message": {"text": message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": report.path(f.file), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": f.line, "startColumn": f.column},
                }}],
            })
        sarif = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "slactl", "version": __version__, "rules": rules}},
                "automationDetails": {"id": f"slactl/{report.command}/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        }
        return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
