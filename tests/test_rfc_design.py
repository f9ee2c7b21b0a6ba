"""What a draft features and what it accounts for (issue 12).

The design is what the group chose; nothing is dropped (the appendix is compared
with the map, node by node, note by note, link by link); drawbacks roll up;
tagged risks feed Security; notes keep their Markdown; people, owners and
statuses are there; ``--clean`` drops the bookkeeping.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

import conceptmap as cm
from conceptmap.cli import main
from conceptmap.rfc.analysis import analyse
from conceptmap.rfc.checks import design_findings
from conceptmap.rfc.draft import STYLES, adr_records

from .test_rfc_tools import MAPS, rich

# --- which design -----------------------------------------------------------------------

DESIGNS = {  # quick entry: (basis, the design's parts, alternatives, other options)
    "a decision chooses two parts": (
        """proposal: Web Locks per datastore
        proposal: Shared/exclusive lock for GC
        proposal: A leader tab
        proposal: Do nothing
        decision: Use Web Locks -chooses-> Web Locks per datastore
        Use Web Locks -chooses-> Shared/exclusive lock for GC
        Use Web Locks -rejects-> A leader tab""",
        "decision", ["Web Locks per datastore", "Shared/exclusive lock for GC"],
        ["A leader tab", "Do nothing"], [],
    ),
    "an umbrella and its parts": (
        """obstacle: Slow lookups
        proposal: Quick fix -addresses-> Slow lookups
        proposal: Priority peer stack
        proposal: Peer score -part_of-> Priority peer stack
        proposal: Persisted scores -part_of-> Peer score
        proposal: Bigger buckets -alternative_to-> Priority peer stack""",
        "umbrella", ["Priority peer stack", "Peer score", "Persisted scores"],
        ["Bigger buckets"], ["Quick fix"],
    ),
    "proposals linked by depends_on": (
        """proposal: Double hashing
        proposal: Prefix lookups -depends_on-> Double hashing
        proposal: Onion routing
        obstacle: Leaks""",
        "linked", ["Double hashing", "Prefix lookups"], [], ["Onion routing"],
    ),
    "the proposals the session ended on": (
        """obstacle: Vandalism
        proposal: Remove it from the history -addresses-> Vandalism
        obstacle: Which type to choose?
        proposal: Make a flow chart -addresses-> Which type to choose?
        proposal: Bake-offs""",
        "conclusion", ["Make a flow chart", "Bake-offs"], [], ["Remove it from the history"],
    ),
    "the best-supported proposal": (
        """obstacle: A
        obstacle: B
        proposal: Minor optimisation -addresses-> A
        proposal: The real thing -addresses-> A
        The real thing -addresses-> B
        question: Is it fast enough?""",
        "best-supported", ["The real thing"], [], ["Minor optimisation"],
    ),
    "a decision superseded by another": (
        """proposal: Lock file
        proposal: Web Locks
        decision: Use a lock file -chooses-> Lock file
        decision: Use Web Locks -chooses-> Web Locks
        Use Web Locks -supersedes-> Use a lock file""",
        "decision", ["Web Locks"], ["Lock file"], [],
    ),
    "a superseded decision chooses nothing": (
        """proposal: Old way
        proposal: New way
        proposal: Its part -part_of-> New way
        decision: Use the old way {status: superseded}
        Use the old way -chooses-> Old way""",
        "umbrella", ["New way", "Its part"], [], ["Old way"],
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "basis", "parts", "alternatives", "others"), DESIGNS.values(), ids=DESIGNS.keys()
)
def test_the_design_is_what_the_group_chose(
    text: str, basis: str, parts: list[str], alternatives: list[str], others: list[str]
) -> None:
    m = cm.ConceptMap("Topic", author="a")
    m.apply("\n".join(line.strip() for line in text.splitlines()))
    design = analyse(m).design
    assert design.basis == basis
    assert [o.node.label for o in design.parts] == parts
    assert [o.node.label for o in design.alternatives] == alternatives
    assert [o.node.label for o in design.others] == others
    for style in ("ipip", "rust"):  # every part is in the design section, with a reason
        text = m.rfc(style)
        design_section = text.split("## Detailed design" if style == "ipip" else
                                    "## Guide-level explanation")[1].split("\n## ")[0]  # fmt: skip
        assert all(f"- {label} " in design_section for label in parts)
        assert ("The session decided on this design" in design_section) == (basis == "decision")


def test_check_says_which_design_and_warns_on_a_tie() -> None:
    m = cm.ConceptMap("Private DHT", author="a")
    m.apply("proposal: Double hashing\nproposal: Onion routing")
    found = design_findings(m)
    assert [(f.code, f.severity) for f in found] == [("design", "info"), ("design-tie", "warning")]
    assert found[0].message.startswith("the draft features 'Onion routing': no decision")
    m.apply("decision: Use double hashing -chooses-> Double hashing")
    (only,) = design_findings(m)
    assert only.message == (
        "the draft features 'Double hashing': the decision “Use double hashing” chooses "
        "“Double hashing”"
    )


def test_check_command_prints_the_design_first(tmp_path: Path) -> None:
    m = cm.ConceptMap("Private DHT", author="a")
    m.apply("proposal: Double hashing\nproposal: Onion routing")
    m.save(tmp_path / "m.jsonl")
    out = CliRunner().invoke(main, ["check", str(tmp_path / "m.jsonl")]).stdout
    assert out.splitlines()[0].startswith("info: the draft features 'Onion routing'")
    assert "[design-tie]" in out


# --- nothing dropped: the appendix is exact -------------------------------------------


def appendix_tables(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """The rows (cells) of the appendix's node table and link table."""
    appendix = text[text.index("Appendix: where each node went") :]
    tables = re.findall(r"(?m)((?:^\|.*\|\n)+)", appendix + "\n")
    rows = [
        [[c.strip() for c in line.strip("|").split(" | ")] for line in t.splitlines()[2:]]
        for t in tables
    ]
    return rows[0], rows[1]


