"""The atlas of a meeting: cards, meeting-map joins, escaping, determinism, the CLI;
and in Chromium (marked ``browser``): zero requests outside the site, every link
resolves, search finds any session's notes, sorting and filtering, the meeting map
leads to its sessions.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

import conceptmap as cm
from conceptmap.atlas import workers, write_atlas, write_site
from conceptmap.atlas.markdown import render_markdown, safe_link
from conceptmap.atlas.meeting import Join, joins, meeting_map
from conceptmap.atlas.search import index_data, index_script
from conceptmap.atlas.sessions import Session, card, sessions_of
from conceptmap.cli import main
from conceptmap.errors import FileError

from .browser import launch, wait_ready

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def session_maps(texts: dict[str, str]) -> list[Session]:
    """Sessions named by the keys, each a map built from quick-entry text."""
    maps = []
    for name, text in texts.items():
        m = cm.ConceptMap(author="alice")
        m.apply(text)
        maps.append((name, m))
    return sessions_of(maps)


# -- cards --------------------------------------------------------------------------


def test_a_card_counts_kinds_and_lists_decisions_open_items_and_actions() -> None:
    (s,) = session_maps(
        {
            "locking": """topic: Locking the repo
obstacle: Two tabs write the repo
proposal: Web Locks -addresses-> Two tabs write the repo
decision: Use Web Locks -chooses-> Web Locks
action: Measure lock hold times -relates_to-> Use Web Locks
action: Write the RFC
question: Does Safari have Web Locks?
"""
        }
    )
    owner = s.map.id_of("Measure lock hold times")
    # ``owner``/``due`` come from the {owner: ...} syntax; set here as the graph holds them
    s.map.graph.nodes[owner].update(owner="@alanshaw", due="2026-12-15")
    c = card(s)
    assert (c.size, c.counts["action"], c.counts["concept"]) == (7, 2, 0)
    assert c.decisions == ["Use Web Locks"]
    assert [(a.label, a.owner, a.due) for a in c.actions] == [
        ("Measure lock hold times", "@alanshaw", "2026-12-15"),
        ("Write the RFC", "", ""),
    ]
    assert [(i.code, i.label) for i in c.open] == [
        ("unanswered-question", "Does Safari have Web Locks?"),
        ("action-without-owner", "Write the RFC"),
    ]


def test_a_card_names_each_person_once_with_authors_and_owners() -> None:
    m = cm.ConceptMap("Locking the repo", author="alanshaw")
    m.set_meta("participants", ["@alanshaw", "@lidel", "organiser"])
    m.action("Measure GC lock hold times", owner="@achingbrain")
    bob = cm.ConceptMap.from_node_link(m.to_node_link(), author="lidel")
    bob.add("Web Locks API")
    people = card(Session("locking", bob)).participants
    assert people == ["@alanshaw", "@lidel", "organiser", "@achingbrain"]
    assert people == bob.people()


@pytest.mark.parametrize(
    ("names", "slugs"),
    [
        (["dht", "graphsync"], ["dht", "graphsync"]),
        (["Private DHT", "private-dht"], ["private-dht", "private-dht-2"]),
        (["a b?", "../x"], ["a-b", "x"]),
    ],
)
def test_every_session_gets_a_distinct_safe_slug(names: list[str], slugs: list[str]) -> None:
    sessions = sessions_of([(n, cm.ConceptMap("T", author="a")) for n in names])
    assert [s.slug for s in sessions] == slugs


# -- the meeting map ------------------------------------------------------------------


CITES = ("b", "a", "reference")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # shared: the same label once normalised (case, plural, punctuation)
        ("concept: Web Locks API", "concept: web-lock API", [("a", "b", "shared")]),
        ("obstacle: GC deletes blocks", "proposal: gc deletes block", [("a", "b", "shared")]),
        ("concept: Web Locks API", "concept: Web Workers", []),
        # two topics alike are two sessions, not a shared concept
        ("topic: Private DHT", "topic: private dht", []),
        # related: names the other's topic, a trailing bracket aside
        ("topic: Private DHT", "related: Private DHT (session 3)", [("b", "a", "related")]),
        ("topic: Private DHT", "related: Public DHT", []),
        # reference: points at the other's map, its page, or its atlas page
        ("topic: X", "reference: https://github.com/o/r/blob/main/maps/a.jsonl", [CITES]),
        ("topic: X", "reference: ../maps/a.html#web-locks", [CITES]),
        ("topic: X", "reference: https://o.github.io/site/sessions/a/map.html", [CITES]),
        ("topic: X", "reference: https://github.com/o/r/blob/main/maps/c.jsonl", []),
        ("topic: X", "reference: https://example.org/a", []),
        # a session that cites itself joins nothing
        ("reference: maps/a.jsonl", "topic: Y", []),
    ],
)  # fmt: skip
def test_sessions_are_joined_by_each_rule(
    a: str, b: str, expected: list[tuple[str, str, str]]
) -> None:
    sessions = session_maps({"a": a, "b": b})
    assert [(j.source, j.target, j.rule) for j in joins(sessions)] == expected


def test_a_reference_url_attribute_joins_too() -> None:
    sessions = session_maps({"gs": "topic: GraphSync", "dht": "topic: DHT"})
    sessions[1].map.add("GraphSync notes", "reference", url="https://x.org/maps/gs.jsonl")
    assert [(j.source, j.target, j.rule) for j in joins(sessions)] == [("dht", "gs", "reference")]


def test_the_meeting_map_has_a_node_per_session_and_a_link_per_join_that_says_why() -> None:
    sessions = session_maps(
        {
            "dht": "topic: Private DHT\nconcept: Kademlia\nconcept: Double hashing",
            "scale": "topic: Scaling the DHT\nconcept: kademlia\nconcept: double-hashing\n"
            "related: Private DHT",
            "gs": "topic: GraphSync\nreference: ../maps/dht.jsonl",
        }
    )
    m = meeting_map(sessions)
    assert sorted(m.graph.nodes) == ["dht", "gs", "scale"]
    assert {n: a["kind"] for n, a in m.graph.nodes(data=True)} == dict.fromkeys(
        ["dht", "scale", "gs"], "related"
    )
    links = sorted((u, v, a["phrase"]) for u, v, a in m.graph.edges(data=True))
    assert links == [
        ("dht", "scale", "both have Double hashing, Kademlia"),
        ("gs", "dht", "cites its map"),
        ("scale", "dht", "lists as related Private DHT"),
    ]


def test_a_long_list_of_shared_labels_is_cut_short() -> None:
    join = Join("a", "b", "shared", tuple(f"concept {i} " + "x" * 80 for i in range(6)))
    assert join.phrase.endswith("(+2 more)")
    assert join.phrase.count("…") == 4
    assert len(join.phrase) < 300


def test_two_sessions_with_one_topic_both_get_a_node() -> None:
    sessions = session_maps({"a": "topic: DHT", "b": "topic: dht"})
    m = meeting_map(sessions)
    assert sorted(a["label"] for _, a in m.graph.nodes(data=True)) == ["DHT", "dht (b)"]


# -- search and Markdown ---------------------------------------------------------------


def test_the_search_index_holds_every_label_and_note_as_a_safe_script() -> None:
    sessions = session_maps(
        {"a": "topic: A\nconcept: Kademlia\n  notes with </script> in them", "b": "topic: B"}
    )
    data = index_data(sessions)
    assert data["sessions"] == [["a", "A"], ["b", "B"]]
    assert [0, "kademlia", "Kademlia", "concept", "notes with </script> in them"] in data["nodes"]
    script = index_script(sessions)
    assert script.startswith("window.conceptmapAtlasIndex = {")
    assert "<" not in script
    assert ">" not in script


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://ipfs.tech", True),
        ("HTTP://ipfs.tech", True),
        ("mailto:a@b.c", True),
        ("../index.html", True),
        ("#goals", True),
        ("map.html#node=x", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" java\tscript:alert(1)", False),
        ("data:text/html,<script>x</script>", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
        ("//evil.example/x", False),
    ],
)
def test_only_safe_link_targets_are_kept(url: str, kept: bool) -> None:
    assert safe_link(url) is kept


def test_a_draft_renders_with_raw_html_escaped_and_bad_links_dropped() -> None:
    html = render_markdown(
        f"# T {HOSTILE}\n\n[x](javascript:alert(1)) [ok](https://ipfs.tech)\n\n"
        "<div onclick=x>raw</div>\n\n- item <!-- cm:node-1 -->\n",
        trace_to="map.html",
    )
    for tag in ("<script", "<img", "<div"):
        assert tag not in html
    assert 'href="javascript' not in html
    assert '<a href="https://ipfs.tech">ok</a>' in html
    assert '<a href="map.html#node=node-1" title="on the map">↗</a>' in html


# -- the site -----------------------------------------------------------------------------


class Links(HTMLParser):
    """Every ``href`` and ``src`` of a page, and every element's tag."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.targets += [v for k, v in attrs if k in ("href", "src") and v is not None]


