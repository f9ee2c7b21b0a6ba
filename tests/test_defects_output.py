"""Issue 9: defects in what conceptmap writes (page, drafts, exports, notebook output).

Each test names its item of the issue. They use the public API only (``conceptmap``,
``conceptmap.cli`` and the browser helpers), so that moving modules around leaves them be.
"""

from __future__ import annotations

import html
import importlib
import itertools
import math
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

import conceptmap as cm
from conceptmap.core.schema import people as people_of
from tests.quick import examples

from .browser import launch, visit

STYLES = ("ipip", "rust", "ietf", "adr")
CREATED = "2019-07-15T10:00:00.000Z"
TRACE = re.compile(r"<!-- cm:[\w%.-]+ -->")


def commonmark() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def fold(text: str) -> str:
    return " ".join(text.split())


class _Text(HTMLParser):
    """The text of an HTML fragment (what a reader sees), and its tags outside iframes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.depth = 0  # inside an <iframe>: its content is not shown

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            self.tags.append((tag, dict(attrs)))
        if tag == "iframe":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "iframe" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 0:
            self.text.append(data)


def read_html(fragment: str) -> _Text:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return parser


# -- item 5: ids that are names of Object.prototype ------------------------------------

PROTO_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]


def _proto_map_imported() -> cm.ConceptMap:
    """Nodes whose ids are exactly the names (as an imported map can have them)."""
    nodes = [{"id": "topic", "label": "Prototype pollution", "kind": "topic"}]
    nodes += [{"id": name, "label": name, "kind": "concept"} for name in PROTO_NAMES]
    edges = [{"source": name, "target": "topic"} for name in PROTO_NAMES]
    edges += [{"source": a, "target": b} for a, b in itertools.pairwise(PROTO_NAMES)]
    return cm.from_node_link(
        {"graph": {"topic": "Prototype pollution"}, "nodes": nodes, "edges": edges}, author="a"
    )


def _proto_map_typed() -> cm.ConceptMap:
    """The same names typed in quick entry ("Constructor" gets the id ``constructor``)."""
    m = cm.ConceptMap("Prototype pollution", author="a")
    labels = ["Constructor", *PROTO_NAMES[1:]]
    lines = [f"{label} -> Prototype pollution" for label in labels]
    lines += [f"{a} -> {b}" for a, b in itertools.pairwise(labels)]
    m.apply("\n".join(lines))
    return m


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


POSITIONS_JS = """() => conceptmap.nodes.get().map(n => {
    try { const p = conceptmap.network.getPosition(n.id); return [n.label, p.x, p.y]; }
    catch (e) { return [n.label, null, null]; }
})"""
NODE_ON_SCREEN_JS = """label => {
    const n = conceptmap.nodes.get({filter: x => x.label === label})[0];
    const dom = conceptmap.network.canvasToDOM(conceptmap.network.getPosition(n.id));
    const box = document.getElementById('cm-network').getBoundingClientRect();
    return [box.left + dom.x, box.top + dom.y];
}"""


@pytest.mark.browser
@pytest.mark.parametrize("build", [_proto_map_imported, _proto_map_typed], ids=["ids", "labels"])
def test_prototype_names_as_node_ids_draw_search_and_select(
    browser: Any, tmp_path: Path, build: Callable[[], cm.ConceptMap]
) -> None:
    # item 5
    m = build()
    seen = visit(browser, m.write_html(tmp_path / "proto.html").as_uri())
    page = seen.page
    assert page.evaluate("document.body.dataset.error") is None
    assert seen.console == []
    positions = {label: (x, y) for label, x, y in page.evaluate(POSITIONS_JS)}
    labels = sorted(a["label"] for _, a in m.graph.nodes(data=True))
    assert sorted(positions) == labels
    bad = {k: p for k, p in positions.items() if not all(isinstance(c, float | int) for c in p)}
    assert bad == {}, "nodes without a finite position"
    assert all(math.isfinite(c) for p in positions.values() for c in p), positions
    for label in labels:
        if label == m.meta["topic"]:
            continue
        page.fill("#cm-search", label)
        page.press("#cm-search", "Enter")
        assert page.inner_text("#cm-search-count") == "1 match", label
        assert len(page.evaluate("conceptmap.network.getSelectedNodes()")) == 1, label
        assert page.inner_text("#cm-details-body h2") == label
    page.fill("#cm-search", "")
    page.press("#cm-search", "Enter")
    page.evaluate("conceptmap.network.fit({animation: false})")  # every node on screen
    for label in labels:  # a click on the node shows its details
        if page.is_visible("#cm-details"):
            page.click("#cm-details-close")
        x, y = page.evaluate(NODE_ON_SCREEN_JS, label)
        page.mouse.click(x, y)
        assert page.is_visible("#cm-details"), label
        assert page.inner_text("#cm-details-body h2") == label
    assert seen.console == []


# -- items 6 and 7: what a draft does with metadata, authors and urls ------------------

BENIGN = {
    "date": "2019-07-15",
    "participants": "bob",
    "author": "bob",
    "url": "https://example.org/benign",
    "topic": "Locking the repo",
}


def draft_map(field: str, value: str) -> cm.ConceptMap:
    """A small map with ``value`` in ``field``, built through node-link import.

    Import is the path that takes values as they are (``m.add`` folds a url's
    white space; node-link data, a map file or a pasted JSON do not).
    """
    nodes: list[dict[str, Any]] = [
        {"id": "topic", "label": value if field == "topic" else BENIGN["topic"], "kind": "topic"},
        {"id": "two-tabs", "label": "Two tabs write the same repo", "kind": "obstacle"},
        {"id": "one-lock", "label": "One lock per datastore", "kind": "proposal"},
        {"id": "mdn", "label": "MDN on Web Locks", "kind": "reference"},
    ]
    for node in nodes:
        node.update(author="alice", created=CREATED)
    if field == "author":
        nodes[1]["author"] = value
    if field == "url":
        nodes[1]["url"] = nodes[3]["url"] = value
    edges = [
        {"source": "one-lock", "target": "two-tabs", "relation": "addresses"},
        {"source": "one-lock", "target": "mdn", "relation": "cites"},
        {"source": "two-tabs", "target": "topic", "relation": "relates_to"},
    ]
    for edge in edges:
        edge.update(author="alice", created=CREATED)
    meta: dict[str, Any] = {
        "topic": nodes[0]["label"],
        "created": CREATED,
        "date": value if field == "date" else BENIGN["date"],
        "participants": ["alice", value] if field == "participants" else ["alice"],
    }
    return cm.from_node_link({"graph": meta, "nodes": nodes, "edges": edges}, author="alice")


def shape(text: str) -> list[tuple[str, str, int]]:
    return [(t.type, t.tag, t.level) for t in commonmark().parse(text) if t.type != "inline"]


def html_tokens(tokens: list[Token]) -> list[str]:
    found = [t.content for t in tokens if t.type == "html_block"]
    for t in tokens:
        found += [c.content for c in t.children or [] if c.type == "html_inline"]
    return found


def front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """The YAML header of a draft (ipip and ietf have one) and the Markdown after it."""
    lines = text.split("\n")
    if lines[0] != "---":
        return None, text
    end = next(i for i, line in enumerate(lines[1:], 1) if line == "---" or line.startswith("--- "))
    header = yaml.safe_load("\n".join(lines[1:end]))
    assert isinstance(header, dict)
    return header, "\n".join(lines[end + 1 :] if lines[end] == "---" else lines[end:])


def web_link(url: str) -> bool:
    return re.match(r"(https?|mailto):", url, re.IGNORECASE) is not None


HOSTILE = [
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "x\n# Injected heading",
    "x\n<!-- swallows what follows",
    "x\n\n<script>alert(1)</script>",
    "x\n- injected item",
]
DRAFT_CASES = [
    *[("date", v) for v in HOSTILE],
    *[("participants", v) for v in HOSTILE],
    *[("author", v) for v in HOSTILE],
    *[("url", "https://example.org/" + v) for v in HOSTILE],
    ("url", "javascript:alert(1)"),
    *[("topic", v) for v in HOSTILE],
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("field", "value"), DRAFT_CASES)
def test_hostile_metadata_author_and_url_stay_inert_in_drafts(
    style: str, field: str, value: str
) -> None:
    # item 6
    m = draft_map(field, value)
    header, text = front_matter(m.rfc(style))
    tokens = commonmark().parse(text)
    # the only HTML is the trace comments, one (at least) for every node
    html_found = html_tokens(tokens)
    assert [h for h in html_found if not TRACE.fullmatch(h.strip())] == []
    for node in m.graph.nodes:
        assert f"<!-- cm:{node} -->" in [h.strip() for h in html_found], node
    # no extra heading, list item, paragraph or HTML block: the same shape as a benign value
    benign = front_matter(draft_map(field, BENIGN[field]).rfc(style))[1]
    assert shape(text) == shape(benign)
    # links only to the nodes' web urls and the template's own (markdown-it drops a
    # javascript: target; other renderers may not)
    urls = {commonmark().normalizeLink(a["url"]) for _, a in m.graph.nodes(data=True)
            if a.get("url") and web_link(a["url"])}  # fmt: skip
    assert set(link_targets(text)) <= urls | set(link_targets(benign))
    # the value reaches the reader as the text it is
    if header is not None:
        # the people are the map's participants and authors, each once (issue 12)
        authors = [a["author"] for _, a in m.graph.nodes(data=True)]
        if style == "adr":  # MADR's front matter: decision-makers, a list of names
            assert header["decision-makers"] == people_of([*m.meta["participants"], *authors])
        else:
            people = [a["name"] for a in header["editors" if style == "ipip" else "author"]]
            assert people == people_of([*m.meta["participants"], *authors])
        assert str(header["date"]) == m.meta["date"]  # an ISO date is written unquoted
        if style != "adr":  # a MADR record's title is its H1
            title = header["title"]
            assert title.removeprefix("IPIP-0000: ") == m.meta["topic"]
        url = m.node("mdn").get("url")
        if url and style == "ipip":
            assert header["relatedIssues"] == [url]
        if url and style == "ietf":
            assert header["informative"]["REF1"]["target"] == url
    shown = fold("".join(read_html(commonmark().render(text)).text))
    if style == "rust" and field in ("date", "participants", "author"):  # adr: front matter
        assert fold(value) in shown
    if field == "topic":
        assert fold(m.meta["topic"]) in shown


URLS = [
    "https://developer.mozilla.org/en-US/docs/Web/API/Web_Locks_API",
    "https://example.org/a*b*c_d_",
    "https://en.wikipedia.org/wiki/Lock_(computer_science)",
    "https://example.org/search?q=a%20b&x=1",
    "https://example.org/a b",
    "https://example.org/x?q=<y>",
    "https://example.org/`tick`|pipe[1]",
    "https://example.org/back\\slash",
    "https://example.org/x)",
    "http://example.org/~user/#frag",
    "mailto:someone@example.org",
]
NOT_LINKS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
]


def url_map(url: str) -> cm.ConceptMap:
    m = cm.ConceptMap("Locking the repo", author="alice")
    m.add("Two tabs write the same repo", "obstacle", url=url)
    m.add("MDN on Web Locks", "reference", url=url)
    m.link("One lock per datastore", "addresses", "Two tabs write the same repo")
    m.link("One lock per datastore", "cites", "MDN on Web Locks")
    return m


def link_targets(text: str) -> list[str]:
    """Every link target in ``text``, whatever its scheme (markdown-it would drop some)."""
    md = commonmark()
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    hrefs = []
    for token in md.parse(text):
        for child in token.children or []:
            if child.type == "link_open":
                hrefs.append(str(child.attrs["href"]))
    return hrefs


def gfm_hrefs(text: str) -> list[str]:
    """The targets of the links GitHub's renderer (cmark-gfm, with autolinks) makes."""
    cmark = pytest.importorskip("cmarkgfm.cmark", reason="pip install cmarkgfm")
    rendered = cmark.markdown_to_html_with_extensions(
        text,
        options=cmark.Options.CMARK_OPT_UNSAFE,
        extensions=["table", "autolink", "strikethrough"],
    )
    return [str(a.get("href")) for tag, a in read_html(rendered).tags if tag == "a"]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("url", URLS)
