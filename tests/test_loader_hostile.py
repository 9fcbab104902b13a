"""Hostile definition files get a finding, quickly: alias bombs, link loops, pipes, devices, links out, deep nesting."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.loader import load_repository
from slactl.loader.documents import load_paths
from slactl.loader.yamlpos import find_tags, parse_documents

SERVICE = "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: payments-api}\nspec: {}\n"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links, pipes and devices of POSIX")


def _bomb(levels: int = 9) -> str:
    lines = ["apiVersion: slactl/v1", "kind: Service", "metadata:", "  id: bomb", "  labels:",
             "    a: &a [l,l,l,l,l,l,l,l,l]"]
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"    {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join([*lines, "spec: {}", ""])


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fail (rather than hang the suite) when the block blocks or runs for `seconds`."""

    def _expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _timed(call: Callable[[], Any], limit: float = 2.0) -> Any:
    start = time.perf_counter()
    with _deadline(30):
        value = call()
    assert time.perf_counter() - start < limit
    return value


def _all_loads(root: Path) -> list[Any]:
    return [_timed(lambda kw=kw: load_repository(root, **kw))  # type: ignore[misc]
            for kw in ({}, {"positions": False}, {"positions": False, "cache": True})]


def _cli_json(root: Path) -> dict[str, Any]:
    with _deadline(30):
        run = CliRunner().invoke(app, ["--repo", str(root), "validate", "--format", "json"],
                                 catch_exceptions=False, env={"GITHUB_ACTIONS": ""})
    assert run.exit_code == 1, run.output
    return json.loads(run.output)


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "services").mkdir(parents=True)
    (tmp_path / "slactl.toml").touch()
    (tmp_path / "services" / "ok.yaml").write_text(SERVICE, encoding="utf-8")
    return tmp_path


def test_alias_bomb_is_refused_at_the_alias_line_quickly(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "services" / "bomb.yaml").write_text(_bomb(), encoding="utf-8")
    for result in _all_loads(root):
        (finding,) = result.findings
        assert (finding.file, finding.rule, finding.line) == ("services/bomb.yaml", "yaml-syntax", 11)
        assert "aliases expand too far" in finding.message and finding.hint
        assert [d.id for d in result.documents] == ["payments-api"]
    (finding,) = _timed(lambda: _cli_json(root))["findings"]
    assert (finding["rule"], finding["file"], finding["line"]) == ("yaml-syntax", "services/bomb.yaml", 11)


def test_a_few_aliases_are_still_fine(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "services" / "small.yaml").write_text(_bomb(levels=3).replace("id: bomb", "id: small"), encoding="utf-8")
    for result in _all_loads(root):
        assert all(f.rule != "yaml-syntax" for f in result.findings)


def test_tags_under_shared_aliases_are_walked_once() -> None:
    text = "a: &a [!custom x, y]\n" + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n"
                                                  for p, c in zip("abcd", "bcde", strict=True))
    (raw,), problem = parse_documents(text)
    assert problem is None
    assert _timed(lambda: list(find_tags(raw.data))) == [(("a", 0), "!custom")]


