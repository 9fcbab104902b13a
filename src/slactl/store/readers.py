"""Reading one data file of a DataSource into normalised columns, vectorised, with its problems.

Every DataSource type has a fixed set of columns (SPEC 2.5). A file is read once with pyarrow
(column types given, time cells as text), times are converted in bulk, bad rows are found with
masks over whole columns, and only the few bad rows are described one by one (by file and line).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from slactl.display import shorten
from slactl.store.arrays import from_numpy, strings, to_numpy
from slactl.store.columns import (
    ENUMS,
    INTERVALS,
    KEEP_OTHER_COLUMNS,
    MAIN_TIME,
    RANGES,
    TYPES,
    SourceSettings,
)
from slactl.store.report import DataProblem
from slactl.store.timeparse import (
    FIRST_YEAR,
    LAST_YEAR,
    NAT,
    UTC_NS,
    ParsedTimes,
    ns_to_iso,
    outside_years,
    parse_times,
)

MAX_DETAILED = 20  # problems described row by row per rule and file; the rest are summed up
SNIFF_BYTES = 1 << 16


def output_schema(source_type: str) -> pa.Schema:
    """The normalised columns of a type, as stored (without `_file`, which the store adds on read)."""
    fields = []
    for column in TYPES[source_type]:
        if source_type == "probes" and column.name == "status":
            fields.append(pa.field("up", pa.bool_()))
        elif column.kind == "time":
            fields.append(pa.field(column.name, UTC_NS))
        elif column.kind == "category":
            fields.append(pa.field(column.name, pa.dictionary(pa.int32(), pa.string())))
        elif column.kind == "number":
            fields.append(pa.field(column.name, pa.float64()))
        elif column.kind == "list":
            fields.append(pa.field(column.name, pa.list_(pa.string())))
        else:
            fields.append(pa.field(column.name, pa.string()))
    fields.append(pa.field("_line", pa.int32()))
    return pa.schema(fields)


@dataclass
class FileResult:
    """A file read into normalised columns: the table of good rows, counts and problems."""

    table: pa.Table | None
    rows_read: int = 0
    skipped: int = 0
    duplicates: int = 0
    problems: list[DataProblem] = field(default_factory=list)
    rejected: bool = False

    @property
    def rows(self) -> int:
        return 0 if self.table is None else self.table.num_rows


class _Problems:
    """Collects problems of one file, describing at most MAX_DETAILED rows per rule."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.items: list[DataProblem] = []
        self.main_sorted = False  # learnt while looking for duplicates; saves the order check a pass

    def add(self, line: int, column: str | None, rule: str, message: str, severity: str = "error",
            hint: str | None = None) -> None:
        self.items.append(DataProblem(self.rel, line, column, rule, message, severity, hint))  # type: ignore[arg-type]

    def rows(self, mask: np.ndarray, lines: _Lines, column: str | None, rule: str, describe: Any,
             severity: str = "error", hint: str | None = None) -> int:
        """Report the rows where `mask` holds; `describe(index)` words one row. Returns how many."""
        positions = np.flatnonzero(mask)
        for index in positions[:MAX_DETAILED]:
            self.add(lines.line(int(index)), column, rule, describe(int(index)), severity, hint)
        rest = len(positions) - MAX_DETAILED
        if rest > 0:
            first = lines.line(int(positions[MAX_DETAILED]))
            self.add(first, column, rule, f"{rest} more row(s) like the above from line {first} on", severity, hint)
        return len(positions)


class _Lines:
    """Row index (0-based, after the header) -> 1-based line in the file."""

    def __init__(self, exact: np.ndarray | None = None) -> None:
        self.exact = exact

    def line(self, index: int) -> int:
        if self.exact is not None and index < len(self.exact):
            return int(self.exact[index])
        return index + 2

    def array(self, count: int) -> np.ndarray:
        if self.exact is not None and len(self.exact) == count:
            return self.exact.astype(np.int64)
        if count + 2 < 2**31:
            return np.arange(2, count + 2, dtype=np.int32)  # half the memory of int64 for big files
        return np.arange(2, count + 2, dtype=np.int64)


def _decode_error(path: Path, encoding: str, rel: str) -> DataProblem | None:
    """The line and column of the first byte that is not valid in `encoding`, if any."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    offset_in_line = 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(1 << 22)
            if not chunk:
                break
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                before = chunk[: exc.start]
                newline_at = before.rfind(b"\n")
                line += before.count(b"\n")
                column = exc.start - newline_at if newline_at >= 0 else offset_in_line + exc.start + 1
                return DataProblem(rel, line, None, "data-encoding",
                                   f"file is not {encoding.removesuffix('-sig')} text "
                                   f"(byte 0x{chunk[exc.start]:02x} at column {column})",
                                   "error", "save the file as UTF-8, or declare its `encoding:` on the DataSource")
            line += chunk.count(b"\n")
            tail = chunk.rfind(b"\n")
            offset_in_line = len(chunk) - tail - 1 if tail >= 0 else offset_in_line + len(chunk)
    return None


def _header(head: bytes, settings: SourceSettings) -> list[str]:
    text = head.decode(_codec(settings.encoding), errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter=settings.delimiter)
    for record in reader:
        if record:
            return [cell.strip() for cell in record]
    return []


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding


def exact_lines(path: Path, settings: SourceSettings, width: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Start line of every well-formed record and (line, cells) of malformed ones, with Python's csv.

    Used only when the fast rule (row i is line i + 2) cannot hold: quoted cells with line breaks,
    blank lines or malformed rows. It reads the file row by row, so it is slow, but rare.
    """
    starts, malformed, _ = _record_lines(path, settings, width)
    return starts, malformed