def links_of(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text())
    return parser.targets


@pytest.fixture
def hostile_maps(tmp_path: Path) -> Path:
    """A folder of two maps whose text tries to inject markup and script."""
    folder = tmp_path / "maps"
    m = cm.ConceptMap.create(folder / "evil.jsonl", f"Topic {HOSTILE}", author=f"eve {HOSTILE}")
    m.concept(f"Concept {HOSTILE}", notes=f"notes {HOSTILE}\n[x](javascript:alert(1))")
    m.question(f"Why {HOSTILE}?")
    m.action(f"Do {HOSTILE}")
    m.add("ref", "reference", url="javascript:alert(1)")
    other = cm.ConceptMap.create(folder / "plain.jsonl", "Plain session", author="bob")
    other.concept(f"Concept {HOSTILE}")
    return folder


def test_the_site_has_its_pages_and_every_local_link_resolves(
    hostile_maps: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    index = write_atlas(hostile_maps, site)
    assert index == site / "index.html"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert pages == [
        ".nojekyll",
        "assets/atlas.css",
        "assets/atlas.js",
        "assets/search-index.js",
        "index.html",
        "meeting.html",
        "open.html",
        "search.html",
        "sessions/evil/draft.html",
        "sessions/evil/draft.md",
        "sessions/evil/map.html",
        "sessions/plain/draft.html",
        "sessions/plain/draft.md",
        "sessions/plain/map.html",
    ]
    for page in site.rglob("*.html"):
        for target in links_of(page):
            if re.match(r"^[a-z]+:", target):
                # only a user's own citations leave the site, and only to the web
                assert target.startswith(("https://", "http://")), (page, target)
                continue
            path = target.split("#")[0].split("?")[0]
            assert path, (page, target)
            assert (page.parent / path).resolve().is_file(), (page, target)


def test_no_user_text_becomes_markup(hostile_maps: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_atlas(hostile_maps, site)
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert "<script>window.__pwned" not in text, page
        assert "<img src=x" not in text, page
        assert 'href="javascript:' not in text.lower(), page
        parser = Links()
        parser.feed(text)
        assert "img" not in parser.tags, page
    assert "<" not in (site / "assets" / "search-index.js").read_text()


def test_the_same_maps_give_the_same_site(hostile_maps: Path, tmp_path: Path) -> None:
    write_atlas(hostile_maps, tmp_path / "one")
    write_atlas(hostile_maps, tmp_path / "two")
    one, two = (
        {p.relative_to(tmp_path / d): p.read_bytes() for p in (tmp_path / d).rglob("*.*")}
        for d in ("one", "two")
    )
    assert len(one) == 14
    assert one == two


def test_the_index_shows_each_session_card(tmp_path: Path) -> None:
    sessions = session_maps(
        {
            "dht": "topic: Private DHT\ndecision: Double hashing\nquestion: Who pays?",
            "gs": "topic: GraphSync\naction: Ship it",
        }
    )
    write_site(sessions, tmp_path / "site", title="IPFS Camp")
    index = (tmp_path / "site" / "index.html").read_text()
    cards = re.findall(r'<li class="atlas-card" id="session-(\w+)"[^>]*data-size="(\d+)"', index)
    assert cards == [("dht", "3"), ("gs", "2")]
    assert "<h1>IPFS Camp</h1>" in index
    assert "<li>Double hashing</li>" in index
    assert "Ship it" in (tmp_path / "site" / "open.html").read_text()
    draft = (tmp_path / "site" / "sessions" / "dht" / "draft.html").read_text()
    assert 'href="map.html"' in draft
    assert "Double hashing" in draft
    page = (tmp_path / "site" / "sessions" / "dht" / "map.html").read_text()
    assert 'href="draft.html"' in page
    assert 'href="../../index.html"' in page


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "holds no map (no *.jsonl file)"),
        (lambda p: p / "missing", "is not a folder of maps"),
    ],
)
def test_a_folder_without_maps_is_a_clear_error(tmp_path: Path, make: object, message: str) -> None:
    folder = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(FileError, match=re.escape(message)):
        write_atlas(folder, tmp_path / "site")


