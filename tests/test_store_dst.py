"""Naive local timestamps across clock changes (SPEC 2.4 rule: fold=0)."""

from __future__ import annotations

import numpy as np

from slactl.store.timeparse import localize


def test_spring_gap_moves_forward_and_plain_times_are_exact() -> None:
    walls = np.array([np.datetime64("2026-03-29T01:30", "ns").astype(np.int64),
                      np.datetime64("2026-07-01T12:00", "ns").astype(np.int64)])
    got = localize(walls, "Europe/London")
    assert got[0] == np.datetime64("2026-03-29T01:30", "ns").astype(np.int64)  # 01:30 GMT = 02:30 BST
    assert got[1] == np.datetime64("2026-07-01T11:00", "ns").astype(np.int64)


def test_a_repeated_autumn_wall_time_means_its_first_occurrence() -> None:
    walls = np.array([np.datetime64("2026-10-25T01:30", "ns").astype(np.int64)] * 2)
    got = localize(walls, "Europe/London")
    assert (got == np.datetime64("2026-10-25T00:30", "ns").astype(np.int64)).all()  # 01:30 BST
