"""The fast (positionless) load gives the same models, and falls back to positions on any problem."""

from __future__ import annotations

from pathlib import Path

from slactl.loader import load_repository


def test_fast_load_matches_the_positional_load(examples_dir: Path) -> None:
    slow = load_repository(examples_dir)
    fast = load_repository(examples_dir, positions=False)
    assert not fast.findings
    assert [(d.kind, d.id) for d in fast.documents] == [(d.kind, d.id) for d in slow.documents]
    assert [d.model for d in fast.documents] == [d.model for d in slow.documents]


def test_fast_load_falls_back_to_positions_when_something_is_wrong(write, tmp_path: Path) -> None:
    write("svc.yaml", "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: svc}\nspec:\n  tier: gold\n")
    result = load_repository(tmp_path, positions=False)
    (finding,) = result.findings
    assert (finding.rule, finding.line, finding.column) == ("schema-value", 5, 9)


def test_fast_loaded_documents_find_the_same_positions(examples_dir: Path) -> None:
    slow = load_repository(examples_dir)
    fast = load_repository(examples_dir, positions=False)
    paths = [(), ("metadata", "id"), ("spec",), ("spec", "services"), ("spec", "objectives", 0, "target"),
             ("spec", "objectives", 1), ("no", "such", "key")]
    for positional, positionless in zip(slow.documents, fast.documents, strict=True):
        for path in paths:
            assert positionless.pos(*path) == positional.pos(*path), (positional.file, path)


def test_rule_findings_from_a_fast_load_name_the_line(write, tmp_path: Path) -> None:
    from datetime import date

    from slactl.rules.registry import Context, run_rules

    write("svc.yaml", "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: svc}\nspec:\n  tier: high\n"
                      "  depends_on: [nowhere]\n")
    result = load_repository(tmp_path, positions=False)
    assert not result.findings
    findings = run_rules(Context(result=result, root=tmp_path, today=date(2026, 11, 1)), "validate")
    assert [(f.file, f.line) for f in findings if f.rule == "ref-unknown"] == [("svc.yaml", 6)]


def test_the_fast_parser_reads_what_ruamel_s_own_c_loader_reads() -> None:
    from ruamel.yaml import YAML

    from slactl.loader.yamlpos import parse_documents_fast

    texts = ["%YAML 1.1\n---\nx: yes\ny: 010\nz: 2026-11-01\nw: 1_000\n",
             "x: yes\ny: 010\nz: 2026-11-01 10:00:00+01:00\nw: .inf\nv: 0o17\nu: ~\n",
             "a: !!binary aGVsbG8=\nb: [1, 2.5, null, true, '3']\n", "%YAML 1.2\n---\nq: on\n---\nr: off\n"]
    for text in texts:
        docs, problem = parse_documents_fast(text)
        assert problem is None
        assert [d.data for d in docs] == list(YAML(typ="safe", pure=False).load_all(text))
