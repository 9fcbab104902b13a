"""Naive local timestamps across the autumn change: the repeated hour is read from the file's order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

from slactl.store.timeparse import localize

LONDON = ZoneInfo("Europe/London")


def _walls(instants: list[datetime]) -> np.ndarray:
    """The naive wall-clock nanoseconds an export in local time would show for these instants."""
    epoch = datetime(1970, 1, 1)
    return np.array([int((i.astimezone(LONDON).replace(tzinfo=None) - epoch) / timedelta(microseconds=1)) * 1000
                     for i in instants], dtype=np.int64)


def _utc_ns(instants: list[datetime]) -> np.ndarray:
    return np.array([int(i.timestamp()) * 1_000_000_000 for i in instants], dtype=np.int64)


def _every(minutes: int, start: datetime, end: datetime) -> list[datetime]:
    out, t = [], start
    while t < end:
        out.append(t)
        t += timedelta(minutes=minutes)
    return out


START = datetime(2026, 10, 24, 22, tzinfo=timezone.utc)
END = datetime(2026, 10, 25, 4, tzinfo=timezone.utc)  # 01:00-02:00 local happens twice on 25 Oct


def test_time_sorted_export_with_two_services_keeps_both_occurrences() -> None:
    instants = [t for t in _every(5, START, END) for _ in ("svc-a", "svc-b")]
    assert np.array_equal(localize(_walls(instants), "Europe/London"), _utc_ns(instants))


def test_service_sorted_export_starts_each_block_in_the_first_occurrence() -> None:
    block = _every(5, START, END)
    instants = block + block  # svc-a's rows, then svc-b's
    assert np.array_equal(localize(_walls(instants), "Europe/London"), _utc_ns(instants))


def test_spring_gap_moves_forward_and_plain_times_are_exact() -> None:
    walls = np.array([np.datetime64("2026-03-29T01:30", "ns").astype(np.int64),
                      np.datetime64("2026-07-01T12:00", "ns").astype(np.int64)])
    got = localize(walls, "Europe/London")
    assert got[0] == np.datetime64("2026-03-29T01:30", "ns").astype(np.int64)  # 01:30 GMT = 02:30 BST
    assert got[1] == np.datetime64("2026-07-01T11:00", "ns").astype(np.int64)
