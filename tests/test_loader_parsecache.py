"""The definitions parse cache: the same data as a fresh parse, never stale, never a failure."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slactl.loader.documents as documents
from slactl.loader import load_repository
from slactl.loader.parsecache import TAG, ParseCache, decode, encode
from slactl.loader.yamlpos import parse_documents_fast

ROOT = Path(__file__).resolve().parent.parent


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (and the same time zone names)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(x, y) for x, y in zip(a.values(), b.values(), strict=True)) \
            and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, datetime):
        return a == b and a.tzinfo == b.tzinfo and (a.tzname() == b.tzname())
    return bool(a == b)


zones = st.one_of(st.none(), st.just(timezone.utc),
                  st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
                  st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m), f"{m:+d}")))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=8), st.dates(),
                    st.builds(lambda d, z: d.replace(tzinfo=z), st.datetimes(), zones))
keys = st.one_of(st.text(max_size=5), st.just(TAG), st.integers(-5, 5), st.booleans(), st.dates())
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(data)
def test_decode_gives_back_what_was_encoded(value):
    assert same(decode(json.dumps(encode(value))), value)


def yaml_files() -> list[Path]:
    return sorted(p for folder in ("examples", "tests/cases", "tests/fixtures") for p in (ROOT / folder).rglob("*.yaml"))


def test_every_yaml_file_of_the_project_reads_back_the_same(tmp_path: Path):
    cache = ParseCache(tmp_path / "cache.json", "test")
    fresh: dict[str, list[Any]] = {}
    for path in yaml_files():
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        docs, problem = parse_documents_fast(text)
        if problem is None:
            fresh[str(path)] = [d.data for d in docs]
            cache.remember(str(path), text, fresh[str(path)])
    cache.save()
    assert len(fresh) > 50
    again = ParseCache(tmp_path / "cache.json", "test")
    for path in yaml_files():
        if str(path) in fresh:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            assert same(again.documents(str(path), text), fresh[str(path)]), path


DEFS = """apiVersion: slactl/v1
kind: Service
metadata: {id: web}
spec: {tier: high}
---
apiVersion: slactl/v1
kind: Calendar
metadata: {id: cal}
spec:
  timezone: Europe/London
  holidays: [2026-12-25, 2026-12-26]
