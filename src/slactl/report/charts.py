"""Inline SVG charts for the service review: attainment trend, error-budget burn-down, ticket-time histogram.

Pure functions returning SVG text. Every piece of text is escaped here, so the result can be
embedded in HTML as is. Each chart has role="img", a <title> and a <desc> that says in words
what the picture shows, and marks statuses with shapes and words as well as colour.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from html import escape

from slactl.display import fmt_percent

COLOURS = {
    "met": "#1a7f37",
    "at_risk": "#9a6700",
    "breached": "#cf222e",
    "insufficient_data": "#6e7781",
    "target": "#0550ae",
    "line": "#24292f",
    "grid": "#d0d7de",
    "bar": "#57606a",
}
_SAFE_ID = re.compile(r"[^a-zA-Z0-9_-]+")


def svg_id(*parts: str) -> str:
    """An id usable in SVG/HTML built from free text (ids, objective names)."""
    return "c-" + "-".join(_SAFE_ID.sub("_", p) for p in parts if p)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


def _open(chart_id: str, width: int, height: int, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" id="{escape(chart_id)}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def nice_ticks(low: float, high: float, count: int = 4) -> tuple[float, float, float]:
    """An axis range widened to round steps (1, 2, 5 x 10^k): (low, high, step)."""
    span = high - low if high > low else (abs(high) * 0.001 or 1.0)
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    return (round(math.floor(low / step + 1e-9) * step, 12), round(math.ceil(high / step - 1e-9) * step, 12),
            round(step, 12))


def _tick_text(value: float, step: float, unit: str = "%") -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:.{decimals}f}{unit}"


def _fmt_pct(value: float) -> str:
    return fmt_percent(value)  # truncated like the tables beside the chart


def _marker(status: str, x: float, y: float) -> str:
    """A status marker whose shape carries the meaning too: circle met, triangle at risk, cross breached."""
    colour = COLOURS.get(status, COLOURS["insufficient_data"])
    if status == "breached":
        d = 4.5
        return (f'<path d="M{_num(x - d)} {_num(y - d)}L{_num(x + d)} {_num(y + d)}M{_num(x - d)} {_num(y + d)}'
                f'L{_num(x + d)} {_num(y - d)}" stroke="{colour}" stroke-width="2.5"/>')
    if status == "at_risk":
        return (f'<path d="M{_num(x)} {_num(y - 5)}L{_num(x + 5)} {_num(y + 4)}L{_num(x - 5)} {_num(y + 4)}Z" '
                f'fill="{colour}"/>')
    if status == "met":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{colour}"/>'
    return f'<rect x="{_num(x - 3.5)}" y="{_num(y - 3.5)}" width="7" height="7" fill="none" stroke="{colour}"/>'


def trend_chart(
    points: Sequence[tuple[str, float | None, str]],
    target: float | None,
    *,
    title: str,
    chart_id: str,
    warning: float | None = None,
    width: int = 500,
    height: int = 220,
) -> str:
    """Attainment per period (label, attained, status) as a line against the target line."""
    left, right, top, bottom = 64, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v, _ in points if v is not None]
    marks = values + [t for t in (target, warning) if t is not None]
    low, high = (min(marks), max(marks)) if marks else (0.0, 100.0)
    pad = max((high - low) * 0.15, 0.05)
    low, high, step = nice_ticks(max(0.0, low - pad), min(100.0, high + pad) if high < 100 else 100.0)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    n = max(len(points), 1)

    def x_of(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    described = "; ".join(
        f"{label}: {_fmt_pct(v) if v is not None else 'no data'} ({status.replace('_', ' ')})"
        for label, v, status in points
    )
    desc = f"Attainment per period against target {_fmt_pct(target) if target is not None else 'none'}. {described}."
    out = _open(chart_id, width, height, title, desc, "trend")
    ticks = round((high - low) / step)
    for k in range(ticks + 1):
        v = low + step * k
        y = y_of(v)
        out.append(f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="{COLOURS["grid"]}"/>')
        out.append(f'<text x="{left - 6}" y="{_num(y + 4)}" font-size="11" text-anchor="end">'
                   f'{escape(_tick_text(v, step))}</text>')
    for line_value, name, dash in ((target, "target", "6 4"), (warning, "warning", "2 3")):
        if line_value is None:
            continue
        y = y_of(line_value)
        out.append(f'<line class="{name}-line" x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
                   f'stroke="{COLOURS["target"]}" stroke-width="1.5" stroke-dasharray="{dash}"/>')
        out.append(f'<text x="{width - right}" y="{_num(y - 4)}" font-size="11" text-anchor="end" '
                   f'fill="{COLOURS["target"]}">{name} {escape(_fmt_pct(line_value))}</text>')
    segment: list[str] = []
    for i, (_, value, _) in enumerate(points):
        if value is None:
            if len(segment) > 1:
                out.append(f'<polyline fill="none" stroke="{COLOURS["line"]}" stroke-width="2" points="{" ".join(segment)}"/>')
            segment = []
            continue
        segment.append(f"{_num(x_of(i))},{_num(y_of(value))}")
    if len(segment) > 1:
        out.append(f'<polyline fill="none" stroke="{COLOURS["line"]}" stroke-width="2" points="{" ".join(segment)}"/>')
    for i, (label, value, status) in enumerate(points):
        x = x_of(i)
        if value is not None:
            out.append(_marker(status, x, y_of(value)))
        out.append(f'<text x="{_num(x)}" y="{height - bottom + 16}" font-size="11" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def burndown_chart(
    start: datetime,
    end: datetime,
    budget_total: float,
    spends: Sequence[tuple[datetime, float]],
    *,
    title: str,
    chart_id: str,
    unit: str = "seconds",
    as_of: datetime | None = None,
    width: int = 500,
    height: int = 220,
    zone: tzinfo | None = None,
) -> str:
    """Remaining error budget over the period: starts at the budget, steps down with each spend.

    `spends` are (time, amount consumed at that time); the ideal even burn is drawn dashed.
    """
    left, right, top, bottom = 72, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    total_span = max((end - start).total_seconds(), 1.0)
    spent_total = sum(a for _, a in spends)
    scale, scale_unit = (3600.0, "h") if unit == "seconds" and budget_total >= 3 * 3600 else (
        (60.0, "m") if unit == "seconds" else (1.0, ""))
    low, high, step = nice_ticks(min(0.0, budget_total - spent_total) / scale, max(budget_total, 1e-9) / scale)
    low, high, step = low * scale, high * scale, step * scale

    def x_of(t: datetime) -> float:
        offset = min(max((t - start).total_seconds(), 0.0), total_span)
        return left + plot_w * offset / total_span

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    remaining = budget_total
    path = [f"M{_num(x_of(start))} {_num(y_of(remaining))}"]
    for when, amount in sorted(spends, key=lambda s: s[0]):
        x = x_of(when)
        path.append(f"H{_num(x)}")
        remaining -= amount
        path.append(f"V{_num(y_of(remaining))}")
    stop = min(as_of, end) if as_of is not None else end
    path.append(f"H{_num(x_of(stop))}")
    left_ratio = (remaining / budget_total) if budget_total > 0 else None
    left_text = f"{left_ratio * 100:.1f}% of the budget left" if left_ratio is not None else "no budget (target 100%)"
    desc = (f"Error budget of {_num(budget_total)} {unit} for the period, "
            f"{_num(spent_total)} {unit} consumed in {len(spends)} step(s); {left_text}.")
    out = _open(chart_id, width, height, title, desc, "burndown")
    for k in range(round((high - low) / step) + 1):
        v = low + step * k
        y = y_of(v)
        out.append(f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="{COLOURS["grid"]}"/>')
        out.append(f'<text x="{left - 6}" y="{_num(y + 4)}" font-size="11" text-anchor="end">'
                   f'{escape(_tick_text(v / scale, step / scale, scale_unit))}</text>')
    zero = y_of(0.0)
    out.append(f'<line x1="{left}" y1="{_num(zero)}" x2="{width - right}" y2="{_num(zero)}" '
               f'stroke="{COLOURS["breached"]}" stroke-width="1"/>')
    out.append(f'<line class="ideal-line" x1="{_num(x_of(start))}" y1="{_num(y_of(budget_total))}" '
               f'x2="{_num(x_of(end))}" y2="{_num(zero)}" stroke="{COLOURS["target"]}" stroke-dasharray="6 4"/>')
    colour = COLOURS["met"] if remaining >= 0 else COLOURS["breached"]
    out.append(f'<path class="budget-line" d="{"".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
    # the first and last day of the period, in the agreement's time zone (the end itself is exclusive)
    first_day = start.astimezone(zone) if zone is not None else start
    last_day = (end - timedelta(microseconds=1)).astimezone(zone) if zone is not None else end
    out.append(f'<text x="{left}" y="{height - bottom + 16}" font-size="11">{escape(first_day.strftime("%d %b"))}</text>')
    out.append(f'<text x="{width - right}" y="{height - bottom + 16}" font-size="11" text-anchor="end">'
               f'{escape(last_day.strftime("%d %b"))}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - bottom + 32}" font-size="11" text-anchor="middle">'
               f'{escape(left_text)}</text>')
    out.append("</svg>")
    return "".join(out)


def histogram_chart(
    values: Sequence[float],
    threshold: float,
    *,
    title: str,
    chart_id: str,
    unit_label: str = "hours",
    unit_seconds: float = 3600.0,
    bins: int = 12,
    width: int = 500,
    height: int = 220,
) -> str:
    """Distribution of ticket times (seconds) with the threshold marked; bars past it are the breaches."""
    left, right, top, bottom = 48, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    scaled = [v / unit_seconds for v in values]
    limit = threshold / unit_seconds
    high = max(scaled + [limit * 1.25]) if scaled else limit * 1.25
    high = high if high > 0 else 1.0
    step = high / bins
    counts = [0] * bins
    for v in scaled:
        counts[min(int(v / step), bins - 1) if v >= 0 else 0] += 1
    peak = max(counts + [1])
    within = sum(1 for v in values if v <= threshold)
    desc = (f"{len(values)} tickets; {within} within the threshold of {_num(limit)} {unit_label}, "
            f"{len(values) - within} past it.")
    out = _open(chart_id, width, height, title, desc, "histogram")
    bar_w = plot_w / bins
    for k in range(5):
        c = peak * k / 4
        y = top + plot_h * (1 - c / peak)
        out.append(f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="{COLOURS["grid"]}"/>')
        out.append(f'<text x="{left - 6}" y="{_num(y + 4)}" font-size="11" text-anchor="end">{_num(c)}</text>')
    for i, count in enumerate(counts):
        if not count:
            continue
        h = plot_h * count / peak
        lower = i * step
        past = lower >= limit
        colour = COLOURS["breached"] if past else COLOURS["bar"]
        pattern = ' stroke="#000000" stroke-dasharray="3 2"' if past else ""
        out.append(f'<rect class="bar" x="{_num(left + i * bar_w + 1)}" y="{_num(top + plot_h - h)}" '
                   f'width="{_num(bar_w - 2)}" height="{_num(h)}" fill="{colour}"{pattern}>'
                   f'<title>{escape(f"{_num(lower)}-{_num(lower + step)} {unit_label}: {count}")}</title></rect>')
    x = left + plot_w * limit / high
    out.append(f'<line class="threshold-line" x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{top + plot_h}" '
               f'stroke="{COLOURS["target"]}" stroke-width="2" stroke-dasharray="6 4"/>')
    out.append(f'<text x="{_num(x + 4)}" y="{top + 12}" font-size="11" fill="{COLOURS["target"]}">'
               f'threshold {escape(_num(limit))} {escape(unit_label)}</text>')
    for k in range(0, bins + 1, 3):
        out.append(f'<text x="{_num(left + k * bar_w)}" y="{height - bottom + 16}" font-size="11" '
                   f'text-anchor="middle">{_num(k * step)}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - bottom + 32}" font-size="11" '
               f'text-anchor="middle">{escape(unit_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def sparkline(values: Sequence[float | None], target: float | None, *, label: str, chart_id: str,
              width: int = 96, height: int = 24) -> str:
    """A small inline trend for a table cell; the numbers are in the <title> for screen readers."""
    present = [v for v in values if v is not None]
    text = ", ".join(_fmt_pct(v) if v is not None else "no data" for v in values)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart sparkline" id="{escape(chart_id)}" role="img" '
        f'aria-label="{escape(label)}: {escape(text)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(label)}: {escape(text)}</title>",
    ]
    if present:
        lows = present + ([target] if target is not None else [])
        low, high = min(lows), max(lows)
        if high - low < 1e-9:
            low, high = low - 0.5, high + 0.5
        n = max(len(values) - 1, 1)

        def y_of(v: float) -> float:
            return 2 + (height - 4) * (1 - (v - low) / (high - low))

        if target is not None:
            out.append(f'<line x1="0" y1="{_num(y_of(target))}" x2="{width}" y2="{_num(y_of(target))}" '
                       f'stroke="{COLOURS["target"]}" stroke-dasharray="3 2"/>')
        pts = [f"{_num(2 + (width - 4) * i / n)},{_num(y_of(v))}" for i, v in enumerate(values) if v is not None]
        out.append(f'<polyline fill="none" stroke="{COLOURS["line"]}" stroke-width="1.5" points="{" ".join(pts)}"/>')
    out.append("</svg>")
    return "".join(out)


def percentile_chart(
    percentiles: Sequence[tuple[str, float]],
    threshold: float,
    *,
    title: str,
    chart_id: str,
    unit_label: str = "hours",
    width: int = 500,
    height: int = 150,
) -> str:
    """Percentiles of a time distribution (already in the display unit) as bars against the threshold."""
    left, right, top, bottom = 48, 150, 12, 36  # room on the right for the value labels
    plot_w = width - left - right
    rows = [(name, value) for name, value in percentiles if value is not None and math.isfinite(value)]
    high = max([v for _, v in rows] + [threshold * 1.25, 1e-9])
    bar_h = (height - top - bottom) / max(len(rows), 1)
    described = "; ".join(
        f"{name} {_num(value)} {unit_label} ({'past' if value > threshold else 'within'} the threshold)"
        for name, value in rows)
    desc = f"Threshold {_num(threshold)} {unit_label}. {described or 'no values'}."
    out = _open(chart_id, width, height, title, desc, "percentiles")
    for i, (name, value) in enumerate(rows):
        y = top + i * bar_h
        w = plot_w * value / high
        past = value > threshold
        colour = COLOURS["breached"] if past else COLOURS["bar"]
        pattern = ' stroke="#000000" stroke-dasharray="3 2"' if past else ""
        out.append(f'<text x="{left - 6}" y="{_num(y + bar_h / 2 + 4)}" font-size="11" text-anchor="end">'
                   f'{escape(name)}</text>')
        out.append(f'<rect class="bar" x="{left}" y="{_num(y + 3)}" width="{_num(max(w, 1))}" '
                   f'height="{_num(bar_h - 6)}" fill="{colour}"{pattern}/>')
        out.append(f'<text x="{_num(left + max(w, 1) + 4)}" y="{_num(y + bar_h / 2 + 4)}" font-size="11">'
                   f'{escape(_num(value))} {escape(unit_label)}{" ✖ past" if past else ""}</text>')
    x = left + plot_w * threshold / high
    out.append(f'<line class="threshold-line" x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{height - bottom}" '
               f'stroke="{COLOURS["target"]}" stroke-width="2" stroke-dasharray="6 4"/>')
    out.append(f'<text x="{_num(x)}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
               f'fill="{COLOURS["target"]}">threshold {escape(_num(threshold))} {escape(unit_label)}</text>')
    out.append("</svg>")
    return "".join(out)
