"""The local data store: Parquet partitions per source and month, listed by an atomically replaced manifest.

Layout under the store root (default `<repo>/.slactl/store`, which ignores itself in git)::

    manifest.json                      the only truth: files ingested and the partitions holding their rows
    <source>/<YYYY-MM>/<file>-<sha>-<run>.parquet   rows of one data file in one UTC month

A run writes new partitions into a temporary folder, moves them into place under new names, then
replaces the manifest (os.replace) and only then deletes the partitions nobody lists any more.
Killed at any point, the store still reads as before the run; the leftovers are swept next time.
"""

from __future__ import annotations

import contextlib
import glob as globlib
import os
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from slactl.derived import ensure_ignored_folder
from slactl.store.manifest import (
    digest_file,
    empty_manifest,
    fingerprint,
    load_manifest,
    referenced_parts,
    sanitise,
    save_manifest,
)
from slactl.store.report import DataProblem, IngestError, IngestReport

if TYPE_CHECKING:
    import pandas as pd

    from slactl.loader import LoadResult

KILL_ENV = "SLACTL_TEST_KILL_AT"
_SPLIT_ROWS = 2_000_000  # rows per partition file above which a month is written in parallel pieces
_TMP_PREFIX = ".tmp-"


class IngestProgress(Protocol):
    """Where an ingest reports progress on big files (the CLI draws a bar on a terminal)."""

    def file_started(self, file: str, size: int) -> None: ...
    def file_advanced(self, nbytes: int) -> None: ...
    def file_phase(self, phase: str) -> None: ...
    def file_finished(self) -> None: ...


class _NoProgress:
    def file_started(self, file: str, size: int) -> None:
        pass

    def file_advanced(self, nbytes: int) -> None:
        pass

    def file_phase(self, phase: str) -> None:
        pass

    def file_finished(self) -> None:
        pass


