"""Bad input never ends in a traceback: unreadable files, random mutations of valid files, light imports."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slactl.loader.documents import load_paths, load_text
from slactl.rules.registry import Context, run_rules
from slactl.rules.validation import run_validation
from slactl.scaffold import template_files

SCAFFOLD = {rel: text for rel, text in template_files(date(2026, 6, 15)).items() if rel.endswith(".yaml")}
ALL_VALID = "\n---\n".join(SCAFFOLD.values())


def _rules(path: Path, tmp_path: Path) -> list[tuple[str, int, int]]:
    (tmp_path / "slactl.toml").touch()  # a definitions repository even when no file in it can be read
    run = run_validation(tmp_path)
    return [(f.rule, f.line, f.column) for f in run.findings if f.file == path.name]


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "logo.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    assert _rules(path, tmp_path) == [("yaml-encoding", 1, 1)]


def test_non_utf8_file_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("apiVersion: slactl/v1\nkind: Service\nmetadata: {id: caf\xe9}\n".encode("latin-1"))
    assert _rules(path, tmp_path) == [("yaml-encoding", 3, 19)]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfapiVersion: slactl/v1\nkind: Service\nmetadata: {id: s}\nspec: {}\n")
    assert _rules(path, tmp_path) == []


def test_python_object_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(
        "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: s}\n"
        f"spec:\n  suppliers: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    assert [r for r, _, _ in _rules(path, tmp_path)] in (["yaml-tag"], ["yaml-syntax"])
    assert not marker.exists()


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * (5 * 1024 * 1024 + 10) + "\n")
    assert _rules(path, tmp_path) == [("file-too-large", 1, 1)]


def _mutate(text: str, data: st.DataObject) -> str:
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["delete", "duplicate", "swap", "char", "truncate", "indent"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "char":
            line = lines[i]
            k = data.draw(st.integers(0, len(line)))
            ch = data.draw(st.sampled_from(list(":-{}[],'\"#&*!|>%@` \tx0é") + ["\x00", "\ufeff"]))
            lines[i] = line[:k] + ch + line[k + 1:]
        elif op == "indent":
            lines[i] = " " + lines[i]
        else:
            lines = lines[:i]
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_definitions_give_findings_never_exceptions(data: st.DataObject) -> None:
    text = _mutate(ALL_VALID, data)
    result = load_text(text, "mutated.yaml")
    findings = list(result.findings) + run_rules(Context(result=result, root=Path("."), today=date(2026, 6, 15)))
    assert all(f.rule != "rule-crashed" for f in findings), [f for f in findings if f.rule == "rule-crashed"]
    for finding in findings:
        assert finding.line >= 1 and finding.column >= 1


def test_every_scaffold_file_alone_loads(tmp_path: Path) -> None:
    for rel, text in SCAFFOLD.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = load_paths(sorted(tmp_path.rglob("*.yaml")), tmp_path)
    assert result.findings == []


def test_validate_does_not_import_pandas(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "import slactl.cli.main as m\n"
        f"r = CliRunner().invoke(m.app, ['validate', '--repo', {str(tmp_path)!r}], catch_exceptions=False)\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [name for name in ('pandas', 'matplotlib', 'numpy', 'pyarrow', 'scipy', 'jinja2', 'git') if name in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    (tmp_path / "s.yaml").write_text("apiVersion: slactl/v1\nkind: Service\nmetadata: {id: s}\nspec: {}\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
