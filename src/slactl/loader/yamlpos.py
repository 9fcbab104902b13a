"""Safe YAML reading with ruamel.yaml, keeping the line and column of every node."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.resolver import VersionedResolver

MAX_ALIAS_VALUES = 100_000
"""How many values aliases (`*name`) may add to a document beyond those written out ("billion laughs")."""

MAX_NESTING_DEPTH = 100
"""How many mappings and lists deep a document may nest (definitions need a handful)."""

_LONG_TEXT = 1024  # an aliased text counts as one value per this many characters


@dataclass(frozen=True)
class YamlProblem:
    """A file that could not be parsed: what and where (1-based)."""

    rule: str
    message: str
    line: int
    column: int
    hint: str | None = None


@dataclass
class RawDocument:
    """One YAML document of a file with the line/column where it starts (1-based)."""

    index: int
    data: Any
    line: int
    column: int


def new_yaml() -> YAML:
    """A fresh round-trip loader per use; never patch ruamel's shared classes."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _mark(exc: MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def parse_documents(text: str) -> tuple[list[RawDocument], YamlProblem | None]:
    """Every document in `text`, or the first syntax problem (documents before it are kept)."""
    yaml = new_yaml()
    documents: list[RawDocument] = []
    starts = _document_start_lines(text)
    plain = surely_plain(text)
    try:
        for index, data in enumerate(yaml.load_all(text)):
            line, column = _position_of(data)
            if line is None:
                line, column = (starts[index] if index < len(starts) else 1), 1
            shape = None if plain else shape_problem(data, text)
            if shape is not None:
                return documents, shape
            documents.append(RawDocument(index=index, data=data, line=line, column=column))
    except DuplicateKeyError as exc:
        line, column = _mark(exc)
        key = str(exc.problem).split('"')[1] if exc.problem and '"' in str(exc.problem) else "a key"
        return documents, YamlProblem(
            "yaml-duplicate-key",
            f"duplicate key '{key}': the second value would silently replace the first",
            line,
            column,
            "remove or rename one of the two keys",
        )
    except MarkedYAMLError as exc:
        line, column = _mark(exc)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        return documents, YamlProblem(
            "yaml-syntax", f"YAML syntax error: {problem}", line, column, "check indentation, quotes and brackets"
        )
    except YAMLError as exc:
        return documents, YamlProblem("yaml-syntax", f"YAML error: {exc}", 1, 1)
    except RecursionError:
        return documents, _too_deep(*(_deep_position(text) or (1, 1)))
    except (ValueError, OverflowError) as exc:  # a value ruamel cannot build, such as 2026-02-30
        return documents, _bad_value(text, exc)
    return documents, None


def _too_deep(line: int, column: int) -> YamlProblem:
    return YamlProblem(
        "yaml-syntax", f"YAML nesting is too deep: definitions may nest at most {MAX_NESTING_DEPTH} mappings or lists",
        line, column, "flatten the structure here; check for unclosed or runaway brackets",
    )


def _deep_position(text: str) -> tuple[int, int] | None:
    """Where the first mapping or list deeper than MAX_NESTING_DEPTH starts (the parser keeps no recursion)."""
    depth = 0
    try:
        for event in new_yaml().parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING_DEPTH and event.start_mark is not None:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (YAMLError, RecursionError, ValueError):
        return None
    return None


_CONTAINERS = (dict, list, tuple)


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [part for pair in node.items() for part in pair]
    return list(node)


def surely_plain(text: str) -> bool:
    """True when `text` can hold no alias (no `&` anchor at all) and cannot nest past MAX_NESTING_DEPTH.

    Block nesting costs a column every two levels (only a list right under a key stays in its
    column), flow nesting a bracket a level; so twice the widest indentation (dashes included) plus
    the brackets bounds the depth. Most files pass, and skip `shape_problem`'s walk.
    """
    if "&" in text:
        return False
    widest = max((len(line) - len(line.lstrip(" -?")) for line in text.splitlines()), default=0)
    return 2 * widest + 2 + text.count("[") + text.count("{") <= MAX_NESTING_DEPTH