@posix_only
def test_symlink_loop_is_a_finding_naming_the_file(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    os.symlink("l2.yaml", root / "services" / "l1.yaml")
    os.symlink("l1.yaml", root / "services" / "l2.yaml")
    for result in _all_loads(root):
        assert [(f.file, f.rule) for f in result.findings] == [
            ("services/l1.yaml", "file-unreadable"), ("services/l2.yaml", "file-unreadable")]
        assert all("loop" in f.message for f in result.findings)
    assert {f["file"] for f in _cli_json(root)["findings"]} == {"services/l1.yaml", "services/l2.yaml"}


@posix_only
def test_fifo_is_never_opened(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    os.mkfifo(root / "services" / "f.yaml")
    for result in _all_loads(root):
        (finding,) = result.findings
        assert (finding.file, finding.rule) == ("services/f.yaml", "file-unreadable")
        assert "not a regular file" in finding.message
    assert [f["file"] for f in _timed(lambda: _cli_json(root))["findings"]] == ["services/f.yaml"]


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_devices_are_never_read(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    os.symlink("/dev/zero", root / "services" / "z.yaml")
    for result in _all_loads(root):
        assert [(f.file, f.rule) for f in result.findings] == [("services/z.yaml", "file-unreadable")]
    # named directly, from outside the repository, a device is still not read
    result = _timed(lambda: load_paths([Path("/dev/zero")], root))
    (finding,) = result.findings
    assert finding.rule == "file-unreadable" and "a device" in finding.message


@posix_only
def test_symlink_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2-do-not-print\n", encoding="utf-8")
    os.symlink(secret, root / "services" / "leak.yaml")
    os.symlink("../../secret.yaml", root / "services" / "leak2.yaml")
    for result in _all_loads(root):
        assert [(f.file, f.rule) for f in result.findings] == [
            ("services/leak.yaml", "file-unreadable"), ("services/leak2.yaml", "file-unreadable")]
        for finding in result.findings:
            assert "points outside the repository (to ../secret.yaml)" in finding.message
        assert not any("secret.yaml" in f for f in result.files) and not result.sources.keys() - {"services/ok.yaml"}
    output = json.dumps(_cli_json(root))
    assert "hunter2" not in output and str(tmp_path) not in output


def test_deep_nesting_names_the_line_and_says_what_to_do(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    deep = "[" * 400 + "]" * 400
    text = ("apiVersion: slactl/v1\nkind: Service\nmetadata: {id: shallow}\nspec: {}\n---\n"
            f"apiVersion: slactl/v1\nkind: Service\nmetadata: {{id: deep}}\nspec:\n  extra:\n    - {deep}\n")
    (root / "services" / "deep.yaml").write_text(text, encoding="utf-8")
    for result in _all_loads(root):
        (finding,) = result.findings
        assert (finding.file, finding.rule, finding.line) == ("services/deep.yaml", "yaml-syntax", 11)
        assert finding.column > 1 and "nesting is too deep" in finding.message and finding.hint
        assert sorted(d.id for d in result.documents) == ["payments-api", "shallow"]
    (finding,) = _cli_json(root)["findings"]
    assert finding["line"] == 11 and finding["hint"]


def test_the_shallow_text_bound_holds_for_nesting_it_lets_through() -> None:
    from slactl.loader.yamlpos import MAX_NESTING_DEPTH, surely_plain

    samples = ["a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)) + "  " * 40 + "x: 1\n",
               "a:\n- - - - - - - - - - - x\n", "a: " + "[" * 30 + "1" + "]" * 30 + "\n",
               "a:\n" + "".join(" " * i + "- b:\n" + " " * (i + 2) + "c:\n" for i in range(0, 40, 4)) + " " * 42 + "- 1\n"]
    for text in samples:
        docs, problem = parse_documents(text)
        if surely_plain(text):
            assert problem is None and _depth(docs[0].data) <= MAX_NESTING_DEPTH, text
    assert not surely_plain("a: &x [1]\nb: *x\n")


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_nested = st.recursive(st.integers(0, 9), lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3), st.dictionaries(st.sampled_from("abc"), inner, min_size=1, max_size=2)),
    max_leaves=40)


@settings(max_examples=200, deadline=None)
@given(_nested, st.sampled_from([None, True, False]), st.integers(1, 4))
def test_the_text_bound_is_never_below_the_real_depth(value, flow, indent):
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.indent(mapping=indent + 1, sequence=indent + 2, offset=indent)
    out = io.StringIO()
    yaml.dump({"root": value}, out)
    text = out.getvalue()
    widest = max(len(line) - len(line.lstrip(" -?")) for line in text.splitlines())
    assert 2 * widest + 2 + text.count("[") + text.count("{") >= _depth({"root": value}), text
