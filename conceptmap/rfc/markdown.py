"""User text as safe Markdown: the filters every RFC template writes through.

What each filter makes of the user's text (labels, notes, metadata, authors, urls):

- ``md``: one line of inert Markdown. Line breaks, with the white space around
  them, become one space (a break could start a heading, list or HTML block);
  Markdown and HTML punctuation is backslash-escaped. A value that is a web url
  and nothing else (a reference labelled with its url) is a link to it.
- ``md_notes``: notes as Markdown that keeps its structure and nothing more:
  ``-``/``*``/``+`` and ``1.`` list items (nested by their indentation, re-indented
  under the item the notes belong to), lines indented deeper than the one before
  them (sub-points, written as a nested list), `code` spans (verbatim),
  ``[text](https://...)`` links and bare web urls (real links). Everything else is
  escaped as ``md`` escapes it: no heading, rule, table, quote, HTML or kramdown
  attribute can come out of a note.
- ``md_lines``: notes escaped line by line, structure and all (for user templates
  written before ``md_notes``).
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
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

__all__ = ["is_web_url", "md", "md_lines", "md_notes", "md_url", "yaml_str"]

# punctuation that means something anywhere in a line (kramdown reads braces too)
_INLINE = re.compile(r"([\\`*_{}\[\]<>|~&])")
# ... and what means something at the start of one: list, heading, quote, rule
_LEADING = re.compile(r"^(\s*)([-+#=>])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])")
# a line break (whatever Python, CommonMark or a browser takes for one) and its white space
_BREAK = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")
_LINES = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_WEB = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_WEB_ONLY = re.compile(r"(?:https?://|mailto:)\S+", re.IGNORECASE)
# besides white space and control characters, what ``<...>`` cannot hold, and "|",
# which splits a table row before links are read
_NOT_IN_TARGET = frozenset(" <>\\|")
# "&" starts an entity in a link target too ("&amp;" would be read as "&")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# what YAML may not hold raw, or reads as a line break: JSON's \u escapes, valid YAML too
_NOT_IN_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# in a note: a list item's marker, a code span, a [text](web url) link, a bare web url
_MARKER = re.compile(r"([-*+]|\d{1,9}[.)])[ \t]+(?=\S)")
_SPECIAL = re.compile(
    r"(?P<code>`+)"
    r"|\[(?P<text>[^\[\]\n]+)\]\((?P<target>(?:https?://|mailto:)[^\s()<>]+)\)"
    r"|<(?P<auto>(?:https?://|mailto:)[^\s<>]+)>"
    r"|(?P<bare>(?:https?://|mailto:)[^\s<>]+)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\""


@lru_cache(maxsize=1 << 16)  # a draft writes each label many times (every link names two)
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
    """Multi-line text escaped line by line, each line indented; blank lines kept."""
    lines = [_inline(line) if line.strip() else "" for line in _LINES.split(str(text))]
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


def yaml_str(text: Any) -> str:
    """A YAML double-quoted scalar that reads back as ``text``.

    >>> yaml_str('say "hi"\u2028')
    '"say \\\\"hi\\\\"\\\\u2028"'
    """
    quoted = json.dumps(str(text), ensure_ascii=False)
    return _NOT_IN_YAML.sub(lambda c: f"\\u{ord(c.group()):04x}", quoted)


def is_web_url(text: object) -> bool:
    """Whether ``text`` is one web or mail address and nothing else (it becomes a link).

    >>> is_web_url("https://ipfs.tech"), is_web_url("see https://ipfs.tech")
    (True, False)
    """
    return _WEB_ONLY.fullmatch(str(text)) is not None


def _inline(line: str) -> str:
    if is_web_url(line):
        return _link(line)
    return _escape_start(_INLINE.sub(r"\\\1", line))


def _escape_start(text: str) -> str:
    return _ORDERED.sub(r"\1\\\2", _LEADING.sub(r"\1\\\2", text))


def _link(url: str, text: str | None = None) -> str:
    shown = _INLINE.sub(r"\\\1", _BREAK.sub(" ", url if text is None else text).strip())
    target = "".join(
        quote(c, safe="") if c in _NOT_IN_TARGET or not c.isprintable() else c
        for c in _ENTITY.sub("&amp;", url)
    )
    return f"[{shown}](<{target}>)"


def rich_inline(line: str) -> str:
    r"""One line of a note: code spans and web links kept, everything else escaped.

    >>> rich_inline("run `ipfs repo gc` <b>now</b>, see https://example.org/x.")
    'run `ipfs repo gc` \\<b\\>now\\</b\\>, see [https://example.org/x](<https://example.org/x>).'
    """
    out, pos = [], 0
    while (found := _SPECIAL.search(line, pos)) is not None:
        start, end, piece = found.start(), found.end(), None
        if found.group("code"):
            ticks = found.group("code")
            close = re.compile(rf"(?<!`){ticks}(?!`)").search(line, end)
            if close is not None and line[end : close.start()].strip():
                end, piece = close.end(), line[start : close.end()]
        elif found.group("target"):
            piece = _link(found.group("target"), found.group("text"))
        else:
            url = found.group("auto") or found.group("bare")
            if found.group("bare"):
                url = _trim_url(url)
                end = start + len(url)
            piece = _link(url)
        if piece is None:  # a lone backtick run: text
            out.append(_INLINE.sub(r"\\\1", line[pos:end]))
        else:
            out.append(_INLINE.sub(r"\\\1", line[pos:start]) + piece)
        pos = end
    out.append(_INLINE.sub(r"\\\1", line[pos:]))
    return _escape_start("".join(out))


def _trim_url(url: str) -> str:
    """A bare url without the sentence's punctuation after it (GitHub's autolink rule)."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


