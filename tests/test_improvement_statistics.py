"""Baselines and before-and-after effect, on data built with a known answer."""

from __future__ import annotations

import statistics as stats
from datetime import date, timedelta
from pathlib import Path

import pytest

from improvement_repo import hourly_probes, write_repo
from slactl.improvement.series import Frames
from slactl.improvement.settings import ScoringSettings
from slactl.improvement.statistics import (
    IMPROVED,
    INSUFFICIENT,
    NO_CHANGE,
    WORSE,
    AnalysisError,
    baseline,
    compare,
    effect,
    spread,
)
from slactl.loader import load_repository

TODAY = date(2026, 11, 26)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.fixture
def load(tmp_path: Path):  # noqa: ANN201
    return load_repository(write_repo(tmp_path))


def test_spread_known_values() -> None:
    s = spread([1.0, 2.0, 3.0, 4.0, 10.0])
    assert (s.n, s.mean, s.median, s.min, s.max) == (5, 4.0, 3.0, 1.0, 10.0)
    assert s.stdev == pytest.approx(stats.stdev([1, 2, 3, 4, 10]))
    assert spread([]).mean is None and spread([5.0]).stdev is None


def test_compare_separated_samples_exact_p() -> None:
    c = compare([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    assert c.verdict == IMPROVED
    assert c.u == 25
    assert c.p_value == pytest.approx(2 / 252)  # exact: only 2 of C(10,5) orderings are this extreme
    assert c.mean_difference == 5 and c.median_difference == 5
    assert c.ci_mean is not None and 3 <= c.ci_mean[0] <= c.ci_mean[1] <= 7
    assert compare([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).verdict == WORSE


def test_compare_overlapping_is_no_change_and_reproducible() -> None:
    a = [99.1, 99.5, 98.7, 99.9, 99.3, 99.0]
    b = [99.2, 99.4, 98.9, 99.8, 99.1, 99.6]
    first, second = compare(a, b), compare(a, b)
    assert first.verdict == NO_CHANGE
    assert first.ci_mean == second.ci_mean  # fixed seed
    assert first.ci_mean[0] < 0 < first.ci_mean[1]


def test_compare_constant_and_too_few() -> None:
    assert compare([100.0] * 5, [100.0] * 5).verdict == NO_CHANGE
    assert compare([1, 2], [3, 4, 5]).verdict == INSUFFICIENT


def _probes_with(down: dict[date, int]):  # noqa: ANN202
    return Frames({"probes": hourly_probes(date(2026, 1, 1), date(2026, 10, 31), down)})


def test_effect_by_day_detects_improvement(load) -> None:  # noqa: ANN001
    # June: 2 hours down every day (91.667%); from implementation on 2026-07-15: every hour up (100%)
    down = {d: 2 for d in _days(date(2026, 1, 1), date(2026, 7, 14))}
    result = effect(load, "faster-failover", _probes_with(down), ScoringSettings(), today=TODAY)
    assert result.before.first == date(2026, 6, 1) and result.before.last == date(2026, 6, 30)
    assert result.after.first == date(2026, 7, 15) and result.after.last == date(2026, 8, 13)
    assert result.before.spread.n == 30 and result.before.spread.mean == pytest.approx(100 * 22 / 24)
    assert result.after.spread.mean == 100.0
    assert result.comparison.verdict == IMPROVED
    assert result.comparison.mean_difference == pytest.approx(100 * 2 / 24)
    assert any("reaches it" in note for note in result.comparison.notes)


def test_effect_no_change_and_worse(load) -> None:  # noqa: ANN001
    # the same alternating pattern before and after: no significant change
    alternating = {d: (1 if d.day % 2 else 0) for d in _days(date(2026, 1, 1), date(2026, 10, 31))}
    result = effect(load, "faster-failover", _probes_with(alternating), ScoringSettings(), today=TODAY)
    assert result.comparison.verdict == NO_CHANGE
    worse = {d: 3 for d in _days(date(2026, 7, 15), date(2026, 10, 31))}
    assert effect(load, "faster-failover", _probes_with(worse), ScoringSettings(), today=TODAY).comparison.verdict == WORSE


def test_effect_by_period(load) -> None:  # noqa: ANN001
    down = {d: 1 + d.month % 2 for d in _days(date(2026, 1, 1), date(2026, 6, 30))}
    result = effect(load, "faster-failover", _probes_with(down), ScoringSettings(), granularity="period",
                    after_count=3, today=TODAY)
    assert [row["interval"] for row in result.before.values] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert [row["interval"] for row in result.after.values] == ["2026-08", "2026-09", "2026-10"]
    assert result.before.values[0]["attained"] == pytest.approx(100 * 22 / 24)  # January: 2 hours a day
    assert result.comparison.verdict == IMPROVED


def test_effect_by_period_before_any_period_ended(load) -> None:  # noqa: ANN001
    result = effect(load, "faster-failover", _probes_with({}), ScoringSettings(), granularity="period",
                    today=date(2026, 8, 20))
    assert result.after.values == [] and result.comparison.verdict == INSUFFICIENT


def test_baseline_from_six_periods(load) -> None:  # noqa: ANN001
    down = {d: (1 if d.month <= 3 else 0) for d in _days(date(2026, 1, 1), date(2026, 6, 30))}
    result = baseline(load, "faster-failover", _probes_with(down))
    assert [p["period"] for p in result.periods] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    low = 100 * 23 / 24
    assert result.spread.mean == pytest.approx((3 * low + 3 * 100) / 6)
    assert result.spread.median == pytest.approx((low + 100) / 2)
    assert (result.spread.min, result.spread.max) == (pytest.approx(low), 100.0)
    assert result.registered_baseline == 98.5 and result.target == 99.5
    days_low = 31 + 28 + 31
    assert result.overall == pytest.approx(100 * (days_low * 23 + 91 * 24) / ((days_low + 91) * 24))


def test_missing_dates_and_objective(load) -> None:  # noqa: ANN001
    with pytest.raises(AnalysisError, match="no expected.objective"):
        baseline(load, "report-cache", Frames({}))
    with pytest.raises(AnalysisError, match="started and implemented"):
        effect(load, "old-attempt", Frames({}), ScoringSettings())
    with pytest.raises(AnalysisError, match="no Improvement"):
        effect(load, "nope", Frames({}), ScoringSettings())
