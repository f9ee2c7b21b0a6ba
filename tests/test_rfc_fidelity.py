"""RFC drafts put every node of a real session's map where the template wants it.

The map is the output of the IPFS Camp session "Scaling up the DHT", typed as
quick entry in ``tests/data/scaling-up-the-dht.cm``. ``m.rfc(style=...)`` turns it
into a Markdown draft; this test reads the draft back with markdown-it-py,
splits it into sections by heading and checks, node by node, that each label
lands in the section its kind (and its links) call for. The draft escapes
Markdown, so labels are compared with the rendered text, not the source.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

import conceptmap as cm

FIXTURE = Path(__file__).parent / "data" / "scaling-up-the-dht.cm"
TOPIC = "Scaling up the DHT"
PROPOSAL = "Priority peer stack"
TERMS = ("Kademlia", "XOR distance", "NAT")
APPENDIX = "Appendix: where each node went"

#: The headings each style must have, in this order, as (level, title): the current
#: upstream templates (rust-lang/rfcs uses "##" since 2025-11-28), plus the appendix.
OUTLINES: dict[str, list[tuple[int, str]]] = {
    "ipip": [
        (2, "Summary"),
        (2, "Motivation"),
        (2, "Detailed design"),
        (3, "Terminology"),
        (2, "Design rationale"),
        (3, "User benefit"),
        (3, "Compatibility"),
        (3, "Security"),
        (3, "Alternatives"),
        (2, "Test fixtures"),
        (2, "Open questions"),
        (2, "Next steps"),
        (2, "Related work"),
        (2, APPENDIX),
    ],
    "rust": [
        (2, "Summary"),
        (2, "Motivation"),
        (2, "Guide-level explanation"),
        (2, "Reference-level explanation"),
        (2, "Drawbacks"),
        (2, "Rationale and alternatives"),
        (2, "Prior art"),
        (2, "Unresolved questions"),
        (2, "Future possibilities"),
        (2, APPENDIX),
    ],
}
STYLES = list(OUTLINES)

TRACE = re.compile(r"<!--\s*cm:(\S+?)\s*-->")


# --- the map -------------------------------------------------------------------------


@functools.cache
def session_map() -> cm.ConceptMap:
    m = cm.ConceptMap(author="stebalien")
    m.apply(FIXTURE.read_text(encoding="utf-8"))
    return m


def labels(kind: str) -> list[str]:
    return [n["label"] for n in session_map().nodes(kind)]


def parts_of_proposal() -> list[str]:
    m = session_map()
    proposal = m.id_of(PROPOSAL)
    return [
        m.graph.nodes[e["source"]]["label"]
        for e in m.edges()
        if e["relation"] == "part_of" and e["target"] == proposal
    ]


def unaddressed_obstacles() -> list[str]:
    """Obstacles that no proposal or decision ``addresses``."""
    m = session_map()
    addressed = {
        e["target"]
        for e in m.edges()
        if e["relation"] == "addresses"
        and m.graph.nodes[e["source"]]["kind"] in ("proposal", "decision")
    }
    return [n["label"] for n in m.nodes("obstacle") if n["id"] not in addressed]


def placements(style: str) -> list[tuple[str, str]]:
    """(label, section title) for every placement the style promises."""
    motivation = labels("obstacle") + labels("requirement")
    questions = labels("question") + unaddressed_obstacles()
    if style == "ipip":
        rules = {
            "Motivation": motivation,
            "Detailed design": [PROPOSAL, *parts_of_proposal()],
            "Terminology": list(TERMS),
            "Open questions": questions,
            "Next steps": labels("action"),
            "Related work": labels("reference"),
        }
    else:
        rules = {
            "Motivation": motivation,
            "Guide-level explanation": [PROPOSAL],
            "Reference-level explanation": parts_of_proposal(),
            "Unresolved questions": questions,
            "Future possibilities": labels("action"),
            "Prior art": labels("reference"),
        }
    return [(label, section) for section, items in rules.items() for label in items]


# --- the draft -----------------------------------------------------------------------


@dataclass
class Section:
    level: int
    title: str
    tokens: list[Token]  # everything after the heading, sub-sections included


@dataclass
class Draft:
    front_matter: dict[str, str]
    sections: list[Section]
    tokens: list[Token]

    def section(self, style: str, title: str) -> Section:
        level = {t: lv for lv, t in OUTLINES[style]}[title]
        for s in self.sections:
            if (s.level, s.title) == (level, title):
                return s
        raise AssertionError(f"the {style} draft has no {'#' * level} {title} heading")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``key: value`` lines of a leading ``---`` block (values unquoted), and the rest."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        return {}, text
    fields = {}
    for line in lines[1:end]:
        key, colon, value = line.partition(":")
        if colon and not line[0].isspace():
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            fields[key.strip()] = value
    return fields, "".join(lines[end + 1 :])


def inline_text(token: Token) -> str:
    """What an inline token reads as: escapes and entities resolved, no HTML."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def rendered_text(tokens: list[Token]) -> str:
    """The prose of some block tokens, white space folded (code blocks and diagrams left out)."""
    parts = [inline_text(token) for token in tokens if token.type == "inline"]
    return " ".join(" ".join(parts).split())