@dataclass
class _Open:
    """A list item still open in a note: where the user indented it, where its text sits."""

    indent: int
    column: int
    text_at: int  # the user's column of the item's text: less indented lines continue it
    implied: bool = False  # an indented line without a marker: its siblings are items too
    bullet: bool = True


def md_notes(text: str, indent: str = "") -> str:
    r"""Notes as structured, inert Markdown, every line indented by ``indent``.

    >>> print(md_notes("Two ways:\n1. a `lock`\n  - held <i>per</i> datastore\n2. b", "  "))
      Two ways:
    <BLANKLINE>
      1. a `lock`
         - held \<i\>per\</i\> datastore
      2. b
    """
    lines = [line.expandtabs(4).rstrip() for line in _LINES.split(str(text))]
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    base = min(widths, default=0)
    out: list[str] = []
    stack: list[_Open] = []
    last_indent: int | None = None  # the previous text line's indentation
    for raw in lines:
        if not raw.strip():
            if out and out[-1]:
                out.append("")
            last_indent = None if not stack else last_indent
            continue
        own = len(raw) - len(raw.lstrip()) - base
        body = raw.strip()
        marker = _MARKER.match(body)
        continues = bool(stack) and stack[-1].indent < own <= stack[-1].text_at
        sibling = bool(stack) and stack[-1].implied and stack[-1].indent == own
        deeper = last_indent is not None and own > last_indent and not continues
        implied = marker is None and (deeper or sibling)
        if implied:
            body, marker = "- " + body, _MARKER.match("- " + body)  # an indented sub-point
            if marker is None:  # cannot happen: body is not blank
                continue
        if marker is None:
            out.extend(_text_line(stack, own, body, out))
            last_indent = own
            continue
        was_list = bool(stack)
        top = stack[0] if stack else None
        while stack and stack[-1].indent >= own:
            stack.pop()
        column = stack[-1].column if stack else 0
        sign = "-" if marker.group(1) in "-*+" else marker.group(1)
        other_list = top is not None and not stack and top.bullet != (sign == "-")
        if (not was_list or other_list) and out and out[-1]:
            out.append("")  # a list starts after a blank line
        out.append(" " * column + sign + " " + rich_inline(body[marker.end() :]))
        text_at = own if implied else own + marker.end()
        stack.append(_Open(own, column + len(sign) + 1, text_at, implied, sign == "-"))
        last_indent = own
    while out and not out[-1]:
        out.pop()
    return "\n".join(f"{indent}{line}" if line else "" for line in out)


def _text_line(stack: list[_Open], own: int, body: str, out: list[str]) -> list[str]:
    """A line that is no list item: the text of an open item, or a paragraph after the list."""
    was_list = bool(stack)
    while stack and stack[-1].indent >= own:
        stack.pop()
    if stack:
        return [" " * stack[-1].column + rich_inline(body)]
    if was_list and out and out[-1]:
        return ["", rich_inline(body)]  # a blank line ends the list
    return [rich_inline(body)]
