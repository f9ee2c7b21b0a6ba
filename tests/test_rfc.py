"""The RFC drafts: golden files, structure, traceability, escaping, determinism."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import conceptmap as cm
from conceptmap.demo import example_text
from conceptmap.rfc.draft import STYLES
from tests.quick import examples

from .test_exports import parse_mermaid

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CONCEPTMAP_UPDATE_GOLDEN") == "1"  # `make golden`
HEADINGS = {
    "ipip": ["## Summary", "## Motivation", "## Detailed design", "### Terminology",
             "## Design rationale", "### User benefit", "### Compatibility", "### Security",
             "### Alternatives", "## Test fixtures", "## Open questions", "## Next steps",
             "## Related work", "### Copyright", "## Appendix: where each node went"],
    "rust": ["## Summary", "## Motivation", "## Guide-level explanation",
             "## Reference-level explanation", "## Drawbacks", "## Rationale and alternatives",
             "## Prior art", "## Unresolved questions", "## Future possibilities",
             "## Appendix: where each node went"],
    "ietf": ["# Introduction", "## Terminology", "# Requirements", "# Proposed Design",
             "## Known Shortcomings", "# Alternatives Considered", "# Open Issues",
             "# Next Steps", "# Security Considerations", "# IANA Considerations",
             "# Related Work", "# Appendix: where each node went"],
    "adr": ["# Use Web Locks per datastore, with a shared/exclusive lock for GC",
            "## Context and Problem Statement", "## Decision Drivers", "## Considered Options",
            "## Decision Outcome", "### Consequences", "### Confirmation",
            "## Pros and Cons of the Options", "## More Information",
            "## Appendix: where each node went"],
}  # fmt: skip


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count()
    monkeypatch.setattr(
        "conceptmap.model.now",
        lambda: f"2019-07-15T10:{next(ticks) // 60:02d}:{next(ticks) % 60:02d}.000Z",
    )


@pytest.fixture
def worked(fixed_clock: None) -> cm.ConceptMap:
    m = cm.ConceptMap(author="alanshaw")
    m.set_meta("participants", ["alanshaw", "achingbrain", "hugomrdias", "lidel"])
    m.set_meta("date", "2019-07-15")
    m.apply(example_text())
    return m


def headings(text: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    return [
        f"{t.markup} {tokens[i + 1].content}".split(" <!--")[0]
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]


@pytest.mark.parametrize("style", STYLES)
def test_golden(worked: cm.ConceptMap, style: str) -> None:
    text = worked.rfc(style)
    golden = GOLDEN / f"repo-locking.{style}.md"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), (
        f"{style} draft differs from {golden.name}; if the change is meant, run `make golden` "
        "and review the diff"
    )


@pytest.mark.parametrize("style", STYLES)
def test_heading_tree(worked: cm.ConceptMap, style: str) -> None:
    found = [h for h in headings(worked.rfc(style)) if h in HEADINGS[style]]
    assert found == HEADINGS[style]
    # no H1 in ipip (the upstream template has none: the title is in the front matter)
    assert not [h for h in headings(worked.rfc("ipip")) if h.startswith("# ")]


def test_adr_is_one_madr_record_per_decision(tmp_path: Path, worked: cm.ConceptMap) -> None:
    from conceptmap.rfc.draft import adr_records, write_rfc

    worked.decision("Keep the repo.lock file in Node.js")
    worked.link(
        "Keep the repo.lock file in Node.js", "chooses", "Exclusive repo lock for migrations"
    )
    records = adr_records(worked)
    assert [name for name, _ in records] == [
        "0001-use-web-locks-per-datastore-with-a-shared-exclusive-lock-for.md",
        "0002-keep-the-repo-lock-file-in-node-js.md",
    ]
    for (_, text), title in zip(
        records,
        [
            "Use Web Locks per datastore, with a shared/exclusive lock for GC",
            "Keep the repo.lock file in Node.js",
        ],
        strict=True,
    ):
        front = front_matter(text)
        assert set(front) == {"status", "date", "decision-makers", "consulted", "informed"}
        assert front["status"] == "accepted"
        assert [h for h in headings(text) if h.startswith("# ")] == [f"# {title}"]
        assert text.count("Chosen option: ") == 1  # one line, even for a two-part design
    assert (
        'with "Shared read / exclusive write locks for GC and adds" as parts of the same'
        in records[0][1]
    )
    assert "Appendix: where each node went" not in records[0][1]  # the last one accounts
    assert "Appendix: where each node went" in records[1][1]
    # -o DIR: one numbered file each; -o FILE: refused with several decisions
    write_rfc(worked, tmp_path / "decisions", "adr")
    assert sorted(p.name for p in (tmp_path / "decisions").iterdir()) == [n for n, _ in records]
    with pytest.raises(cm.ConceptMapError, match="2 decisions, one record each"):
        write_rfc(worked, tmp_path / "adr.md", "adr")


def test_ietf_header_is_yaml_with_the_mandatory_sections(worked: cm.ConceptMap) -> None:
    text = worked.rfc("ietf")
    assert text.startswith("---\n")
    header = yaml.safe_load(text[4 : text.index("\n--- abstract")])
    assert header["title"] == "Locking the IPFS repo for concurrent access"
    assert [a["name"] for a in header["author"]] == [
        "alanshaw", "achingbrain", "hugomrdias", "lidel"
    ]  # fmt: skip
    assert str(header["date"]) == "2019-07-15"  # unquoted: kramdown-rfc keeps its day
    assert "\ndate: 2019-07-15\n" in text
    assert header["informative"]["REF1"]["target"].startswith("https://developer.mozilla.org")
    assert text.index("--- abstract") < text.index("--- middle") < text.index("--- back")
    assert "# Security Considerations\n\nTODO:" in text
    assert "# IANA Considerations\n\nThis document has no IANA actions." in text


def test_ipip_front_matter(worked: cm.ConceptMap) -> None:
    text = worked.rfc("ipip")
    front = yaml.safe_load(text.split("---\n")[1])
    assert list(front)[:8] == [
        "title", "date", "ipip", "editors", "relatedIssues", "order", "tags", "conceptmap"
    ]  # fmt: skip
    assert front["title"] == "IPIP-0000: Locking the IPFS repo for concurrent access"
    assert front["ipip"] == "proposal"
    assert front["editors"][0]["name"] == "alanshaw"
    assert front["relatedIssues"] == [
        "https://developer.mozilla.org/en-US/docs/Web/API/Web_Locks_API",
        "https://github.com/ipfs/js-ipfs-repo",
    ]
    assert re.fullmatch(r"[0-9a-f]{64}", front["conceptmap"]["sha256"])


def front_matter(text: str) -> Any:
    """The YAML header of an ipip or ietf draft."""
    return yaml.safe_load(text.split("\n---")[0].removeprefix("---\n"))


# what JSON leaves raw but YAML reads as a line break, or refuses
YAML_HARD = ["2019\u2028x", "a\x85b", "c\x9fd", "\ufeffz", "x\n- y", 'say "hi" \\ # no comment']


@pytest.mark.parametrize("style", ["ipip", "ietf"])
@pytest.mark.parametrize("value", YAML_HARD)
def test_front_matter_reads_back_as_the_metadata(style: str, value: str) -> None:
    m = cm.ConceptMap("Topic", author="a")
    m.set_meta("date", value)
    m.set_meta("participants", ["a", value])
    front = front_matter(m.rfc(style))
    assert str(front["date"]) == value
    people = front["editors" if style == "ipip" else "author"]
    assert [p["name"] for p in people] == ["a", value]


@settings(max_examples=examples(300), deadline=None)
@given(st.text())
def test_yaml_filter_reads_back_as_any_text(text: str) -> None:
    from conceptmap.rfc.draft import yaml_str

    assert yaml.safe_load(f"value: {yaml_str(text)}") == {"value": text}


LINKS = [  # (url, its link in a draft, or None: inert text)
    ("https://example.org/a_b", "[https://example.org/a\\_b](<https://example.org/a_b>)"),
    ("HTTP://example.org/x)", "[HTTP://example.org/x)](<HTTP://example.org/x)>)"),
    ("https://example.org/a b", "[https://example.org/a b](<https://example.org/a%20b>)"),
    ("https://example.org/<x>|y", "[https://example.org/\\<x\\>\\|y](<https://example.org/%3Cx%3E%7Cy>)"),
    ("https://example.org/a\\b", "[https://example.org/a\\\\b](<https://example.org/a%5Cb>)"),
    ("https://example.org/?a=1&amp;b", "[https://example.org/?a=1\\&amp;b](<https://example.org/?a=1&amp;amp;b>)"),
    ("mailto:someone@example.org", "[mailto:someone@example.org](<mailto:someone@example.org>)"),
    ("javascript:alert(1)", None),
    ("data:text/html,<b>x</b>", None),
    ("file:///etc/passwd", None),
]  # fmt: skip


@pytest.mark.parametrize(("url", "link"), LINKS)
def test_only_web_and_mail_urls_are_links_to_exactly_the_url(url: str, link: str | None) -> None:
    from conceptmap.rfc.draft import md_url

    written = md_url(url)
    assert written == (link or written)
    tokens = MarkdownIt("commonmark").parseInline(written)[0].children or []
    hrefs = [t.attrs["href"] for t in tokens if t.type == "link_open"]
    if link is None:
        assert hrefs == []
        assert "".join(t.content for t in tokens if t.type == "text") == url
    else:
        assert hrefs == [MarkdownIt().normalizeLink(url)]


def test_a_map_file_is_named_and_hashed(tmp_path: Path, worked: cm.ConceptMap) -> None:
    import hashlib

    path = tmp_path / "locking.jsonl"
    worked.save(path)
    front = yaml.safe_load(worked.rfc().split("---\n")[1])
    assert front["conceptmap"]["map"] == "locking.jsonl"
    assert front["conceptmap"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_deterministic(worked: cm.ConceptMap) -> None:
    for style in STYLES:
        assert worked.rfc(style) == worked.rfc(style)
    again = cm.from_node_link(worked.to_node_link())
    assert again.rfc("rust") == worked.rfc("rust")  # same content, same bytes


def test_an_empty_map_is_all_todo(fixed_clock: None) -> None:
    m = cm.ConceptMap("Private DHT", author="d")
    text = m.rfc("rust")
    for section in ("## Motivation", "## Drawbacks", "## Prior art", "## Future possibilities"):
        body = text.split(section + "\n", 1)[1].split("\n", 1)[1].lstrip()  # after the anchor
        assert body.startswith("TODO:"), section
    assert "Every node, every note and every link is in the text." in text


HOSTILE = [
    "a | b | c",
    "# not a heading",
    "--- not a rule",
    "=== setext",
    "`code` and ``more``",
    "<script>alert(1)</script>",
    "[link](javascript:alert(1))",
    "*emph* _emph_ ~~strike~~",
    "1. not a list",
    "> not a quote",
    "{::comment} kramdown {: .x}",
    'quote " and ]] brackets [[ and (unicode ü 漢字)',
    "a-->b --> c <!-- x",
]


@pytest.mark.parametrize("style", STYLES)
def test_hostile_labels_and_notes_stay_inert(fixed_clock: None, style: str) -> None:
    plain = cm.ConceptMap("Topic", author="a")
    labels = cm.ConceptMap("Topic", author="a")  # hostile labels, plain notes
    notes = cm.ConceptMap("Topic", author="a")  # plain labels, hostile notes
    for i, text in enumerate(HOSTILE):
        kind = ["obstacle", "proposal", "question", "concept", "action"][i % 5]
        plain.add(f"label {i}", kind, notes=f"note {i}\nline two")
        labels.add(text, kind, notes=f"note {i}\nline two")
        notes.add(f"label {i}", kind, notes=f"{text}\n{text}")
        for m, label in ((plain, f"label {i}"), (labels, text), (notes, f"label {i}")):
            m.link(label, "relates_to", "Topic")
    md = MarkdownIt("commonmark").enable("table")

    def shape(text: str, types: tuple[str, ...] = ()) -> list[tuple[str, str, int]]:
        return [(t.type, t.tag, t.level) for t in md.parse(text)
                if t.type != "inline" and (not types or t.type in types)]  # fmt: skip

    # a label is one line of text: the draft has the plain draft's shape exactly
    assert shape(labels.rfc(style)) == shape(plain.rfc(style))
    # notes keep their lists, but make no heading, rule, table, quote or HTML block
    blocks = ("heading_open", "hr", "table_open", "blockquote_open", "html_block", "fence")
    assert shape(notes.rfc(style), blocks) == shape(plain.rfc(style), blocks)
    for text in (labels.rfc(style), notes.rfc(style)):
        html = md.render(text)
        assert "<script>" not in html
        assert 'href="javascript' not in html
        for token in md.parse(text):  # the only HTML is our own trace comments
            for child in token.children or []:
                if child.type == "html_inline":
                    assert re.fullmatch(r"<!-- cm:[\w%.-]+ -->", child.content), child.content
        if "~~~ mermaid" in text:
            assert parse_mermaid(text.split("~~~ mermaid\n")[1].split("~~~")[0])


def test_mermaid_block_parses_with_hostile_labels(fixed_clock: None) -> None:
    m = cm.ConceptMap('The "topic" [x] {y}', author="a")
    proposal = 'Use "quotes" [and] (brackets) {braces} ü 漢字 `tick` #1 end'
    m.proposal(proposal)
    m.obstacle("A | pipe; and a -> arrow %%{init}%% direction LR")
    m.link(proposal, "addresses", "A | pipe; and a -> arrow %%{init}%% direction LR")
    block = m.rfc().split("~~~ mermaid\n")[1].split("~~~")[0]
    parsed = parse_mermaid(block)
    assert sorted(parsed["nodes"].values()) == sorted(
        a["label"] for _, a in m.graph.nodes(data=True)
    )


kinds = st.sampled_from([k for k in cm.KINDS if k != "topic"])
relations = st.sampled_from(list(cm.RELATIONS))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.text("abcxyz -", min_size=1, max_size=6).filter(str.strip), kinds),
             max_size=15),
    st.lists(st.tuples(st.integers(0, 14), relations, st.integers(0, 14)), max_size=20),
    st.sampled_from(STYLES),
)  # fmt: skip
def test_every_node_is_traced_and_every_problem_is_somewhere(
    nodes: list[tuple[str, str]], links: list[tuple[int, str, int]], style: str
) -> None:
    m = cm.ConceptMap("Topic", author="a")
    for label, kind in nodes:
        m.add(label, kind)
    ids = list(m.graph.nodes)
    for u, relation, v in links:
        if u < len(ids) and v < len(ids):
            m.link(ids[u], relation, ids[v])
    from conceptmap.rfc.draft import context, render

    text = render(m, style)
    appendix = text[text.index("Appendix: where each node went") :]
    for node in m.graph.nodes:
        assert f"| `{node}` |" in appendix
        assert f"<!-- cm:{node} -->" in text
    sections = _sections(m, style)
    for node, attrs in m.graph.nodes(data=True):
        if attrs["kind"] in ("obstacle", "question"):
            assert sections[node], f"{attrs['kind']} {node} landed nowhere"
    del context


def _sections(m: cm.ConceptMap, style: str) -> dict[str, list[str]]:
    from conceptmap.rfc.draft import _adr, _package_environment, context
    from conceptmap.rfc.ledger import Ledger

    if style == "adr":
        ctx = _adr(m, clean=False)[1]
    else:
        ctx = context(m)
        _package_environment().get_template(f"{style}.md.j2").render(**ctx)
    ledger = ctx["trace"]
    assert isinstance(ledger, Ledger)
    return ledger.sections


def test_own_template_gets_the_same_data(tmp_path: Path, worked: cm.ConceptMap) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text(
        "# {{ a.title|md }}\n{% for n in a.obstacles %}* {{ n.label|md }} {{ trace(n, 'Mine') }}\n"
        "{% endfor %}Primary: {{ a.primary.node.label|md }}\n",
        encoding="utf-8",
    )
    text = worked.rfc(template=template)
    assert text.startswith("# Locking the IPFS repo for concurrent access\n")
    assert "Primary: Lock per datastore with the Web Locks API" in text
    assert text.count("<!-- cm:") == len(worked.nodes("obstacle"))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"style": "pep"}, "unknown RFC style 'pep' (valid styles: ipip, rust, ietf, adr)"),
        ({"template": "missing.md.j2"}, "is not a template file"),
    ],
)
def test_bad_style_or_template(worked: cm.ConceptMap, kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(cm.ConceptMapError, match=re.escape(words)):
        worked.rfc(**kwargs)


def test_broken_template_names_its_line(tmp_path: Path, worked: cm.ConceptMap) -> None:
    template = tmp_path / "broken.md.j2"
    template.write_text("ok\n{{ a.nothing_here }}\n", encoding="utf-8")
    with pytest.raises(cm.TemplateError, match=r"broken\.md\.j2, line 2 failed"):
        worked.rfc(template=template)


def test_cli_writes_the_draft(tmp_path: Path, worked: cm.ConceptMap) -> None:
    from click.testing import CliRunner

    from conceptmap.cli import main

    worked.save(tmp_path / "m.jsonl")
    out = tmp_path / "draft.md"
    result = CliRunner().invoke(
        main, ["rfc", str(tmp_path / "m.jsonl"), "--style", "rust", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == cm.ConceptMap.load(tmp_path / "m.jsonl").rfc("rust")
    shown = CliRunner().invoke(main, ["rfc", str(tmp_path / "m.jsonl")])
    assert shown.stdout == cm.ConceptMap.load(tmp_path / "m.jsonl").rfc()