def test_the_cli_writes_the_atlas(hostile_maps: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["atlas", str(hostile_maps), "-o", str(site), "--title", "Camp"]
    )
    assert result.exit_code == 0, result.output
    assert f"open {site / 'index.html'}" in result.output
    assert "<h1>Camp</h1>" in (site / "index.html").read_text()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["atlas", str(empty), "-o", str(site)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {empty}: holds no map (no *.jsonl file)"


@pytest.mark.slow  # forks worker processes
def test_sessions_written_by_workers_give_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "maps"
    for n in range(5):
        m = cm.ConceptMap.create(folder / f"s{n}.jsonl", f"Session {n}", author="a")
        m.apply(f"concept: Shared idea\nquestion: Question {n}?\naction: Act {n}")
    assert workers.workers_for(5) == min(2, len(os.sched_getaffinity(0))) or (
        threading.active_count() > 1  # a browser test's threads: no fork, one process
    )
    write_atlas(folder, tmp_path / "pool")
    monkeypatch.setattr(workers, "MIN_SESSIONS", 1000)
    write_atlas(folder, tmp_path / "here")
    pool, here = (
        {p.relative_to(tmp_path / d): p.read_bytes() for p in (tmp_path / d).rglob("*.*")}
        for d in ("pool", "here")
    )
    assert len(pool) == 5 + 3 + 3 * 5  # the overview, the assets, 3 files per session
    assert pool == here


def _fail_on_two(i: int) -> None:
    if i == 2:
        raise FileError("site/x.html", "cannot be written: Permission denied")


def _other_error(i: int) -> None:
    raise cm.ConceptMapError(f"job {i} failed")


@pytest.mark.parametrize(
    ("job", "error", "message"),
    [
        (_fail_on_two, FileError, "site/x.html: cannot be written: Permission denied"),
        (_other_error, cm.ConceptMapError, "job 0 failed"),
    ],
)
def test_an_error_in_a_worker_is_raised_as_it_was(
    job: Callable[[int], None], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        workers.each(job, 6)


# -- in Chromium ----------------------------------------------------------------------------

#: one word only each session's notes hold, for the search test
NOTE_WORDS = {"dht": "zebracorn", "scaling": "quokkaline", "graphsync": "narwhalite"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An atlas of three sessions that share concepts, one with hostile text."""
    folder = tmp_path_factory.mktemp("meeting") / "maps"
    texts = {
        "dht": f"""topic: Private DHT
concept: Kademlia
  The routing table; {NOTE_WORDS["dht"]} in its notes.
decision: Double hashing -chooses-> proposal: Hash the keys twice
question: Who runs the bootstrap nodes?
action: Write the spec
concept: {HOSTILE}
""",
        "scaling": f"""topic: Scaling up the DHT
concept: kademlia
obstacle: Lookups are slow
  Measured at {NOTE_WORDS["scaling"]} scale.
related: Private DHT
question: How many peers?
question: Which transport?
""",
        "graphsync": f"""topic: GraphSync
concept: IPLD selectors
  Selectors walk the graph ({NOTE_WORDS["graphsync"]}).
reference: ../maps/dht.jsonl
""",
    }
    dates = {"dht": "2019-07-16", "scaling": "2019-07-15", "graphsync": "2019-07-17"}
    for name, text in texts.items():
        m = cm.ConceptMap.create(folder / f"{name}.jsonl", "placeholder", author="alice")
        m.rename("placeholder", text.splitlines()[0].removeprefix("topic: "))
        m.apply("\n".join(text.splitlines()[1:]))
        m.set_meta("date", dates[name])
    out = folder.parent / "site"
    write_atlas(folder, out, title="Camp")
    return out


def open_page(browser: Any, site: Path, name: str) -> tuple[Any, list[str], list[str]]:
    """A page of the site, with every request it made and every error it logged."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    errors: list[str] = []
    inside = site.as_uri() + "/"

    def route(r: Any) -> None:
        requests.append(r.request.url)
        r.continue_() if r.request.url.startswith(inside) else r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def dialog(d: Any) -> None:
        errors.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(inside + name)
    wait_ready(page)
    return page, requests, errors


def local_file(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@pytest.mark.browser
def test_every_page_opens_offline_asking_only_for_its_own_files(browser: Any, site: Path) -> None:
    pages = html_pages(site)
    assert len(pages) == 10
    for name in pages:
        page, requests, errors = open_page(browser, site, name)
        try:
            assert errors == [], name
            assert requests, name
            for url in requests:  # every request is a file of the site, and it exists
                assert url.startswith(site.as_uri() + "/"), (name, url)
                assert local_file(url).is_file(), (name, url)
            assert page.evaluate("window.__pwned") is None, name
            assert page.evaluate("document.body.dataset.error") is None, name
        finally:
            page.close()


@pytest.mark.browser
def test_every_link_on_every_page_resolves(browser: Any, site: Path) -> None:
    for name in [*html_pages(site), "search.html?q=e"]:
        page, _, _ = open_page(browser, site, name)
        try:
            targets = page.evaluate(
                """() => [...document.querySelectorAll('a[href]')].map(a => a.href)
                    .concat([...document.querySelectorAll('[src]')].map(e => e.src))
                    .concat([...document.querySelectorAll('link[href]')].map(e => e.href))"""
            )
        finally:
            page.close()
        assert targets, name
        for url in targets:
            if url.startswith("file://"):
                assert local_file(url).is_file(), (name, url)
                assert local_file(url).resolve().is_relative_to(site.resolve()), (name, url)
            else:  # a user's citation
                assert url.startswith(("https://", "http://")), (name, url)


@pytest.mark.browser
@pytest.mark.parametrize("session", sorted(NOTE_WORDS))
def test_search_finds_a_note_of_any_session_and_opens_its_node(
    browser: Any, site: Path, session: str
) -> None:
    page, _, _ = open_page(browser, site, "search.html")
    try:
        page.fill("#atlas-q", NOTE_WORDS[session].upper())
        page.wait_for_selector("#atlas-results li")
        links = page.eval_on_selector_all("#atlas-results a", "as => as.map(a => a.href)")
        assert len(links) == 1
        path, _, fragment = links[0].partition("#")
        assert path.endswith(f"/sessions/{session}/map.html")
        node = unquote(fragment.removeprefix("node="))
        with page.expect_navigation():
            page.click("#atlas-results a")
        wait_ready(page)
        page.wait_for_selector("#cm-details:not([hidden])")
        # the map page focused the node the result named
        label = cm.ConceptMap.load(site.parent / "maps" / f"{session}.jsonl").node(node)["label"]
        assert page.inner_text("#cm-details h2") == label
    finally:
        page.close()


def card_order(page: Any) -> list[str]:
    ids = page.eval_on_selector_all("#atlas-cards > li:not([hidden])", "cs => cs.map(c => c.id)")
    return [str(i).removeprefix("session-") for i in ids]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("key", "descending", "expected"),
    [
        ("topic", False, ["graphsync", "dht", "scaling"]),
        ("topic", True, ["scaling", "dht", "graphsync"]),
        ("size", True, ["dht", "scaling", "graphsync"]),
        ("size", False, ["graphsync", "scaling", "dht"]),
        ("open", True, ["dht", "scaling", "graphsync"]),
        ("date", False, ["scaling", "dht", "graphsync"]),
        ("date", True, ["graphsync", "dht", "scaling"]),
    ],
)
def test_the_index_sorts_its_cards(
    browser: Any, site: Path, key: str, descending: bool, expected: list[str]
) -> None:
    page, _, _ = open_page(browser, site, "index.html")
    try:
        page.select_option("#atlas-sort", key)
        if descending:
            page.click("#atlas-order")
        assert card_order(page) == expected
    finally:
        page.close()


@pytest.mark.browser
def test_the_index_filters_its_cards(browser: Any, site: Path) -> None:
    page, _, _ = open_page(browser, site, "index.html")
    try:
        page.fill("#atlas-filter", "dht")
        assert card_order(page) == ["dht", "scaling"]
        assert page.inner_text("#atlas-shown") == "2 of 3 sessions"
        page.fill("#atlas-filter", "")
        assert len(card_order(page)) == 3
    finally:
        page.close()


@pytest.mark.browser
def test_the_meeting_map_leads_to_a_session(browser: Any, site: Path) -> None:
    page, _, _ = open_page(browser, site, "meeting.html")
    try:
        edges = page.evaluate("conceptmap.edges.get().map(e => e.text)")
        assert sorted(edges) == [
            "both have Kademlia",
            "cites its map",
            "lists as related Private DHT",
        ]
        box = page.evaluate(
            """() => {
                const net = conceptmap.network, at = net.getPositions(['graphsync']).graphsync;
                const d = net.canvasToDOM(at);
                const r = document.getElementById('cm-network').getBoundingClientRect();
                return [r.left + d.x, r.top + d.y];
            }"""
        )
        page.mouse.click(*box)
        page.wait_for_selector(".atlas-open-session")
        assert page.get_attribute(".atlas-open-session", "href") == "sessions/graphsync/map.html"
        with page.expect_navigation():
            page.mouse.dblclick(*box)
        assert page.url.endswith("/sessions/graphsync/map.html")
    finally:
        page.close()
