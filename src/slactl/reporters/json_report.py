"""Findings as one JSON object (SPEC 4.1): findings and summary inside the versioned envelope."""

from __future__ import annotations

import json

from slactl.reporters.base import FindingsReport, Reporter


class JsonReporter(Reporter):
    name = "json"
    description = "one JSON object: findings and summary {files, documents, errors, warnings}"

    def render(self, report: FindingsReport, *, color: bool = False) -> str:
        findings = []
        for finding in report.findings:
            data = finding.to_dict()
            data["file"] = report.path(finding.file)
            findings.append(data)
        payload = report.wrap(command=report.command, findings=findings, summary=report.summary())
        return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"
