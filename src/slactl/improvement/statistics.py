"""Baselines and before-and-after effect of an improvement: spread, Mann-Whitney U and a bootstrap interval.

Daily (or per-period) attainment values are not normally distributed (they bunch up near 100 and
have long tails on bad days), so the test is Mann-Whitney U, which compares ranks, and the size of
the change is given with a bootstrap confidence interval (fixed seed, so the same data always gives
the same answer).
"""

from __future__ import annotations

import statistics as stats
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from slactl.improvement.periods import Span, before, containing, shift
from slactl.improvement.series import DayValue, FrameReader, aggregate, daily_values, objective_results
from slactl.improvement.settings import ScoringSettings
from slactl.loader.documents import LoadResult

IMPROVED, NO_CHANGE, WORSE, INSUFFICIENT = "improved", "no significant change", "worse", "insufficient data"


class AnalysisError(Exception):
    """The analysis cannot run; the message says what is missing and the hint how to supply it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Spread:
    """The data's own spread: count, mean, median, sample standard deviation, min and max."""

    n: int
    mean: float | None
    median: float | None
    stdev: float | None
    min: float | None
    max: float | None


def spread(values: list[float]) -> Spread:
    if not values:
        return Spread(0, None, None, None, None, None)
    return Spread(
        n=len(values),
        mean=stats.fmean(values),
        median=stats.median(values),
        stdev=stats.stdev(values) if len(values) > 1 else None,
        min=min(values),
        max=max(values),
    )


@dataclass
class Comparison:
    """Two samples compared: differences, their bootstrap intervals, the rank test and the verdict."""

    mean_difference: float | None
    median_difference: float | None
    ci_mean: tuple[float, float] | None
    ci_median: tuple[float, float] | None
    confidence: float
    u: float | None
    p_value: float | None
    alpha: float
    verdict: str
    notes: list[str] = field(default_factory=list)


def bootstrap_interval(
    before_values: np.ndarray, after_values: np.ndarray, statistic: Any, n_boot: int, alpha: float, seed: int
) -> tuple[float, float]:
    """Percentile interval of statistic(after) - statistic(before), resampling each side independently."""
    rng = np.random.default_rng(seed)
    b = rng.choice(before_values, size=(n_boot, len(before_values)), replace=True)
    a = rng.choice(after_values, size=(n_boot, len(after_values)), replace=True)
    diffs = statistic(a, axis=1) - statistic(b, axis=1)
    low, high = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def compare(
    before_values: list[float], after_values: list[float], alpha: float = 0.05, n_boot: int = 2000, seed: int = 20261
) -> Comparison:
    """Higher is better: `improved` when the after values rank significantly higher (two-sided test)."""
    confidence = 1 - alpha
    if len(before_values) < 3 or len(after_values) < 3:
        return Comparison(None, None, None, None, confidence, None, None, alpha, INSUFFICIENT,
                          ["at least 3 values are needed on each side"])
    b = np.asarray(before_values, dtype=float)
    a = np.asarray(after_values, dtype=float)
    mean_diff = float(a.mean() - b.mean())
    median_diff = float(np.median(a) - np.median(b))
    notes: list[str] = []
    if np.all(b == b[0]) and np.all(a == b[0]):
        u, p = float(len(a) * len(b)) / 2, 1.0
        notes.append("every value is the same before and after")
    else:
        from scipy.stats import mannwhitneyu  # scipy is slow to import: only when a test runs

        test = mannwhitneyu(a, b, alternative="two-sided")
        u, p = float(test.statistic), float(test.pvalue)
    ci_mean = bootstrap_interval(b, a, np.mean, n_boot, alpha, seed)
    ci_median = bootstrap_interval(b, a, np.median, n_boot, alpha, seed)
    if p < alpha and mean_diff > 0 or p < alpha and mean_diff == 0 and median_diff > 0:
        verdict = IMPROVED
    elif p < alpha and (mean_diff < 0 or median_diff < 0):
        verdict = WORSE
    else:
        verdict = NO_CHANGE
    if verdict != NO_CHANGE and ci_mean[0] <= 0 <= ci_mean[1]:
        notes.append("the ranks differ but the interval on the mean difference includes 0: the change is uneven")
    return Comparison(mean_diff, median_diff, ci_mean, ci_median, confidence, u, p, alpha, verdict, notes)


@dataclass
class Window:
    first: date
    last: date
    values: list[dict[str, Any]]
    spread: Spread


def _window(labelled: list[tuple[str, float | None]], first: date, last: date) -> tuple[Window, list[float]]:
    values = [v for _, v in labelled if v is not None]
    rows = [{"interval": label, "attained": value} for label, value in labelled]
    return Window(first, last, rows, spread(values)), values


def _expected(result: LoadResult, improvement_id: str) -> tuple[Any, str]:
    doc = result.get("Improvement", improvement_id)
    if doc is None:
        raise AnalysisError(f"no Improvement with id '{improvement_id}'", "`slactl csi list` shows the register")
    spec = doc.model.spec
    if spec.expected is None:
        raise AnalysisError(
            f"Improvement '{improvement_id}' has no expected.objective to measure",
            f"slactl csi set {improvement_id} expected.objective=AGREEMENT/OBJECTIVE",
        )
    return spec, spec.expected.objective


