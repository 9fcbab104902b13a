"""`slactl report verify` on an archive whose versions were removed, renamed or replaced: never "intact"."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from report_support import write_definitions
from slactl.cli.main import app
from slactl.report.archive import check_archive, verify_archive

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """`slactl --repo repo report --period 2026-10 --archive arch` run twice: manager v1 and v2, made writable."""
    repo = tmp_path / "repo"
    write_definitions(repo)
    arch = tmp_path / "arch"
    for _ in range(2):
        result = invoke("--repo", str(repo), "report", "--period", "2026-10", "--archive", str(arch))
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (arch / "2026-10" / "manager").iterdir()) == ["v1", "v2"]
    for folder, _dirs, files in os.walk(arch):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return arch


def assert_altered(arch: Path, folder: str, kind: str) -> None:
    """The CLI exits 1 naming the folder, in text and in JSON, and the library agrees."""
    result = invoke("report", "verify", str(arch))
    assert result.exit_code == 1, result.output
    assert f"2026-10/manager/{folder}" in result.output and "intact" not in result.output
    assert "altered:" in result.output
    result = invoke("report", "verify", str(arch), "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["intact"] is False
    assert (kind, f"2026-10/manager/{folder}") in {(p["kind"], p["path"].removesuffix("/manifest.json"))
                                                   for p in data["problems"]}
    assert any(f"2026-10/manager/{folder}" in message for message in verify_archive(arch))


def test_two_clean_versions_are_intact(archive: Path) -> None:
    check = check_archive(archive)
    assert check.intact and check.folders == ["2026-10/manager/v1", "2026-10/manager/v2"]
    result = invoke("report", "verify", str(archive))
    assert result.exit_code == 0 and "intact: 2 archived report(s) match their manifest" in result.output
    result = invoke("report", "verify", str(archive / "2026-10" / "manager"))  # a view folder as the root
    assert result.exit_code == 0, result.output


def test_version_without_manifest_is_altered(archive: Path) -> None:
    (archive / "2026-10" / "manager" / "v2" / "manifest.json").unlink()
    assert verify_archive(archive) == [
        "2026-10/manager/v2: archived version has no manifest.json; its files are unverified"]
    assert_altered(archive, "v2", "missing")


def test_missing_earlier_version_is_altered(archive: Path) -> None:
    shutil.rmtree(archive / "2026-10" / "manager" / "v1")
    assert verify_archive(archive) == [
        "2026-10/manager/v1: archived version missing (versions are numbered from v1 without gaps; v2 exists)"]
    assert_altered(archive, "v1", "missing")


def test_renamed_version_is_altered(archive: Path) -> None:
    manager = archive / "2026-10" / "manager"
    (manager / "v1").rename(manager / "v7")
    messages = verify_archive(archive)
    assert "2026-10/manager/v7: folder name differs from the manifest's version 1 (expected v1); " \
           "an archived version was renamed or moved" in messages
    assert any(m.startswith("2026-10/manager/v1: archived version missing") for m in messages)
    assert any(m.startswith("2026-10/manager/v3..v6: 4 archived versions missing") for m in messages)
    assert_altered(archive, "v7", "tampered")
    result = invoke("report", "verify", str(manager / "v7"))  # the renamed version named on its own
    assert result.exit_code == 1 and "v7: folder name differs from the manifest's version 1" in result.output


@pytest.mark.parametrize("target", ["v1", "outside"])
def test_version_replaced_by_a_link_is_altered(archive: Path, tmp_path: Path, target: str) -> None:
    manager = archive / "2026-10" / "manager"
    outside = tmp_path / "outside"
    shutil.copytree(manager / "v2", outside)
    shutil.rmtree(manager / "v2")
    (manager / "v2").symlink_to("v1" if target == "v1" else outside, target_is_directory=True)
    check = check_archive(archive)
    assert check.folders == ["2026-10/manager/v1"]  # the link is reported, never read
    assert [(p.kind, p.path) for p in check.problems] == [("tampered", "2026-10/manager/v2")]
    assert check.problems[0].message == \
        "2026-10/manager/v2: is a link, not a real folder inside the archive; it was not read"
    assert_altered(archive, "v2", "tampered")
    result = invoke("report", "verify", str(manager / "v2"))  # the link named on its own
    assert result.exit_code == 1 and "is a link" in result.output
