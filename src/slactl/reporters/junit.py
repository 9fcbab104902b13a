"""Findings as JUnit XML: one test case per file, one failure per finding (for CI test tabs)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from slactl.reporters.base import FindingsReport, Reporter


class JunitReporter(Reporter):
    name = "junit"
    description = "JUnit XML: a test case per file, a failure per finding"

    def render(self, report: FindingsReport, *, color: bool = False) -> str:
        by_file = {file: list(group) for file, group in groupby(sorted(report.findings), key=lambda f: f.file)}
        files = list(dict.fromkeys([*report.files, *by_file]))
        suite_name = f"slactl {report.command}"
        failures = len(report.findings)
        root = ET.Element("testsuites", name=suite_name, tests=str(len(files)), failures=str(failures), errors="0")
        suite = ET.SubElement(root, "testsuite", name=suite_name, tests=str(len(files)), failures=str(failures),
                              errors="0", skipped="0")
        for file in files:
            path = report.path(file)
            case = ET.SubElement(suite, "testcase", classname=f"slactl.{report.command}", name=path, file=path)
            for f in by_file.get(file, []):
                failure = ET.SubElement(case, "failure", type=f.rule,
                                        message=f"{path}:{f.line}:{f.column}: {f.severity.value}: {f.message}")
                failure.text = (f"{f.severity.value} {f.rule} at {path}:{f.line}:{f.column}\n{f.message}"
                                + (f"\nhint: {f.hint}" if f.hint else ""))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