def shape_problem(data: Any, text: str | None = None) -> YamlProblem | None:
    """A document whose aliases expand too far, or that nests too deep; None when it is fine.

    Aliases let a short file stand for an enormous (or endless) document: nine nested lists of nine
    aliases are 400 million values. Each mapping and list is looked at once (by identity), so this
    takes time linear in what is written, and it says where the expansion happens before anything
    walks the expanded structure. `text` (when given) helps find where deep nesting starts.
    """
    if not isinstance(data, _CONTAINERS):
        return None
    sizes: dict[int, int] = {}  # id -> values it expands to
    heights: dict[int, int] = {}  # id -> mappings/lists nested inside it, itself included
    claimed: set[int] = set()  # nodes whose one written-out occurrence has been counted
    open_: set[int] = set()  # nodes on the current path (a node met again here refers to itself)
    extra = 0  # values added by aliases in the whole document
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if not done:
            if key in sizes:
                continue
            if key in open_:
                return _alias_problem(node, "an alias refers to the value that holds it, so it never ends")
            open_.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_children(node))
                         if isinstance(child, _CONTAINERS) and id(child) not in sizes)
            continue
        open_.discard(key)
        size, height = 1, 1
        for child in _children(node):
            if isinstance(child, _CONTAINERS):
                child_size = sizes[id(child)]
                height = max(height, heights[id(child)] + 1)
            elif isinstance(child, str) and len(child) >= _LONG_TEXT:
                child_size = len(child) // _LONG_TEXT
            else:
                size += 1
                continue
            size += child_size
            if id(child) in claimed:
                extra += child_size
            else:
                claimed.add(id(child))
        sizes[key], heights[key] = size, height
        if extra > MAX_ALIAS_VALUES:
            return _alias_problem(node, f"YAML aliases expand too far: more than {MAX_ALIAS_VALUES} values")
        if height > MAX_NESTING_DEPTH:
            found = _deep_position(text) if text is not None else None
            line, column = found or _position_of(node)
            return _too_deep(line or 1, column)
    return None


def _alias_problem(node: Any, message: str) -> YamlProblem:
    line, column = _position_of(node)
    return YamlProblem(
        "yaml-syntax", message, line or 1, column, "write the values out, or use fewer nested aliases (*name)",
    )


def _bad_value(text: str, exc: Exception) -> YamlProblem:
    """Find the scalar that could not be constructed (an impossible date or time) and say where it is."""
    yaml = new_yaml()
    constructor = yaml.constructor
    try:
        stack = list(yaml.compose_all(text))
    except Exception:  # noqa: BLE001 - composing already worked once; be safe anyway
        stack = []
    while stack:
        node = stack.pop(0)
        value = getattr(node, "value", None)
        if isinstance(value, list):
            for item in value:
                stack.extend(item if isinstance(item, tuple) else (item,))
            continue
        if getattr(node, "tag", None) is not None and str(getattr(node.tag, "value", node.tag)).endswith(":timestamp"):
            try:
                constructor.construct_yaml_timestamp(node)
            except (ValueError, OverflowError) as problem:
                mark = node.start_mark
                return YamlProblem(
                    "yaml-value", f"'{value}' is not a valid date or time: {problem}", mark.line + 1, mark.column + 1,
                    "write a real calendar date (YYYY-MM-DD) or an ISO 8601 date-time",
                )
    return YamlProblem("yaml-value", f"a value cannot be read: {exc}", 1, 1, "check dates and times in this file")


