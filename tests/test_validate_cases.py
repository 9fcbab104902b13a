"""Golden cases: every validate rule has bad and good inputs with the findings they must produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from slactl.loader.documents import load_paths
from slactl.rules.registry import LOADER_RULES, RULES, Context, load_rule_modules, run_rules
from validate_cases import BASE, CASES, TODAY, actual, case_files, expected


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.relative_to(CASES).as_posix())
def test_case(path: Path) -> None:
    want = expected(path)
    if path.name.startswith("good"):
        assert want == [], "good cases expect no findings"
    else:
        assert want, f"{path} lists no '# expect:' lines"
    assert actual(path) == want


def test_base_is_clean() -> None:
    result = load_paths([BASE], CASES)
    assert result.findings == []
    assert run_rules(Context(result=result, root=CASES, today=TODAY), "validate") == []


OWN_FAMILIES = {"slactl.rules.references", "slactl.rules.hierarchy", "slactl.rules.consistency", "slactl.rules.sanity"}


def test_every_validate_rule_has_bad_and_good_cases() -> None:
    load_rule_modules()
    for rule in RULES.values():
        if rule.check.__module__ not in OWN_FAMILIES:
            continue
        folder = CASES / rule.id
        assert list(folder.glob("bad*.yaml")), f"no bad case for {rule.id}"
        assert list(folder.glob("good*.yaml")), f"no good case for {rule.id}"


def test_every_case_folder_names_a_rule() -> None:
    load_rule_modules()
    known = set(RULES) | set(LOADER_RULES) | {"suppression"}
    for folder in CASES.iterdir():
        if folder.is_dir():
            assert folder.name in known, f"{folder.name} is not a rule id"


def test_every_rule_has_a_docstring() -> None:
    load_rule_modules()
    for rule in RULES.values():
        assert (rule.doc or "").strip(), f"rule {rule.id} has no docstring (summary line, then bad and good examples)"
        if rule.check.__module__ in OWN_FAMILIES:
            assert "Bad:" in rule.doc and "Good:" in rule.doc, f"{rule.id} docstring lacks Bad:/Good: examples"