"""


def load(root: Path) -> Any:
    return load_repository(root, positions=False, cache=True)


def test_an_unchanged_file_is_not_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    first = load(tmp_path)
    cache = tmp_path / ".slactl" / "store" / "definitions-cache.json"
    assert cache.is_file() and (cache.parent / ".gitignore").is_file()

    def refuse(text: str) -> Any:
        raise AssertionError("parsed again")

    monkeypatch.setattr(documents, "parse_documents_fast", refuse)
    second = load(tmp_path)
    assert [d.model for d in second.documents] == [d.model for d in first.documents]
    assert second.get("Calendar", "cal").model.spec.holidays == [date(2026, 12, 25), date(2026, 12, 26)]


def test_a_changed_byte_means_a_fresh_parse(tmp_path: Path):
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    load(tmp_path)
    (tmp_path / "defs.yaml").write_text(DEFS.replace("tier: high", "tier: low "), encoding="utf-8")  # same size
    assert load(tmp_path).get("Service", "web").model.spec.tier == "low"


def test_a_broken_or_foreign_cache_is_ignored_and_rewritten(tmp_path: Path):
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    cache = tmp_path / ".slactl" / "store" / "definitions-cache.json"
    for junk in ("{not json", json.dumps({"format": 1, "slactl": "0.0.0-other", "files": {"defs.yaml": 1}}),
                 json.dumps({"format": 1, "slactl": "x", "files": []}), "\x00\x01"):
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(junk, encoding="utf-8")
        assert load(tmp_path).get("Service", "web") is not None
        assert json.loads(cache.read_text(encoding="utf-8"))["files"]["defs.yaml"]["sha256"]


def test_what_callers_do_to_the_data_does_not_reach_the_cache(tmp_path: Path):
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    load(tmp_path)
    (tmp_path / "other.yaml").write_text(DEFS.replace("web", "api").replace("id: cal", "id: cal2"), encoding="utf-8")
    result = load(tmp_path)  # defs.yaml from the cache, other.yaml parsed: the cache is written again
    result.get("Service", "web").raw["spec"]["tier"] = "tampered"
    assert load(tmp_path).get("Service", "web").model.spec.tier == "high"


def test_a_read_only_store_is_not_an_error(tmp_path: Path):
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    (tmp_path / ".slactl").write_text("a file where the store folder would be", encoding="utf-8")
    assert load(tmp_path).get("Service", "web") is not None


def test_files_with_errors_are_reported_with_positions_not_cached(tmp_path: Path):
    (tmp_path / "defs.yaml").write_text(DEFS + "---\nkind: [unclosed\n", encoding="utf-8")
    result = load(tmp_path)
    assert [(f.rule, f.line) for f in result.findings][:1] == [("yaml-syntax", 14)]
    assert not (tmp_path / ".slactl" / "store" / "definitions-cache.json").exists()


def test_an_ingest_reading_some_files_keeps_the_others_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from slactl.loader.repository import load_config
    from slactl.store.definitions import load_data_definitions

    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    sla = "apiVersion: slactl/v1\nkind: Calendar\nmetadata: {id: other}\nspec: {timezone: UTC}\n"
    (tmp_path / "agreements.yaml").write_text(sla, encoding="utf-8")
    load(tmp_path)
    (tmp_path / "defs.yaml").write_text(DEFS.replace("high", "low"), encoding="utf-8")
    assert load_data_definitions(load_config(tmp_path)).get("Service", "web").model.spec.tier == "low"
    (tmp_path / "gone.yaml").write_text(sla.replace("other", "gone"), encoding="utf-8")
    load(tmp_path)
    (tmp_path / "gone.yaml").unlink()
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    load_data_definitions(load_config(tmp_path))  # writes the cache again: without the removed file
    cached = json.loads((tmp_path / ".slactl" / "store" / "definitions-cache.json").read_text(encoding="utf-8"))
    assert sorted(cached["files"]) == ["agreements.yaml", "defs.yaml"]
    monkeypatch.setattr(documents, "parse_documents_fast", lambda text: (_ for _ in ()).throw(AssertionError(text)))
    assert load(tmp_path).get("Calendar", "other") is not None


def test_an_ingest_leaves_the_files_it_does_not_read_parsed_for_the_next_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from slactl.loader.repository import load_config
    from slactl.store.definitions import load_data_definitions

    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    cal = "apiVersion: slactl/v1\nkind: Calendar\nmetadata: {id: other}\nspec: {timezone: UTC}\n"
    (tmp_path / "agreements.yaml").write_text(cal, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    result = load_data_definitions(load_config(tmp_path))
    assert result.files == ["defs.yaml"] and not result.findings  # the others are neither loaded nor judged
    (tmp_path / "broken.yaml").unlink()
    monkeypatch.setattr(documents, "parse_documents_fast", lambda text: (_ for _ in ()).throw(AssertionError(text)))
    assert load(tmp_path).get("Calendar", "other") is not None  # nothing parsed again


def test_the_ingest_warm_up_never_reads_a_link_out_of_the_repository(tmp_path: Path):
    from slactl.loader.repository import load_config
    from slactl.store.definitions import load_data_definitions

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "defs.yaml").write_text(DEFS, encoding="utf-8")
    (tmp_path / "outside.yaml").write_text("secret_token: hunter2\n", encoding="utf-8")
    (repo / "linked.yaml").symlink_to(tmp_path / "outside.yaml")
    load_data_definitions(load_config(repo))
    assert "hunter2" not in (repo / ".slactl" / "store" / "definitions-cache.json").read_text(encoding="utf-8")
