"""Rendering the service review with jinja2: one Environment, Markdown and self-contained HTML.

Templates come from the packaged `templates/` folder; a folder given with `--templates` is searched
first, so a file there replaces the default of the same name. HTML is autoescaped; Markdown text is
escaped with the `md` filter so names cannot break tables or inject markup.
"""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path
from typing import Any

from slactl import atomic

FORMATS = ("md", "html")
TEMPLATE_FOR = {"md": "report.md.j2", "html": "report.html.j2"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def default_templates() -> Path:
    return Path(str(importlib.resources.files("slactl") / "templates"))


def md_escape(value: Any) -> str:
    """Text safe inside a Markdown table cell or paragraph: no markup, no raw HTML, one line."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_filename(*parts: str) -> str:
    """A file name from ids and labels: anything but letters, digits, '.', '_' and '-' becomes '_'."""
    name = "-".join(_UNSAFE_NAME.sub("_", p).strip("._") for p in parts if p)
    return name or "report"


def tidy_markdown(text: str) -> str:
    """One blank line around headings and tables, never two, whatever the templates' whitespace."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        starts_block = line.startswith("#") or (line.startswith("|") and not previous.startswith("|"))
        ends_table = previous.startswith("|") and not line.startswith("|")
        if previous.strip() and line.strip() and (starts_block or ends_table or previous.startswith("#")):
            out.append("")
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def plain_value(value: Any) -> str:
    """A raw figure as a reader expects it: – for none, JSON for records, lists and booleans."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


class Renderer:
    """One jinja2 Environment for every template a run renders (StrictUndefined: a typo is an error)."""

    def __init__(self, templates: Path | None = None) -> None:
        import jinja2

        searched = [str(templates)] if templates is not None else []
        searched.append(str(default_templates()))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(searched),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"),
                                                default_for_string=False, default=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["md"] = md_escape
        self.env.filters["plain"] = plain_value

    def render(self, data: dict[str, Any], fmt: str, template: str | None = None) -> str:
        name = template or TEMPLATE_FOR[fmt]
        text = self.env.get_template(name).render(r=data)
        if fmt == "md":
            text = tidy_markdown(text)
        return text


class TemplateProblem(Exception):
    """A template could not be read or rendered; the message names the template and line."""


def render_text(renderer: Renderer, data: dict[str, Any], fmt: str, template: str | None = None) -> str:
    """Render, turning jinja errors into a TemplateProblem that names the template file and line."""
    import jinja2

    try:
        return renderer.render(data, fmt, template)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(f"template '{exc.name}' not found") from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(f"template {TEMPLATE_FOR.get(fmt, fmt)}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"template {TEMPLATE_FOR.get(fmt, fmt)}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise TemplateProblem(f"a template is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
                              "save it as UTF-8") from None


def write_text_atomic(path: Path, text: str) -> None:
    """Write a report file atomically (UTF-8), with an ordinary file's mode."""
    atomic.write_text_atomic(path, text, mode=atomic.ordinary_file_mode())


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a report file atomically; mkstemp makes 0600, a report is an ordinary file (0666 minus umask)."""
    atomic.write_bytes_atomic(path, data, mode=atomic.ordinary_file_mode())


def report_basename(period: str, view: str, scope_slug: str | None = None) -> str:
    return safe_filename("service-review", period, view, *( [scope_slug] if scope_slug else []))


def write_report(renderer: Renderer, data: dict[str, Any], formats: list[str], out_dir: Path,
                 basename: str) -> list[Path]:
    """Render each format and write it atomically into `out_dir`; returns the files written."""
    written = []
    for fmt in formats:
        text = render_text(renderer, data, fmt)
        path = out_dir / f"{basename}.{fmt}"
        write_text_atomic(path, text)
        written.append(path)
    return written