def section_texts(text: str) -> dict[str, str]:
    """Each heading's title -> the rendered text under it (sub-sections included)."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    found: dict[str, str] = {}
    open_: list[tuple[int, str]] = []
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            level, title = int(t.tag[1:]), tokens[i + 1].content.split(" <!--")[0]
            open_ = [(lv, s) for lv, s in open_ if lv < level] + [(level, title)]
            found.setdefault(title, "")
        elif t.type == "inline":
            for _, title in open_:
                found[title] += " " + " ".join(
                    c.content for c in t.children or [] if c.type in ("text", "code_inline")
                )
    return found


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", list(MAPS))
def test_the_appendix_accounts_exactly_for_the_map(name: str, style: str) -> None:
    m = MAPS[name]()
    text = adr_records(m)[-1][1] if style == "adr" else m.rfc(style)
    drafts = [t for _, t in adr_records(m)] if style == "adr" else [text]
    nodes, links = appendix_tables(text)
    graph = m.graph
    # every node once, with its kind; its notes written when it has any
    assert [row[0].strip("`") for row in nodes] == list(graph.nodes)
    for row in nodes:
        attrs = graph.nodes[row[0].strip("`")]
        assert row[1] == attrs["kind"]
        assert row[4] == ("written" if attrs.get("notes") else "none")
        assert row[3] != "**nowhere**"
    # every link once: its source, words and target
    edges = Counter(
        (u, a.get("phrase") or a["relation"].replace("_", " "), v)
        for u, v, a in graph.edges(data=True)
    )
    rows = Counter((r[0].strip("`"), r[1], r[2].strip("`")) for r in links if r[0])
    assert rows == edges
    assert "Every node, every note and every link is in the text." in text
    # ... and the draft holds what the ledger claims: each link's section names one end
    sections: dict[str, str] = {}
    for draft in drafts:
        for title, body in section_texts(draft).items():
            sections[title] = sections.get(title, "") + body
    for source, _, target, where in (r for r in links if r[0]):
        title = where.split(" ", 2)[2] if where.startswith("ADR ") else where
        ends = [graph.nodes[n.strip("`")]["label"] for n in (source, target)]
        assert any(label in sections[title] for label in ends), (where, ends)


def test_a_mitigation_appears_under_its_drawback() -> None:
    text = rich().rfc("ipip")
    shortcomings = text.split("Known shortcomings:")[1].split("\n### ")[0]
    assert re.search(
        r"- Prefixes still narrow the key down .*\n(  .*\n)*  - mitigated by: Rate limits per peer",
        shortcomings,
    )


# --- roll-ups, security, people ---------------------------------------------------------


def test_the_designs_drawbacks_include_its_parts() -> None:
    m = rich()
    m.apply("concept: Salt -part_of-> Double hashing\n"
            "shortcoming: Salts must be shared -drawback_of-> Salt")  # fmt: skip
    drawbacks = [n.label for n in analyse(m).design.drawbacks]
    assert drawbacks == ["Prefixes still narrow the key down", "Salts must be shared"]
    rust = m.rfc("rust").split("## Drawbacks")[1].split("\n## ")[0]
    assert "- Prefixes still narrow the key down" in rust
    assert "- Salts must be shared" in rust


def test_tagged_risks_feed_security_considerations() -> None:
    text = rich().rfc("ipip")
    security = text.split("### Security\n")[1].split("\n### ")[0]
    # addressed by the design: listed here; nothing addresses it: named here, in Motivation
    assert "- Peers learn what others look up" in security
    assert "- Risk (nothing addresses it yet): A peer can flood the routing table" in security
    motivation = text.split("## Motivation\n")[1].split("\n## ")[0]
    assert "- A peer can flood the routing table" in motivation
    assert "TODO" not in rich().rfc("ietf").split("# Security Considerations")[1].split("\n# ")[0]


def test_people_owners_and_status() -> None:
    m = rich()
    text = m.rfc("ipip")
    assert '- name: "@yiannisbot"\n  - name: "@guillaumemichel"' in text
    assert "- Write the spec (owner: @guillaumemichel, due: 2026-12-15)" in text
    assert "Status: accepted. Chooses: Double hashing. Rejects: Onion routing." in text
    record = adr_records(m)[0][1]
    assert record.startswith("---\nstatus: accepted\ndate: 2026-11-27\ndecision-makers:\n")
    m.apply("decision: Use onion routing after all {status: proposed}\n"
            "Use onion routing after all -supersedes-> Use double hashing")  # fmt: skip
    first, second = (text for _, text in adr_records(m))
    assert first.startswith("---\nstatus: superseded by ADR-0002\n")  # as MADR says it
    assert second.startswith("---\nstatus: proposed\n")
    assert "This decision supersedes Use double hashing." in second


# --- notes are Markdown -----------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_notes_keep_their_markdown_and_stay_inert(style: str) -> None:
    m = rich()
    text = m.rfc(style)
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    assert any(t.type == "ordered_list_open" for t in tokens)  # "1. the key, to every hop"
    code = [c.content for t in tokens for c in t.children or [] if c.type == "code_inline"]
    assert "dht.FindProviders" in code
    hrefs = [c.attrs["href"] for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert "https://github.com/libp2p/specs/issues/373" in hrefs  # a url in a note: a link
    assert "https://github.com/libp2p/specs/pull/373" in hrefs  # a url attribute: a link
    body = re.sub(r"(?s)\A---\n.*?\n---( abstract)?\n", "", text)  # front matter: YAML
    html = md.render(body)
    assert "<script>" not in html
    assert "<hr" not in html  # "---" in a note is no rule
    # "  - and its timing" stays nested under "2. the requester's address"
    assert re.search(r"2\. the requester's address\n +- and its timing", text)


# --- a clean copy ------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_clean_drops_trace_comments_and_the_appendix(style: str) -> None:
    m = rich()
    clean, full = m.rfc(style, clean=True), m.rfc(style)
    assert "<!--" not in clean
    assert "Appendix: where each node went" not in clean
    assert "<!-- cm:" in full
    assert "Appendix: where each node went" in full
    kept = re.sub(r" ?<!-- cm:[^>]* -->", "", full.split("Appendix: where")[0])
    assert set(clean.split()) <= set(kept.split()) | {"-"}


def test_rfc_command_clean_and_adr_directory(tmp_path: Path) -> None:
    m = rich()
    m.apply("decision: Keep a fallback -chooses-> Onion routing")
    m.save(tmp_path / "m.jsonl")
    run = CliRunner().invoke
    done = run(main, ["rfc", str(tmp_path / "m.jsonl"), "--clean", "-o", str(tmp_path / "a.md")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == m.rfc(clean=True)
    out = tmp_path / "decisions"
    done = run(main, ["rfc", str(tmp_path / "m.jsonl"), "--style", "adr", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == [
        "0001-use-double-hashing.md", "0002-keep-a-fallback.md"
    ]  # fmt: skip
    refused = run(main, ["rfc", str(tmp_path / "m.jsonl"), "--style", "adr", "-o",
                         str(tmp_path / "one.md")])  # fmt: skip
    assert refused.exit_code == 1
    assert "the map has 2 decisions, one record each" in refused.output


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", list(MAPS))
def test_real_sessions_need_no_catch_all(name: str, style: str) -> None:
    """Every node and link of the sessions is written where it belongs, not in the lists
    of leftovers ("Also recorded in the map", "Other links recorded in the map")."""
    text = MAPS[name]().rfc(style)
    assert "Also recorded in the map:" not in text
    assert "Other links recorded in the map:" not in text
