"""slactl.atomic: the one atomic writer every module uses, and its permission choices."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from slactl.atomic import ordinary_file_mode, write_bytes_atomic, write_text_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_is_written_as_given_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "folder" / "out.txt"
    write_text_atomic(target, "a\r\nb\nć\n")
    assert target.read_bytes() == "a\r\nb\nć\n".encode()
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_default_mode_is_an_ordinary_file_and_mode_applies(tmp_path: Path) -> None:
    ordinary = tmp_path / "report.md"
    write_text_atomic(ordinary, "# report\n")
    assert _mode(ordinary) == ordinary_file_mode() == 0o666 & ~_umask()
    private = tmp_path / "private.json"
    write_bytes_atomic(private, b"{}", mode=0o600)
    assert _mode(private) == 0o600


def test_keep_mode_keeps_the_replaced_file_permissions(tmp_path: Path) -> None:
    target = tmp_path / "register.yaml"
    write_text_atomic(target, "new: 1\n", keep_mode=True)  # nothing to keep: an ordinary file
    assert _mode(target) == ordinary_file_mode()
    os.chmod(target, 0o640)
    write_text_atomic(target, "new: 2\n", keep_mode=True)
    assert _mode(target) == 0o640 and target.read_text() == "new: 2\n"


def test_prefix_and_suffix_name_the_temporary_file_and_failures_clean_up(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    write_bytes_atomic(target, b"1", prefix=".tmp-", suffix=".json")
    assert target.read_bytes() == b"1"
    folder = tmp_path / "is-a-folder"
    folder.mkdir()
    (folder / "x").write_text("x")
    with pytest.raises(OSError):
        write_bytes_atomic(folder, b"2", prefix=".tmp-")  # os.replace cannot put a file over a folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["is-a-folder", "manifest.json"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
