"""Missing data is reported as missing, never counted as a clean period: ROI, recurrence, gaps and
reconciliation on data built with a known answer (including periods with no data at all), and
reconciliation's per-day availability following the engine's rules (impact, open outages,
complete_until)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from improvement_repo import REGISTER, SOURCES, hourly_probes, write_repo
from slactl.cli.main import app
from slactl.improvement.coverage import DataExtents
from slactl.improvement.periods import parse_span
from slactl.improvement.reconcile import measurements, reconcile
from slactl.improvement.recurrence import build_recurrence
from slactl.improvement.roi import describe_periods, roi_report
from slactl.improvement.scoring import score_improvement, score_objective_gap
from slactl.improvement.series import Frames, objective_results
from slactl.improvement.settings import ScoringSettings
from slactl.loader import load_repository

runner = CliRunner()
TODAY = date(2026, 11, 26)
OCT = parse_span("2026-10")

REPORTING_WORK = REGISTER + """\
---
apiVersion: slactl/v1
kind: Improvement
metadata: {id: report-failover}
spec:
  title: Report server failover
  source: breach
  services: [reporting]
  status: implemented
  expected: {objective: reporting-std/availability}
  investment: 1000
  started: 2026-07-01
  implemented: 2026-07-15
"""


def run(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def load(tmp_path: Path):  # noqa: ANN201
    return load_repository(write_repo(tmp_path, register=REPORTING_WORK))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _outages(rows: list[tuple[str, str, str | None, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["service", "start", "end", "impact"])
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return frame


# ---------------------------------------------------------------- ROI


def test_describe_periods() -> None:
    assert describe_periods(["2026-01", "2026-02", "2026-03", "2026-05"]) == "2026-01..2026-03, 2026-05"
    assert describe_periods(["2026-Q1", "2026-Q2"]) == "2026-Q1..2026-Q2"
    assert describe_periods([]) == ""


def test_roi_leaves_out_periods_without_data(load) -> None:  # noqa: ANN001
    # probes only from June: April and May have no data; June is breached (2 of 24 hours down a day)
    down = {d: 2 for d in _days(date(2026, 6, 1), date(2026, 6, 30))}
    reader = Frames({"probes": hourly_probes(date(2026, 6, 1), date(2026, 10, 31), down)})
    report = roi_report(load, reader, "faster-failover", periods=3, today=TODAY)
    item = report.items[0]
    assert item.before.missing == ["2026-04", "2026-05"] and item.after.missing == []
    # one period with data before, so one after: those closest to the work
    assert item.before.periods == ["2026-06"] and item.after.periods == ["2026-08"]
    assert (item.before.breaches, item.after.breaches) == (1, 0)
    assert item.before.credits == pytest.approx(0.25 * 10000) and item.after.credits == 0
    assert item.measurable and item.credits_saved == pytest.approx(2500)
    assert item.roi == pytest.approx((2500 - 8000) / 8000)
    assert "before: 2026-04..2026-05 have no data, left out" in item.notes
    assert any(n.startswith("2026-09..2026-10 not compared") for n in item.notes)
    # no complaint records at all: complaints are unknown, not zero
    assert item.before.complaints is None and item.complaints_avoided is None
    assert report.total_roi == pytest.approx((2500 - 8000) / 8000)


def test_roi_not_measurable_without_data_before(load) -> None:  # noqa: ANN001
    reader = Frames({"probes": hourly_probes(date(2026, 8, 1), date(2026, 10, 31), {})})
    report = roi_report(load, reader, "faster-failover", periods=3, today=TODAY)
    item = report.items[0]
    assert item.before.periods == [] and item.before.missing == ["2026-04", "2026-05", "2026-06"]
    assert item.after.periods == ["2026-08", "2026-09", "2026-10"] and item.after.breaches == 0
    assert not item.measurable
    assert item.roi is None and item.breaches_avoided is None and item.credits_saved is None
    assert "ROI not measurable: no data before the start" in item.notes
    assert report.total_roi is None and report.total_investment == 0 and report.total_credits_saved == 0


def test_roi_outage_source_before_its_first_record(load) -> None:  # noqa: ANN001
    """The engine reads no outage records as "up" once a source has data; before the first record
    nothing is known, so those periods are missing, not clean."""
    outages = _outages([("reporting", "2026-08-10T00:00Z", "2026-08-10T10:00Z", 1.0),
                        ("reporting", "2026-10-01T00:00Z", "2026-10-01T01:00Z", 1.0)])
    reader = Frames({"outages": outages})
    (april,) = objective_results(load, "reporting-std/availability", reader, ["2026-04"])
    assert april.status == "met"  # what the engine alone would say
    item = roi_report(load, reader, "report-failover", periods=3, today=TODAY).items[0]
    assert item.before.missing == ["2026-04", "2026-05", "2026-06"] and not item.measurable
    assert item.after.periods == ["2026-08", "2026-09", "2026-10"]
    assert item.after.breached == ["reporting-std/availability 2026-08"]  # 10h of 744h: 98.66% < 99.5
    # records from 20 May on: May and June are known (June had no outage), April is not
    earlier = pd.concat([_outages([("reporting", "2026-05-20T00:00Z", "2026-05-20T00:30Z", 1.0)]), outages])
    item = roi_report(load, Frames({"outages": earlier}), "report-failover", periods=3, today=TODAY).items[0]
    assert item.before.missing == ["2026-04"]
    assert item.before.periods == ["2026-05", "2026-06"] and item.after.periods == ["2026-08", "2026-09"]
    assert (item.before.breaches, item.after.breaches, item.breaches_avoided) == (0, 1, -1)
    assert item.measurable and item.roi == pytest.approx(-1.0)


def test_data_extents_complete_until(tmp_path: Path) -> None:
    sources = SOURCES.replace("spec: {type: outages, path: data/outages/*.csv, timezone: UTC}",
                              "spec: {type: outages, path: data/outages/*.csv, timezone: UTC, "
                              "complete_until: 2026-12-01}")
    load = load_repository(write_repo(tmp_path, sources=sources))
    outages = _outages([("reporting", "2026-08-10T00:00Z", "2026-08-10T10:00Z", 1.0)])
    extents = DataExtents(load, Frames({"outages": outages}))
    assert extents.covers("outages", date(2026, 11, 1), date(2026, 11, 30))  # declared complete until December
    assert not extents.covers("outages", date(2026, 7, 1), date(2026, 7, 31))
    assert not extents.covers("outages", date(2026, 12, 1), date(2026, 12, 31))
    assert not extents.covers("probes", date(2026, 8, 1), date(2026, 8, 31))  # no records at all


def test_roi_cli_says_no_data(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    lines = ["time,service,status"]
    for day in _days(date(2026, 8, 1), date(2026, 10, 31)):
        lines += [f"{day.isoformat()}T{hour:02d}:00:00Z,payments-api,up" for hour in range(24)]
    (root / "data" / "probes").mkdir(parents=True)
    (root / "data" / "probes" / "p.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("csi", "roi", "faster-failover", "--periods", "3", "--repo", str(root))
    assert result.exit_code == 0, result.output
    assert "  before 2026-04..2026-06: no data" in result.output
    assert "ROI not measurable" in result.output
    assert "0 breach(es), credits 0.00" in result.output  # the after window, which has data
    assert "before 2026-04..2026-06: 0 breach" not in result.output
    data = json.loads(run("csi", "roi", "faster-failover", "--periods", "3", "--repo", str(root),
                          "--format", "json").output)["roi"]
    assert data["items"][0]["roi"] is None and data["items"][0]["measurable"] is False
    assert data["items"][0]["before"]["missing"] == ["2026-04", "2026-05", "2026-06"]


# ---------------------------------------------------------------- recurrence (csi score)


def test_recurrence_without_data_uses_the_register(load) -> None:  # noqa: ANN001
    settings = ScoringSettings()
    recurrence = build_recurrence(load, Frames({}), OCT, 3)
    term = score_improvement(load, "faster-failover", settings, recurrence).terms[1]
    assert term.value == 3  # the register's score.recurrence, not 1 from "no breaches"
    assert term.source == "no data to measure recurrence in 2026-08..2026-10; register score.recurrence used"
    gap = score_objective_gap(load, "g", "t", "reporting-std/availability", settings, recurrence).terms[1]
    assert gap.value == 3 and "no data to measure recurrence" in gap.source and "middle value" in gap.source


def test_recurrence_with_clean_data_still_counts(load) -> None:  # noqa: ANN001
    settings = ScoringSettings()
    reader = Frames({"probes": hourly_probes(date(2026, 8, 1), date(2026, 10, 31), {})})
    term = score_improvement(load, "faster-failover", settings, build_recurrence(load, reader, OCT, 3)).terms[1]
    assert term.value == 1
    assert "register score.recurrence 3 not used: the data shows none" in term.source
    # September and October only: August is named as unmeasured
    reader = Frames({"probes": hourly_probes(date(2026, 9, 1), date(2026, 10, 31), {})})
    term = score_improvement(load, "faster-failover", settings, build_recurrence(load, reader, OCT, 3)).terms[1]
    assert term.value == 1 and "1 period(s) without objective data (2026-08)" in term.source


def test_csi_score_cli_without_data(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    result = run("csi", "score", "--period", "2026-10", "--repo", str(root))
    assert result.exit_code == 0, result.output
    assert "no data to measure recurrence in 2026-05..2026-10; register score.recurrence used" in result.output
    assert "not used: the data shows none" not in result.output


# ---------------------------------------------------------------- gaps


def test_gaps_cli_on_a_period_without_data(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    result = run("gaps", "--period", "2026-10", "--repo", str(root))
    assert result.exit_code == 0, result.output
    assert "2026-10 has no data: none of the" in result.output
    assert "no service gaps" not in result.output
    data = json.loads(run("gaps", "--period", "2026-10", "--repo", str(root), "--format", "json").output)
    assert data["has_data"] is False and data["gaps"] == []
    assert "payments-gold/availability" in data["no_data"] and "reporting-std/availability" in data["no_data"]


# ---------------------------------------------------------------- reconcile


def test_reconcile_follows_the_engine_rules(tmp_path: Path) -> None:
    sources = SOURCES.replace("spec: {type: outages, path: data/outages/*.csv, timezone: UTC}",
                              "spec: {type: outages, path: data/outages/*.csv, timezone: UTC, "
                              "complete_until: 2026-10-04T06:00:00Z}")
    load = load_repository(write_repo(tmp_path, sources=sources))
    probes = hourly_probes(date(2026, 10, 1), date(2026, 10, 4), {})
    outages = _outages([
        ("payments-api", "2026-10-02T00:00Z", "2026-10-02T10:00Z", 0.3),  # partial: 30% of 10 hours
        ("payments-api", "2026-10-03T12:00Z", None, float("nan")),  # still open; no impact: full
    ])
    reader = Frames({"probes": probes, "outages": outages})
    now = datetime(2026, 11, 26, tzinfo=UTC)
    found = measurements(load, reader, OCT.first, OCT.last, now=now)[("payments-api", "outages:outages")]
    assert found == {
        date(2026, 10, 1): (86400.0, 86400.0),
        date(2026, 10, 2): (pytest.approx(86400.0 - 0.3 * 36000), 86400.0),
        date(2026, 10, 3): (43200.0, 86400.0),
        date(2026, 10, 4): (0.0, 21600.0),  # known until complete_until, and down all of it
    }  # later days are unknown, not up
    report = reconcile(load, reader, "2026-10", OCT.first, OCT.last, tolerance=0.5, now=now)
    pairs = {d.day: d.difference for d in report.disagreements if d.day != "2026-10"}
    assert pairs == {"2026-10-02": pytest.approx(100 * 0.3 * 10 / 24), "2026-10-03": pytest.approx(50.0),
                     "2026-10-04": pytest.approx(100.0)}
    assert report.compared == 1


def test_reconcile_open_outage_runs_until_now(load) -> None:  # noqa: ANN001
    outages = _outages([("reporting", "2026-10-05T00:00Z", None, 1.0)])
    now = datetime(2026, 10, 5, 12, tzinfo=UTC)
    found = measurements(load, Frames({"outages": outages}), OCT.first, OCT.last, now=now)
    per_day = found[("reporting", "outages:outages")]
    assert per_day[date(2026, 10, 5)] == (0.0, 43200.0)
    assert per_day[date(2026, 10, 4)] == (86400.0, 86400.0) and date(2026, 10, 6) not in per_day


def test_reconcile_without_data_compares_nothing(load, tmp_path: Path) -> None:  # noqa: ANN001
    report = reconcile(load, Frames({}), "2026-10", OCT.first, OCT.last)
    assert not report.has_data and report.compared == 0 and report.disagreements == []
    # outage records in October only: September has no outage data, so nothing stands for it
    outages = _outages([("payments-api", "2026-10-02T00:00Z", "2026-10-02T01:00Z", 1.0)])
    sep = parse_span("2026-09")
    assert measurements(load, Frames({"outages": outages}), sep.first, sep.last) == {}
    root = write_repo(tmp_path / "repo")
    result = run("reconcile", "--period", "2026-10", "--repo", str(root))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2026-10 has no availability data: nothing to compare"
    data = json.loads(run("reconcile", "--period", "2026-10", "--repo", str(root), "--format", "json").output)
    assert data["reconcile"]["has_data"] is False and data["reconcile"]["compared"] == 0


def test_reconcile_single_source_is_not_agreement(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    (root / "data" / "outages").mkdir(parents=True)
    (root / "data" / "outages" / "o.csv").write_text(
        "service,start,end\nreporting,2026-10-03T00:00:00Z,2026-10-03T10:00:00Z\n", encoding="utf-8")
    result = run("reconcile", "--period", "2026-10", "--repo", str(root))
    assert result.exit_code == 0, result.output
    assert "nothing to compare in 2026-10" in result.output
    assert "sources agree" not in result.output


def test_effect_leaves_out_days_and_periods_before_an_outage_source_s_first_record(load) -> None:  # noqa: ANN001
    """Before the first outage record the engine would say 'up'; as evidence of an effect it is missing."""
    from slactl.improvement.series import daily_values
    from slactl.improvement.statistics import period_values

    outages = _outages([("reporting", "2026-05-20T00:00Z", "2026-05-20T00:30Z", 1.0),
                        ("reporting", "2026-10-01T00:00Z", "2026-10-01T01:00Z", 1.0)])
    reader = Frames({"outages": outages})
    spans = [parse_span(p) for p in ("2026-04", "2026-05", "2026-06")]
    values = dict(period_values(load, "reporting-std/availability", reader, spans))
    assert values["2026-04"] is None and values["2026-05"] is not None and values["2026-06"] == 100.0
    days = daily_values(load, "reporting-std/availability", reader, date(2026, 5, 18), date(2026, 5, 21))
    assert [d.total > 0 for d in days] == [False, False, True, True]