def period_values(result: LoadResult, ref: str, reader: FrameReader, spans: list[Span]) -> list[tuple[str, float | None]]:
    """Attainment per period, as `slactl compliance --period P` reports it; None for a period without data."""
    from slactl.improvement.coverage import DataExtents, result_has_data
    from slactl.improvement.series import resolve

    found = objective_results(result, ref, reader, [s.label for s in spans])
    extents, tz = DataExtents(result, reader), resolve(result, ref).tz
    return [(span.label, item.attained if result_has_data(extents, item, span.first, span.last, tz) else None)
            for span, item in zip(spans, found, strict=True)]


@dataclass
class Baseline:
    improvement: str
    objective: str
    target: float | None
    registered_baseline: float | None
    periods: list[dict[str, Any]]
    spread: Spread
    overall: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def baseline(result: LoadResult, improvement_id: str, reader: FrameReader, periods: int = 6) -> Baseline:
    """Attainment of the expected objective in the `periods` months before the improvement started."""
    spec, ref = _expected(result, improvement_id)
    start = spec.started or spec.implemented
    if start is None:
        raise AnalysisError(
            f"Improvement '{improvement_id}' has no started date, so there is no 'before'",
            f"slactl csi set {improvement_id} started=YYYY-MM-DD",
        )
    spans = before(containing(start), periods)
    values = period_values(result, ref, reader, spans)
    days = daily_values(result, ref, reader, spans[0].first, spans[-1].last)
    return Baseline(
        improvement=improvement_id,
        objective=ref,
        target=spec.expected.target,
        registered_baseline=spec.expected.baseline,
        periods=[{"period": label, "attained": value} for label, value in values],
        spread=spread([v for _, v in values if v is not None]),
        overall=aggregate(days),
    )


@dataclass
class Effect:
    improvement: str
    objective: str
    granularity: str
    before: Window
    after: Window
    comparison: Comparison
    target: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _daily_pairs(values: list[DayValue]) -> list[tuple[str, float | None]]:
    return [(v.day.isoformat(), v.attained) for v in values]


def effect(
    result: LoadResult,
    improvement_id: str,
    reader: FrameReader,
    settings: ScoringSettings,
    *,
    before_count: int | None = None,
    after_count: int | None = None,
    granularity: str = "day",
    alpha: float | None = None,
    today: date | None = None,
) -> Effect:
    """Attainment before `started` against after `implemented`, by day or by period, with its verdict."""
    spec, ref = _expected(result, improvement_id)
    if spec.started is None or spec.implemented is None:
        raise AnalysisError(
            f"Improvement '{improvement_id}' needs both started and implemented dates for a before-and-after comparison",
            f"slactl csi set {improvement_id} started=YYYY-MM-DD implemented=YYYY-MM-DD",
        )
    if spec.implemented < spec.started:
        raise AnalysisError(f"Improvement '{improvement_id}' was implemented before it started",
                            "correct started or implemented")
    alpha = settings.alpha if alpha is None else alpha
    today = today or date.today()
    if granularity == "period":
        n_before, n_after = before_count or 6, after_count or 3
        start_span = containing(spec.started)
        implemented_span = containing(spec.implemented)
        first_after = implemented_span if implemented_span.first == spec.implemented else shift(implemented_span, 1)
        spans_before = before(start_span, n_before)
        spans_after = [shift(first_after, n) for n in range(n_after)]
        spans_after = [s for s in spans_after if s.last < today]
        labelled_before = period_values(result, ref, reader, spans_before)
        labelled_after = period_values(result, ref, reader, spans_after)
        window_before, values_before = _window(labelled_before, spans_before[0].first, spans_before[-1].last)
        if spans_after:
            window_after, values_after = _window(labelled_after, spans_after[0].first, spans_after[-1].last)
        else:
            window_after, values_after = _window([], first_after.first, first_after.first)
    elif granularity == "day":
        n_before, n_after = before_count or 30, after_count or 30
        b_first, b_last = spec.started - timedelta(days=n_before), spec.started - timedelta(days=1)
        a_first = spec.implemented
        a_last = min(spec.implemented + timedelta(days=n_after - 1), today - timedelta(days=1))
        days_before = daily_values(result, ref, reader, b_first, b_last)
        days_after = daily_values(result, ref, reader, a_first, a_last) if a_last >= a_first else []
        window_before, values_before = _window(_daily_pairs(days_before), b_first, b_last)
        window_after, values_after = _window(_daily_pairs(days_after), a_first, max(a_first, a_last))
    else:
        raise AnalysisError(f"granularity '{granularity}' is not known", "use day or period")
    comparison = compare(values_before, values_after, alpha, settings.bootstrap, settings.seed)
    missing = sum(1 for row in window_before.values + window_after.values if row["attained"] is None)
    if missing:
        comparison.notes.append(f"{missing} interval(s) without data were left out")
    if spec.expected.target is not None and window_after.spread.mean is not None:
        met = window_after.spread.mean >= spec.expected.target
        comparison.notes.append(
            f"expected target {spec.expected.target:g}: after mean {window_after.spread.mean:.4f} "
            + ("reaches it" if met else "does not reach it")
        )
    return Effect(improvement_id, ref, granularity, window_before, window_after, comparison, spec.expected.target)