def test_url_is_a_link_to_exactly_that_url(style: str, url: str) -> None:
    # item 7
    m = url_map(url)
    stored = m.node("Two tabs write the same repo")["url"]
    text = front_matter(m.rfc(style))[1]
    md = commonmark()
    hrefs = link_targets(text)
    assert md.normalizeLink(stored) in hrefs, (hrefs, text)
    host = re.match(r"\w+:(//)?[^/]*", stored)
    assert host is not None
    assert [h for h in hrefs if h.startswith(host.group())] == [md.normalizeLink(stored)] * len(
        [h for h in hrefs if h.startswith(host.group())]
    )
    # what GitHub shows: no backslash of Markdown escaping inside the target
    github = [h for h in gfm_hrefs(text) if unquote(h).startswith(host.group())]
    assert github, text
    assert {unquote(h) for h in github} == {unquote(stored)}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("url", [u for u in URLS if " " not in u])
def test_url_as_a_label_is_not_a_broken_link(style: str, url: str) -> None:
    # item 7 (the shipped draft's reference is labelled with its url)
    m = cm.ConceptMap("Locking the repo", author="alice")
    m.link("One lock per datastore", "cites", m.add(url, "reference"))
    text = front_matter(m.rfc(style))[1]
    host = re.match(r"\w+:(//)?[^/]*", url)
    assert host is not None
    hrefs = [h for h in link_targets(text) if h.startswith(host.group())]
    assert hrefs, f"{url} is no link"
    assert set(hrefs) == {commonmark().normalizeLink(url)}
    github = {unquote(h) for h in gfm_hrefs(text) if unquote(h).startswith(host.group())}
    assert github == {unquote(url)}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("url", NOT_LINKS)
