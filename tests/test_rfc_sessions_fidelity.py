"""Real sessions' drafts put each item where a participant would put it.

Three IPFS Camp 2019 deep-dive outputs, typed as quick entry the way a scribe
would (one line per source item, the source's words), live in
``tests/data/fidelity/<name>.cm``; their teams, topics and dates in
``<name>.meta.json``. Before any generator change, each item was given the
semantic *role* a participant writing the RFC would give it, in
``<name>.expected`` (``label<TAB>role``; see ``tests/data/fidelity/README.md``).

``HEADINGS`` says, per style, under which heading(s) each role belongs: the
current upstream templates (``ipip-template.md``, ``rust-0000-template.md``) plus
the sections the generator adds. The draft is parsed with markdown-it-py and cut
into blocks; a block belongs to the nearest heading above it that the style's
table knows (unknown headings, such as one per proposal, are transparent). An
item is placed right when its rendered label occurs in a block under one of its
role's headings. The appendix, trace comments, code and the Mermaid diagram are
not prose and are never searched.

To check a new style, add its role -> heading table to ``HEADINGS`` (and, if it
has one, its alternatives heading to ``ALTERNATIVE_HEADINGS``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import conceptmap as cm

from .test_rfc_fidelity import inline_text, mentions, split_front_matter

DATA = Path(__file__).parent / "data" / "fidelity"
SESSIONS = [
    "revocation-rotating-of-ipns-keys",
    "ipfs-in-web-workers",
    "using-crdts-to-build-real-time-collaborative-dapps",
]
THRESHOLD = 0.95
APPENDIX = "Appendix: where each node went"

Heading = tuple[int, str]  # (level, title): "## Motivation" is (2, "Motivation")

ROLES = (
    "summary",
    "motivation",
    "terminology",
    "requirements",
    "design",
    "drawbacks",
    "alternatives",
    "other_options",
    "security",
    "decision",
    "open_questions",
    "answered",
    "next_steps",
    "related_work",
    "references",
)

#: Role -> the headings a participant would put it under, per style. ``summary`` also
#: accepts the document's title; ``answered`` takes the headings of what answers it.
HEADINGS: dict[str, dict[str, list[Heading]]] = {
    # ipip-template.md: ## Summary, ## Motivation, ## Detailed design, ## Design rationale
    # (### User benefit, ### Compatibility, ### Security, ### Alternatives), ## Test
    # fixtures; the generator adds ### Terminology, ## Open questions, ## Next steps,
    # ## Related work and the appendix.
    "ipip": {
        "summary": [(2, "Summary")],
        "motivation": [(2, "Motivation")],
        "terminology": [(3, "Terminology"), (2, "Detailed design"), (2, "Motivation")],
        "requirements": [(2, "Motivation"), (2, "Design rationale"), (3, "User benefit")],
        "design": [(2, "Detailed design")],
        "drawbacks": [(2, "Design rationale")],
        "alternatives": [(3, "Alternatives")],
        "other_options": [(3, "Alternatives"), (2, "Open questions")],
        "security": [(3, "Security")],
        "decision": [(2, "Design rationale")],
        "open_questions": [(2, "Open questions")],
        "next_steps": [(2, "Next steps")],
        "related_work": [(2, "Related work"), (3, "Alternatives")],
        "references": [(2, "Related work"), (2, "References")],
    },
    # rust-0000-template.md, all ## : Summary, Motivation, Guide-level explanation,
    # Reference-level explanation, Drawbacks, Rationale and alternatives, Prior art,
    # Unresolved questions, Future possibilities; the generator adds the appendix.
    "rust": {
        "summary": [(2, "Summary")],
        "motivation": [(2, "Motivation")],
        "terminology": [(2, "Guide-level explanation"), (2, "Motivation")],
        "requirements": [(2, "Motivation"), (2, "Rationale and alternatives")],
        "design": [(2, "Guide-level explanation"), (2, "Reference-level explanation")],
        "drawbacks": [(2, "Drawbacks")],
        "alternatives": [(2, "Rationale and alternatives")],
        "other_options": [(2, "Rationale and alternatives"), (2, "Unresolved questions")],
        "security": [(2, "Reference-level explanation"), (2, "Drawbacks")],
        "decision": [(2, "Rationale and alternatives")],
        "open_questions": [(2, "Unresolved questions")],
        "next_steps": [(2, "Future possibilities")],
        "related_work": [(2, "Prior art")],
        "references": [(2, "Prior art"), (2, "References")],
    },
}
STYLES = list(HEADINGS)

#: Where the featured design must never be listed (see test_draft_features_the_design).
ALTERNATIVE_HEADINGS: dict[str, list[Heading]] = {
    "ipip": [(3, "Alternatives")],
    "rust": [(2, "Rationale and alternatives")],
}

#: Template headings no role belongs under: what is listed there is misplaced.
OTHER_HEADINGS: dict[str, list[Heading]] = {
    "ipip": [(3, "Compatibility"), (2, "Test fixtures")],
    "rust": [],
}

#: Headings (at any level) whose contents are bookkeeping, not prose: never searched.
SKIPPED = (APPENDIX, "Copyright")


# --- the sessions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str
    role: str
    line: int  # in the .expected file, for the report


def read_expected(name: str) -> list[Item]:
    """The ``label<TAB>role`` lines of ``<name>.expected`` (``#`` lines are comments)."""
    path = DATA / f"{name}.expected"
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, tab, role = line.partition("\t")
        assert tab, f"{path}:{number}: expected 'label<TAB>role', got {line!r}"
        assert role in ROLES, f"{path}:{number}: {role!r} is not a role ({', '.join(ROLES)})"
        items.append(Item(label, role, number))
    return items


@functools.cache
def session(name: str) -> cm.ConceptMap:
    """The typed map, with the team, topic and date of its ``.meta.json`` as map metadata."""
    meta = json.loads((DATA / f"{name}.meta.json").read_text(encoding="utf-8"))
    m = cm.ConceptMap(author=meta["participants"][0])  # the first listed typed it
    m.apply((DATA / f"{name}.cm").read_text(encoding="utf-8"))
    for key in ("participants", "date", "source"):
        m.set_meta(key, meta[key])
    return m


def answerers(m: cm.ConceptMap, label: str) -> list[str]:
    """Labels of the nodes that ``answers`` the node ``label``."""
    target = m.id_of(label)
    return [
        m.graph.nodes[e["source"]]["label"]
        for e in m.edges()
        if e["relation"] == "answers" and e["target"] == target
    ]


def role_headings(name: str, style: str, item: Item) -> list[Heading]:
    """Where ``item`` belongs; an answered question goes with what answers it."""
    if item.role != "answered":
        return HEADINGS[style][item.role]
    roles = {i.label: i.role for i in read_expected(name)}
    found = [h for a in answerers(session(name), item.label) for h in HEADINGS[style][roles[a]]]
    assert found, f"{name}: {item.label!r} is 'answered' but nothing in the map answers it"
    return found


# --- the draft, as blocks under headings -------------------------------------------------


@dataclass(frozen=True)
class Block:
    text: str  # the rendered prose of one paragraph, list item, cell or heading
    path: tuple[Heading, ...]  # the headings above it, outermost first


@dataclass(frozen=True)
class Draft:
    header: str  # front matter and everything before the first heading, as raw text
    title: str  # the front matter title and the H1s, rendered
    blocks: tuple[Block, ...]


def parse_draft(text: str) -> Draft:
    front_matter, body = split_front_matter(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    first = next((t.map[0] for t in tokens if t.type == "heading_open" and t.map), None)
    lines = body.splitlines()
    header = text[: len(text) - len(body)] + "\n".join(lines[:first])
    path: list[Heading] = []
    blocks, titles = [], [front_matter.get("title", "")]
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            level, title = int(token.tag[1:]), inline_text(tokens[i + 1]).strip()
            path = [h for h in path if h[0] < level] + [(level, title)]
            if level == 1:
                titles.append(title)
        elif token.type == "inline" and tokens[i - 1].type != "heading_open":
            if any(title in SKIPPED for _, title in path):
                continue
            blocks.append(Block(" ".join(inline_text(token).split()), tuple(path)))
    return Draft(header, " ".join(titles), tuple(blocks))


@functools.cache
def draft(name: str, style: str) -> Draft:
    return parse_draft(session(name).rfc(style=style))


def placement(block: Block, style: str, strict_levels: bool = True) -> Heading | None:
    """The nearest heading above ``block`` that the style's table knows, or None."""
    known = {h for hs in HEADINGS[style].values() for h in hs}
    known |= set(ALTERNATIVE_HEADINGS[style]) | set(OTHER_HEADINGS[style])
    for level, title in reversed(block.path):
        for k in known:
            if k[1] == title and (k[0] == level or not strict_levels):
                return k
    return None


def sections_naming(d: Draft, style: str, label: str, strict_levels: bool = True) -> list[str]:
    """The headings (``## Title``) of the prose blocks that name ``label``, in order, once."""
    found: list[str] = []
    for block in d.blocks:
        if mentions(block.text, label):
            where = placement(block, style, strict_levels)
            level, title = where or (block.path[-1] if block.path else (0, "(no heading)"))
            shown = f"{'#' * level} {title}" + ("" if where else " (not in the table)")
            if shown not in found:
                found.append(shown)
    return found


def lists(block: Block, label: str) -> bool:
    """Whether ``block`` is an entry for ``label``: it starts with it (``- Label ...``).

    A mere mention ("addresses: Label", "Nothing addresses the obstacle: Label") is a
    cross-reference and may be anywhere; an entry is where the draft puts the item.
    """
    label = " ".join(label.split())
    return block.text.startswith(label) and not block.text[len(label) : len(label) + 1].isalnum()


def is_named(name: str, style: str, item: Item, strict_levels: bool = True) -> bool:
    """Whether the draft names ``item`` under one of its role's headings."""
    d = draft(name, style)
    wanted = role_headings(name, style, item)
    if item.role == "summary" and mentions(d.title + " " + d.header, item.label):
        return True
    return any(
        placement(b, style, strict_levels) in wanted and mentions(b.text, item.label)
        for b in d.blocks
    )


def is_astray(name: str, style: str, item: Item, strict_levels: bool = True) -> bool:
    """Whether the draft lists ``item`` under a known heading not of its role."""
    wanted = role_headings(name, style, item)
    return any(
        placement(b, style, strict_levels) not in [*wanted, None] and lists(b, item.label)
        for b in draft(name, style).blocks
    )


def is_placed(name: str, style: str, item: Item, strict_levels: bool = True) -> bool:
    """Named under one of its role's headings, and listed under no other heading."""
    return is_named(name, style, item, strict_levels) and not is_astray(
        name, style, item, strict_levels
    )


def share(name: str, style: str, strict_levels: bool = True) -> tuple[float, list[str]]:
    """The share of items placed right, and a table row for each miss."""
    items = read_expected(name)
    misses = []
    for item in items:
        if not is_placed(name, style, item, strict_levels):
            wanted = ", ".join(f"{'#' * lv} {t}" for lv, t in role_headings(name, style, item))
            where = sections_naming(draft(name, style), style, item.label, strict_levels)
            found = "; ".join(where) or "nowhere"
            misses.append(f"| {item.label} | {item.role} | {wanted} | {found} |")
    return (len(items) - len(misses)) / len(items), misses


def miss_table(rows: Iterable[str]) -> str:
    return "\n".join(["| item | role | expected under | found under |", "|---|---|---|---|", *rows])


# --- the fixtures hold what the sessions said ---------------------------------------------


@pytest.mark.parametrize("name", SESSIONS)
def test_every_expected_item_is_a_node_of_the_map(name: str) -> None:
    """One line per node both ways: no item unchecked, no expectation for a missing node."""
    m = session(name)
    expected = [i.label for i in read_expected(name)]
    assert len(expected) == len(set(expected)), f"{name}: an item is listed twice"
    labels = [n["label"] for n in m.nodes()]
    assert sorted(expected) == sorted(labels), (
        f"{name}: only in .expected: {sorted(set(expected) - set(labels))}; "
        f"only in the map: {sorted(set(labels) - set(expected))}"
    )


@pytest.mark.parametrize("name", SESSIONS)
def test_the_map_carries_the_sessions_team(name: str) -> None:
    meta = json.loads((DATA / f"{name}.meta.json").read_text(encoding="utf-8"))
    m = session(name)
    assert m.meta["topic"] == meta["topic"]
    assert [p for p in m.meta["participants"] if p in meta["participants"]] == meta["participants"]
    assert len(meta["participants"]) >= 3  # every typed session lists a team


# --- the drafts ---------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", SESSIONS)
def test_items_land_where_a_participant_would_put_them(name: str, style: str) -> None:
    placed, misses = share(name, style)
    print(f"{name} / {style}: {placed:.0%} placed right")
    assert placed >= THRESHOLD, (
        f"{name} / {style}: {placed:.0%} of the items are under their role's heading "
        f"(want {THRESHOLD:.0%}); misses:\n{miss_table(misses)}"
    )


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", SESSIONS)
def test_draft_features_the_sessions_design(name: str, style: str) -> None:
    """The design is under the design heading, and never listed among the alternatives.

    Naming a chosen proposal under an alternatives heading is fine only in the same
    block as the decision that chooses it (rust's "Rationale and alternatives" is
    also where the choice is argued).
    """
    d = draft(name, style)
    items = read_expected(name)
    design = [i for i in items if i.role == "design"]
    decisions = [i.label for i in items if i.role == "decision"]
    assert design, f"{name}: the fixture names no design"
    absent = [i.label for i in design if not is_named(name, style, i)]
    listed = [
        f"{i.label!r} in {b.text[:80]!r}"
        for i in design
        for b in d.blocks
        if placement(b, style) in ALTERNATIVE_HEADINGS[style]
        and mentions(b.text, i.label)
        and not any(mentions(b.text, dec) for dec in decisions)
    ]
    problems = [f"not under the design heading: {absent}"] if absent else []
    problems += [f"listed as alternatives: {listed}"] if listed else []
    assert not problems, f"{name} / {style}: design items " + "; ".join(problems)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", SESSIONS)
def test_draft_names_the_team(name: str, style: str) -> None:
    d = draft(name, style)
    for person in session(name).meta["participants"]:
        assert person.lstrip("@") in d.header, f"{name} / {style}: {person} not in the header"
