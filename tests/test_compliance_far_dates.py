"""Dates far in the past or future in definitions ("never expires") compute, and absurd durations are findings."""

from __future__ import annotations

import pytest
from tests.compliance_helpers import calendar, compute, outages, service, sla, source

from slactl.loader.documents import load_text

LONDON = calendar("london-24x7", "Europe/London")
OCTOBER = 2_682_000  # 745 h: October 2026 in London (clocks go back on the 25th)


def _one(extra: str):
    docs = [LONDON, service("svc"), source("outages", "outages"),
            sla("gold", "- {id: availability, indicator: availability, source: outages, target: 99.9}",
                extra="calendar: london-24x7\n" + extra)]
    data = {"outages": outages([("svc", "2026-10-14T10:00:00Z", "2026-10-14T10:21:00Z", 1.0)])}
    (result,) = compute(docs, data, "2026-10").results
    return result


def test_an_agreement_that_never_expires_and_began_long_ago_binds_the_whole_period():
    result = _one("expires: 9999-12-31\n")
    assert result.eligible_seconds == OCTOBER and result.bad_seconds == 1260


def test_windows_and_exclusions_reaching_beyond_the_horizon_are_clipped_to_the_period():
    once = "maintenance:\n  - {id: far, every: once, start: 9999-10-18T01:00:00+01:00, duration: 4h}\n"
    assert _one(once).excluded_seconds == 0
    forever = ("exclusions:\n  - {id: all, start: 0001-01-01T00:00:00Z, end: 9999-12-31T00:00:00Z, "
               "reason: test}\n")
    result = _one(forever)
    assert result.excluded_seconds == OCTOBER and result.eligible_seconds == 0


@pytest.mark.parametrize("field", ["duration: 99999999999d", "duration: 367d"])
def test_a_duration_longer_than_a_year_is_a_finding_not_a_crash(field: str):
    text = sla("gold", "- {id: availability, indicator: availability, source: outages, target: 99.9}",
               extra=f"maintenance:\n  - {{id: m, every: week, on: sun, at: '02:00', {field}}}\n")
    result = load_text(text, "gold.yaml")
    assert [(f.rule, f.line) for f in result.findings] == [("schema-value", 11)]
    assert "longer than 366 days" in result.findings[0].message
