"""The RFC draft: Markdown from a map, in the layout of a known RFC process.

Every style is a Jinja2 template in ``rfc/templates/`` fed by one
:class:`~conceptmap.analysis.Analysis`. Templates write user text only through
the filters below, and mark each item with ``trace(node, section)``: a hidden
``<!-- cm:ID -->`` comment that also records where the node landed, for the
appendix that lists every node and its sections.

What each filter makes of the user's text (labels, notes, metadata, authors, urls):

- ``md``: one line of inert Markdown. Line breaks, with the white space around
  them, become one space (a break could start a heading, list or HTML block);
  Markdown and HTML punctuation is backslash-escaped. A value that is a web url
  and nothing else (a reference labelled with its url) is a link to it.
- ``md_lines``: notes, escaped line by line (blank lines kept).
- ``md_url``: a url. Only ``http:``, ``https:`` and ``mailto:`` urls become
  links, ``[url](<url>)``, whose target is exactly the url: inside ``<...>`` only
  what a link destination cannot hold is percent-encoded (white space, control
  characters, ``<``, ``>``, ``\\``), with ``|``, which would split a table cell,
  and ``&`` where it would start an entity. Any other scheme (``javascript:``,
  ``data:``, ``file:``, ...) is written as inert text.
- ``yaml``: a YAML double-quoted scalar (front matter) that reads back as the value.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from jinja2 import Environment, FileSystemLoader, PackageLoader, StrictUndefined

from ..core.files import write_text
from ..core.perf import gc_paused
from ..errors import FileError, InvalidValueError, TemplateError
from .analysis import Node, analyse

if TYPE_CHECKING:
    from ..model import ConceptMap

STYLES = ("ipip", "rust", "ietf", "adr")

# punctuation that means something anywhere in a line (kramdown reads braces too)
_INLINE = re.compile(r"([\\`*_{}\[\]<>|~&])")
# ... and what means something at the start of one: list, heading, quote, rule
_LEADING = re.compile(r"^(\s*)([-+#=>])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])")
_SLUG_ID = re.compile(r"\w+(?:-\w+)*")
# a line break (whatever Python, CommonMark or a browser takes for one) and its white space
_BREAK = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")
_WEB = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_WEB_ONLY = re.compile(r"(?:https?://|mailto:)\S+", re.IGNORECASE)
# besides white space and control characters, what ``<...>`` cannot hold, and "|",
# which splits a table row before links are read
_NOT_IN_TARGET = frozenset(" <>\\|")
# "&" starts an entity in a link target too ("&amp;" would be read as "&")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# what YAML may not hold raw, or reads as a line break: JSON's \u escapes, valid YAML too
_NOT_IN_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def md(text: str) -> str:
    r"""``text`` as one line of inert Markdown: no emphasis, link, HTML, heading or table cell.

    A value that is a web url and nothing else is a link to it (see :func:`md_url`).

    >>> md("--- <script> | # `x` *y*")
    '\\--- \\<script\\> \\| # \\`x\\` \\*y\\*'
    >>> md("bob\n# not a heading")
    'bob # not a heading'
    """
    return _inline(_BREAK.sub(" ", str(text)).strip())


def md_lines(text: str, indent: str = "") -> str:
    """Multi-line text (notes) escaped line by line, each line indented; blank lines kept."""
    lines = [_inline(line) if line.strip() else "" for line in str(text).splitlines()]
    return "\n".join(f"{indent}{line}" if line else "" for line in lines)


def md_url(url: str) -> str:
    r"""A url: a link to exactly it if it is a web or mail url, else inert text.

    >>> md_url("https://example.org/a b_(c)")
    '[https://example.org/a b\\_(c)](<https://example.org/a%20b_(c)>)'
    >>> md_url("javascript:alert(1)")
    'javascript:alert(1)'
    """
    url = str(url)
    return _link(url) if _WEB.match(url) else md(url)


def _inline(line: str) -> str:
    if _WEB_ONLY.fullmatch(line):
        return _link(line)
    text = _INLINE.sub(r"\\\1", line)
    return _ORDERED.sub(r"\1\\\2", _LEADING.sub(r"\1\\\2", text))


def _link(url: str) -> str:
    text = _INLINE.sub(r"\\\1", _BREAK.sub(" ", url).strip())
    target = "".join(
        quote(c, safe="") if c in _NOT_IN_TARGET or not c.isprintable() else c
        for c in _ENTITY.sub("&amp;", url)
    )
    return f"[{text}](<{target}>)"


def yaml_str(text: Any) -> str:
    """A YAML double-quoted scalar that reads back as ``text``.

    >>> yaml_str('say "hi"\u2028')
    '"say \\\\"hi\\\\"\\\\u2028"'
    """
    quoted = json.dumps(str(text), ensure_ascii=False)
    return _NOT_IN_YAML.sub(lambda c: f"\\u{ord(c.group()):04x}", quoted)


class Tracer:
    """Writes trace comments and remembers which sections each node landed in."""

    def __init__(self, nodes: list[Node]) -> None:
        self.sections: dict[str, list[str]] = {n.id: [] for n in nodes}

    def __call__(self, node: Node, section: str) -> str:
        placed = self.sections.setdefault(node.id, [])
        if section not in placed:
            placed.append(section)
        return f"<!-- cm:{comment_id(node.id)} -->"

    def nowhere(self) -> list[str]:
        """Ids of the nodes no section took."""
        return [node for node, sections in self.sections.items() if not sections]


def comment_id(node: str) -> str:
    """A node id that cannot end an HTML comment (slugs stay as they are)."""
    if _SLUG_ID.fullmatch(node):
        return node
    return "".join(c if c.isalnum() or c in "_." else f"%{ord(c):02X}" for c in node)


@cache
def _package_environment() -> Environment:
    return _environment(PackageLoader("conceptmap.rfc", "templates"))


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
    env.filters.update(md=md, md_lines=md_lines, md_url=md_url, yaml=yaml_str)
    return env


def context(m: ConceptMap) -> dict[str, Any]:
    """What every template receives: the analysis, the tracer and helpers."""
    a = analyse(m)
    tracer = Tracer(a.nodes)
    return {"a": a, "trace": tracer, "tracer": tracer, "comment_id": comment_id}


def render(
    m: ConceptMap, style: str = "ipip", template: str | os.PathLike[str] | None = None
) -> str:
    """The draft as Markdown, in ``style`` or from the user's own ``template`` file."""
    if template is not None:
        path = Path(template)
        if not path.is_file():
            raise FileError(path, "is not a template file")
        env = _environment(FileSystemLoader(str(path.parent)))
        name = path.name
    elif style in STYLES:
        env, name = _package_environment(), f"{style}.md.j2"
    else:
        raise InvalidValueError(f"unknown RFC style {style!r} (valid styles: {', '.join(STYLES)})")
    try:
        with gc_paused(len(m) > 1000):
            text = env.get_template(name).render(**context(m))
    except jinja2.TemplateError as exc:
        where = f"{template}, line {_template_line(exc)}" if template else name
        raise TemplateError(f"the RFC template {where} failed: {exc}") from None
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def _template_line(exc: jinja2.TemplateError) -> str:
    """The template line an error came from: syntax errors know it, others are in the traceback."""
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".j2", ".jinja", ".md", ".txt")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return str(line) if line else "?"


def write_rfc(
    m: ConceptMap,
    path: str | os.PathLike[str],
    style: str = "ipip",
    template: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the draft to ``path``."""
    text = render(m, style, template)
    return write_text(path, text)