def test_only_web_and_mail_urls_become_links(style: str, url: str) -> None:
    # item 7
    text = front_matter(url_map(url).rfc(style))[1]
    assert [h for h in link_targets(text) if not web_link(h)] == []
    assert [h for h in gfm_hrefs(text) if not web_link(h)] == []


# -- item 9: exports a consumer cannot read --------------------------------------------

DOT = shutil.which("dot")


def _long_notes(n: int) -> str:
    return "".join(f"word{i:05d} " for i in range(n // 10 + 1))[:n]


def _map_with(kind: str) -> cm.ConceptMap:
    if kind == "url":  # long urls only come in through import
        return cm.from_node_link(
            {
                "graph": {"topic": "Long text"},
                "nodes": [
                    {"id": "t", "label": "Long text", "kind": "topic"},
                    {"id": "r", "label": "A reference", "kind": "reference",
                     "url": "https://example.org/" + "u" * 20_000},
                ],
                "edges": [{"source": "r", "target": "t"}],
            }
        )  # fmt: skip
    m = cm.ConceptMap("Long text", author="alice")
    if kind == "notes":
        m.add("A long note", "concept", notes=_long_notes(20_000))
    elif kind == "notes at the limit":
        m.add("A long note", "concept", notes=_long_notes(16_383))
    elif kind == "wide notes":  # 8,000 characters, 24,000 bytes of UTF-8
        m.add("A long note", "concept", notes="漢字" * 4_000)
    elif kind == "metadata":
        m.set_meta("source", _long_notes(20_000))
    m.link("A long note" if kind != "metadata" else "Long text", "relates_to", "Long text")
    return m


@pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("kind", ["notes", "notes at the limit", "wide notes", "metadata", "url"])
def test_dot_export_with_long_text_is_read_by_graphviz(tmp_path: Path, kind: str) -> None:
    # item 9
    m = _map_with(kind)
    path = m.export(tmp_path / "long.dot")
    done = subprocess.run([str(DOT), "-Tsvg", str(path)], capture_output=True, timeout=120)
    stderr = done.stderr.decode("utf-8", "replace")
    assert (done.returncode, stderr) == (0, "")
    svg = done.stdout.decode("utf-8")
    for _, a in m.graph.nodes(data=True):
        if a.get("notes"):  # the tooltip keeps the start of the notes
            assert f'xlink:title="{html.escape(a["notes"][:100], quote=True)}' in svg


# -- item 11: look-alike labels ---------------------------------------------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@pytest.mark.parametrize("char", ZERO_WIDTH, ids=[f"U+{ord(c):04X}" for c in ZERO_WIDTH])
@pytest.mark.parametrize("where", ["start", "inside", "before space", "end"])
def test_zero_width_characters_are_stripped_from_labels(char: str, where: str) -> None:
    # item 11
    label = {
        "start": f"{char}Web Locks API",
        "inside": f"Web Lo{char}cks API",
        "before space": f"Web Locks{char} API",
        "end": f"Web Locks API{char}",
    }[where]
    m = cm.ConceptMap("Locking the repo", author="alice")
    first = m.add("Web Locks API")
    assert m.add(label) == first
    m.apply(f"concept: {label}\n{label} -depends_on-> Browser")
    assert len(m) == 3  # topic, Web Locks API, Browser
    assert m.node(first)["label"] == "Web Locks API"
    fresh = cm.ConceptMap("Locking the repo", author="alice")
    node = fresh.add(label, "concept")
    assert fresh.node(node)["label"] == label.replace(char, "")
    assert char not in node


@pytest.mark.parametrize("char", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_bidi_controls_in_labels_are_rejected(char: str) -> None:
    # item 11
    m = cm.ConceptMap("Locking the repo", author="alice")
    m.add("Web Locks API")
    before = m.to_node_link()
    with pytest.raises(cm.InvalidValueError, match=f"U\\+{ord(char):04X}"):
        m.add(f"Web Locks{char} API")
    with pytest.raises(cm.ConceptMapError):
        m.link(f"{char}Web Locks API", "relates_to", "Locking the repo")
    with pytest.raises(cm.ParseError) as raised:
        m.apply(f"concept: Browser\nobstacle: Web Locks{char} API\nBrowser -> Web Locks API")
    assert raised.value.line == 2
    assert "line 2" in str(raised.value)
    with pytest.raises(cm.ParseError) as raised:
        m.apply(f"Browser -> Web Locks API{char}")
    assert raised.value.line == 1
    assert m.to_node_link() == before


# -- item 22: the notebook output in Markdown -----------------------------------------

FORBIDDEN_TEXT = ("function", "vis.", "conceptmap.", "DecompressionStream", "<script", "<!DOCTYPE")


def _renderers() -> dict[str, Callable[[str], str]]:
    renderers: dict[str, Callable[[str], str]] = {
        "markdown-it": lambda text: MarkdownIt("commonmark", {"html": True}).render(text)
    }
    try:
        cmark: Any = importlib.import_module("cmarkgfm.cmark")
    except ImportError:
        return renderers
    unsafe = cmark.Options.CMARK_OPT_UNSAFE
    renderers["cmark"] = lambda text: str(cmark.markdown_to_html(text, options=unsafe))
    # GitHub's extensions but its tag filter, which escapes every <iframe> (and <script>)
    renderers["cmark-gfm"] = lambda text: str(
        cmark.markdown_to_html_with_extensions(
            text,
            options=unsafe,
            extensions=["table", "autolink", "strikethrough", "tasklist"],
        )
    )
    return renderers


RENDERERS = _renderers()


SESSION = """
concept: Web Locks API
  navigator.locks.request(name, callback)

  Available in workers too.
obstacle: Two tabs write the same repo
proposal: One lock per datastore via the Web Locks API -addresses-> Two tabs write the same repo
shortcoming: A crashed tab may hold its lock
A crashed tab may hold its lock -drawback_of-> One lock per datastore via the Web Locks API
Web Locks API -"is implemented by"-> Browser
question: Does Safari expose Web Locks in workers?
"""


@pytest.fixture(scope="module")
def notebook_html() -> str:
    m = cm.ConceptMap("Locking the IPFS repo for concurrent access", author="alanshaw")
    m.apply(SESSION)
    bundle = m._repr_mimebundle_()
    html_output = bundle["text/html"]
    assert isinstance(html_output, str)
    return html_output


def _srcdoc(fragment: str) -> str:
    frames = [a for tag, a in read_html(fragment).tags if tag == "iframe"]
    assert len(frames) == 1, f"{len(frames)} iframes"
    srcdoc = frames[0].get("srcdoc")
    assert isinstance(srcdoc, str)
    return srcdoc


def test_notebook_html_output_has_no_blank_line(notebook_html: str) -> None:
    # item 22
    blank = [i for i, line in enumerate(notebook_html.split("\n"), 1) if not line.strip()]
    assert blank == [], f"{len(blank)} blank lines end the Markdown HTML block, first: {blank[:3]}"


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_notebook_html_output_stays_whole_in_markdown(notebook_html: str, renderer: str) -> None:
    # item 22
    rendered = RENDERERS[renderer](notebook_html)
    seen = read_html(rendered)
    shown = "".join(seen.text)
    assert [w for w in FORBIDDEN_TEXT if w in shown] == [], shown[:300]
    assert [tag for tag, _ in seen.tags if tag in ("script", "style", "html", "body")] == []
    srcdoc = _srcdoc(rendered)
    assert srcdoc == _srcdoc(notebook_html)  # the whole page, not a piece of it
    assert srcdoc.startswith("<!DOCTYPE html>")
    assert srcdoc.rstrip().endswith("</html>")


@pytest.mark.slow  # runs nbconvert
def test_nbconvert_markdown_of_a_map_output_keeps_it_whole() -> None:
    # item 22
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert", reason="nbconvert is not installed")
    m = cm.ConceptMap("Locking the repo", author="alice")
    m.apply("obstacle: Two tabs write the same repo\nproposal: One lock -addresses-> Two tabs "
            "write the same repo")  # fmt: skip
    notebook = nbformat.v4.new_notebook()
    output = nbformat.v4.new_output("display_data", data=m._repr_mimebundle_())
    notebook.cells.append(nbformat.v4.new_code_cell("m", outputs=[output]))
    body, _ = nbconvert.MarkdownExporter().from_notebook_node(notebook)
    rendered = MarkdownIt("commonmark", {"html": True}).render(body)
    shown = "".join(read_html(rendered).text)
    assert [w for w in FORBIDDEN_TEXT if w in shown] == [], shown[:300]
    assert _srcdoc(rendered) == _srcdoc(m._repr_mimebundle_()["text/html"])


# -- item 23: check() gives the same findings, however it is computed -------------------


def reference_findings(m: cm.ConceptMap) -> list[tuple[str, str, tuple[str, ...]]]:
    """check()'s findings by brute force over the graph: the rules, read one at a time."""
    g = m.graph
    edges = list(g.edges(data=True))

    def incoming(node: str, relation: str, kinds: tuple[str, ...] = ()) -> bool:
        return any(
            v == node and a["relation"] == relation and (not kinds or g.nodes[u]["kind"] in kinds)
            for u, v, a in edges
        )

    def outgoing(node: str, relation: str) -> bool:
        return any(u == node and a["relation"] == relation for u, _, a in edges)

    found: list[tuple[str, str, tuple[str, ...]]] = []
    if not any(a["kind"] == "topic" for _, a in g.nodes(data=True)):
        found.append(("no-topic", "error", ()))
    proposals = [n for n, a in g.nodes(data=True) if a["kind"] == "proposal"]
    for node, a in g.nodes(data=True):
        kind = a["kind"]
        if kind == "obstacle" and not incoming(node, "addresses", ("proposal", "decision")):
            found.append(("unaddressed-obstacle", "warning", (node,)))
        if kind == "question" and not incoming(node, "answers"):
            found.append(("unanswered-question", "warning", (node,)))
        if kind == "proposal":
            if not incoming(node, "drawback_of"):
                found.append(("no-shortcoming", "warning", (node,)))
            compared = (
                incoming(node, "alternative_to") or outgoing(node, "alternative_to")
                or incoming(node, "chooses") or incoming(node, "rejects")
            )  # fmt: skip
            if len(proposals) > 1 and not compared:
                found.append(("not-compared", "warning", (node,)))
        if kind == "decision" and not outgoing(node, "chooses"):
            found.append(("empty-decision", "warning", (node,)))
        if kind != "topic" and not any(node in (u, v) for u, v, _ in edges):
            found.append(("orphan", "warning", (node,)))
    return found


def found_by_check(m: cm.ConceptMap) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.code, f.severity, tuple(f.nodes)) for f in m.check()]


CHECK_CASES = {
    "one proposal": "proposal: Lock files\nLock files -addresses-> obstacle: Two writers",
    "several proposals": """
        obstacle: Two tabs write the same repo
        obstacle: GC races a write
        question: Does Safari have Web Locks in workers?
        proposal: Web Locks per datastore -addresses-> Two tabs write the same repo
        proposal: A lock file in IndexedDB -alternative_to-> Web Locks per datastore
        proposal: A leader tab via BroadcastChannel
        proposal: Do nothing
        proposal: Shared/exclusive lock for GC -addresses-> GC races a write
        shortcoming: A crashed tab holds its lock -drawback_of-> Web Locks per datastore
        decision: Use Web Locks -chooses-> Shared/exclusive lock for GC
        Use Web Locks -rejects-> Do nothing
        decision: Revisit later
        Web Locks per datastore -answers-> Does Safari have Web Locks in workers?
        concept: An orphan term
        action: Ask the Safari team
    """,
    "only proposals, uncompared": "\n".join(f"proposal: Option {i}" for i in range(6)),
    "a proposal compared only from outside": (
        "proposal: A\nproposal: B\nproposal: C\nA -alternative_to-> B\n"
        "decision: D -rejects-> C\nquestion: Q\nobstacle: O -> A"
    ),
}


@pytest.mark.parametrize("text", CHECK_CASES.values(), ids=CHECK_CASES.keys())
def test_check_findings_match_a_brute_force_reading(text: str) -> None:
    # item 23
    m = cm.ConceptMap("Locking the repo", author="alice")
    m.apply("\n".join(line.strip() for line in text.strip().splitlines()))
    assert Counter(found_by_check(m)) == Counter(reference_findings(m))


_kinds = st.sampled_from([k for k in cm.KINDS if k != "topic"])
_relations = st.sampled_from(list(cm.RELATIONS))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_kinds, min_size=1, max_size=25),
    st.lists(st.tuples(st.integers(0, 25), _relations, st.integers(0, 25)), max_size=40),
)
def test_check_findings_match_a_brute_force_reading_on_any_map(
    kinds: list[str], links: list[tuple[int, str, int]]
) -> None:
    # item 23
    m = cm.ConceptMap("Topic", author="a")
    ids = [m.add(f"node {i}", kind) for i, kind in enumerate(kinds)]
    ids.append(m.id_of("Topic"))
    for u, relation, v in links:
        if u < len(ids) and v < len(ids) and u != v:
            m.link(ids[u], relation, ids[v])
    assert Counter(found_by_check(m)) == Counter(reference_findings(m))