def _checkpoint(step: str) -> None:
    """Test hook: SLACTL_TEST_KILL_AT=<step> makes the process kill itself here (crash-safety tests)."""
    if os.environ.get(KILL_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class _Work:
    source: str
    settings: Any
    rel: str
    path: Path
    sha256: str | None  # None: not hashed yet (hashed while the file is read)
    size: int
    mtime_ns: int
    physical_lines: int | None
    explicit: bool


def _to_ns(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("store filters need aware datetimes (with a time zone)")
    return int(value.timestamp()) * 1_000_000_000 + value.microsecond * 1000


def _encodings(schema: Any) -> dict[str, Any]:
    """Dictionary pages only for category columns; times and line numbers delta-encoded (tiny, fast)."""
    import pyarrow as pa

    dictionary = [f.name for f in schema if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)]
    delta = {f.name: "DELTA_BINARY_PACKED" for f in schema
             if pa.types.is_timestamp(f.type) or pa.types.is_integer(f.type)}
    return {"use_dictionary": dictionary, "column_encoding": delta}


NAT_NS = -(2**63)


def _overlapping(spans: dict[str, tuple[int, int]]) -> bool:
    """Whether two files' main-time ranges meet (rows alike across files need the same main time)."""
    ordered = sorted(spans.values())
    return any(after[0] <= before[1] for before, after in zip(ordered, ordered[1:], strict=False))


_T = TypeVar("_T")


def _retrying(read: Callable[[], _T]) -> _T:
    """`read()`, again from the new manifest when an ingest swapped it while we read (a part vanished)."""
    for attempt in range(3):
        try:
            return read()
        except FileNotFoundError:
            if attempt == 2:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _runs_path(part: Path) -> Path:
    """Where the runs of a probe partition are kept: beside it (see slactl.store.runs)."""
    return part.with_name(part.name.removesuffix(".parquet") + ".runs.parquet")


def _lacks_runs(entry: dict[str, Any], settings: Any) -> bool:
    """A probe file stored by an slactl that did not keep runs: it is read again to write them."""
    return settings.interval_ns is not None and any(not part.get("runs") for part in entry.get("parts", []))


def _lacks_parts(entry: dict[str, Any], root: Path) -> bool:
    """A file whose partitions (or runs) were deleted from the store by hand: it is read again."""
    for part in entry.get("parts", []):
        for rel in (part["path"], (part.get("runs") or {}).get("path")):
            if rel is not None and not (root / rel).is_file():
                return True
    return False


class Store:
    """Ingested data of a repository's DataSources; `read` gives one source's rows as a DataFrame."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading -----------------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        """{"files": {relpath: {sha256, source, rows, skipped, duplicates, min_time, max_time, ingested_at, ...}},
        "sources": {id: {type, fingerprint}}}"""
        return load_manifest(self.root)

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None,
             type: str | None = None) -> pd.DataFrame:
        """Normalised rows of one source; an empty frame with the right columns when nothing is there.

        `start`/`end` (aware datetimes) keep the rows that may matter for [start, end) on the type's
        main time column; callers re-filter exactly.
        """
        return _retrying(lambda: self._read(source_id, start, end, type))

    def read_table(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> Any:
        """Arrow rows of one source for [start, end), without pandas: for the vectorised engine.

        Only partitions and row groups are filtered (callers re-filter exactly); rows are not sorted,
        and rows repeated across overlapping files are not removed, so use it only where repeats
        cannot change a result (probe samples and outages are unions). None when nothing is stored.
        """
        source_type, tables, _names, _counts, _spans = self._tables(source_id, start, end, None)
        if source_type is None or not tables:
            return None
        import pyarrow as pa

        return pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]

    def read_runs(self, source_id: str, start: datetime, end: datetime, interval_ns: int) -> Any:
        """The probe runs (slactl.store.runs) of a source that reach into [start, end), by service.

        None when some partition of the range has no runs for this interval (a store written by an
        earlier slactl): callers then read the samples.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        from slactl.store.runs import RUNS_SCHEMA, ProbeRuns

        start_ns, end_ns = _to_ns(start), _to_ns(end)

        def read() -> list[pa.Table] | None:
            tables = []
            for entry in self.manifest()["files"].values():
                if entry.get("source") != source_id:
                    continue
                for part in entry.get("parts", []):
                    reach = part["reach_ns"]
                    if part["lower_ns"] >= end_ns or (reach is not None and reach + interval_ns <= start_ns):
                        continue
                    runs = part.get("runs")
                    if not runs or runs.get("interval_ns") != interval_ns:
                        return None
                    # ParquetFile, not read_table: that imports pyarrow.dataset, and with it pandas
                    tables.append(pq.ParquetFile(self.root / runs["path"]).read())
            return tables

        tables = _retrying(read)
        if tables is None:
            return None
        return ProbeRuns(pa.concat_tables(tables) if tables else RUNS_SCHEMA.empty_table(), after=start_ns)

    def _tables(self, source_id: str, start: datetime | None, end: datetime | None,
                source_type: str | None) -> tuple[str | None, list[Any], list[str], list[int], dict[str, tuple[int, int]]]:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        from slactl.store.columns import MAIN_TIME

        manifest = self.manifest()
        source_type = source_type or manifest["sources"].get(source_id, {}).get("type") or next(
            (e.get("type") for e in manifest["files"].values() if e.get("source") == source_id), None)
        start_ns = _to_ns(start) if start is not None else None
        end_ns = _to_ns(end) if end is not None else None
        # point types: skip row groups (statistics on the main time) and rows outside the period in Arrow
        row_filter = None
        if source_type in ("probes", "events", "csat", "complaints") and (start_ns is not None or end_ns is not None):
            main = pc.field(MAIN_TIME[source_type])
            stamp = pa.timestamp("ns", tz="UTC")
            if start_ns is not None:
                row_filter = main >= pa.scalar(start_ns, type=stamp)
            if end_ns is not None:
                upper = main < pa.scalar(end_ns, type=stamp)
                row_filter = upper if row_filter is None else row_filter & upper
        tables: list[pa.Table] = []
        names: list[str] = []
        counts: list[int] = []
        spans: dict[str, tuple[int, int]] = {}  # per file: earliest and latest main time read
        for rel, entry in sorted(manifest["files"].items()):
            if entry.get("source") != source_id:
                continue
            for part in entry.get("parts", []):
                if end_ns is not None and part["lower_ns"] >= end_ns:
                    continue
                if start_ns is not None and part["reach_ns"] is not None and part["reach_ns"] < start_ns:
                    continue
                table = pq.read_table(self.root / part["path"], filters=row_filter)
                low, high = part.get("main_min_ns", NAT_NS), part.get("main_max_ns", -NAT_NS)
                known = spans.get(rel, (low, high))
                spans[rel] = (min(known[0], low), max(known[1], high))
                tables.append(table)
                names.append(rel)
                counts.append(table.num_rows)
        return source_type, tables, names, counts, spans

    def _read(self, source_id: str, start: datetime | None, end: datetime | None,
              source_type: str | None) -> pd.DataFrame:
        import pyarrow as pa

        from slactl.store.frames import filter_rows, to_frame
        from slactl.store.readers import output_schema

        source_type, tables, names, counts, spans = self._tables(source_id, start, end, source_type)
        start_ns = _to_ns(start) if start is not None else None
        end_ns = _to_ns(end) if end is not None else None
        if source_type is None:
            import pandas as pd

            return pd.DataFrame({"_file": pd.Series([], dtype=object), "_line": pd.Series([], dtype="int64")})
        if not tables:
            tables = [output_schema(source_type).empty_table()]
        combined = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
        del tables
        frame = to_frame(combined, source_type, names, counts)
        del combined
        pa.default_memory_pool().release_unused()
        return filter_rows(frame, source_type, start_ns, end_ns, several_files=_overlapping(spans))

    # -- ingesting ---------------------------------------------------------------------------------

    def ensure_ingested(self, load_result: LoadResult, repo_root: Path,
                        progress: bool | IngestProgress = False) -> IngestReport:
        """Ingest whatever is new or changed in every source; cheap (stat only) when nothing changed."""
        return self.ingest(load_result, repo_root, progress=progress)

    def ingest(self, load_result: LoadResult, repo_root: Path, sources: list[str] | None = None,
               files: list[Path] | None = None, strict: bool = False,
               progress: bool | IngestProgress = False) -> IngestReport:
        """Ingest the sources' new and changed files (see the module docstring for the guarantees)."""
        repo_root = Path(repo_root).resolve()
        sink: IngestProgress = progress if not isinstance(progress, bool) else _NoProgress()
        defined = {sid: doc.model.spec for sid, doc in load_result.index("DataSource").items()}
        selected = self._select(load_result, defined, sources, files)
        report = IngestReport(sources=selected)
        if not selected and not (sources is None and self._has_manifest()):
            return report
        try:
            ensure_ignored_folder(self.root)
            return self._ingest_locked(load_result, repo_root, defined, selected, sources, files, strict, sink,
                                       report)
        except PermissionError as exc:
            raise IngestError(f"cannot write the data store at {self.root}: {exc.strerror}; set `store` in "
                              "slactl.toml to a folder you can write", report, usage=True) from None

    def _ingest_locked(self, load_result: LoadResult, repo_root: Path, defined: dict[str, Any],
                       selected: list[str], sources: list[str] | None, files: list[Path] | None, strict: bool,
                       sink: IngestProgress, report: IngestReport) -> IngestReport:
        with self._lock():
            old = self.manifest()
            new = {"version": old.get("version", 1), "sources": dict(old["sources"]),
                   "files": {rel: dict(entry) for rel, entry in old["files"].items()}}
            work = self._plan(load_result, repo_root, defined, selected, files, old, new, report, sink, strict)
            if sources is None and files is None:
                broken = self._broken_sources(load_result, defined, report)
                for rel, entry in list(new["files"].items()):
                    if entry.get("source") not in defined and entry.get("source") not in broken:
                        del new["files"][rel]
                        report.files_removed.append(rel)
                for sid in list(new["sources"]):
                    if sid not in defined and sid not in broken:
                        del new["sources"][sid]
            self._sweep(old)  # leftovers of a run that was killed (cheap: a listing of the store)
            if not work and not report.files_removed and not report.files_rejected:
                if new != old:
                    save_manifest(self.root, new)
                return report
            known = set(load_result.index("Service")) or None
            self._run(work, new, report, strict, sink, known)
            return report

    @staticmethod
    def _broken_sources(load_result: LoadResult, defined: dict[str, Any], report: IngestReport) -> set[str]:
        """DataSources whose definition has errors: reported, and their rows kept until it is fixed."""
        broken: set[str] = set()
        for doc in load_result.documents:
            if doc.kind != "DataSource" or doc.model is not None or not doc.id or doc.id in defined:
                continue
            broken.add(doc.id)
            report.problems.append(DataProblem(
                doc.file, doc.line, None, "data-source-invalid",
                f"DataSource '{doc.id}' has errors in its definition; its files were not read "
                "(rows already in the store are kept)", "error", "run `slactl validate` and fix the definition"))
        return broken

    def _has_manifest(self) -> bool:
        return (self.root / "manifest.json").is_file()

    def _select(self, load_result: LoadResult, defined: dict[str, Any], sources: list[str] | None,
                files: list[Path] | None) -> list[str]:
        if sources is None:
            if files:
                raise IngestError("files can only be given for one named source", usage=True)
            return sorted(defined)
        for sid in sources:
            if sid in defined:
                continue
            broken = [d for d in load_result.documents if d.kind == "DataSource" and d.id == sid]
            if broken:
                raise IngestError(
                    f"DataSource '{sid}' in {broken[0].file}:{broken[0].line} has errors; "
                    "run `slactl validate` and fix them first", usage=True)
            known = ", ".join(sorted(defined)) or "none"
            raise IngestError(f"no DataSource '{sid}' in the repository (known: {known})", usage=True)
        if files and len(sources) != 1:
            raise IngestError("files can only be given for exactly one source: slactl ingest SOURCE FILE...",
                              usage=True)
        return list(dict.fromkeys(sources))

    def _settings(self, sid: str, spec: Any) -> Any:
        from slactl.store.columns import SourceSettings

        until = spec.complete_until_instant()
        complete_ns = None if until is None else _to_ns(until)
        return SourceSettings(
            id=sid, type=spec.type, timezone=spec.timezone, columns=dict(spec.columns),
            up_values=list(spec.up_values), formats=dict(spec.formats), null_values=list(spec.null_values),
            value_map={k: dict(v) for k, v in spec.value_map.items()}, complete_until_ns=complete_ns,
            delimiter=spec.delimiter, encoding=spec.encoding,
            interval_ns=spec.interval_ns() if spec.type == "probes" else None,
        )

    def _candidates(self, repo_root: Path, pattern: str, report: IngestReport | None = None,
                    where: Callable[[], tuple[str, int]] | None = None, sid: str = "") -> list[Path]:
        """Files the glob `pattern` matches inside the (resolved) repository root `repo_root`.

        `path` is relative to the repository root (SPEC 2.5): an absolute pattern, a `~` or a `..`
        component matches nothing, and a matched file whose resolved path is outside the repository
        (a symbolic link to, or inside a linked folder pointing at, somewhere else) is not read. With
        `report`, each refusal is reported as `data-path-outside` (the pattern at `where`, the
        DataSource's YAML file and line; a refused file at its own path); files are never opened here.
        """
        from slactl.rules.sanity import path_escapes

        reason = path_escapes(pattern)
        if reason is not None:
            if report is not None:
                file, line = where() if where is not None else ("slactl", 1)
                report.problems.append(DataProblem(
                    file, line, None, "data-path-outside",
                    f"DataSource '{sid}' path '{pattern[:80]}' {reason}: no file was read (paths are globs "
                    "relative to the repository root)", "error",
                    "copy the files into the repository and point path there; `slactl validate` reports this "
                    "as datasource-path-outside"))
            return []
        store = self.root.resolve()
        found = []
        for name in globlib.glob(str(repo_root / pattern), recursive=True):
            path = Path(name)
            try:
                if not path.is_file():
                    continue
                resolved = path.resolve(strict=True)
            except (OSError, RuntimeError):
                continue  # dangling or looping links: nothing to read
            if resolved != repo_root and repo_root not in resolved.parents:
                if report is not None:
                    report.problems.append(DataProblem(
                        self._rel(path, repo_root), 1, None, "data-path-outside",
                        f"file matched by DataSource '{sid}' is a link to a file outside the repository; "
                        "it was not read", "error",
                        "replace the symbolic link by a copy of the file inside the repository"))
                continue
            if resolved == store or store in resolved.parents:
                continue
            found.append(path)
        return sorted(found)

    @staticmethod
    def _rel(path: Path, repo_root: Path) -> str:
        resolved = Path(os.path.abspath(path))
        try:
            return resolved.relative_to(repo_root).as_posix()
        except ValueError:
            return resolved.as_posix()

    def _plan(self, load_result: LoadResult, repo_root: Path, defined: dict[str, Any], selected: list[str],
              files: list[Path] | None, old: dict[str, Any], new: dict[str, Any], report: IngestReport,
              sink: IngestProgress, strict: bool = False) -> list[_Work]:
        work: list[_Work] = []
        # which source each file belongs to: the first (by id) whose glob matches it
        owners: dict[str, str] = {}
        for other in sorted(defined):
            for path in self._candidates(repo_root, defined[other].path):
                owners.setdefault(self._rel(path, repo_root), other)
        for sid in selected:
            spec = defined[sid]
            settings = self._settings(sid, spec)
            source_print = fingerprint(spec.model_dump(mode="json"))
            before = old["sources"].get(sid) or {}
            reread = before.get("fingerprint") != source_print or before.get("type") != spec.type
            new["sources"][sid] = {"type": spec.type, "fingerprint": source_print}
            explicit = files is not None
            if explicit:
                paths = [Path(p) if Path(p).is_absolute() else Path.cwd() / p for p in files or []]
                for path in paths:
                    if not path.is_file():
                        raise IngestError(f"{path}: no such file", usage=True,
                                          hint="give the path of an export file (relative to the current folder)")
            else:
                doc = load_result.get("DataSource", sid)
                # the DataSource's `path:` line, found only when a problem names it (finding a position
                # parses the file again)
                where = (lambda doc=doc: (doc.file, doc.pos("spec", "path")[0])) if doc is not None else None
                known = len(report.problems)
                paths = self._candidates(repo_root, spec.path, report, where, sid)
                if not paths and len(report.problems) == known:  # (a refused glob was reported already)
                    dropped = sum(1 for e in old["files"].values() if e.get("source") == sid and not e.get("explicit"))
                    file, line = where() if where is not None else ("slactl", 1)
                    report.problems.append(DataProblem(
                        file, line, None, "data-path-empty",
                        f"DataSource '{sid}' path '{spec.path[:80]}' matches no file"
                        + (f": the {dropped} file(s) ingested from it before are dropped from the store"
                           if dropped else ""), "warning",
                        "check the glob (it is relative to the repository root) and that the exports are there"))
            seen: set[str] = set()
            for path in paths:
                rel = self._rel(path, repo_root)
                if rel in seen:
                    continue
                seen.add(rel)
                entry = old["files"].get(rel)
                owner = owners.get(rel, sid)
                if owner != sid and not explicit:
                    report.problems.append(DataProblem(
                        rel, 1, None, "data-file-shared",
                        f"file is matched by DataSources '{owner}' and '{sid}'; read only for '{owner}'", "error",
                        "narrow the `path` glob of one of them so that each file belongs to one source"))
                    continue
                try:
                    stat = path.stat()
                except OSError as exc:
                    report.problems.append(DataProblem(rel, 1, None, "data-unreadable",
                                                       f"cannot read file: {exc.strerror}", "error"))
                    continue
                # under --strict, a file whose rows were skipped when it was ingested is read again,
                # so its problems are reported (and fail the run) even though it has not changed
                same_source = (entry is not None and entry.get("source") == sid and not reread
                               and not _lacks_runs(entry, settings) and not _lacks_parts(entry, self.root)
                               and not (strict and entry.get("skipped")))
                if (same_source and not explicit and entry.get("size") == stat.st_size
                        and entry.get("mtime_ns") == stat.st_mtime_ns):
                    report.files_unchanged.append(rel)
                    continue
                if not same_source:
                    # new to this source: it is read whatever its hash, so hash it while reading it
                    work.append(_Work(sid, settings, rel, path, None, stat.st_size, stat.st_mtime_ns, None,
                                      explicit))
                    continue
                sink.file_started(rel, stat.st_size)
                sink.file_phase("hashing")
                try:
                    digest = digest_file(path, sink.file_advanced)
                except OSError as exc:
                    sink.file_finished()
                    report.problems.append(DataProblem(rel, 1, None, "data-unreadable",
                                                       f"cannot read file: {exc.strerror}", "error"))
                    continue
                sink.file_finished()
                if same_source and entry.get("sha256") == digest.sha256:
                    new["files"][rel] = {**entry, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
                    report.files_unchanged.append(rel)
                    continue
                work.append(_Work(sid, settings, rel, path, digest.sha256, stat.st_size, stat.st_mtime_ns,
                                  digest.physical_lines, explicit))
            if not explicit:
                for rel, entry in old["files"].items():
                    if entry.get("source") != sid or rel in seen:
                        continue
                    if entry.get("explicit") and (repo_root / rel).is_file():
                        continue  # given on the command line once: kept while the file exists
                    new["files"].pop(rel, None)
                    report.files_removed.append(rel)
        return work

    def _run(self, work: list[_Work], new: dict[str, Any], report: IngestReport, strict: bool,
             sink: IngestProgress, known_services: set[str] | None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from slactl.store.readers import read_file

        token = uuid.uuid4().hex[:8]
        temp = self.root / f"{_TMP_PREFIX}{token}"
        moves: list[tuple[Path, Path]] = []
        pool = ThreadPoolExecutor(max_workers=1)  # hashing releases the GIL: it runs beside the CSV reader
        try:
            for item in work:
                sink.file_started(item.rel, item.size)
                sink.file_phase("reading")
                hashing = None
                if item.sha256 is None:
                    hashing = pool.submit(digest_file, item.path, sink.file_advanced)
                lines: Any = item.physical_lines
                if hashing is not None:
                    future = hashing

                    def lines(future: Any = future) -> int:
                        return int(future.result().physical_lines)

                result = read_file(item.path, item.rel, item.settings, known_services, lines)
                if hashing is not None:
                    item.sha256 = hashing.result().sha256
                report.problems.extend(result.problems)
                if result.rejected or result.table is None:
                    report.files_rejected.append(item.rel)
                    new["files"].pop(item.rel, None)
                    sink.file_finished()
                    continue
                sink.file_phase("writing")
                parts = self._write_parts(result.table, item, token, temp, moves)
                sink.file_finished()
                times = [p for p in parts if p["rows"]]
                new["files"][item.rel] = {
                    "sha256": item.sha256, "source": item.source, "type": item.settings.type,
                    "rows": result.rows, "skipped": result.skipped, "duplicates": result.duplicates,
                    "min_time": min((p["min_time"] for p in times), default=None),
                    "max_time": max((p["max_time"] for p in times), default=None),
                    "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "size": item.size, "mtime_ns": item.mtime_ns, "explicit": item.explicit, "parts": parts,
                }
                report.files_ingested.append(item.rel)
                report.rows_added += result.rows
                report.rows_skipped += result.skipped
                report.duplicates += result.duplicates
                del result
            _checkpoint("after-read")
            if strict and report.errors:
                first = report.errors[0]
                raise IngestError(
                    f"{first.file}:{first.line}: {first.message} ({len(report.errors)} data problem(s) at error "
                    "level; nothing was ingested)" + (f"; {first.hint}" if first.hint else ""), report)
            for source, target in moves:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
            _checkpoint("after-partitions")
            save_manifest(self.root, new)
            _checkpoint("after-manifest")
        finally:
            pool.shutdown(wait=True)
            shutil.rmtree(temp, ignore_errors=True)
        self._sweep(new)

    def _write_parts(self, table: Any, item: _Work, token: str, temp: Path,
                     moves: list[tuple[Path, Path]]) -> list[dict[str, Any]]:
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq

        from slactl.store.arrays import from_numpy, to_numpy
        from slactl.store.columns import MAIN_TIME
        from slactl.store.frames import bounds
        from slactl.store.timeparse import ns_to_iso

        if table.num_rows == 0:
            return []
        main = to_numpy(table.column(MAIN_TIME[item.settings.type]).cast(pa.int64()))
        first, last = (np.datetime64(int(v), "ns").astype("datetime64[M]") for v in (main.min(), main.max()))
        pieces: list[tuple[Any, Any, Any]] = []  # (month, rows, main times)
        if first == last:  # the whole file lies in one month: no copies
            pieces.append((first, table, main))
        elif bool(np.all(main[1:] >= main[:-1])):  # sorted: each month is one slice
            edges = np.arange(first, last + 1).astype("datetime64[ns]").astype(np.int64)
            cuts = np.searchsorted(main, edges, side="left").tolist() + [len(main)]
            for month, begin, end in zip(np.arange(first, last + 1), cuts[:-1], cuts[1:], strict=True):
                if end > begin:
                    pieces.append((month, table.slice(begin, end - begin), main[begin:end]))
        else:
            months = main.astype("datetime64[ns]").astype("datetime64[M]")
            for month in np.unique(months):
                mask = months == month
                pieces.append((month, table.filter(from_numpy(mask)), main[mask]))
        # big months are written as several files at once (Parquet encoding runs outside the GIL)
        workers = max(1, min(4, os.cpu_count() or 1))
        split: list[tuple[Any, Any, Any, int]] = []
        for month, chunk, chunk_main in pieces:
            count = chunk.num_rows
            slices = min(workers, max(1, count // _SPLIT_ROWS))
            step = -(-count // slices)
            for index in range(slices):
                begin = index * step
                split.append((month, chunk.slice(begin, step), chunk_main[begin:begin + step], index))
        stem = sanitise(item.rel.replace("/", "_"))[:80]
        jobs = []
        for month, chunk, _, index in split:
            label = str(month)  # YYYY-MM
            suffix = f"-{index}" if index else ""
            rel_path = f"{sanitise(item.source)}/{label}/{stem}-{(item.sha256 or '')[:12]}-{token}{suffix}.parquet"
            staged = temp / rel_path
            staged.parent.mkdir(parents=True, exist_ok=True)
            jobs.append((chunk, staged, rel_path))

        runs_of = item.settings.type == "probes" and item.settings.interval_ns is not None

        def write(job: tuple[Any, Path, str]) -> None:
            pq.write_table(job[0], job[1], compression="snappy", row_group_size=1 << 20,
                           write_statistics=[MAIN_TIME[item.settings.type]], **_encodings(job[0].schema))

        if len(jobs) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(write, jobs))
        else:
            for job in jobs:
                write(job)
        if runs_of:  # after the writes: sorting beside the Parquet encoders only slows both down
            from slactl.store.runs import probe_runs

            for chunk, staged, _ in jobs:
                pq.write_table(probe_runs(chunk, item.settings.interval_ns), _runs_path(staged), compression="snappy")
        _checkpoint("mid-partitions")
        parts = []
        for (month, chunk, chunk_main, _), (_, staged, rel_path) in zip(split, jobs, strict=True):
            label = str(month)
            moves.append((staged, self.root / rel_path))
            lower, reach = bounds(chunk, item.settings.type)
            part = {"path": rel_path, "month": label, "rows": chunk.num_rows,
                    "min_time": ns_to_iso(int(chunk_main.min())), "max_time": ns_to_iso(int(chunk_main.max())),
                    "main_min_ns": int(chunk_main.min()), "main_max_ns": int(chunk_main.max()),
                    "lower_ns": lower, "reach_ns": reach}
            if runs_of:
                moves.append((_runs_path(staged), self.root / _runs_path(Path(rel_path))))
                part["runs"] = {"path": _runs_path(Path(rel_path)).as_posix(), "interval_ns": item.settings.interval_ns}
            parts.append(part)
        return parts

    def _sweep(self, manifest: dict[str, Any]) -> None:
        """Delete partitions the manifest does not list and temp folders left by a killed run."""
        if not self.root.is_dir():
            return
        keep = referenced_parts(manifest)
        for entry in self.root.iterdir():
            if entry.name.startswith(_TMP_PREFIX) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
        for path in self.root.glob("*/*/*.parquet"):
            rel = path.relative_to(self.root).as_posix()
            if rel not in keep:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        for folder in sorted(self.root.glob("*/*"), reverse=True):
            if folder.is_dir() and not folder.name.startswith("."):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty
        for folder in self.root.iterdir():
            if folder.is_dir() and not folder.name.startswith("."):
                with contextlib.suppress(OSError):
                    folder.rmdir()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One ingest at a time per store (readers need no lock: the manifest swap is atomic)."""
        import fcntl

        with open(self.root / ".lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


__all__ = ["IngestProgress", "Store", "empty_manifest"]
