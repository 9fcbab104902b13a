"""Findings as one JSON object (SPEC 4.1): findings and summary inside the versioned envelope."""

from __future__ import annotations

import json

from slactl.reporters.base import FindingsReport, Reporter


class JsonReporter(Reporter):
    name = "json"
    description = "one JSON object: findings and summary {files, documents, errors, warnings}"

    def render(self, report: FindingsReport, *, color: bool = False) -> str:
        # files stay relative to the repository root (SPEC 4.1); `repository` says where that root is
        # as seen from the working folder ("" when it is the working folder or lies outside it)
        findings = [finding.to_dict() for finding in report.findings]
        payload = report.wrap(command=report.command, repository=report.prefix, findings=findings,
                              summary=report.summary())
        return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"
