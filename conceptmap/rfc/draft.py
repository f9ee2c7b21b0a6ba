"""The RFC draft: Markdown from a map, in the layout of a known RFC process.

Every style is a Jinja2 template in ``rfc/templates/`` fed by one
:class:`~conceptmap.rfc.analysis.Analysis`. Templates write user text only
through the filters of :mod:`conceptmap.rfc.markdown` and record each item, note
and link in a :class:`~conceptmap.rfc.ledger.Ledger` (``trace``), which writes the
hidden ``<!-- cm:ID -->`` comments and feeds the appendix that accounts for the
whole map. A clean draft (``clean=True``) has neither comments nor appendix.

The ``adr`` style is one MADR record per decision: :func:`adr_records` gives
them as numbered files, :func:`render` one after the other.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import Environment, FileSystemLoader, PackageLoader, StrictUndefined

from ..core.files import write_text
from ..core.perf import gc_paused
from ..errors import FileError, InvalidValueError, TemplateError
from .analysis import Analysis, Decision, analyse
from .ledger import Ledger, comment_id
from .markdown import is_web_url, md, md_lines, md_notes, md_url, yaml_str

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = [
    "STYLES", "adr_records", "comment_id", "context", "md", "md_lines", "md_notes", "md_url",
    "render", "write_rfc", "yaml_str",
]  # fmt: skip

STYLES = ("ipip", "rust", "ietf", "adr")
_FENCE = re.compile(r"^(```|~~~)")
_LIST_LINE = re.compile(r"^(\s+\S|[-*+] |\d{1,9}[.)] )")
_SUB_ITEM = re.compile(r"^\s+- ")
_TOP_TEXT = re.compile(r"^[^\s\-*+|#<{~`]")
_HEADING_END = re.compile(r"[.,;:!。，；：！\s]+$")


@cache
def _package_environment() -> Environment:
    return _environment(PackageLoader("conceptmap.rfc", "templates"))


def heading(text: str) -> str:
    """A label as a heading: inert, without the punctuation markdownlint rejects at its end."""
    return md(_HEADING_END.sub("", str(text)) or str(text))


def _environment(loader: Any) -> Environment:
    env = Environment(
        loader=loader,
        # Markdown, not HTML: HTML escaping would be wrong here; user text goes
        # through the md filters, which escape Markdown and inline HTML alike
        autoescape=False,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["web_url"] = is_web_url
    env.filters.update(
        md=md, md_lines=md_lines, md_notes=md_notes, md_url=md_url, yaml=yaml_str, heading=heading
    )
    return env


def context(m: ConceptMap, *, clean: bool = False, a: Analysis | None = None) -> dict[str, Any]:
    """What every template receives: the analysis ``a``, the ledger ``trace`` and helpers."""
    a = analyse(m) if a is None else a
    ledger = Ledger(a, clean=clean)
    return {"a": a, "trace": ledger, "tracer": ledger, "comment_id": comment_id, "clean": clean}


def render(
    m: ConceptMap,
    style: str = "ipip",
    template: str | os.PathLike[str] | None = None,
    *,
    clean: bool = False,
) -> str:
    """The draft as Markdown, in ``style`` or from the user's own ``template`` file.

    ``clean`` leaves out the trace comments and the appendix. An ``adr`` draft is
    every record of :func:`adr_records`, one after the other.
    """
    if template is None and style == "adr":
        return "\n".join(text for _, text in adr_records(m, clean=clean))
    env, name = _template(style, template)
    with gc_paused(len(m) > 1000):
        return _render(env, name, context(m, clean=clean), template)


def _template(style: str, template: str | os.PathLike[str] | None) -> tuple[Environment, str]:
    if template is not None:
        path = Path(template)
        if not path.is_file():
            raise FileError(path, "is not a template file")
        return _environment(FileSystemLoader(str(path.parent))), path.name
    if style in STYLES:
        return _package_environment(), f"{style}.md.j2"
    raise InvalidValueError(f"unknown RFC style {style!r} (valid styles: {', '.join(STYLES)})")


def _render(
    env: Environment, name: str, ctx: dict[str, Any], template: str | os.PathLike[str] | None
) -> str:
    try:
        text = env.get_template(name).render(**ctx)
    except jinja2.TemplateError as exc:
        where = f"{template}, line {_template_line(exc)}" if template else name
        raise TemplateError(f"the RFC template {where} failed: {exc}") from None
    return tidy(text)


def tidy(text: str) -> str:
    """One blank line at most, none at line ends, and one before text that follows a list.

    Without that blank line, CommonMark reads "Known shortcomings:" after a list
    as more text of the list's last item.
    """
    out: list[str] = []
    fenced = False
    lines = text.split("\n")
    header = 0  # the front matter is YAML: left as it is
    if lines[0] == "---":
        header = next((i for i, x in enumerate(lines[1:], 1) if x.startswith("---")), 0) + 1
        out, lines = lines[:header], lines[header:]
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            line = line.rstrip()
            if not line and out and not out[-1]:
                continue
            if _TOP_TEXT.match(line) and out and _LIST_LINE.match(out[-1]):
                out.append("")
            # an item's sub-items follow it without a blank line (a blank is left in
            # by the templates' loops, and would make every list loose)
            if _SUB_ITEM.match(line) and len(out) > 1 and not out[-1] and _LIST_LINE.match(out[-2]):
                out.pop()
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def _template_line(exc: jinja2.TemplateError) -> str:
    """The template line an error came from: syntax errors know it, others are in the traceback."""
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".j2", ".jinja", ".md", ".txt")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return str(line) if line else "?"


def adr_records(m: ConceptMap, *, clean: bool = False) -> list[tuple[str, str]]:
    """One MADR record per decision (one for the session when it has none), as (file name, text).

    Files are numbered in the map's order: ``0001-use-web-locks.md``. The records
    share one ledger; the last one carries the appendix for them all.

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("Private DHT", author="d")
    >>> m.decision("Use double hashing")
    'use-double-hashing'
    >>> [name for name, _ in adr_records(m)]
    ['0001-use-double-hashing.md']
    """
    return _adr(m, clean)[0]


def _adr(m: ConceptMap, clean: bool) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The records and the context (with its ledger) they were written with."""
    env = _package_environment()
    ctx = context(m, clean=clean)
    a: Analysis = ctx["a"]
    records: list[Decision | None] = [*a.decisions] or [None]
    out = []
    with gc_paused(len(m) > 1000):
        for number, d in enumerate(records, 1):
            ctx.update(d=d, number=number, total=len(records), last=number == len(records))
            slug = d.node.id if d is not None else (a.topic.id if a.topic else "decision")
            out.append((f"{number:04d}-{slug[:60]}.md", _render(env, "adr.md.j2", ctx, None)))
    return out, ctx


def write_rfc(
    m: ConceptMap,
    path: str | os.PathLike[str],
    style: str = "ipip",
    template: str | os.PathLike[str] | None = None,
    *,
    clean: bool = False,
) -> Path:
    """Write the draft to ``path``; for ``adr``, a directory gets one numbered file per record.

    An ``adr`` draft of a map with several decisions needs a directory (an
    existing one, or a path without a suffix).
    """
    path = Path(path)
    if style == "adr" and template is None:
        records = adr_records(m, clean=clean)
        if path.is_dir() or not path.suffix:
            path.mkdir(parents=True, exist_ok=True)
            for name, text in records:
                write_text(path / name, text)
            return path
        if len(records) > 1:
            raise InvalidValueError(
                f"the map has {len(records)} decisions, one record each: write them to a "
                f"directory (-o DIR), not to the file {str(path)!r}"
            )
        return write_text(path, records[0][1])
    return write_text(path, render(m, style, template, clean=clean))
