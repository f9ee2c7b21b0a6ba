"""A draft RFC as HTML: Markdown rendered by markdown-it-py, with nothing let through.

Raw HTML in the Markdown is escaped, not passed on (``html`` off), so a label that
holds ``<script>`` shows as text. A link or image keeps its target only when that is
a web address (``http``, ``https``), ``mailto:``, or a relative one (a path or a
``#fragment``); ``javascript:``, ``data:``, ``file:`` and the like stay as text.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt

__all__ = ["render_markdown", "safe_link", "split_front_matter"]

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
# characters browsers drop from a URL before reading its scheme ("java\tscript:")
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
# the draft's trace comments, which become links to the node on the map
_TRACE = re.compile(r"[ \t]*<!-- cm:([\w-]+) -->")
# YAML front matter (Markdown would read it as a rule and a heading)
_FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)


def safe_link(url: str) -> bool:
    """Whether a link may keep ``url`` as its target.

    >>> [safe_link(u) for u in ("https://ipfs.tech", "../index.html", "#goals")]
    [True, True, True]
    >>> [safe_link(u) for u in ("javascript:alert(1)", "JaVa\\tScript:x", "data:text/html,x")]
    [False, False, False]
    """
    bare = _IGNORED.sub("", url)
    scheme = _SCHEME.match(bare)
    if scheme is None:
        return not bare.startswith("//")  # "//host/x" is a web address on another host
    return scheme.group(1).lower() in _ALLOWED_SCHEMES


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = safe_link  # type: ignore[method-assign]
    return md


def split_front_matter(text: str) -> tuple[str, str]:
    """``(front matter, the rest)`` of a Markdown document (``""`` when it has none).

    >>> split_front_matter("---\\ntitle: x\\n---\\n# x\\n")
    ('title: x\\n', '# x\\n')
    """
    found = _FRONT.match(text)
    return (found.group(1), text[found.end() :]) if found else ("", text)


def render_markdown(text: str, *, trace_to: str | None = None) -> str:
    """``text`` (Markdown) as an HTML fragment; raw HTML in it is shown, never run.

    ``trace_to``: the map page the draft's trace comments (``<!-- cm:ID -->``) link
    to, as ``PAGE#node=ID``; without it they are left out (as text they say nothing).
    YAML front matter shows as a code block (:func:`split_front_matter` takes it off).

    >>> render_markdown("# Goals <script>x</script>\\n\\n[x](javascript:alert(1))")
    '<h1>Goals &lt;script&gt;x&lt;/script&gt;</h1>\\n<p>[x](javascript:alert(1))</p>\\n'
    >>> print(render_markdown("- Web Locks <!-- cm:web-locks -->", trace_to="map.html"))
    <ul>
    <li>Web Locks <a href="map.html#node=web-locks" title="on the map">↗</a></li>
    </ul>
    <BLANKLINE>
    """
    text = _FRONT.sub(lambda m: f"```yaml\n{m.group(1)}```\n", text, count=1)
    if trace_to is None:
        text = _TRACE.sub("", text)
    else:
        text = _TRACE.sub(lambda m: f' [↗]({trace_to}#node={m.group(1)} "on the map")', text)
    return str(_parser().render(text))
