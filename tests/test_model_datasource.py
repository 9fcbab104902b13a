"""DataSource settings that could only fail at ingest (or silently skew figures) are findings at validate."""

from __future__ import annotations

import pytest

from slactl.loader.documents import load_text

BASE = "apiVersion: slactl/v1\nkind: DataSource\nmetadata: {id: p}\nspec:\n  type: probes\n  path: data/*.csv\n"


@pytest.mark.parametrize(("extra", "words"), [
    ("  encoding: klingon\n", "unknown encoding 'klingon'"),
    ("  delimiter: ab\n", "is not a delimiter"),
    ("  interval: 0s\n", "more than 0s and at most 1d"),
    ("  interval: 2d\n", "more than 0s and at most 1d"),
    ("  up_values: []\n", "at least one status value"),
    ("  columns: {service: ts, time: ts}\n", "both read the header 'ts'"),
    ("  formats: {time: '%Q'}\n", "unknown directive(s) %Q"),
    ("  formats: {time: '%H:%M'}\n", "gives no date"),
    ("  formats: {time: '50%'}\n", "lone '%'"),
])
def test_setting_is_a_finding_at_its_line(extra: str, words: str) -> None:
    result = load_text(BASE + extra, "p.yaml")
    assert [(f.rule, f.line) for f in result.findings] == [("schema-value", 7)]
    assert words in result.findings[0].message


@pytest.mark.parametrize("extra", ["  encoding: cp1252\n  delimiter: ';'\n", "  delimiter: \"\\t\"\n",
                                   "  interval: 30s\n", "  formats: {time: '%d/%m/%Y %H:%M'}\n",
                                   "  formats: {time: '%F %T%z'}\n", "  columns: {time: ts, service: check}\n"])
def test_ordinary_settings_pass(extra: str) -> None:
    assert load_text(BASE + extra, "p.yaml").findings == []
