"""What a table cell or page line says, read as plain text: names, titles, links, prose.

Agendas are Markdown with HTML in it (avatars, ``<br>``, entities), written by
hand. Everything here turns such text into plain values and never takes markup
for a value: a cell holding only an avatar ``<a href…><img alt="x"></a>`` names
nobody. Every pattern runs in linear time, however long the line.
"""

from __future__ import annotations

import html
import re

from ...core.schema import people

__all__ = [
    "clean",
    "handles",
    "is_unknown",
    "links",
    "links_and_pages",
    "names",
    "only_people",
    "page_targets",
    "plain",
    "profile_handles",
    "prose",
    "title",
]

_UNKNOWN = frozenset(
    {"", "?", "??", "???", "tbd", "tba", "tbc", "n/a", "na", "-", "--", "—", "–", "none", "todo"}
)
# words that stand in a list of people but name nobody in particular
_NOBODY = frozenset({"everyone", "everybody", "anyone", "anybody", "all", "open", "you", "us"})
# the template's "_{your github handle}_"
_PLACEHOLDER = re.compile(r"^_?\{.*\}_?$", re.DOTALL)
# a GitHub handle: not the middle of an e-mail address (URLs are taken out first)
# (a team, "@ipfs/wg-dht", is one handle)
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_-]*)?")
# a remark in brackets after a name: "Bob (maybe)", "Jessica Schilling (Protocol Labs)"
# (no pattern here starts with \s* or \s+: unanchored, those are quadratic on long spaces)
_REMARK = re.compile(r"\([^()]*\)")
# [text](target "title"): no part can match what another part may, so a line
# of a million '[' or '[](' fails at each position at once (no backtracking)
_MD_LINK = re.compile(r"(!?)\[([^\[\]]*)\]\(\s*([^()\s\[\]]+)(?:\s[^()\[\]]*)?\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_BARE_URL = re.compile(r"(?<![(<\w])https?://[^\s)>|\"'<]+")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s<>]+)""", re.I)
_PROFILE = re.compile(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9][A-Za-z0-9-]*)/?$")
_NAME_SEPARATORS = re.compile(r",|;|\n|\band\b|&")
_EMPHASIS = re.compile(r"\*\*|__|`|~~")
_LETTER = re.compile(r"[^\W\d_]")


def is_unknown(text: str) -> bool:
    """Whether ``text`` only says "unknown" (``???``, ``TBD``, ``N/A``, ``-``, a template slot).

    >>> [is_unknown(t) for t in ("???", "*TBD*", "_{your github handle}_", "@vmx")]
    [True, True, True, False]
    """
    bare = text.strip().strip("*_`").strip()
    return bare.casefold() in _UNKNOWN or bool(_PLACEHOLDER.match(text.strip()))


def clean(text: str) -> str:
    """``text`` with its white space folded, or ``""`` when it only says "unknown".

    >>> clean("  Tabbed\\tcell "), clean("N/A")
    ('Tabbed cell', '')
    """
    text = " ".join(text.split())
    return "" if is_unknown(text) else text


def _strip_comments(text: str) -> str:
    # str.find, not a regex: an unclosed "<!--" costs one scan, not one per position
    out, start = [], 0
    while (begin := text.find("<!--", start)) >= 0:
        out.append(text[start:begin])
        end = text.find("-->", begin + 4)
        start = len(text) if end < 0 else end + 3
    out.append(text[start:])
    return "".join(out)


def plain(text: str) -> str:
    """``text`` without markup: links become their text, images and tags go, entities decode.

    ``<br>`` becomes a line break, as it is one where the cell is shown.

    >>> plain('[IPFS on Mobile](./10.md) &amp; <a href="x"><img alt="me"></a>more<br>lines')
    'IPFS on Mobile & more\\nlines'
    """
    text = _BREAK.sub("\n", _strip_comments(text))
    text = _AUTOLINK.sub(r"\1", text)
    text = _MD_LINK.sub(lambda m: "" if m[1] else m[2], text)
    text = _REF_LINK.sub(r"\1", text)
    return html.unescape(_TAG.sub("", text))


def _people_text(text: str) -> str:
    # a URL is no one's name, and "medium.com/@user" is no handle
    return _BARE_URL.sub(" ", plain(text))


def handles(text: str) -> list[str]:
    """The ``@handles`` that ``text`` names, each once, in order; links and tags are not read.

    >>> handles("**[@Kubuxu](https://github.com/Kubuxu)**, me@example.org, @vmx and @Kubuxu")
    ['@Kubuxu', '@vmx']
    """
    return people(_HANDLE.findall(_people_text(text))) if "@" in text else []


def names(text: str) -> list[str]:
    """The people a cell names: its ``@handles`` and its names, each once.

    Names are separated by commas, semicolons, "and", "&" and line breaks
    (``<br>``); a remark in brackets is not part of a name. In a cell that has
    handles, only a capitalised name of at most four words is a name too (so
    "@a, Will Scott" is two people, "ask @a and see" one). Markup is never a
    name: a cell of only avatar HTML names nobody.

    >>> names("Alice Smith<br>Bob (maybe) &amp; **Carol**")
    ['Alice Smith', 'Bob', 'Carol']
    >>> names("@aschmahmann, Will Scott, Ian Preston (@ianopolous), see you")
    ['@aschmahmann', 'Will Scott', '@ianopolous']
    >>> names('<a href="https://github.com/x"><img alt="x" src="x.png"></a>')
    []
    """
    if is_unknown(text):  # before splitting: a template's "_{a, b}_" is one placeholder
        return []
    text = _people_text(text)
    mixed = bool(_HANDLE.search(text))
    found: list[str] = []
    for part in _NAME_SEPARATORS.split(text):
        if part_handles := _HANDLE.findall(part):
            found += part_handles
            continue
        # an escaped tag ("&lt;b&gt;") decodes to a tag: still markup, not a name
        name = _trim(" ".join(_REMARK.sub("", _EMPHASIS.sub("", _TAG.sub("", part))).split()))
        if not _LETTER.search(name) or is_unknown(name) or name.casefold() in _NOBODY:
            continue
        if not mixed or (name[0].isupper() and len(name.split()) <= 4):
            found.append(name)
    return people(found)


def _trim(name: str) -> str:
    """``name`` without the symbols around it ("👋 Alice", "- Bob:"); a loop, not a regex."""
    start, end = 0, len(name)
    while start < end and not (name[start].isalnum() or name[start] == "@"):
        start += 1
    while end > start and not (name[end - 1].isalnum() or name[end - 1] in ".)"):
        end -= 1
    return name[start:end]


def only_people(text: str) -> bool:
    """Whether ``text`` holds ``@handles`` and nothing else that has words.

    >>> only_people("**[@Kubuxu](https://github.com/Kubuxu)**"), only_people("ask @vmx")
    (True, False)
    """
    if "@" not in text:
        return False
    text = _people_text(text)
    rest = _HANDLE.sub(" ", text)
    return bool(_HANDLE.search(text)) and not _LETTER.search(_NAME_SEPARATORS.sub(" ", rest))


def profile_handles(text: str) -> list[str]:
    """``@user`` for each GitHub profile that ``text`` links to (an avatar's ``href``).

    >>> profile_handles('<a href="https://github.com/Kubuxu"><img src="k.png" alt="K"></a>')
    ['@Kubuxu']
    """
    targets = _HREF.findall(text) + [m[3] for m in _MD_LINK.finditer(text)]
    found = (_PROFILE.match(target) for target in targets)
    return people(f"@{match[1]}" for match in found if match)


def title(text: str) -> tuple[str, str]:
    """A title cell's text and the page its link points to (``""`` when none).

    >>> title("**[IPFS on Mobile](./10-ipfs-on-mobile.md)** 📱")
    ('IPFS on Mobile 📱', './10-ipfs-on-mobile.md')
    """
    link = next((m for m in _MD_LINK.finditer(text) if not m[1]), None)
    words = clean(_EMPHASIS.sub("", plain(text)))
    if len(words) > 1 and words[0] == words[-1] and words[0] in "*_":
        words = words[1:-1].strip()
    return clean(words), link[3] if link else ""


def links(text: str) -> list[str]:
    """The link targets and bare URLs in ``text``, each once; links to profiles are left out.

    >>> links("[a](x.md) and [@vmx](https://github.com/vmx), see https://example.org/y")
    ['x.md', 'https://example.org/y']
    """
    return links_and_pages(text)[0]


def page_targets(text: str) -> list[str]:
    """The local pages ``text`` links to (no images, no URLs, no anchors), each once.

    >>> page_targets("[a](x.md#part) ![i](d.png) [b](https://e.org) [c](#top) [d](//cdn/x)")
    ['x.md#part']
    """
    return links_and_pages(text)[1]


def links_and_pages(text: str) -> tuple[list[str], list[str]]:
    """:func:`links` and :func:`page_targets` of ``text``, in one pass over it."""
    if "<" in text:
        text = _TAG.sub(" ", _strip_comments(text))
    targets: list[str] = []
    pages: list[str] = []
    for match in _MD_LINK.finditer(text) if "](" in text else ():
        target = match[3]
        if not _HANDLE.fullmatch(match[2].strip()):
            targets.append(target)
        remote = "://" in target or target.startswith(("#", "mailto:", "//"))
        if not (match[1] or remote):
            pages.append(target)
    if "http" in text:
        # a URL ends before the punctuation of the sentence it stands in
        bare = _BARE_URL.findall(_MD_LINK.sub(" ", text))
        targets += (url.rstrip(".,;:!?") for url in bare)
    return list(dict.fromkeys(targets)), list(dict.fromkeys(pages))


def prose(text: str) -> str:
    """A description: tags gone, ``<br>`` kept as line breaks; ``""`` when only links.

    >>> prose("[details](graphsync.md)"), prose("Plan it<br>then *build* it &amp; ship")
    ('', 'Plan it\\nthen *build* it & ship')
    """
    text = _AUTOLINK.sub(r"\1", _BREAK.sub("\n", _strip_comments(text)))
    text = html.unescape(_TAG.sub("", text))
    lines = [clean(line) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    leftover = _BARE_URL.sub(" ", _MD_LINK.sub(" ", text))
    return text if leftover.strip(" .,;:-\n") else ""
