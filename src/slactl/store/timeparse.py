"""Timestamps in data files, vectorised: ISO 8601 offsets win, naive times take the source's zone.

A naive time without a declared zone is reported, never guessed. Wall times that do not exist
(spring forward) move forward by the gap and repeated ones (fall back) mean their first occurrence,
as Python's zoneinfo does with fold=0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from slactl.store.arrays import strings, to_numpy

NAT = np.iinfo(np.int64).min
UTC_NS = pa.timestamp("ns", tz="UTC")
# the times slactl holds: whole years well inside int64 nanoseconds (1677-09-21..2262-04-11), so a
# wall time moved by any zone's offset stays inside too
FIRST_YEAR, LAST_YEAR = 1678, 2261
LOW_NS = int((datetime(FIRST_YEAR, 1, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 10**9
HIGH_NS = int((datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 10**9
# an offset after a time of day: Z, +01, +0100 or +01:00 (a bare date such as 2026-10-01 has none)
OFFSET_PATTERN = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


@dataclass
class ParsedTimes:
    """Nanoseconds since the epoch (UTC; NAT where empty or bad) and masks over the rows."""

    values: np.ndarray  # int64
    present: np.ndarray  # the cell had a value
    bad: np.ndarray  # it had a value that is not a time in the expected format
    naive: np.ndarray  # it is a time without offset and the source declares no timezone
    outside: np.ndarray | None = None  # among `bad`: a time, but outside FIRST_YEAR..LAST_YEAR


def _outside(values: np.ndarray) -> np.ndarray:
    """Where nanoseconds (NAT allowed) fall outside the years slactl holds."""
    return (values != NAT) & ((values < LOW_NS) | (values >= HIGH_NS))


def _within(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`values` with those outside the years slactl holds set to NAT, and where that was."""
    far = _outside(values)
    if far.any():
        values = values.copy()
        values[far] = NAT
    return values, far


def outside_years(text: str, fmt: str | None) -> bool:
    """True when `text` is a real time (ISO 8601, or in `fmt`) whose year slactl cannot hold.

    Only for the few rows already found bad, to word their problem; Python's parsers know no
    nanosecond limit.
    """
    text = text.strip()
    try:
        if fmt:
            stamp = datetime.strptime(text, fmt)
        else:
            stamp = datetime.fromisoformat(text.replace("z", "Z"))
    except (ValueError, OverflowError):
        return False
    return not FIRST_YEAR <= stamp.year <= LAST_YEAR