def _record_lines(path: Path, settings: SourceSettings,
                  width: int) -> tuple[np.ndarray, list[tuple[int, int]], int | None]:
    """What `exact_lines` gives, and the start line of the last record when it spans lines to the end."""
    starts: list[int] = []
    malformed: list[tuple[int, int]] = []
    last_start: int | None = None
    with open(path, encoding=_codec(settings.encoding), newline="", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=settings.delimiter)
        previous = 0
        header_seen = False
        try:
            for record in reader:
                start = previous + 1
                previous = reader.line_num
                last_start = start if previous > start else None
                if not record or (len(record) == 1 and record[0] == ""):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                if len(record) != width:
                    malformed.append((start, len(record)))
                    continue
                starts.append(start)
        except csv.Error:  # a cell past the csv module's size limit: a quote that runs on and on
            last_start = previous + 1
    return np.asarray(starts, dtype=np.int64), malformed, last_start


def _lines_never_closed(path: Path, settings: SourceSettings, start: int) -> int | None:
    """When a quoted cell opened on line `start` is never closed: the non-blank lines it swallowed."""
    def rest(handle: Any) -> Any:
        for _ in range(start - 1):
            handle.readline()
        return handle

    with open(path, encoding=_codec(settings.encoding), newline="", errors="replace") as handle:
        try:
            for _ in csv.reader(rest(handle), delimiter=settings.delimiter, strict=True):
                pass
            return None
        except csv.Error as exc:  # read to the end inside a quote, or a cell beyond any real cell's size
            if "unexpected end of data" not in str(exc) and "field limit" not in str(exc):
                return None
    with open(path, encoding=_codec(settings.encoding), newline="", errors="replace") as handle:
        return sum(1 for line in rest(handle) if line.strip())  # streamed: a large export is never held


def read_file(path: Path, rel: str, settings: SourceSettings, known_services: set[str] | None,
              physical_lines: int | Callable[[], int] | None = None) -> FileResult:
    """Read one data file. Never raises for bad data: problems go into the result.

    `physical_lines` (the file's number of lines, or a function giving it once known) tells
    whether row i is line i + 2; without it that is assumed unless rows were malformed.
    """
    problems = _Problems(rel)
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        problems.add(1, None, "data-unreadable", f"cannot read file: {exc.strerror}", hint="check the file's permissions")
        return FileResult(None, problems=problems.items, rejected=True)
    if b"\x00" in head:
        problems.add(1, None, "data-binary", "file is binary (it holds NUL bytes), not CSV text",
                     hint="export the data as CSV, or narrow the DataSource's `path` glob so it does not match this file")
        return FileResult(None, problems=problems.items, rejected=True)
    if not head.strip():
        problems.add(1, None, "data-empty-file", "file is empty: no header and no rows", "warning",
                     "remove the file or export the data again")
        return FileResult(_empty_table(settings.type), problems=problems.items)
    try:
        head.decode(_codec(settings.encoding)) if len(head) < SNIFF_BYTES else None
    except UnicodeDecodeError:
        problem = _decode_error(path, _codec(settings.encoding), rel)
        if problem is not None:
            return FileResult(None, problems=[problem], rejected=True)
    except LookupError:
        problems.add(1, None, "data-encoding", f"unknown encoding '{settings.encoding}'",
                     hint="declare an encoding Python knows, such as utf-8, cp1252 or latin-1")
        return FileResult(None, problems=problems.items, rejected=True)
    headers = _header(head, settings)
    plan = _plan_columns(settings, headers, problems)
    if plan is None:
        return FileResult(None, problems=problems.items, rejected=True)
    typed = _typed_times(head, settings, headers, plan)
    table, malformed_count = _read_csv(path, settings, headers, plan, problems, typed)
    if table is None and typed and not problems.items:
        # some time cell was not ISO 8601 with an offset after all: read the times as text instead
        table, malformed_count = _read_csv(path, settings, headers, plan, problems, set())
    if table is None:
        return FileResult(None, problems=problems.items, rejected=True)
    lines = _Lines()
    rows = table.num_rows
    if callable(physical_lines):
        physical_lines = physical_lines()
    unclosed = False
    if malformed_count or (physical_lines is not None and physical_lines != rows + 1):
        exact, malformed, last_start = _record_lines(path, settings, len(headers))
        lost = None if last_start is None else _lines_never_closed(path, settings, last_start)
        if last_start is not None and lost is not None:
            # a stray quote swallowed the rest of the file into one cell: one problem, every line counted
            unclosed = True
            if malformed and malformed[-1][0] == last_start:
                malformed.pop()
            elif len(exact) and exact[-1] == last_start and rows:
                exact = exact[:-1]  # read as a row of the right width: it is no row
                table = table.slice(0, rows - 1)
                rows -= 1
                malformed_count += 1
            malformed_count += lost - 1
            problems.add(last_start, None, "data-row-malformed",
                         f"a quoted cell starting here is never closed; the rest of the file ({lost} line(s)) "
                         "could not be read", hint='close the quote (") of this cell, or remove the stray quote')
        if len(exact) == rows:
            lines = _Lines(exact)
        for line, cells in malformed[:MAX_DETAILED]:
            problems.add(line, None, "data-row-malformed",
                         f"row has {cells} cell(s) but the header has {len(headers)}; row skipped",
                         hint="check the delimiter and quoting of this row")
        if len(malformed) > MAX_DETAILED:
            problems.add(malformed[MAX_DETAILED][0], None, "data-row-malformed",
                         f"{len(malformed) - MAX_DETAILED} more malformed row(s) from line "
                         f"{malformed[MAX_DETAILED][0]} on")
    if rows == 0:
        if not malformed_count and not unclosed:
            problems.add(1, None, "data-empty-file", "file has a header but no rows", "warning",
                         "export the data again, or remove the file")
        return FileResult(_empty_table(settings.type), rows_read=malformed_count, problems=problems.items,
                          skipped=malformed_count)
    holder = [table]
    del table  # _normalise frees the raw text columns as soon as they are converted
    result = _normalise(holder, settings, plan, lines, problems, known_services)
    result.rows_read = rows + malformed_count
    result.skipped += malformed_count
    result.problems = problems.items
    return result


