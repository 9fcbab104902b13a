"""Rendering: Markdown and HTML from the packaged templates, escaping, overrides and template errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_support import load, reports, write_definitions
from slactl.report.render import (
    Renderer,
    TemplateProblem,
    md_escape,
    render_text,
    safe_filename,
    tidy_markdown,
)
from slactl.report.viewmodel import ReportInputs, build_view

HOSTILE = "<script>alert(1)</script> | **bold** [x](http://evil)"


@pytest.fixture
def view_for(tmp_path: Path):
    def make(view: str = "manager", name: str = "Payments platform, Gold customers") -> dict:
        write_definitions(tmp_path, name)
        history = reports()
        inputs = ReportInputs("2026-10", history[-1], load(tmp_path), history[:-1])
        return build_view(inputs, view, generated_at="2026-11-02T09:00:00+00:00", tool_version="0.1.0")

    return make


def test_md_escape_neutralises_markup() -> None:
    assert md_escape("a|b\nc") == "a\\|b c"
    assert md_escape("<script>") == "&lt;script&gt;"
    assert md_escape("**x** [l](u) `c`") == "\\*\\*x\\*\\* \\[l\\](u) \\`c\\`"
    assert md_escape(None) == ""


def test_safe_filename() -> None:
    assert safe_filename("service-review", "2026-10", "../../etc/passwd") == "service-review-2026-10-etc_passwd"
    assert safe_filename("a b", "c/d") == "a_b-c_d"


def test_tidy_markdown_spaces_blocks() -> None:
    assert tidy_markdown("# T\ntext\n| a |\n| - |\nafter\n\n\n\nend") == "# T\n\ntext\n\n| a |\n| - |\n\nafter\n\nend"


@pytest.mark.parametrize("view", ["executive", "manager", "technical"])
def test_every_view_renders_in_both_formats(view_for, view: str) -> None:
    data = view_for(view)
    renderer = Renderer()
    md = render_text(renderer, data, "md")
    html = render_text(renderer, data, "html")
    assert md.startswith("# Service review 2026-10: ")
    assert "\n\n\n" not in md
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html  # the report carries no scripts at all
    assert "Content-Security-Policy" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # no external assets


def test_manager_markdown_content(view_for) -> None:
    md = render_text(Renderer(), view_for("manager"), "md")
    assert "| availability | Availability | 99.9% | 99.85% | ✖ Breached | overspent by 50.0% | 10% |" in md
    assert "- Problem **prb-dns** (open): DNS resolver failover too slow" in md
    assert "Force majeure **storm-2026-10**" in md
    assert "| OLA db-ola | db-availability | payments-gold/availability | 99.95% | 99.97% | ✔ Met |" in md
    assert "### Review meeting agenda" in md


def test_hostile_names_are_text(view_for) -> None:
    data = view_for("manager", HOSTILE)
    html = render_text(Renderer(), data, "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = render_text(Renderer(), data, "md")
    assert "<script>" not in md and "\\*\\*bold\\*\\*" in md and "&lt;script&gt;" in md


def test_html_is_accessible(view_for) -> None:
    html = render_text(Renderer(), view_for("manager"), "html")
    assert html.count("<caption>") >= 5
    assert '<th scope="col">' in html
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "@media print" in html
    assert "✖</span> Breached" in html  # status in words and symbol, not colour alone


def test_templates_folder_overrides_one_file(view_for, tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    (custom / "report").mkdir(parents=True)
    (custom / "report" / "_overview.md.j2").write_text("CUSTOM OVERVIEW for {{ r.period }}\n", encoding="utf-8")
    md = render_text(Renderer(custom), view_for("manager"), "md")
    assert "CUSTOM OVERVIEW for 2026-10" in md
    assert "### Review meeting agenda" in md  # the other templates are the defaults


def test_template_errors_name_the_template(view_for, tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "report.md.j2").write_text("line one\n{{ r.no_such_field }}\n", encoding="utf-8")
    with pytest.raises(TemplateProblem, match="no_such_field"):
        render_text(Renderer(custom), view_for("manager"), "md")
    (custom / "report.md.j2").write_text("ok\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(TemplateProblem, match=r"report\.md\.j2:2: template syntax error"):
        render_text(Renderer(custom), view_for("manager"), "md")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_md_escape_keeps_any_text_inside_its_table_cell(text: str) -> None:
    escaped = md_escape(text)
    assert "\n" not in escaped and "\r" not in escaped and "<" not in escaped and ">" not in escaped
    assert re.search(r"(?<!\\)\|", escaped) is None  # every pipe escaped