def _to_ns(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    as_int = pc.cast(array, pa.int64())
    if as_int.null_count:
        as_int = as_int.fill_null(NAT)
    if isinstance(as_int, pa.ChunkedArray):
        if as_int.num_chunks == 0:
            return np.zeros(0, dtype=np.int64)
        # one copy into numpy, chunk by chunk (combine_chunks would copy twice)
        return np.concatenate([np.asarray(to_numpy(c), dtype=np.int64) for c in as_int.chunks])
    return np.asarray(to_numpy(as_int), dtype=np.int64)


def localize(naive_ns: np.ndarray, zone: str) -> np.ndarray:
    """Wall-clock nanoseconds (NAT allowed) in `zone` -> UTC nanoseconds, fold=0 semantics."""
    if zone in ("UTC", "Etc/UTC", "Z"):
        return naive_ns
    valid = naive_ns != NAT
    array = pa.array(naive_ns, type=pa.int64(), mask=None if valid.all() else ~valid).cast(pa.timestamp("ns"))
    try:
        local = pc.assume_timezone(array, timezone=zone, ambiguous="earliest", nonexistent="raise")
        return _to_ns(local)
    except pa.ArrowInvalid:
        pass
    early = _to_ns(pc.assume_timezone(array, timezone=zone, ambiguous="earliest", nonexistent="earliest"))
    late = _to_ns(pc.assume_timezone(array, timezone=zone, ambiguous="earliest", nonexistent="latest"))
    result = late.copy()
    tz = ZoneInfo(zone)
    for index in np.flatnonzero(early != late):  # only the few wall times inside a gap
        wall = datetime(1970, 1, 1) + (np.timedelta64(int(naive_ns[index]), "ns").astype("timedelta64[us]").item())
        moved = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
        result[index] = (int(moved.timestamp()) * 1_000_000 + moved.microsecond) * 1000
    return result


def parse_times(column: pa.ChunkedArray | pa.Array, fmt: str | None, zone: str | None) -> ParsedTimes:
    """Parse a string column; `fmt` is a strptime format, else ISO 8601 (T or space, offset optional)."""
    if isinstance(column, pa.ChunkedArray) and column.num_chunks == 0:
        column = pa.array([], type=pa.string())
    present = np.asarray(to_numpy(pc.is_valid(column)), dtype=bool)
    if pa.types.is_timestamp(column.type):  # already parsed by the CSV reader
        values, far = _within(_to_ns(pc.cast(column, UTC_NS)))
        none = np.zeros(len(present), dtype=bool)
        return ParsedTimes(values, present, far, none, far)
    if fmt:
        return _parse_with_format(column, fmt, zone, present)
    return _parse_iso(column, zone, present)


def _parse_with_format(column: pa.ChunkedArray | pa.Array, fmt: str, zone: str | None,
                       present: np.ndarray) -> ParsedTimes:
    trimmed = pc.utf8_trim_whitespace(column)
    # the wall time as written (or the instant, with %z), before any zone is applied
    parsed, far = _within(_to_ns(pc.strptime(trimmed, format=fmt, unit="ns", error_is_null=True)))
    bad = present & (parsed == NAT)
    impossible = _impossible_dates(trimmed, fmt, present & ~bad)
    if impossible.any():  # strptime rolls 31/09 over to 1 October: such a date is no date
        bad |= impossible
        parsed[impossible] = NAT
    naive = np.zeros(len(present), dtype=bool)
    if "%z" not in fmt:
        if zone is None:
            naive = present & ~bad
            parsed = np.full(len(present), NAT, dtype=np.int64)
        else:
            parsed = localize(parsed, zone)
    return ParsedTimes(parsed, present, bad, naive, far)


# strptime directives as patterns, to find the fields written in a cell (named where they are checked)
_DIRECTIVES = {
    "d": r"(?P<d>\d{1,2})", "m": r"(?P<m>\d{1,2})", "Y": r"(?P<Y>\d{4})", "y": r"(?P<y>\d{2})",
    "H": r"\d{1,2}", "I": r"\d{1,2}", "M": r"\d{1,2}", "S": r"(?P<S>\d{1,2})", "f": r"\d{1,9}",
    "j": r"\d{1,3}", "b": r"(?P<b>[A-Za-z]+)", "B": r"(?P<b>[A-Za-z]+)", "a": r"[A-Za-z]+", "A": r"[A-Za-z]+",
    "p": r"[A-Za-z]+", "z": r"(?:[Zz]|[+-]\d{2}:?\d{2}(?::?\d{2})?)", "Z": r"\S+", "%": "%",
    "T": r"\d{1,2}:\d{1,2}:\d{1,2}", "R": r"\d{1,2}:\d{1,2}", "h": r"(?P<b>[A-Za-z]+)", "C": r"\d{2}",
    "e": r"\s?(?P<d>\d{1,2})",
}


_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_PYTHON_SPELLING = {"%T": "%H:%M:%S", "%R": "%H:%M", "%h": "%b", "%e": "%d", "%F": "%Y-%m-%d", "%D": "%m/%d/%y"}


def _format_pattern(fmt: str) -> str | None:
    """A regular expression for cells in the strptime format `fmt`, or None for a format it cannot follow."""
    parts = ["^"]
    named: set[str] = set()
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%":
            code = fmt[index + 1: index + 2]
            pattern = _DIRECTIVES.get(code)
            if pattern is None:
                return None
            if "?P<" in pattern and code in named:  # a field written twice is checked once
                pattern = _DIRECTIVES["H"]
            named.add(code)
            parts.append(pattern)
            index += 2
        elif char.isspace():
            parts.append(r"\s*")
            index += 1
        else:
            parts.append(re.escape(char))
            index += 1
    parts.append("$")
    return "".join(parts)


def _impossible_dates(text: pa.ChunkedArray | pa.Array, fmt: str, parsed: np.ndarray) -> np.ndarray:
    """Rows strptime parsed whose written date does not exist (31/09, 29/02/2026, second 60).

    Vectorised: the day, month, year and second are read from the text with one pattern and
    checked against the calendar. Only a row the pattern cannot follow and that could hide such a
    date goes to Python's strptime, which rejects what does not exist.
    """
    count = len(parsed)
    impossible = np.zeros(count, dtype=bool)
    if not parsed.any() or ("%d" not in fmt and "%S" not in fmt):
        return impossible
    pattern = _format_pattern(fmt)
    if pattern is None:
        return impossible  # a directive the check cannot follow: Arrow's reading stands
    unsure = parsed.copy()
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks() if text.num_chunks != 1 else text.chunk(0)
    try:
        fields = pc.extract_regex(text, pattern=pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. a field written twice (%d and %e)
        return impossible
    matched = np.asarray(to_numpy(pc.is_valid(fields)), dtype=bool) & parsed
    unsure = parsed & ~matched

    def number(name: str) -> np.ndarray | None:
        if name not in {f.name for f in fields.type}:
            return None
        values = pc.cast(pc.struct_field(fields, name), pa.int32())
        return np.asarray(to_numpy(values.fill_null(0)), dtype=np.int64)

    day, month, second = number("d"), number("m"), number("S")
    if month is None and "b" in {f.name for f in fields.type}:  # a month by name (C locale): 0 if unknown
        names = pc.utf8_lower(pc.utf8_slice_codeunits(pc.struct_field(fields, "b"), 0, 3))
        found = pc.index_in(names, value_set=strings(_MONTH_NAMES))
        month = np.asarray(to_numpy(pc.add(found, 1).fill_null(0)), dtype=np.int64)
        unsure |= matched & (month == 0)
    year = number("Y")
    if year is None and (short := number("y")) is not None:
        year = np.where(short < 69, 2000 + short, 1900 + short)
    if second is not None:
        impossible |= matched & (second > 59)
    if day is not None:
        late = matched & (day > 28)  # only days 29..31 can be past a month's end
        if month is None or year is None:
            unsure |= late  # a month by name, or no year: Python decides
        else:
            leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
            length = np.array([31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
            length = length + ((month == 2) & leap)
            impossible |= late & (day > length)
    python_fmt = fmt
    for alias, spelled in _PYTHON_SPELLING.items():  # glibc shorthands Python's strptime lacks
        python_fmt = python_fmt.replace(alias, spelled)
    for index in np.flatnonzero(unsure):  # the few cells the pattern could not follow
        try:
            datetime.strptime(str(text[int(index)].as_py()).strip(), python_fmt)
        except ValueError as exc:  # only a date that does not exist; not a format Python reads differently
            impossible[index] = "out of range" in str(exc) or "must be in" in str(exc)
    return impossible


_DATE = r"\d{4}-\d{2}-\d{2}"
_CLOCK = r"[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_OFFSET = re.compile(OFFSET_PATTERN)
AWARE_RE = rf"^{_DATE}{_CLOCK}(?:[Zz]|[+-]\d{{2}}:?\d{{2}})$"
NAIVE_RE = rf"^{_DATE}(?:{_CLOCK})?$"


def _parse_iso(column: pa.ChunkedArray | pa.Array, zone: str | None, present: np.ndarray) -> ParsedTimes:
    """ISO 8601 times, chunk by chunk: a chunk all with offsets (or all without) is one Arrow cast;
    a mixed chunk is sorted out with vectorised patterns; only cells matching no pattern (the few
    odd or bad ones) go through pandas' more forgiving parser, in one small batch. Local times are
    converted with the source's zone as they come, so no second full-size array is needed."""
    count = len(present)
    values = np.full(count, NAT, dtype=np.int64)
    aware = np.zeros(count, dtype=bool)
    local = np.zeros(count, dtype=bool)
    outside = np.zeros(count, dtype=bool)  # a time, but not in the years slactl holds

    def put_local(window: slice, wall: np.ndarray, mask: np.ndarray | None = None) -> None:
        wall, far = _within(wall)
        if far.any():
            outside[window] |= far if mask is None else far & mask
        if zone is None:
            return  # reported as naive; no value
        if mask is None:
            values[window] = localize(wall, zone)
        elif mask.any():
            target = values[window]
            target[mask] = localize(wall[mask], zone)

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    position = 0
    for chunk in chunks:
        size = len(chunk)
        window = slice(position, position + size)
        position += size
        valid = np.asarray(to_numpy(pc.is_valid(chunk)), dtype=bool)
        # a failing cast costs as much as a whole one: guess the chunk's shape from its first value
        sample = pc.drop_null(chunk.slice(0, 64))
        first_aware = len(sample) == 0 or _OFFSET.search(str(sample[0].as_py()).strip()) is not None
        done = False
        for attempt in ("aware", "local") if first_aware else ("local", "aware"):
            try:
                if attempt == "aware":
                    values[window] = _to_ns(pc.cast(chunk, UTC_NS))
                    aware[window] = valid
                else:
                    put_local(window, _to_ns(pc.cast(chunk, pa.timestamp("ns"))))
                    local[window] = valid
                done = True
                break
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
        if done:
            continue
        text = pc.utf8_trim_whitespace(chunk)
        is_aware = pc.fill_null(pc.match_substring_regex(text, AWARE_RE), False)
        is_local = pc.fill_null(pc.match_substring_regex(text, NAIVE_RE), False)
        try:
            aware_here = np.asarray(to_numpy(is_aware), dtype=bool)
            local_here = np.asarray(to_numpy(is_local), dtype=bool)
            if aware_here.any():
                values[window] = _to_ns(pc.cast(pc.if_else(is_aware, text, None), UTC_NS))
            if local_here.any():
                put_local(window, _to_ns(pc.cast(pc.if_else(is_local, text, None), pa.timestamp("ns"))), local_here)
            aware[window] = aware_here
            local[window] = local_here
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # a shape that looks right but is no date (month 13): the chunk goes to pandas
    rest = present & ~aware & ~local
    if rest.any():
        rows = np.flatnonzero(rest)
        wall = _parse_rest(column, rows, values, aware)
        wall, far = _within(wall)
        outside[rows[far]] = True
        found = wall != NAT
        local[rows[found]] = True
        if zone is not None and found.any():
            values[rows[found]] = localize(wall[found], zone)
    far = aware & _outside(values)
    if far.any():
        values[far] = NAT
        outside |= far
    aware &= ~outside
    local &= ~outside
    naive = local if zone is None else np.zeros(count, dtype=bool)
    bad = present & ~aware & ~local
    return ParsedTimes(values, present, bad, naive, outside)


def _parse_rest(column: pa.ChunkedArray | pa.Array, rows: np.ndarray, values: np.ndarray,
                aware: np.ndarray) -> np.ndarray:
    """pandas' ISO 8601 parser for the few values the fast patterns did not take.

    Values with an offset are written into `values`/`aware`; the wall times of those without one
    are returned (NAT where not a time), in the order of `rows`.
    """
    import pandas as pd

    taken = column.take(pa.array(rows))
    if isinstance(taken, pa.ChunkedArray):
        taken = taken.combine_chunks()
    text = pd.Series(taken.to_pylist(), dtype=object).str.strip()
    has_offset = text.str.contains(OFFSET_PATTERN, regex=True, na=False).to_numpy(dtype=bool)
    wall = np.full(len(rows), NAT, dtype=np.int64)
    if has_offset.any():
        parsed = _series_ns(pd.to_datetime(text.where(has_offset), format="ISO8601", utc=True, errors="coerce"))
        good = has_offset & (parsed != NAT)
        values[rows[good]] = parsed[good]
        aware[rows[good]] = True
    if (~has_offset).any():
        parsed = _series_ns(pd.to_datetime(text.where(~has_offset), format="ISO8601", errors="coerce"))
        good = ~has_offset & (parsed != NAT)
        wall[good] = parsed[good]
    return wall


def _series_ns(series: object) -> np.ndarray:
    import pandas as pd

    assert isinstance(series, pd.Series)
    values: pd.Series = series
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    stamps = np.asarray(values.to_numpy())
    if stamps.dtype == np.dtype("datetime64[ns]"):
        return np.asarray(stamps.view(np.int64))
    # pandas keeps times beyond int64 nanoseconds (year 9999, year 1) in a coarser unit: those
    # become NAT here (and are reported), never an overflow
    micros = stamps.astype("datetime64[us]").view(np.int64)
    inside = ~np.isnat(stamps) & (micros >= LOW_NS // 1000) & (micros < HIGH_NS // 1000)
    return np.where(inside, micros * 1000, NAT).astype(np.int64)


def ns_to_iso(value: int) -> str:
    """An ISO 8601 UTC text for nanoseconds since the epoch (for manifests and messages)."""
    seconds, nanos = divmod(int(value), 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=nanos // 1000)
    return stamp.isoformat().replace("+00:00", "Z")
