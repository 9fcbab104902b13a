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


_CONTROL = {code: f"\\x{code:02x}" for code in [*range(0x00, 0x09), *range(0x0b, 0x20), 0x7f, *range(0x80, 0xa0)]}


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut: no message echoes a huge value."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def terminal_safe(text: object, limit: int | None = None) -> str:
    """Text from files or git for a terminal: control characters (escape sequences that could retitle or
    clear the terminal) shown as `\\x1b`, and cut to `limit` characters with an ellipsis."""
    shown = str(text).translate(_CONTROL)
    return shown if limit is None else shorten(shown, limit)