def _plan_columns(settings: SourceSettings, headers: list[str], problems: _Problems) -> dict[str, str | None] | None:
    """slactl name -> header in this file (None when an optional column is absent); None if rejected."""
    repeated = sorted(h for h, n in Counter(headers).items() if n > 1)
    if repeated:
        names = ", ".join(f"'{clip(h, HEADER_ECHO_CHARS)}'" for h in repeated)
        problems.add(1, None, "data-duplicate-column", f"header repeats column name(s) {names}; file rejected",
                     hint="export the file with each column name once, or rename the extra column")
        return None
    present = set(headers)
    plan: dict[str, str | None] = {}
    missing: list[str] = []
    for column in TYPES[settings.type]:
        header = settings.header_of(column.name)
        if header in present:
            plan[column.name] = header
        elif column.header:
            missing.append(f"'{header}' (for {column.name})" if header != column.name else f"'{header}'")
        else:
            plan[column.name] = None
    if settings.type == "events" and not missing:
        has_counts = plan.get("good") is not None and plan.get("total") is not None
        if not has_counts and plan.get("latency_ms") is None:
            missing.append("'good' and 'total', or 'latency_ms'")
    if missing:
        found = _headers_excerpt(headers)
        example = next((c.name for c in TYPES[settings.type] if c.header and plan.get(c.name) is None), "time")
        hint = (f"map the file's headers in DataSource '{settings.id}' `columns`, "
                f"e.g. columns: {{{example}: <header in the file>}}")
        if len(headers) == 1 and settings.delimiter != ";" and ";" in headers[0]:
            hint = f"the header looks semicolon-delimited: set delimiter: \";\" on the DataSource '{settings.id}'"
        problems.add(1, None, "data-missing-column",
                     f"missing column(s) {', '.join(missing)} for a {settings.type} source; headers found: {found}",
                     hint=hint)
        return None
    return plan


