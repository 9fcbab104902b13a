"""Property tests: interval-set operations agree with sets of integer points."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from slactl.timeline.intervals import IntervalSet

SPAN = 60

pieces = st.lists(st.tuples(st.integers(0, SPAN), st.integers(0, 12)), max_size=6)


def build(items: list[tuple[int, int]]) -> IntervalSet:
    return IntervalSet.from_arrays([s for s, _ in items], [s + n for s, n in items])


def points(interval_set: IntervalSet) -> set[int]:
    return {p for s, e in zip(interval_set.starts.tolist(), interval_set.ends.tolist(), strict=True)
            for p in range(s, e)}


def normalised(interval_set: IntervalSet) -> bool:
    s, e = interval_set.starts.tolist(), interval_set.ends.tolist()
    return all(a < b for a, b in zip(s, e, strict=True)) and all(e[i] < s[i + 1] for i in range(len(s) - 1))


@settings(max_examples=300, deadline=None)
@given(pieces, pieces)
def test_intersect_and_subtract_match_point_sets(left, right):
    a, b = build(left), build(right)
    for result, expected in ((a.intersect(b), points(a) & points(b)), (b.intersect(a), points(a) & points(b)),
                             (a.subtract(b), points(a) - points(b)), (a.union(b), points(a) | points(b))):
        assert points(result) == expected
        assert normalised(result)


@settings(max_examples=300, deadline=None)
@given(pieces, st.integers(-5, SPAN + 15), st.integers(-5, SPAN + 15))
def test_clip_matches_point_sets(items, start, end):
    a = build(items)
    clipped = a.clip(start, end)
    assert points(clipped) == {p for p in points(a) if start <= p < end}
    assert normalised(clipped)
    assert a.measure_between([start], [end]).tolist() == [len(points(clipped))]