class _VersionOnceResolver(VersionedResolver):
    """ruamel's resolver, with the YAML version looked up once per loader instead of once per node.

    Behind the C parser there is no scanner to carry a `%YAML` directive, so ruamel's lookup (which
    goes through two caught AttributeErrors per scalar) always ends at the loader's own version:
    asking once gives the same answer, a fifth of the load time sooner.
    """

    def _once(self, name: str) -> Any:
        if name not in self.__dict__:
            self.__dict__[name] = getattr(VersionedResolver, name).fget(self)
        return self.__dict__[name]

    @property
    def processing_version(self) -> Any:
        return self._once("processing_version")

    @property
    def versioned_resolver(self) -> Any:
        return self._once("versioned_resolver")


def parse_documents_fast(text: str) -> tuple[list[RawDocument], YamlProblem | None]:
    """Every document as plain data, with the C-accelerated safe loader and no positions.

    Any problem is reported without a position: callers read the text again with
    `parse_documents` to say where it is.
    """
    yaml = YAML(typ="safe", pure=False)
    yaml.allow_duplicate_keys = False
    if yaml.Parser.__name__ == "CParser":
        yaml.Resolver = _VersionOnceResolver
    try:
        data = list(yaml.load_all(text))
    except (YAMLError, RecursionError, ValueError, OverflowError) as exc:
        return [], YamlProblem("yaml-syntax", f"YAML error: {exc}", 1, 1)
    if not surely_plain(text):
        for document in data:
            shape = shape_problem(document)
            if shape is not None:
                return [], shape
    return [RawDocument(index=i, data=d, line=1, column=1) for i, d in enumerate(data)], None


def _document_start_lines(text: str) -> list[int]:
    lines = [1]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---") and number > 1:
            lines.append(number + 1)
    return lines


def _position_of(node: Any) -> tuple[int | None, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None, 1
    return lc.line + 1, lc.col + 1


def position(node: Any, path: Sequence[Any]) -> tuple[int, int] | None:
    """Line and column (1-based) of the value at `path` inside `node`.

    When the path does not exist (a missing field), the position of the deepest
    existing parent key is given instead.
    """
    best: tuple[int, int] | None = None
    base = _position_of(node)
    if base[0] is not None:
        best = (base[0], base[1])
    current = node
    for key in path:
        if isinstance(current, CommentedMap) and key in current:
            try:
                if isinstance(current[key], (CommentedMap, CommentedSeq)) and current[key]:
                    line, col = current.lc.key(key)
                else:
                    line, col = current.lc.value(key)
            except (KeyError, TypeError):
                line, col = current.lc.key(key)
            best = (line + 1, col + 1)
            current = current[key]
        elif isinstance(current, CommentedSeq) and isinstance(key, int) and 0 <= key < len(current):
            line, col = current.lc.item(key)
            best = (line + 1, col + 1)
            current = current[key]
        else:
            break
    return best


def key_position(node: Any, path: Sequence[Any]) -> tuple[int, int] | None:
    """Line and column of the key at the end of `path` (for unknown fields)."""
    parent = node
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return position(node, path)
    last = path[-1] if path else None
    if isinstance(parent, CommentedMap) and last in parent:
        line, col = parent.lc.key(last)
        return line + 1, col + 1
    return position(node, path)


_CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}


def find_tags(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Paths of nodes carrying a non-core YAML tag (`!!python/...`, `!custom`): never honoured.

    Each node is looked at once, under the first path that reaches it: a node reached again
    through an alias (`*name`) is not walked again.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, tuple]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, TaggedScalar):
            tag_text = str(current.tag.value if hasattr(current.tag, "value") else current.tag)
            if tag_text not in _CORE_TAGS:
                yield where, tag_text
            continue
        if not isinstance(current, (CommentedMap, CommentedSeq)) or id(current) in seen:
            continue
        seen.add(id(current))
        tag = getattr(current, "tag", None)
        value = getattr(tag, "value", None) if tag is not None else None
        if value and value not in _CORE_TAGS:
            yield where, str(value)
        items = current.items() if isinstance(current, CommentedMap) else enumerate(current)
        stack.extend(reversed([(child, where + (key,)) for key, child in items]))
