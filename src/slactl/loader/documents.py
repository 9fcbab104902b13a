"""Files -> YAML documents -> validated models, with a finding for everything that does not fit."""

from __future__ import annotations

import difflib
import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from slactl.findings import Finding, Severity
from slactl.loader.repository import RepositoryConfig, find_definition_files, load_config
from slactl.loader.yamlpos import (
    RawDocument,
    find_tags,
    key_position,
    parse_documents,
    parse_documents_fast,
    position,
)
from slactl.model.common import API_VERSION
from slactl.model.documents import KIND_MODELS, namespace_of

if TYPE_CHECKING:
    from slactl.loader.parsecache import ParseCache

MAX_FILE_BYTES = 5 * 1024 * 1024


class _FilePositions:
    """The documents of one file with positions, parsed on first use (see LoadedDocument.pos)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.documents: dict[int, RawDocument] | None = None

    def document(self, index: int) -> RawDocument | None:
        if self.documents is None:
            self.documents = {raw.index: raw for raw in parse_documents(self.text)[0]}
        return self.documents.get(index)


@dataclass
class LoadedDocument:
    """One definition document: where it is, its raw YAML (with positions) and its model if valid."""

    file: str
    index: int
    line: int
    column: int
    raw: Any
    kind: str | None = None
    id: str | None = None
    model: Any = None
    positions: _FilePositions | None = field(default=None, repr=False, compare=False)

    def pos(self, *path: Any) -> tuple[int, int]:
        """Line and column of a field of this document; the document start when absent.

        A document read without positions (the fast loader) finds them by reading its file again
        with positions, once per file and only when a position is asked for.
        """
        if self.positions is not None:
            located = self.positions.document(self.index)
            if located is not None:
                found = position(located.data, path) if path else None
                return found or (located.line, located.column)
        found = position(self.raw, path) if path else None
        return found or (self.line, self.column)

    def finding(
        self,
        rule: str,
        severity: Severity,
        message: str,
        *path: Any,
        hint: str | None = None,
    ) -> Finding:
        line, column = self.pos(*path)
        return Finding(self.file, line, column, rule, severity, message, hint)


@dataclass
class LoadResult:
    """Everything read from a repository: documents, valid models indexed by id, and findings."""

    root: Path
    files: list[str] = field(default_factory=list)
    documents: list[LoadedDocument] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    _indexes: dict[str, tuple[tuple[int, int], dict[str, LoadedDocument]]] = field(
        default_factory=dict, repr=False, compare=False)

    def of_kind(self, *kinds: str) -> list[LoadedDocument]:
        return [d for d in self.documents if d.kind in kinds and d.model is not None]

    def index(self, namespace: str) -> dict[str, LoadedDocument]:
        """Valid documents of one namespace (a kind, or 'agreement' for SLA/OLA/UC) by id.

        Cached per namespace and keyed on the documents' state, so lookups in hot loops are cheap and
        never stale after documents are added or invalidated.
        """
        state = (len(self.documents), sum(1 for d in self.documents if d.model is not None))
        cached = self._indexes.get(namespace)
        if cached is not None and cached[0] == state:
            return cached[1]
        found: dict[str, LoadedDocument] = {}
        for doc in self.documents:
            if (
                doc.model is not None
                and doc.kind
                and doc.id is not None
                and namespace_of(doc.kind) == namespace
                and doc.id not in found
            ):
                found[doc.id] = doc
        self._indexes[namespace] = (state, found)
        return found

    def get(self, kind: str, id_: str) -> LoadedDocument | None:
        doc = self.index(namespace_of(kind)).get(id_)
        return doc if doc is not None and (kind == namespace_of(kind) or doc.kind == kind) else None

    def agreements(self) -> list[LoadedDocument]:
        return self.of_kind("SLA", "OLA", "UC")

    @property
    def document_count(self) -> int:
        return len(self.documents)


_TYPE_ERRORS = {
    "string_type", "int_type", "int_parsing", "float_type", "float_parsing", "bool_type", "bool_parsing",
    "list_type", "dict_type", "model_type", "model_attributes_type", "date_type", "date_parsing",
    "date_from_datetime_parsing", "datetime_type", "datetime_parsing", "datetime_from_date_parsing",
    "int_from_float", "date_from_datetime_inexact", "union_tag_invalid", "tuple_type", "set_type",
}


def _rule_for(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "schema-unknown-field"
    if kind == "missing":
        return "schema-missing"
    if kind in _TYPE_ERRORS:
        return "schema-type"
    loc = error.get("loc", ())
    if loc and loc[-1] == "id" and kind in {"value_error", "string_pattern_mismatch"}:
        return "schema-id"
    return "schema-value"


def _clean_loc(loc: tuple) -> tuple:
    # pydantic adds union member and validator names to loc; keep only data keys and indexes
    cleaned = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-") or part in {"str", "int", "float", "bool", "date", "datetime"}):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _allowed_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names allowed at the parent of `loc`, for 'did you mean' hints."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        annotation = fields[part].annotation
        current = _inner_model(annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _message(error: ErrorDetails, rule: str, loc: tuple, model: type[BaseModel]) -> tuple[str, str | None]:
    where = ".".join(str(p) for p in loc) or "document"
    if rule == "schema-unknown-field":
        name = str(loc[-1]) if loc else "?"
        allowed = _allowed_fields(model, loc)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else (f"allowed here: {', '.join(allowed)}" if allowed else None)
        return f"unknown field '{where}'", hint
    if rule == "schema-missing":
        return f"required field '{where}' is missing", f"add '{loc[-1]}'" if loc else None
    text = error["msg"]
    if text.startswith("Value error, "):
        text = text[len("Value error, "):]
    if rule == "schema-type":
        got = type(error.get("input")).__name__ if "input" in error else "?"
        got = {"CommentedMap": "mapping", "CommentedSeq": "list", "ScalarFloat": "float", "ScalarInt": "int"}.get(got, got)
        return f"'{where}' has the wrong type: {text.lower()} (got {got})", None
    return f"'{where}': {text}", None


def _validation_findings(doc: LoadedDocument, model: type[BaseModel], exc: ValidationError) -> list[Finding]:
    findings = []
    for error in exc.errors(include_url=False):
        loc = _clean_loc(tuple(error["loc"]))
        rule = _rule_for(error)
        message, hint = _message(error, rule, loc, model)
        if rule == "schema-unknown-field":
            line, column = key_position(doc.raw, loc) or (doc.line, doc.column)
        else:
            line, column = doc.pos(*loc)
        findings.append(Finding(doc.file, line, column, rule, Severity.ERROR, message, hint))
    return findings


def _load_text(rel: str, text: str, result: LoadResult, fast: bool = False, cache: ParseCache | None = None) -> None:
    cached = cache.documents(rel, text) if cache is not None else None
    if cached is not None:
        raw_docs: list[RawDocument] = [RawDocument(index=i, data=d, line=1, column=1) for i, d in enumerate(cached)]
        problem = None
    else:
        raw_docs, problem = parse_documents_fast(text) if fast else parse_documents(text)
        if cache is not None and problem is None:
            cache.remember(rel, text, [raw.data for raw in raw_docs])
    positions = _FilePositions(text) if fast else None
    for raw in raw_docs:
        if raw.data is None:
            continue
        if foreign_api_version(raw.data) is not None:
            continue  # another tool's document kept beside the definitions (OpenSLO, slo-generator)
        doc = LoadedDocument(file=rel, index=raw.index, line=raw.line, column=raw.column, raw=raw.data,
                             positions=positions)
        result.documents.append(doc)
        _validate_document(doc, result)
    if problem is not None:
        result.findings.append(
            Finding(rel, problem.line, problem.column, problem.rule, Severity.ERROR, problem.message, problem.hint)
        )
    elif not any(d.data is not None for d in raw_docs):
        result.findings.append(
            Finding(rel, 1, 1, "yaml-empty", Severity.WARNING, "file holds no YAML document",
                    "add a definition or remove the file (or exclude it in slactl.toml)")
        )


def _what(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "text"
    return f"a {type(data).__name__}"


FOREIGN_API_PREFIXES = ("openslo/", "sre.google.com/")
"""apiVersion prefixes of other tools whose YAML may sit beside slactl definitions: skipped, not errors."""


def foreign_api_version(data: Any) -> str | None:
    """The apiVersion of a document that belongs to another known tool (OpenSLO, slo-generator), else None.

    Such documents are not slactl definitions: the loader skips them (they are not counted and get no
    finding). A missing apiVersion, or one that looks like a typo of slactl's, is not foreign.
    """
    if not isinstance(data, dict):
        return None
    api = data.get("apiVersion")
    if isinstance(api, str) and api.strip().lower().startswith(FOREIGN_API_PREFIXES):
        return api
    return None


def _validate_document(doc: LoadedDocument, result: LoadResult) -> None:
    data = doc.raw
    if not isinstance(data, dict):
        result.findings.append(doc.finding(
            "schema-document", Severity.ERROR,
            f"a definition document must be a mapping with apiVersion, kind, metadata and spec, not {_what(data)}",
        ))
        return
    tagged = list(find_tags(data))
    for path, tag in tagged:
        result.findings.append(doc.finding(
            "yaml-tag", Severity.ERROR, f"YAML tag '{tag}' is not allowed: definitions are plain data", *path,
            hint="remove the tag",
        ))
    if tagged:
        return
    api = data.get("apiVersion")
    kind = data.get("kind")
    if api != API_VERSION:
        result.findings.append(doc.finding(
            "schema-api-version", Severity.ERROR,
            f"apiVersion is {api!r}; slactl reads '{API_VERSION}'" if api is not None else "apiVersion is missing",
            *(("apiVersion",) if api is not None else ()), hint=f"set apiVersion: {API_VERSION}",
        ))
        return
    if kind not in KIND_MODELS:
        close = difflib.get_close_matches(str(kind), list(KIND_MODELS), n=1)
        result.findings.append(doc.finding(
            "schema-kind", Severity.ERROR,
            f"unknown kind {kind!r}" if kind is not None else "kind is missing",
            *(("kind",) if kind is not None else ()),
            hint=(f"did you mean '{close[0]}'? " if close else "") + "kinds: " + ", ".join(KIND_MODELS),
        ))
        return
    doc.kind = kind
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("id"), str):
        doc.id = metadata["id"]
    model = KIND_MODELS[kind]
    try:
        doc.model = model.model_validate(data)
    except ValidationError as exc:
        result.findings.extend(_validation_findings(doc, model, exc))
    except (RecursionError, ValueError, TypeError) as exc:
        result.findings.append(doc.finding("schema-value", Severity.ERROR, f"cannot read document: {exc}"))


def _unreadable(rel: str, message: str, hint: str | None = None) -> Finding:
    return Finding(rel, 1, 1, "file-unreadable", Severity.ERROR, message, hint)


_SPECIAL_FILES = (
    (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
)


def _special_file(mode: int) -> str:
    return next((what for test, what in _SPECIAL_FILES if test(mode)), "not a regular file")


def _outside_root(path: Path, root: Path) -> str | None:
    """Where a file inside `root` really points when a symbolic link takes it outside, else None.

    The target is named relative to the repository root, never as an absolute path. A file given
    from outside the root in the first place (by whoever runs the command) is not refused here.
    """
    base = Path(os.path.abspath(root))
    given = Path(os.path.abspath(path))
    if not given.is_relative_to(base):
        return None
    try:
        real_root = base.resolve()
        real = given.resolve(strict=True)
    except (OSError, RuntimeError):
        return None  # a loop or a dangling link: reading it says what is wrong
    if real.is_relative_to(real_root):
        return None
    return os.path.relpath(real, real_root)


def _read_file(path: Path, rel: str, result: LoadResult) -> str | None:
    """The bytes of a regular file of at most MAX_FILE_BYTES, or None with a finding saying why not.

    Pipes, devices and sockets are never opened (a FIFO would block, /dev/zero never ends), symbolic
    links leading out of the repository are not followed, and never more than MAX_FILE_BYTES + 1
    bytes are read, whatever the file claims to be.
    """
    outside = _outside_root(path, result.root)
    if outside is not None:
        result.findings.append(_unreadable(
            rel, f"symbolic link points outside the repository (to {outside}); it is not read",
            "copy the definitions into the repository instead of linking to them",
        ))
        return None
    too_large_hint = "split it or exclude it in slactl.toml"
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            result.findings.append(_unreadable(
                rel, f"not a regular file ({_special_file(info.st_mode)}); only regular files are read",
                "remove it or exclude it in slactl.toml",
            ))
            return None
        if info.st_size > MAX_FILE_BYTES:
            result.findings.append(Finding(rel, 1, 1, "file-too-large", Severity.ERROR,
                                           f"file is {info.st_size} bytes; definition files are limited to {MAX_FILE_BYTES}",
                                           too_large_hint))
            return None
        # O_NONBLOCK: should the file be swapped for a pipe after the check, opening it still returns
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                result.findings.append(_unreadable(rel, "not a regular file; only regular files are read",
                                                   "remove it or exclude it in slactl.toml"))
                return None
            data = handle.read(MAX_FILE_BYTES + 1)
    except RuntimeError:  # pathlib's "Symlink loop" on older Pythons
        result.findings.append(_unreadable(rel, "cannot read file: symbolic links form a loop",
                                           "point the link at a real file, or remove it"))
        return None
    except OSError as exc:
        loop = exc.errno == errno.ELOOP
        result.findings.append(_unreadable(
            rel, "cannot read file: symbolic links form a loop" if loop else f"cannot read file: {exc.strerror}",
            "point the link at a real file, or remove it" if loop else None,
        ))
        return None
    if len(data) > MAX_FILE_BYTES:
        result.findings.append(Finding(rel, 1, 1, "file-too-large", Severity.ERROR,
                                       f"file is larger than {MAX_FILE_BYTES} bytes, the limit for definition files",
                                       too_large_hint))
        return None
    if b"\x00" in data:
        result.findings.append(Finding(rel, 1, 1, "yaml-encoding", Severity.ERROR,
                                       "file is binary (it holds NUL bytes), not YAML text",
                                       "remove it or exclude it in slactl.toml"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        result.findings.append(Finding(rel, line, column, "yaml-encoding", Severity.ERROR,
                                       f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                                       "save the file as UTF-8"))
        return None
    return text


def display_path(path: Path, root: Path) -> str:
    """`path` relative to `root` in POSIX form, or as given when it lies outside `root`.

    A symbolic link inside `root` that cannot be resolved (a loop) or leads outside it is named by
    where the link itself is, never by its target.
    """
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        pass
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return path.as_posix()


def load_paths(paths: Iterable[Path], root: Path, *, positions: bool = True, cache: Path | None = None,
               warm: Iterable[Path] = ()) -> LoadResult:
    """Load the given files; `root` is what file names in findings are relative to.

    `positions=False` parses with the C-accelerated safe loader, several times faster, for commands
    that only need the models (compliance, report). Should anything be wrong, the files are read
    again with positions, so every finding still names its line and column. With `positions=False`,
    `cache` names a parse cache file (slactl.loader.parsecache) for files that have not changed, and
    the files in `warm` are parsed into it too (not loaded: no models, no findings), so that the
    next command reading them finds them parsed (an ingest warms the agreements it does not read).
    """
    paths = list(paths)
    result = LoadResult(root=Path(root))
    parsed = None
    if cache is not None and not positions:
        from slactl import __version__
        from slactl.loader.parsecache import ParseCache

        parsed = ParseCache(cache, __version__, Path(root))
    for path in paths:
        rel = display_path(Path(path), result.root)
        result.files.append(rel)
        text = _read_file(Path(path), rel, result)
        if text is None:
            continue
        result.sources[rel] = text
        _load_text(rel, text, result, fast=not positions, cache=parsed)
    _check_duplicate_ids(result)
    if not positions and result.findings:
        return load_paths(paths, root, positions=True)
    if parsed is not None:
        for path in warm:
            text = _plain_text(Path(path), result.root)
            rel = display_path(Path(path), result.root)
            if text is not None and parsed.documents(rel, text) is None:
                raw_docs, problem = parse_documents_fast(text)
                if problem is None:
                    parsed.remember(rel, text, [raw.data for raw in raw_docs])
        parsed.save()
    return result


def _plain_text(path: Path, root: Path) -> str | None:
    """The text `_read_file` would read (same refusals: links out of the repository, anything but a
    regular file, more than MAX_FILE_BYTES), or None; never a finding."""
    scratch = LoadResult(root=root)
    data = _read_file(path, display_path(path, root), scratch)
    return None if data is None or scratch.findings else data


def load_repository(root: Path, config: RepositoryConfig | None = None, *, positions: bool = True,
                    cache: bool = False) -> LoadResult:
    """Load every definition file of the repository at `root` (see `load_paths` for `positions`).

    `cache=True` (with `positions=False`) keeps parsed files in the store's `definitions-cache.json`.
    """
    config = config or load_config(Path(root))
    cache_path = config.parse_cache_path if cache and not positions else None
    return load_paths(find_definition_files(config), config.root, positions=positions, cache=cache_path)


def load_text(text: str, file: str = "<text>") -> LoadResult:
    """Load definitions from a string (used by tests and by `slactl import`)."""
    result = LoadResult(root=Path("."))
    result.files.append(file)
    result.sources[file] = text
    _load_text(file, text, result)
    _check_duplicate_ids(result)
    return result


def _check_duplicate_ids(result: LoadResult) -> None:
    seen: dict[tuple[str, str], LoadedDocument] = {}
    for doc in result.documents:
        if doc.kind is None or doc.id is None:
            continue
        key = (namespace_of(doc.kind), doc.id)
        first = seen.get(key)
        if first is None:
            seen[key] = doc
            continue
        what = "agreement (SLA, OLA and UC share one namespace)" if key[0] == "agreement" else doc.kind
        result.findings.append(doc.finding(
            "id-duplicate", Severity.ERROR,
            f"{what} id '{doc.id}' is already used at {first.file}:{first.pos('metadata', 'id')[0]}",
            "metadata", "id", hint="ids must be unique per kind; rename one",
        ))
        doc.model = None