def parse_draft(text: str) -> Draft:
    front_matter, body = split_front_matter(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    headings = [
        (i, int(t.tag[1:]), inline_text(tokens[i + 1]).strip())
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]
    sections = []
    for n, (start, level, title) in enumerate(headings):
        end = next((i for i, lv, _ in headings[n + 1 :] if lv <= level), len(tokens))
        sections.append(Section(level, title, tokens[start + 3 : end]))  # skip the heading
    return Draft(front_matter, sections, tokens)


@functools.cache
def draft(style: str) -> Draft:
    return parse_draft(session_map().rfc(style=style))


def mentions(text: str, label: str) -> bool:
    """Whether ``label`` occurs in ``text`` as a whole phrase (not 'NAT' in 'NATs')."""
    label = " ".join(label.split())
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text) is not None


def appendix_ids(section: Section) -> set[str]:
    """The ids in backticks in the first cell of each body row of the appendix table."""
    ids: set[str] = set()
    in_body = first_cell = False
    for i, token in enumerate(section.tokens):
        if token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open":
            first_cell = True
        elif token.type == "td_open" and in_body and first_cell:
            first_cell = False
            cell = section.tokens[i + 1]
            ids.update(c.content for c in cell.children or [] if c.type == "code_inline")
    return ids


def trace_ids(d: Draft) -> set[str]:
    """Ids named by hidden ``<!-- cm:ID -->`` comments (HTML, not code or text)."""
    html = [t.content for t in d.tokens if t.type == "html_block"]
    html += [
        c.content
        for t in d.tokens
        if t.type == "inline"
        for c in t.children or []
        if c.type == "html_inline"
    ]
    return {match for chunk in html for match in TRACE.findall(chunk)}


# --- the fixture says what the session said -------------------------------------------


def test_the_fixture_holds_the_session() -> None:
    m = session_map()
    assert m.meta["topic"] == TOPIC
    assert [n["label"] for n in m.nodes("proposal")] == [PROPOSAL]
    assert len(parts_of_proposal()) == 9  # the peer score and the eight listed properties
    assert all(term in m for term in TERMS)
    assert unaddressed_obstacles() == [
        "Filecoin / other incentive structures have an uncertain ETA"
    ]
    assert len(labels("question")) == 2
    assert len(labels("action")) == 3
    assert len(labels("reference")) == 3
    assert not [e for e in m.edges() if e["relation"] == "answers"], "questions stay open"


@pytest.mark.parametrize("style", STYLES)
def test_every_node_has_a_place_in_the_draft(style: str) -> None:
    """The rules below cover the whole map, so no node goes unchecked."""
    placed = {label for label, _ in placements(style)}
    unplaced = [n["label"] for n in session_map().nodes() if n["label"] not in placed]
    expected = [TOPIC]  # the document's title, checked on its own
    if style == "rust":
        expected += TERMS  # the rust template has no terminology section
    assert sorted(unplaced) == sorted(expected)


# --- the drafts ----------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_draft_has_the_template_headings_in_order(style: str) -> None:
    outline = [(s.level, s.title) for s in draft(style).sections]
    position = 0
    for level, title in OUTLINES[style]:
        assert (level, title) in outline[position:], (
            f"{style}: expected {'#' * level} {title} after heading {position} in {outline}"
        )
        position = outline.index((level, title), position) + 1


def test_ipip_title_is_the_topic() -> None:
    d = draft("ipip")
    h1 = next((s.title for s in d.sections if s.level == 1), None)
    titles = [t for t in (d.front_matter.get("title"), h1) if t is not None]
    assert titles, "the ipip draft has neither a front matter title nor an H1"
    for title in titles:
        # the IPIP template may number it: "IPIP-0000: Scaling up the DHT"
        assert mentions(title, TOPIC), f"ipip: title {title!r} is not the topic {TOPIC!r}"


@pytest.mark.parametrize(
    ("style", "label", "section"),
    [(style, label, section) for style in STYLES for label, section in placements(style)],
)
def test_node_lands_in_its_section(style: str, label: str, section: str) -> None:
    text = rendered_text(draft(style).section(style, section).tokens)
    assert mentions(text, label), f"{style}: {label!r} is not in the {section!r} section"


@pytest.mark.parametrize("style", STYLES)
def test_appendix_lists_every_node_id(style: str) -> None:
    d = draft(style)
    listed = appendix_ids(d.section(style, APPENDIX))
    for node in session_map().nodes():
        assert node["id"] in listed, (
            f"{style}: {node['label']!r} (`{node['id']}`) is not in the first column "
            f"of the {APPENDIX!r} table"
        )


@pytest.mark.parametrize("style", STYLES)
def test_every_node_has_a_trace_comment(style: str) -> None:
    traced = trace_ids(draft(style))
    for node in session_map().nodes():
        assert node["id"] in traced, (
            f"{style}: no <!-- cm:{node['id']} --> comment for {node['label']!r} in the draft"
        )