# Largest magnitude of a number cell: beyond it sums lose whole units (float64 is exact to 2**53) and
# overflow to infinity; no request count, latency in ms, impact or score is that large.
MAX_NUMBER = 1e15
HEADER_ECHO_CHARS = 24  # of one header, in messages
HEADER_ECHO_TOTAL = 80  # of all the headers listed in one message


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters (an ellipsis marks the cut): messages never echo a long line."""
    return shorten(text.replace("\r", " ").replace("\n", " "), limit)


def _headers_excerpt(headers: list[str]) -> str:
    """A short, truncated list of a file's headers for messages.

    A file that is not the export its DataSource expects (or a file that should never have been
    matched) has a "header" that can be any line; only a short part of it is ever shown.
    """
    shown: list[str] = []
    used = 0
    for header in headers:
        part = f"'{clip(header, HEADER_ECHO_CHARS)}'"
        if used + len(part) > HEADER_ECHO_TOTAL:
            break
        shown.append(part)
        used += len(part) + 2
    rest = len(headers) - len(shown)
    if rest:
        shown.append(f"and {rest} more")
    return ", ".join(shown) or "none"


def _typed_times(head: bytes, settings: SourceSettings, headers: list[str], plan: dict[str, str | None]) -> set[str]:
    """Headers of time columns pyarrow can parse itself while reading (the fast path for clean exports).

    Chosen when the source gives no `formats` for the column and every value in the first rows has
    an ISO 8601 offset; pyarrow then parses them in its reader threads and no text is kept.
    """
    import re

    from slactl.store.timeparse import OFFSET_PATTERN

    candidates = {c.name: plan.get(c.name) for c in TYPES[settings.type] if c.kind == "time"}
    candidates = {n: h for n, h in candidates.items()
                  if h is not None and not (settings.formats.get(n) or settings.formats.get(h))
                  and n not in settings.value_map and h not in settings.null_values}
    if not candidates:
        return set()
    text = head.decode(_codec(settings.encoding), errors="replace")
    lines = text.splitlines()[1:-1][:200]  # the last line of the sample may be cut
    if not lines:
        return set()
    offset = re.compile(OFFSET_PATTERN)
    positions = {h: headers.index(h) for h in candidates.values() if h is not None}
    typed = set(positions)
    for record in csv.reader(lines, delimiter=settings.delimiter):
        for header, index in positions.items():
            value = record[index].strip() if index < len(record) else ""
            if value and value not in settings.null_values and not offset.search(value):
                typed.discard(header)
    return typed


def _read_csv(path: Path, settings: SourceSettings, headers: list[str], plan: dict[str, str | None],
              problems: _Problems, typed: set[str] | None = None) -> tuple[pa.Table | None, int]:
    wanted = {h for h in plan.values() if h is not None}
    if settings.type in KEEP_OTHER_COLUMNS:
        wanted |= set(headers)
    types: dict[str, pa.DataType] = {}
    for name in wanted:
        types[name] = pa.string()
    for column in TYPES[settings.type]:
        header = plan.get(column.name)
        if header is not None and column.kind == "category":
            types[header] = pa.dictionary(pa.int32(), pa.string())
    for header in typed or ():
        types[header] = UTC_NS
    malformed: list[int] = []

    def on_invalid(row: Any) -> str:
        malformed.append(1)
        return "skip"

    encoding = _codec(settings.encoding)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8-sig" else encoding,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=settings.delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=[h for h in headers if h in wanted], column_types=types,
                null_values=["", *settings.null_values], strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if typed and "timestamp" in text:
            pa.default_memory_pool().release_unused()
            return None, 0  # the caller reads again with the times as text
        if "UTF8" in text or "utf8" in text.lower():
            problem = _decode_error(path, encoding, problems.rel)
            if problem is not None:
                problems.items.append(problem)
                return None, 0
        problems.add(1, None, "data-unreadable", f"cannot read the file as CSV: {clip(text.splitlines()[0], 120)}",
                     hint=f"check the delimiter ('{settings.delimiter}') and quoting, or declare `delimiter:` on the DataSource")
        return None, 0
    except (OSError, LookupError, ValueError) as exc:
        problems.add(1, None, "data-unreadable", f"cannot read the file: {exc}",
                     hint="check the file, its `encoding:` and `delimiter:`")
        return None, 0
    # the reader's buffers are freed but kept by Arrow's allocator; numpy cannot reuse them, so give
    # them back to the system before converting (a third less peak memory on big files)
    pa.default_memory_pool().release_unused()
    return table, len(malformed)


def _empty_table(source_type: str) -> pa.Table:
    return output_schema(source_type).empty_table()


@dataclass
class _Category:
    """A dictionary-encoded column as numpy codes (-1 for empty) and its distinct values."""

    codes: np.ndarray
    values: list[str]

    def value(self, index: int) -> str | None:
        code = int(self.codes[index])
        return None if code < 0 else self.values[code]

    def to_arrow(self, keep: np.ndarray | None) -> pa.Array:
        codes = self.codes if keep is None else self.codes[keep]
        empty = codes < 0
        return pa.DictionaryArray.from_arrays(from_numpy(codes, pa.int32(), empty),
                                              strings(self.values))


def _category(column: pa.ChunkedArray, mapping: dict[str, str] | None) -> _Category:
    """Codes over one shared list of values, chunk by chunk (each CSV block has its own dictionary)."""
    rows = len(column)
    codes = np.empty(rows, dtype=np.int32)
    values: list[str] = []
    index: dict[str, int] = {}
    position = 0
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        remap = np.empty(len(chunk.dictionary) + 1, dtype=np.int32)
        remap[-1] = -1  # empty cells
        for number, raw in enumerate(chunk.dictionary.to_pylist()):
            value = str(raw).strip()
            if mapping:
                value = mapping.get(value, value)
            if value == "":  # a cell of spaces only is empty
                remap[number] = -1
                continue
            code = index.get(value)
            if code is None:
                code = index[value] = len(values)
                values.append(value)
            remap[number] = code
        indices = chunk.indices
        if indices.null_count:
            indices = indices.fill_null(-1)
        local = np.asarray(to_numpy(indices))
        codes[position:position + len(chunk)] = remap[local]
        position += len(chunk)
    return _Category(codes, values)


def _text(column: pa.ChunkedArray, mapping: dict[str, str] | None) -> pa.Array:
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if mapping:
        import pandas as pd

        series = pd.Series(array.to_pylist(), dtype=object)
        mapped = series.map(lambda v: mapping.get(v.strip(), v) if isinstance(v, str) else v)
        array = pa.array(mapped.tolist(), type=pa.string())
    return array


def _numbers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Float values (NaN where empty or not a number) and a mask of cells that are not numbers."""
    present = np.asarray(to_numpy(pc.is_valid(array)), dtype=bool)
    try:
        values = to_numpy(pc.cast(pc.utf8_trim_whitespace(array), pa.float64()))
        values = np.asarray(values, dtype=np.float64)
        return values, np.zeros(len(present), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        import pandas as pd

        series = pd.to_numeric(pd.Series(array.to_pylist(), dtype=object), errors="coerce")
        values = np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
        return values, present & np.isnan(values)


def _lists(array: pa.Array) -> pa.Array:
    items = [None if v is None else [p.strip() for p in v.split(";") if p.strip()] for v in array.to_pylist()]
    return pa.array(items, type=pa.list_(pa.string()))


def _normalise(holder: list[pa.Table], settings: SourceSettings, plan: dict[str, str | None], lines: _Lines,
               problems: _Problems, known_services: set[str] | None) -> FileResult:
    table = holder.pop()
    rows = table.num_rows
    columns: dict[str, Any] = {}
    times: dict[str, np.ndarray] = {}
    skip = np.zeros(rows, dtype=bool)
    definitions = TYPES[settings.type]

    def cell(name: str, index: int) -> str:
        header = plan.get(name)
        if header is None:
            return ""
        value = table.column(header)[index].as_py()
        return "" if value is None else clip(str(value), 40)

    # times last: each time column's text is dropped as soon as it is parsed (the bulk of a big file)
    ordered = [c for c in definitions if c.kind != "time"] + [c for c in definitions if c.kind == "time"]
    for column in ordered:
        header = plan.get(column.name)
        mapping = settings.value_map.get(column.name)
        if header is None:
            columns[column.name] = None
            continue
        raw = table.column(header)
        if column.kind == "category":
            category = _category(raw, mapping)
            columns[column.name] = category
            missing = category.codes < 0
            del raw
            table = table.drop_columns([header])  # the codes hold everything now
        elif column.kind == "time":
            source = raw
            if mapping:
                source = pa.chunked_array([_text(raw, mapping)])
            fmt = settings.formats.get(column.name) or settings.formats.get(header)
            parsed = parse_times(source, fmt, settings.timezone)
            times[column.name] = parsed.values
            missing = ~parsed.present
            label = f"'{header}'"
            skip |= parsed.bad
            problems.rows(parsed.bad, lines, header, "data-time-unparsable",
                          lambda i, label=label, name=column.name, fmt=fmt, parsed=parsed, source=source: (
                              f"{label} value '{cell(name, i)}' is outside the years {FIRST_YEAR} to {LAST_YEAR} "
                              "slactl can hold; row skipped"
                              if _outside_years(parsed, source, i, fmt) else
                              f"{label} value '{cell(name, i)}' is not a time"
                              + (f" in the format '{fmt}'" if fmt else " (ISO 8601 expected)") + "; row skipped"),
                          hint=(f"fix the value, or give the format in `formats: {{{column.name}: ...}}`"
                                if not fmt else "fix the value or the format in `formats`"))
            skip |= parsed.naive
            problems.rows(parsed.naive, lines, header, "data-time-naive",
                          lambda i, label=label, name=column.name: (
                              f"{label} value '{cell(name, i)}' has no UTC offset and DataSource "
                              f"'{settings.id}' declares no time zone; row skipped"),
                          hint=f"declare `timezone:` on the DataSource '{settings.id}' (for example timezone: UTC), "
                               "or export times with an offset")
            del parsed, source, raw
            table = table.drop_columns([header])
            pa.default_memory_pool().release_unused()
        elif column.kind == "number":
            array = _text(raw, mapping)
            values, bad = _numbers(array)
            columns[column.name] = values
            missing = ~np.asarray(to_numpy(pc.is_valid(array)), dtype=bool)
            skip |= bad
            problems.rows(bad, lines, header, "data-value-invalid",
                          lambda i, name=column.name, header=header: (
                              f"'{header}' value '{cell(name, i)}' is not a number; row skipped"),
                          hint="fix the value, or list it in `null_values` if it means empty")
            with np.errstate(invalid="ignore"):
                huge = ~(np.abs(values) <= MAX_NUMBER)  # NaN, infinite or beyond any real count
            huge &= ~missing & ~skip
            skip |= huge
            problems.rows(huge, lines, header, "data-value-not-finite",
                          lambda i, name=column.name, header=header: (
                              f"'{header}' value '{cell(name, i)}' is not a finite number of at most "
                              f"{MAX_NUMBER:g}; row skipped"),
                          hint="fix the export (nan, inf and overflowing values are not measurements), or "
                               "list the value in `null_values` if it means empty")
        else:
            array = _text(raw, mapping)
            columns[column.name] = _lists(array) if column.kind == "list" else array
            missing = ~np.asarray(to_numpy(pc.is_valid(array)), dtype=bool)
        if column.value:
            missing = missing & ~skip
            skip |= missing
            problems.rows(missing, lines, header, "data-missing-value",
                          lambda i, header=header: f"'{header}' is empty; row skipped",
                          hint="fill in the value; a row without it cannot be used")

    _check_values(settings, plan, columns, times, skip, lines, problems, cell)
    skipped = int(skip.sum())
    keep = ~skip
    out = _assemble(settings, table, plan, columns, times, keep, lines)
    duplicates = _duplicates(out, settings.type, problems, lines)
    if duplicates is not None:
        out = out.filter(from_numpy(~duplicates))
    _check_order(out, settings.type, problems)
    _check_services(out, known_services, problems, settings)
    _check_complete_until(out, settings, problems)
    return FileResult(out, skipped=skipped, duplicates=int(duplicates.sum()) if duplicates is not None else 0)


def _outside_years(parsed: ParsedTimes, source: pa.ChunkedArray, index: int, fmt: str | None) -> bool:
    """Whether bad time cell `index` is a real time slactl cannot hold (rather than no time at all)."""
    if parsed.outside is not None and parsed.outside[index]:
        return True
    value = source[index].as_py()
    return isinstance(value, str) and len(value) <= 64 and outside_years(value, fmt)


def _check_values(settings: SourceSettings, plan: dict[str, str | None], columns: dict[str, Any],
                  times: dict[str, np.ndarray], skip: np.ndarray, lines: _Lines, problems: _Problems,
                  cell: Any) -> None:
    kind = settings.type
    for start, end in INTERVALS.get(kind, []):
        if start not in times or end not in times:
            continue
        a, b = times[start], times[end]
        wrong = (a != NAT) & (b != NAT) & (b < a) & ~skip
        skip |= wrong
        problems.rows(wrong, lines, plan[end], "data-end-before-start",
                      lambda i, s=start, e=end: (f"{e} {ns_to_iso(int(times[e][i]))} is before {s} "
                                                 f"{ns_to_iso(int(times[s][i]))}; row skipped"),
                      hint=f"fix the row: '{plan[end]}' must not be before '{plan[start]}'")
    for (source_type, name), (low, high) in RANGES.items():
        values = columns.get(name)
        if source_type != kind or values is None:
            continue
        wrong = ~np.isnan(values) & ((values < low) | (values > high)) & ~skip
        skip |= wrong
        problems.rows(wrong, lines, plan[name], "data-value-invalid",
                      lambda i, n=name, lo=low, hi=high: f"{n} {cell(n, i)} is outside {lo:g}..{hi:g}; row skipped",
                      hint=f"{name} must be between {low:g} and {high:g}")
    for (source_type, name), allowed in ENUMS.items():
        category = columns.get(name)
        if source_type != kind or category is None:
            continue
        bad_codes = [code for code, value in enumerate(category.values) if value.lower() not in allowed]
        wrong = np.isin(category.codes, bad_codes) & ~skip
        skip |= wrong
        problems.rows(wrong, lines, plan[name], "data-value-invalid",
                      lambda i, n=name, c=category, a=allowed: (
                          f"{n} '{clip(c.value(i), 40)}' is not one of {', '.join(a)}; row skipped"),
                      hint=f"fix the value, or rename it in `value_map: {{{name}: {{...}}}}`")
        lowered = [v.lower() if v.lower() in allowed else v for v in category.values]
        category.values = lowered
    if kind == "events":
        good, total, latency = columns.get("good"), columns.get("total"), columns.get("latency_ms")
        n = len(skip)
        nan = np.full(n, np.nan)
        good = nan if good is None else good
        total = nan if total is None else total
        latency = nan if latency is None else latency
        empty = np.isnan(total) & np.isnan(latency) & ~skip
        skip |= empty
        problems.rows(empty, lines, None, "data-missing-value",
                      lambda i: "row has neither a total count nor a latency; row skipped",
                      hint="fill in 'total' (and 'good') or 'latency_ms'")
        negative = ((good < 0) | (total < 0)) & ~skip
        skip |= negative
        problems.rows(negative, lines, plan.get("total"), "data-value-invalid",
                      lambda i: f"negative count (good {good[i]:g}, total {total[i]:g}); row skipped",
                      hint="counts cannot be negative")
        too_many = (good > total) & ~skip
        skip |= too_many
        problems.rows(too_many, lines, plan.get("good"), "data-value-invalid",
                      lambda i: f"good {good[i]:g} is more than total {total[i]:g}; row skipped",
                      hint="good counts the successful requests among total")
        slow = (latency < 0) & ~skip
        skip |= slow
        problems.rows(slow, lines, plan.get("latency_ms"), "data-negative-duration",
                      lambda i: f"latency_ms {latency[i]:g} is negative; row skipped",
                      hint="a latency cannot be negative")


def _assemble(settings: SourceSettings, table: pa.Table, plan: dict[str, str | None], columns: dict[str, Any],
              times: dict[str, np.ndarray], keep: np.ndarray, lines: _Lines) -> pa.Table:
    schema = output_schema(settings.type)
    arrays: list[pa.Array] = []
    names: list[str] = []
    everything = bool(keep.all())
    keep_arrow = from_numpy(keep)

    def kept(values: np.ndarray) -> np.ndarray:
        return values if everything else values[keep]
    for column in TYPES[settings.type]:
        name = column.name
        value = columns.get(name)
        if settings.type == "probes" and name == "status":
            category = value
            assert category is not None  # status is a required probes column, read above
            wanted = {str(v).strip().lower() for v in settings.up_values}
            up_codes = np.array([v.lower() in wanted for v in category.values] + [False], dtype=np.bool_)
            arrays.append(from_numpy(up_codes[kept(category.codes)]))
            names.append("up")
            continue
        field_type = schema.field(name).type
        if column.kind == "time":
            values = times.get(name)
            if values is None:
                arrays.append(pa.nulls(int(keep.sum()), type=field_type))
            else:
                chosen = kept(values)
                mask = chosen == NAT
                arrays.append(from_numpy(chosen, pa.int64(), mask).cast(field_type))
        elif value is None:
            count = int(keep.sum())
            if settings.type == "outages" and name == "impact":
                arrays.append(from_numpy(np.ones(count)))
            else:
                arrays.append(pa.nulls(count, type=field_type))
        elif column.kind == "category":
            arrays.append(value.to_arrow(None if everything else keep))
        elif column.kind == "number":
            chosen = kept(value)
            if settings.type == "outages" and name == "impact":
                chosen = np.where(np.isnan(chosen), 1.0, chosen)
            arrays.append(from_numpy(np.asarray(chosen, dtype=np.float64)))
        else:
            arrays.append(value if everything else value.filter(keep_arrow))
        names.append(name)
    line_numbers = kept(lines.array(len(keep)))
    wide = len(line_numbers) and int(line_numbers[-1]) >= 2**31 - 1
    arrays.append(from_numpy(line_numbers.astype(np.int64) if wide else line_numbers.astype(np.int32)))
    names.append("_line")
    if settings.type in KEEP_OTHER_COLUMNS:
        used = {h for h in plan.values() if h is not None}
        for header in table.column_names:
            if header in used or header in names or header.startswith("_"):
                continue
            mapping = settings.value_map.get(header)
            arrays.append(_text(table.column(header), mapping).cast(pa.string()).filter(keep_arrow))
            names.append(header)
    return pa.Table.from_arrays(arrays, names=names)


def _codes(array: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, int]:
    """Integer codes (0 for empty) of a column and their upper bound, for duplicate detection."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    kind = array.type
    if pa.types.is_dictionary(kind):
        codes = to_numpy(array.indices.fill_null(-1)).astype(np.int64) + 1
        return codes, len(array.dictionary) + 1
    if pa.types.is_boolean(kind):
        codes = to_numpy(array.cast(pa.int8()).fill_null(-1)).astype(np.int64) + 1
        return codes, 3
    if pa.types.is_timestamp(kind) or pa.types.is_integer(kind):
        values = to_numpy(array.cast(pa.int64()).fill_null(NAT))
        if len(values) and np.all(values[1:] >= values[:-1]):
            codes = np.concatenate([[0], np.cumsum(values[1:] != values[:-1])]).astype(np.int64)
        else:
            import pandas as pd

            codes = pd.factorize(values)[0].astype(np.int64)
        return codes, int(codes.max()) + 1 if len(codes) else 1
    if pa.types.is_list(kind):
        array = pa.array(["\x1f".join(v) if v is not None else None for v in array.to_pylist()], type=pa.string())
    if pa.types.is_floating(kind):
        import pandas as pd

        codes = pd.factorize(to_numpy(array))[0].astype(np.int64) + 1
        return codes, int(codes.max()) + 1 if len(codes) else 1
    encoded = pc.dictionary_encode(array)
    codes = to_numpy(encoded.indices.fill_null(-1)).astype(np.int64) + 1
    return codes, len(encoded.dictionary) + 1


def _numeric_view(column: pa.ChunkedArray) -> np.ndarray | None:
    """Numbers that order a column's values (times, dictionary codes, booleans), or None for text."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.indices
    elif pa.types.is_timestamp(kind):
        array = array.cast(pa.int64())
    elif pa.types.is_boolean(kind):
        array = array.cast(pa.int8())
    elif not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return None
    if array.null_count:
        array = array.fill_null(-1)
    return np.asarray(to_numpy(array))


def _strictly_increasing(table: pa.Table, main: str) -> tuple[bool, bool]:
    """True when every row is greater than the one before, comparing (main time, other columns...).

    The usual export is sorted by time; then this proves there are no two rows alike in one pass
    of cheap comparisons between neighbours, with no hashing and little memory.
    """
    count = table.num_rows
    greater = np.zeros(count - 1, dtype=bool)
    equal = np.ones(count - 1, dtype=bool)
    main_sorted = False
    for name in [main] + [n for n in table.column_names if n not in (main, "_line")]:
        values = _numeric_view(table.column(name))
        if values is None:
            return False, main_sorted
        before, after = values[:-1], values[1:]
        greater |= equal & (after > before)
        equal &= after == before
        del values, before, after
        if name == main:
            main_sorted = bool((greater | equal).all())
        if not equal.any():
            break
    return bool(greater.all()), main_sorted


def _duplicates(table: pa.Table, source_type: str, problems: _Problems, lines: _Lines) -> np.ndarray | None:
    """Rows identical to an earlier row in every column slactl reads (kept once), or None if none."""
    if table.num_rows < 2:
        return None
    main = MAIN_TIME[source_type]
    strict, problems.main_sorted = _strictly_increasing(table, main)
    if strict:
        return None
    rest: np.ndarray | None = None
    for name in table.column_names:
        if name in ("_line", main):
            continue
        codes, bound = _codes(table.column(name))
        if rest is None:
            rest = codes
            continue
        if (int(rest.max()) + 1) * bound >= 2**62:
            import pandas as pd

            rest = pd.factorize(rest)[0].astype(np.int64)
        rest *= bound
        rest += codes
    times = to_numpy(table.column(main).cast(pa.int64()).fill_null(NAT))
    if rest is None:
        rest = np.zeros(len(times), dtype=np.int64)
    # the usual export is sorted by time: two rows alike must then be neighbours within one instant,
    # so "time goes up, or the other columns go up" between neighbours proves there are none
    if bool(np.all(times[1:] >= times[:-1])) and bool(np.all((times[1:] != times[:-1]) | (rest[1:] > rest[:-1]))):
        return None
    # sort by (time, other columns), stable, so rows alike become neighbours with the first one first;
    # sorting needs less memory than hash tables on ten million keys
    order = np.lexsort((rest, times))
    ordered = times[order]
    del times
    same = ordered[1:] == ordered[:-1]
    ordered = rest[order]
    del rest
    same &= ordered[1:] == ordered[:-1]
    del ordered
    duplicated = np.zeros(len(order), dtype=bool)
    duplicated[order[1:][same]] = True
    del order, same
    if not duplicated.any():
        return None
    line_numbers = to_numpy(table.column("_line"))
    positions = np.flatnonzero(duplicated)
    for index in positions[:MAX_DETAILED]:
        problems.add(int(line_numbers[index]), None, "data-duplicate",
                     "row is identical to an earlier row; kept once", "warning",
                     "remove the repeated row from the export (it is counted once either way)")
    if len(positions) > MAX_DETAILED:
        first = int(line_numbers[positions[MAX_DETAILED]])
        problems.add(first, None, "data-duplicate",
                     f"{len(positions) - MAX_DETAILED} more duplicate row(s) from line {first} on; kept once",
                     "warning")
    return duplicated


def _check_order(table: pa.Table, source_type: str, problems: _Problems) -> None:
    """Warn once per file when rows go back in time (per service when there is a service column)."""
    main = MAIN_TIME[source_type]
    if table.num_rows < 2 or problems.main_sorted:
        return
    values = to_numpy(table.column(main).cast(pa.int64()).fill_null(NAT))
    if np.all(values[1:] >= values[:-1]):
        return
    if "service" in table.column_names:
        import pandas as pd

        codes, _ = _codes(table.column("service"))
        frame = pd.DataFrame({"service": codes, "time": values})
        previous = frame.groupby("service", sort=False)["time"].shift(1).to_numpy()
        back = np.flatnonzero(~np.isnan(previous) & (values < previous))
    else:
        back = np.flatnonzero(values[1:] < values[:-1]) + 1
    if len(back) == 0:
        return
    line = int(table.column("_line")[int(back[0])].as_py())
    problems.add(line, None, "data-out-of-order",
                 f"rows are not in time order: line {line} is earlier than the row before it"
                 + (" for the same service" if "service" in table.column_names else "")
                 + f" ({len(back)} such row(s)); rows kept and sorted", "warning",
                 "nothing to fix for the figures; sort the export by time if other tools read it")


def _check_services(table: pa.Table, known: set[str] | None, problems: _Problems, settings: SourceSettings) -> None:
    if known is None or "service" not in table.column_names or table.num_rows == 0:
        return
    column = table.column("service")
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    values = array.dictionary.to_pylist()
    unknown = [(code, value) for code, value in enumerate(values) if value not in known]
    if not unknown:
        return
    indices = to_numpy(array.indices.fill_null(-1))
    line_numbers = to_numpy(table.column("_line"))
    for code, value in unknown[:MAX_DETAILED]:
        where = np.flatnonzero(indices == code)
        if len(where) == 0:
            continue
        shown = clip(str(value), 40)
        problems.add(int(line_numbers[where[0]]), settings.header_of("service"), "data-unknown-service",
                     f"service '{shown}' is not a known Service id ({len(where)} row(s), first here); rows kept",
                     "warning", f"define a Service '{shown}', or rename the value with "
                                "`value_map: {service: {...}}` on the DataSource")


def _check_complete_until(table: pa.Table, settings: SourceSettings, problems: _Problems) -> None:
    if settings.type != "outages" or settings.complete_until_ns is None or table.num_rows == 0:
        return
    starts = to_numpy(table.column("start").cast(pa.int64()).fill_null(NAT))
    after = np.flatnonzero(starts >= settings.complete_until_ns)
    if len(after) == 0:
        return
    line = int(table.column("_line")[int(after[0])].as_py())
    problems.add(line, None, "data-after-complete-until",
                 f"{len(after)} outage(s) start at or after complete_until "
                 f"{ns_to_iso(settings.complete_until_ns)}, where the source declares time unknown", "warning",
                 "move `complete_until` forward on the DataSource if the export now covers this time")


def concat(tables: Iterable[pa.Table]) -> pa.Table:
    """Tables of one source into one (other columns of tickets/changes may differ between files)."""
    items = [t for t in tables if t is not None]
    if not items:
        raise ValueError("nothing to concatenate")
    return pa.concat_tables(items, promote_options="permissive")
