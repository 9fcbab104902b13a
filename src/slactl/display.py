"""How figures are shown to people: the same text for the same number in every command and report."""

from __future__ import annotations

import math


def fmt_percent(value: float | None, decimals: int = 3) -> str:
    """Truncated, never rounded up, so a breach never displays as reaching its target."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    factor = 10**decimals
    shown = math.floor(value * factor + 1e-9) / factor
    text = f"{shown:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text}%"
