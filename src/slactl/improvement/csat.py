"""Customer satisfaction against attainment: Spearman correlation and the watermelon effect.

A watermelon service is green outside (every objective met) and red inside (customers unhappy:
mean score under 3.5, or under 70% of answers scoring 4 or 5; both configurable). The reverse is
a service whose objectives were breached while customers were satisfied: the agreement may be
measuring something customers do not feel.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from slactl.improvement.periods import Span
from slactl.improvement.series import FrameReader, SeriesError, daily_values, period_results
from slactl.improvement.settings import CsatSettings
from slactl.loader.documents import LoadResult


@dataclass
class ServiceCsat:
    service: str
    answers: int
    mean_score: float | None
    share_good: float | None
    satisfaction: str  # poor | good | not judged
    objectives: list[dict[str, Any]]
    all_met: bool | None
    flag: str | None  # watermelon | reverse_watermelon
    reason: str
    correlation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def csat_answers(load: LoadResult, reader: FrameReader, first: date, last: date) -> pd.DataFrame:
    """Every CSAT answer from every csat source within the local days (UTC) first..last."""
    start = datetime.combine(first, time(0), tzinfo=ZoneInfo("UTC"))
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=ZoneInfo("UTC"))
    frames = []
    for doc in load.of_kind("DataSource"):
        if doc.model.spec.type == "csat":
            frame = reader.read(str(doc.id), start, end)
            if not frame.empty:
                frames.append(frame[["time", "service", "score"]])
    if not frames:
        return pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]"), "service": [], "score": []})
    answers = pd.concat(frames, ignore_index=True)
    answers["time"] = pd.to_datetime(answers["time"], utc=True)
    mask = (answers["time"] >= pd.Timestamp(start)) & (answers["time"] < pd.Timestamp(end))
    return answers[mask & answers["score"].notna()]


def judge(scores: pd.Series, settings: CsatSettings) -> tuple[str, float | None, float | None, str]:
    if len(scores) < settings.min_answers:
        return "not judged", _mean(scores), _share(scores), f"{len(scores)} answer(s), fewer than {settings.min_answers}"
    mean, share = float(scores.mean()), 100.0 * float((scores >= 4).mean())
    poor = []
    if mean < settings.min_mean:
        poor.append(f"mean {mean:.2f} < {settings.min_mean:g}")
    if share < settings.min_share:
        poor.append(f"4-5 answers {share:.1f}% < {settings.min_share:g}%")
    if poor:
        return "poor", mean, share, "; ".join(poor)
    return "good", mean, share, f"mean {mean:.2f}, 4-5 answers {share:.1f}%"


def _mean(scores: pd.Series) -> float | None:
    return float(scores.mean()) if len(scores) else None


def _share(scores: pd.Series) -> float | None:
    return 100.0 * float((scores >= 4).mean()) if len(scores) else None


def spearman(x: list[float], y: list[float]) -> dict[str, Any]:
    """Spearman's rank correlation with its sample size and p-value (None when it cannot be computed)."""
    n = len(x)
    if n < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return {"rho": None, "p_value": None, "n": n, "note": "needs at least 3 days with varying values on both sides"}
    from scipy.stats import spearmanr  # scipy is slow to import: only when a correlation is computed

    rho, p = spearmanr(x, y)
    rho, p = float(rho), float(p)
    return {"rho": None if math.isnan(rho) else rho, "p_value": None if math.isnan(p) else p, "n": n}


def service_objectives(load: LoadResult, service: str) -> list[str]:
    refs = []
    for doc in load.of_kind("SLA"):
        spec = doc.model.spec
        for objective in spec.objectives:
            covers = objective.service == service or (objective.service is None and service in spec.services)
            if covers and (objective.indicator is None or objective.indicator.value != "csat"):
                refs.append(f"{doc.id}/{objective.id}")
    return refs


def analyse(load: LoadResult, reader: FrameReader, span: Span, settings: CsatSettings,
            results: list[Any] | None = None) -> list[ServiceCsat]:
    """One row per service with CSAT answers or SLA objectives in the period.

    The compliance engine's ObjectiveResults for the period (`results`, computed when not given)
    decide whether objectives were met, so the flags agree with the compliance report; the day
    series (the same engine, day by day) give the daily attainment the answers are correlated with.
    Objectives of agreements not in force in the period are left out, as the compliance report does.
    """
    if results is None:
        results = period_results(load, reader, span.label)
    by_ref = {f"{r.agreement}/{r.objective}": r for r in results}
    answers = csat_answers(load, reader, span.first, span.last)
    services = sorted(set(answers["service"].astype(str)) | {
        s for d in load.of_kind("SLA") for s in d.model.spec.services
    })
    rows = []
    for service in services:
        scores = answers.loc[answers["service"] == service, "score"].astype(float)
        satisfaction, mean, share, reason = judge(scores, settings)
        objectives, daily_attainment = [], []
        for ref in service_objectives(load, service):
            if ref not in by_ref:
                continue
            days: list[Any] = []
            if not scores.empty:  # the day series only serve the correlation with the answers
                try:
                    days = daily_values(load, ref, reader, span.first, span.last)
                except SeriesError:
                    pass
            found = by_ref[ref]
            met = None if found.status == "insufficient_data" else found.status != "breached"
            objectives.append({"objective": ref, "attained": found.attained, "target": found.target, "met": met})
            daily_attainment.append({d.day: d.attained for d in days})
        judged = [o["met"] for o in objectives if o["met"] is not None]
        all_met = all(judged) if judged else None
        flag = None
        if all_met is True and satisfaction == "poor":
            flag = "watermelon"
        elif all_met is False and satisfaction == "good":
            flag = "reverse_watermelon"
        correlation = _daily_correlation(answers[answers["service"] == service], daily_attainment)
        if not objectives and scores.empty:
            continue
        rows.append(ServiceCsat(service, int(len(scores)), mean, share, satisfaction, objectives, all_met, flag,
                                reason, correlation))
    return rows


def _daily_correlation(answers: pd.DataFrame, daily_attainment: list[dict[date, float | None]]) -> dict[str, Any]:
    """Days with both a CSAT mean and an attainment (mean over the service's objectives) as pairs."""
    if answers.empty or not daily_attainment:
        return spearman([], [])
    by_day = answers.assign(day=answers["time"].dt.date).groupby("day")["score"].mean()
    x, y = [], []
    for day, score in by_day.items():
        values = [v for v in (d.get(day) for d in daily_attainment) if v is not None]
        if values:
            x.append(float(np.mean(values)))
            y.append(float(score))
    return spearman(x, y)


def watermelons(rows: list[ServiceCsat]) -> list[dict[str, Any]]:
    """The watermelon services as gap inputs."""
    out = []
    for row in rows:
        if row.flag == "watermelon":
            attained = [o["attained"] for o in row.objectives if o["attained"] is not None]
            out.append({"service": row.service, "reason": row.reason,
                        "attained": min(attained) if attained else None})
    return out
