"""Warning and critical alert thresholds from history, with seasonality, and the alerts they would have raised.

- events with latency: the p95 latency of every hour is the measure. Its usual level is the median of
  the same hour of the week (Monday 09:00 against other Mondays 09:00; hour of the day, then one
  flat level, when a bucket has fewer than 3 hours of history); warning and critical add to that
  level a high quantile of how far hours stray from their own level, pooled over all hours.
- probes and outages: daily availability; thresholds are low quantiles of the days, and days of the
  month that run below the warning level on average are named (month-end batch jobs and the like).
- tickets: resolution time per priority; thresholds are high quantiles.
The alert count is how often each threshold would have fired over the same history, beside the
count a single flat threshold would have raised, to show what seasonality saves in alert fatigue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from slactl.compliance.engine import ns_array
from slactl.compliance.tickets import NAT
from slactl.improvement.series import FrameReader
from slactl.loader.documents import LoadResult
from slactl.timeline.intervals import NS, IntervalSet

MIN_BUCKET = 3


class ThresholdError(Exception):
    """The source cannot give thresholds; the message says why."""


@dataclass
class Suggestion:
    source: str
    service: str | None
    metric: str
    unit: str
    direction: str  # higher_is_worse | lower_is_worse
    seasonality: str
    warning: float | dict[str, float]
    critical: float | dict[str, float]
    quantiles: dict[str, float]
    samples: int
    alerts: dict[str, int]
    flat_alerts: dict[str, int]
    explanation: str
    notes: list[str] = field(default_factory=list)
    fired: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def suggest(load: LoadResult, reader: FrameReader, source_id: str, *, service: str | None = None,
            metric: str | None = None, warning_q: float = 0.95, critical_q: float = 0.99) -> list[Suggestion]:
    doc = load.get("DataSource", source_id)
    if doc is None:
        known = ", ".join(sorted(str(d.id) for d in load.of_kind("DataSource"))) or "none"
        raise ThresholdError(f"no DataSource '{source_id}'; known: {known}")
    kind = doc.model.spec.type
    frame = reader.read(source_id)
    if service and not frame.empty and "service" in frame:
        frame = frame[frame["service"] == service]
    if frame.empty:
        raise ThresholdError(f"DataSource '{source_id}' has no data{' for service ' + service if service else ''}; "
                             "run `slactl ingest` first")
    if kind == "events":
        if metric not in (None, "latency_ms"):
            raise ThresholdError(f"events give thresholds for latency_ms, not '{metric}'")
        return [_latency(source_id, service, frame, warning_q, critical_q)]
    if kind in ("probes", "outages"):
        if metric not in (None, "availability"):
            raise ThresholdError(f"{kind} give thresholds for availability, not '{metric}'")
        daily = _daily_availability(frame, kind, doc.model.spec.interval or 60.0)
        return [_availability(source_id, service, daily, 1 - warning_q, 1 - critical_q)]
    if kind == "tickets":
        if metric not in (None, "resolution_time"):
            raise ThresholdError(f"tickets give thresholds for resolution_time, not '{metric}'")
        return _tickets(source_id, service, frame, warning_q, critical_q)
    raise ThresholdError(f"a {kind} source has no metric to set alert thresholds on")


def _latency(source: str, service: str | None, frame: pd.DataFrame, wq: float, cq: float) -> Suggestion:
    data = frame.dropna(subset=["latency_ms"]) if "latency_ms" in frame else frame.iloc[0:0]
    if data.empty:
        raise ThresholdError(f"DataSource '{source}' has no latency_ms values{' for service ' + service if service else ''}"
                             ": thresholds come from request latencies (good/total rows have none)")
    times = pd.to_datetime(data["time"], utc=True)
    hourly = data.assign(hour=times.dt.floor("h")).groupby("hour")["latency_ms"].quantile(0.95)
    hours = hourly.index
    how = np.asarray(hours.day_of_week * 24 + hours.hour)
    hod = np.asarray(hours.hour)
    values = hourly.to_numpy(dtype=float)
    counts_how = pd.Series(how).value_counts()
    counts_hod = pd.Series(hod).value_counts()
    if len(counts_how) and counts_how.min() >= MIN_BUCKET:
        keys, seasonality = how, "hour_of_week"
    elif len(counts_hod) and counts_hod.min() >= MIN_BUCKET:
        keys, seasonality = hod, "hour_of_day"
    else:
        keys, seasonality = np.zeros(len(values), dtype=int), "none"
    # seasonal level (the bucket's median) plus the usual deviation from it, pooled over all hours:
    # a few weeks give each bucket only a handful of values, too few for its own tail quantiles
    level = {int(k): float(np.median(values[keys == k])) for k in np.unique(keys)}
    level_each = np.array([level[int(k)] for k in keys])
    residuals = values - level_each
    w_offset, c_offset = float(np.quantile(residuals, wq)), float(np.quantile(residuals, cq))
    w_each, c_each = level_each + w_offset, level_each + c_offset
    flat_w, flat_c = float(np.quantile(values, wq)), float(np.quantile(values, cq))
    label = _bucket_label(seasonality)
    stamps = [h.isoformat() for h in hours]
    return Suggestion(
        source, service, "latency_ms (hourly p95)", "ms", "higher_is_worse", seasonality,
        {label(k): v + w_offset for k, v in level.items()} if seasonality != "none" else flat_w,
        {label(k): v + c_offset for k, v in level.items()} if seasonality != "none" else flat_c,
        {"warning": wq, "critical": cq}, len(values),
        {"warning": int((values > w_each).sum()), "critical": int((values > c_each).sum())},
        {"warning": int((values > flat_w).sum()), "critical": int((values > flat_c).sum())},
        f"each hour's p95 latency over {len(values)} hours of history; the level of each "
        f"{seasonality.replace('_', ' ')} bucket is its median, warning adds the {wq:g} quantile and critical the "
        f"{cq:g} quantile of all hours' deviations from their bucket's level"
        + ("" if seasonality != "none" else f" (fewer than {MIN_BUCKET} hours per bucket: one flat value)"),
        fired={"critical": [t for t, hit in zip(stamps, values > c_each, strict=True) if hit][:20],
               "flat_critical": [t for t, hit in zip(stamps, values > flat_c, strict=True) if hit][:20]},
    )


def _bucket_label(seasonality: str) -> Any:
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    if seasonality == "hour_of_week":
        return lambda k: f"{days[k // 24]} {k % 24:02d}:00"
    if seasonality == "hour_of_day":
        return lambda k: f"{k:02d}:00"
    return lambda k: "all"


def _daily_availability(frame: pd.DataFrame, kind: str, interval: float) -> pd.Series:
    if kind == "probes":
        times = pd.to_datetime(frame["time"], utc=True)
        day = times.dt.floor("D")
        out = {}
        step = int(round(interval * NS))
        for key, group in frame.assign(day=day).groupby("day"):
            # the day's samples, each covering [t, t + interval): down wins where samples overlap
            t = ns_array(group["time"])
            up = group["up"].astype(bool).to_numpy()
            known = IntervalSet.from_arrays(t, t + step).measure()
            down = IntervalSet.from_arrays(t[~up], t[~up] + step).measure()
            out[key] = 100.0 * (known - down) / known if known else np.nan
        return pd.Series(out, dtype=float).dropna()
    starts = pd.to_datetime(frame["start"], utc=True)
    ends = pd.to_datetime(frame["end"], utc=True)
    first, last = starts.min().floor("D"), ends.max().floor("D")
    if pd.isna(first) or pd.isna(last):
        return pd.Series(dtype=float)
    days = pd.date_range(first, last, freq="D")
    lo = ns_array(pd.Series(days))
    s, e = ns_array(starts), ns_array(ends)
    whole = (s != NAT) & (e != NAT)  # outages still open are left out
    down_ns = IntervalSet.from_arrays(s[whole], e[whole]).measure_between(lo, lo + 86_400 * NS)
    return pd.Series(100.0 * (1 - down_ns / NS / 86400.0), index=days, dtype=float)


def _availability(source: str, service: str | None, daily: pd.Series, wq: float, cq: float) -> Suggestion:
    values = daily.to_numpy(dtype=float)
    warn, crit = float(np.quantile(values, wq)), float(np.quantile(values, cq))
    by_dom = daily.groupby(daily.index.day).mean()
    hot = [f"day {int(d)}: mean {v:.3f}%" for d, v in by_dom.items() if v < warn]
    notes = [f"days of the month below the warning level on average: {', '.join(hot)}"] if hot else []
    alerts = {"warning": int((values < warn).sum()), "critical": int((values < crit).sum())}
    return Suggestion(
        source, service, "availability (daily)", "percent", "lower_is_worse", "day_of_month (reported)",
        warn, crit, {"warning": wq, "critical": cq}, len(values), alerts, dict(alerts),
        f"daily availability over {len(values)} days; warning is the {wq:g} quantile (the worst "
        f"{100 * wq:g}% of days fall below it) and critical the {cq:g} quantile",
        notes,
    )


def _tickets(source: str, service: str | None, frame: pd.DataFrame, wq: float, cq: float) -> list[Suggestion]:
    done = frame.dropna(subset=["resolved_at"])
    hours = (pd.to_datetime(done["resolved_at"], utc=True) - pd.to_datetime(done["opened_at"], utc=True)).dt.total_seconds() / 3600
    out = []
    for priority, group in hours.groupby(done["priority"].astype(str)):
        values = group.to_numpy(dtype=float)
        warn, crit = float(np.quantile(values, wq)), float(np.quantile(values, cq))
        out.append(Suggestion(
            source, service, f"resolution_time priority {priority}", "hours", "higher_is_worse", "none",
            warn, crit, {"warning": wq, "critical": cq}, len(values),
            {"warning": int((values > warn).sum()), "critical": int((values > crit).sum())},
            {"warning": int((values > warn).sum()), "critical": int((values > crit).sum())},
            f"wall-clock resolution times of {len(values)} {priority} tickets; warning at the {wq:g} quantile, "
            f"critical at the {cq:g} quantile",
        ))
    return out
