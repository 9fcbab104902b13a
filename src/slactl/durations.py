"""Durations as written in definitions (`250ms`, `30s`, `15m`, `4h`, `2d`) and their canonical text."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_FULL = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$")
DURATION_PATTERN = r"^(\d+(\.\d+)?(ms|s|m|h|d|w))+$"


def parse_duration(text: str) -> float:
    """Seconds in a duration such as `90s`, `1h30m` or `2d` (a day is 24 hours).

    Raises ValueError with a message meant for the user.
    """
    cleaned = str(text).strip().replace(" ", "")
    if not cleaned or not _FULL.match(cleaned):
        raise ValueError(
            f"'{text}' is not a duration; write a number and a unit: 250ms, 30s, 15m, 4h, 2d or 1w"
        )
    return sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(cleaned))


def format_duration(seconds: float) -> str:
    """The shortest exact text for a number of seconds: 3600 -> '1h', 5400 -> '1h30m'."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds == 0:
        return "0s"
    millis = round(seconds * 1000)
    parts = []
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        count, millis = divmod(millis, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
