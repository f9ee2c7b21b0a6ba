"""Node attributes (``{owner: @bob, due: 2026-12-15}``): quick entry, API, files, people."""

from __future__ import annotations

import datetime
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conceptmap as cm
from conceptmap.cli import main
from conceptmap.core.attributes import STATUSES, split_attributes
from conceptmap.rfc.actions import action_items, actions_json, actions_markdown
from tests.quick import examples
from tests.test_defects_readwrite import GEXF, SCHEMAS, VIZ, schema_errors

ACTION = "Measure GC lock hold times"
DECISION = "Use Web Locks per datastore"

# what the node carries after the line applies: {field: value}, only the fields named
GOOD = [
    (f"action: {ACTION} {{owner: @alanshaw, due: 2026-12-15}}",
     ACTION, {"kind": "action", "owner": "@alanshaw", "due": "2026-12-15"}),
    (f"action: {ACTION} {{owner: alanshaw}}", ACTION, {"owner": "@alanshaw"}),
    (f"action: {ACTION} {{owner:  Alan   Shaw }}", ACTION, {"owner": "Alan Shaw"}),
    (f"action: {ACTION} {{OWNER: @Alan_Shaw.2}}", ACTION, {"owner": "@Alan_Shaw.2"}),
    (f"todo: {ACTION} {{due:2026-12-15}}", ACTION, {"kind": "action", "due": "2026-12-15"}),
    (f"decision: {DECISION} {{status: accepted}}", DECISION, {"status": "accepted"}),
    (f"decision: {DECISION} {{status: Superseded}}", DECISION, {"status": "superseded"}),
    ("reference: Web Locks API {url: https://developer.mozilla.org/en-US/docs/Web/API/Web_Locks_API}",
     "Web Locks API", {"url": "https://developer.mozilla.org/en-US/docs/Web/API/Web_Locks_API"}),
    ("reference: Spec {url: http://example.org/a,b?x=1#y, tags: spec}",
     "Spec", {"url": "http://example.org/a,b?x=1#y", "tags": ["spec"]}),
    ("obstacle: Unbounded lock queue {tags: security, dos, Security}",
     "Unbounded lock queue", {"tags": ["security", "dos"]}),
    (f"action: {ACTION} {{owner: @a}} -answers-> question: How long?", ACTION, {"owner": "@a"}),
    (f"question: How long? -raises-> action: {ACTION} {{due: 2027-01-31}}",
     ACTION, {"due": "2027-01-31"}),
    (f"decision: New {{status: accepted}} -supersedes-> decision: {DECISION} "
     "{status: superseded}", DECISION, {"status": "superseded"}),
    # braces that are no trailing attribute block stay in the label
    ("concept: Set {a, b}", "Set {a, b}", {"kind": "concept"}),
    ("concept: f{x: 1}", "f{x: 1}", {"kind": "concept"}),
    ("concept: {braces} first", "{braces} first", {"kind": "concept"}),
    ("concept: JSON {}", "JSON {}", {"kind": "concept"}),
    ("concept: Nested {a: {b: c}}", "Nested {a: {b: c}}", {"kind": "concept"}),
    (r"concept: Record \{name: text}", "Record {name: text}", {"kind": "concept"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "label", "expected"), GOOD)
def test_a_line_sets_its_attributes(text: str, label: str, expected: dict[str, Any]) -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(text)
    node = m.node(label)
    assert {k: node.get(k) for k in expected} == expected
    assert m.apply(text).ops == []  # applying it again changes nothing


# (text, words the error says); every error names line 1 and quotes the line
BAD = [
    (f"action: {ACTION} {{ownr: @a}}",
     ["unknown attribute 'ownr'", "did you mean 'owner'?", "owner, due, status, url, tags"]),
    ("concept: JSON {a: 1}", ["unknown attribute 'a'", "write '\\{'"]),
    (f"decision: {DECISION} {{status: acepted}}",
     ["unknown status 'acepted'", "did you mean 'accepted'?", ", ".join(STATUSES)]),
    (f"action: {ACTION} {{due: 15/12/2026}}", ["YYYY-MM-DD", "'15/12/2026'"]),
    (f"action: {ACTION} {{due: 2026-02-30}}", ["'2026-02-30' is no day of the calendar"]),
    ("reference: R {url: javascript:alert(1)}", ["http:// or https://", "javascript:alert(1)"]),
    ("reference: R {url: ftp://example.org}", ["http:// or https://"]),
    ("reference: R {url: https://}", ["http:// or https://"]),
    (f"action: {ACTION} {{owner: @a, @b}}", ["not one handle or name", "one owner"]),
    (f"action: {ACTION} {{owner: <script>}}", ["not one handle or name"]),
    (f"action: {ACTION} {{owner: @a, owner: @b}}", ["'owner' is given twice"]),
    (f"action: {ACTION} {{owner: }}", ["'owner' needs a value"]),
    (f"concept: {ACTION} {{owner: @a}}", ["'owner' goes on an action", "is a concept",
                                           f"'action: {ACTION} {{owner: ...}}'"]),
    ("proposal: P {due: 2026-12-15}", ["'due' goes on an action", "is a proposal"]),
    (f"action: {ACTION} {{status: accepted}}", ["'status' goes on a decision", "is an action"]),
    ("Fresh label {owner: @a}", ["'owner' goes on an action", "'Fresh label' is a concept"]),
    ("{owner: @a}", ["attributes in braces end a label"]),
    (f"remove: {ACTION} {{owner: @a}}", ["not on remove: or rename:"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "words"), BAD)
def test_a_bad_attribute_is_an_error_and_nothing_applies(text: str, words: list[str]) -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(f"action: {ACTION}\nconcept: Untouched")
    before = m.to_node_link()
    with pytest.raises(cm.ParseError) as info:
        m.apply(f"concept: Also new\n{text}")
    message = str(info.value)
    assert f"line 2 ({text!r})" in message
    for word in words:
        assert word in message
    assert m.to_node_link() == before


def test_two_lines_giving_one_node_two_owners_are_an_error() -> None:
    m = cm.ConceptMap("GC", author="alice")
    with pytest.raises(cm.ParseError, match="has owner '@b' here but '@a' on line 1"):
        m.apply(f"action: {ACTION} {{owner: @a}}\n{ACTION} {{owner: @b}} -> concept: X")
    assert len(m) == 1


def test_redeclaring_updates_the_attributes_once() -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(f"action: {ACTION} {{owner: @alanshaw}}")
    change = m.apply(f"action: {ACTION} {{owner: @lidel, due: 2026-12-15}}")
    assert [op["op"] for op in change.ops] == ["update_node"]
    assert {k: change.ops[0][k] for k in ("owner", "due")} == {
        "owner": "@lidel", "due": "2026-12-15"}  # fmt: skip
    assert not m.apply(f"action: {ACTION} {{owner: lidel, due: 2026-12-15}}")  # same person
    assert not m.apply(f"action: {ACTION}")  # a declaration without attributes keeps them
    assert m.node(ACTION)["owner"] == "@lidel"
    m.apply(f"{ACTION} {{due: 2027-01-01}}")  # a line that only names the node sets them too
    assert m.node(ACTION)["due"] == "2027-01-01"


def test_supersedes_links_two_decisions() -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(
        "decision: Leases {status: accepted} -supersedes-> decision: Mutex {status: superseded}"
    )
    assert m.edges()[0]["relation"] == "supersedes"
    assert "supersedes" in cm.RELATIONS


# -- the Python API ----------------------------------------------------------------------
def test_the_api_sets_the_same_attributes() -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.action(ACTION, owner="alanshaw", due=datetime.date(2026, 12, 15), tags=["gc"])
    m.decision(DECISION, status="Accepted", url="https://example.org/adr/1")
    typed = cm.ConceptMap("GC", author="alice")
    typed.apply(
        f"action: {ACTION} {{owner: @alanshaw, due: 2026-12-15, tags: gc}}\n"
        f"decision: {DECISION} {{status: accepted, url: https://example.org/adr/1}}"
    )
    assert m.to_node_link()["nodes"] == [
        {**n, "created": m.node(n["id"])["created"]} for n in typed.to_node_link()["nodes"]
    ]
    m.update(ACTION, owner="Rod Vagg")
    assert m.node(ACTION)["owner"] == "Rod Vagg"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda m: m.concept("C", owner="@a"), ["'owner' goes on an action"]),
        (lambda m: m.action("A", status="accepted"), ["'status' goes on a decision"]),
        (lambda m: m.action("A", due="tomorrow"), ["YYYY-MM-DD"]),
        (lambda m: m.decision("D", status="done"), ["unknown status 'done'"]),
        (lambda m: m.update("Existing", owner="@a"), ["'owner' goes on an action"]),
        (lambda m: m.update("Existing", kind="action", owner="a b, c"), ["one handle or name"]),
        (lambda m: m.update("Existing", colour="red"), ["cannot update 'colour'"]),
        (lambda m: m.add("Existing", colour="red"), ["cannot set 'colour'"]),
    ],
)
def test_the_api_refuses_what_quick_entry_refuses(call: Any, words: list[str]) -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.concept("Existing")
    before = m.to_node_link()
    with pytest.raises(cm.ConceptMapError) as info:
        call(m)
    for word in words:
        assert word in str(info.value)
    assert m.to_node_link() == before


# -- files: the log, compact, undo, exports --------------------------------------------
TEXT = f"""
action: {ACTION} {{owner: @alanshaw, due: 2026-12-15, tags: gc, perf}}
decision: {DECISION} {{status: accepted, url: https://example.org/adr/1}}
{DECISION} -> {ACTION}
"""


def attributes(m: cm.ConceptMap) -> dict[str, dict[str, Any]]:
    fields = ("owner", "due", "status", "url", "tags")
    return {n: {k: a[k] for k in fields if k in a} for n, a in m.graph.nodes(data=True)}


def test_attributes_survive_reload_compact_and_undo(map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    m.apply(TEXT)
    wanted = attributes(m)
    assert wanted["measure-gc-lock-hold-times"]["tags"] == ["gc", "perf"]
    assert attributes(cm.ConceptMap.load(map_path)) == wanted
    m.compact()
    assert attributes(cm.ConceptMap.load(map_path)) == wanted
    m.apply(f"action: {ACTION} {{owner: @lidel, due: 2027-01-01}}")
    m.apply(f"decision: {DECISION} {{status: deprecated}}")
    m.undo()
    m.undo()
    assert attributes(m) == attributes(cm.ConceptMap.load(map_path)) == wanted


def test_undo_drops_an_attribute_that_was_not_there(map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    m.apply(f"action: {ACTION}")
    m.apply(f"action: {ACTION} {{owner: @bob}}")
    m.undo()
    assert "owner" not in cm.ConceptMap.load(map_path).node(ACTION)


@pytest.mark.parametrize("suffix", [".json", ".graphml", ".gexf", ".canvas"])
def test_lossless_exports_carry_the_attributes(tmp_path: Path, suffix: str) -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(TEXT)
    back = cm.import_map(m.export(tmp_path / f"map{suffix}"))
    assert attributes(back) == attributes(m)


@pytest.mark.parametrize(
    ("suffix", "schema", "rename"),
    [(".graphml", "graphml/graphml.xsd", {}), (".gexf", "gexf12/gexf.xsd", {VIZ: GEXF})],
)
def test_xml_exports_with_attributes_stay_valid(
    tmp_path: Path, suffix: str, schema: str, rename: dict[str, str]
) -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(TEXT)
    errors = schema_errors(m.export(tmp_path / f"map{suffix}"), SCHEMAS / schema, rename)
    assert not errors, "\n".join(errors[:8])


@pytest.mark.parametrize(
    ("field", "value"),
    [("owner", "a, b"), ("due", "soon"), ("status", "done"), ("owner", 7), ("due", None)],
)
def test_a_file_with_a_bad_attribute_skips_that_operation(
    map_path: Path, field: str, value: Any
) -> None:
    op = {"op": "add_node", "id": "x", "label": "X", "kind": "action", field: value,
          "by": "mallory", "at": "2026-01-01T00:00:00.000Z"}  # fmt: skip
    with map_path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(op) + "\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = cm.ConceptMap.load(map_path)
    assert "x" not in m.graph
    assert any("line 3: " in str(w.message) and "skipped" in str(w.message) for w in caught)


def test_an_import_with_a_bad_attribute_is_refused() -> None:
    data = {"graph": {}, "nodes": [{"id": "x", "label": "X", "kind": "action", "due": "soon"}]}
    with pytest.raises(cm.ConceptMapError, match="YYYY-MM-DD"):
        cm.from_node_link(data)


# -- people ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("participants", "owners", "people"),
    [
        ([], [], ["alice"]),
        (["@alanshaw"], ["alanshaw"], ["@alanshaw", "alice"]),
        (["@lidel"], ["@alice", "Rod Vagg", "@lidel"], ["@lidel", "@alice", "Rod Vagg"]),
        (["Alan Shaw"], ["alan  shaw"], ["Alan Shaw", "alice"]),
    ],
)
def test_people_are_participants_authors_and_owners_each_once(
    participants: list[str], owners: list[str], people: list[str]
) -> None:
    m = cm.ConceptMap("GC", author="alice")
    if participants:
        m.set_meta("participants", participants)
    for i, owner in enumerate(owners):
        m.action(f"Step {i}", owner=owner)
    assert m.people() == people


# -- conceptmap actions ------------------------------------------------------------------
ACTIONS = f"""
action: {ACTION} {{owner: @alan_shaw, due: 2026-12-15}} -answers-> question: How long?
  Use a *large* repo.

  - 10 GB at least
action: <b>Ship</b> it [now](javascript:x) {{tags: done}}
decision: {DECISION} -> {ACTION}
"""


def test_actions_as_data() -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(ACTIONS)
    first, second = action_items(m)
    assert first["owner"] == "@alan_shaw"
    assert first["due"] == "2026-12-15"
    assert not first["done"]
    assert second["done"]
    assert second["owner"] is None
    assert [(x["direction"], x["relation"], x["label"]) for x in first["links"]] == [
        ("out", "answers", "How long?"), ("in", "relates_to", DECISION)]  # fmt: skip
    assert list(first) == ["id", "label", "notes", "owner", "due", "status", "tags", "url",
                           "author", "created", "done", "links"]  # fmt: skip


def test_actions_markdown_is_a_checklist_with_text_escaped() -> None:
    m = cm.ConceptMap("GC", author="alice")
    m.apply(ACTIONS)
    text = actions_markdown(m)
    assert text.splitlines() == [
        "# Actions: GC",
        "",
        f"- [ ] {ACTION} — @alan\\_shaw, due 2026-12-15 <!-- cm:measure-gc-lock-hold-times -->",
        "  Use a \\*large\\* repo.",
        "",
        "  \\- 10 GB at least",
        "- [x] \\<b\\>Ship\\</b\\> it \\[now\\](javascript:x) — no owner "
        "<!-- cm:b-ship-b-it-now-javascript-x -->",
    ]


@pytest.mark.parametrize("fmt", ["md", "json", None])
def test_actions_command_prints_what_the_library_gives(map_path: Path, fmt: str | None) -> None:
    cm.ConceptMap.open(map_path, author="alice").apply(ACTIONS)
    args = ["actions", str(map_path)] + (["--format", fmt] if fmt else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    m = cm.ConceptMap.load(map_path)
    if fmt == "json":
        assert result.output == actions_json(m)
        assert [a["label"] for a in json.loads(result.output)] == [
            a["label"] for a in action_items(m)]  # fmt: skip
    else:
        assert result.output == actions_markdown(m)


def test_actions_command_on_a_map_without_actions_and_bad_usage(map_path: Path) -> None:
    result = CliRunner().invoke(main, ["actions", str(map_path)])
    assert result.output.endswith("No actions were recorded.\n")
    bad = CliRunner().invoke(main, ["actions", str(map_path), "--format", "csv"])
    assert bad.exit_code == 2
    assert "'csv' is not one of 'md', 'json'" in bad.output
    missing = CliRunner().invoke(main, ["actions", str(map_path.with_name("none.jsonl"))])
    assert missing.exit_code == 1
    assert "none.jsonl" in missing.output


# -- a property: what is typed is what a reloaded map holds --------------------------------
owners = st.from_regex(r"@?[a-z][a-z0-9_]{0,8}", fullmatch=True)
dates = st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
tags = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True), min_size=1, max_size=3)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(st.tuples(owners, dates, tags), min_size=1, max_size=4), st.sampled_from(STATUSES))
def test_typed_attributes_read_back_after_a_reload(
    tmp_path: Path, rows: list[tuple[str, datetime.date, list[str]]], status: str
) -> None:
    lines = [
        f"action: Step {i} {{owner: {owner}, due: {due}, tags: {', '.join(words)}}}"
        for i, (owner, due, words) in enumerate(rows)
    ]
    text = "\n".join([*lines, f"decision: Go {{status: {status}}}"])
    path = tmp_path / f"map-{abs(hash(text))}.jsonl"
    m = cm.ConceptMap.open(path, topic="GC", author="alice")
    m.apply(text)
    assert not m.apply(text)
    back = cm.ConceptMap.load(path)
    for i, (owner, due, words) in enumerate(rows):
        node = back.node(f"Step {i}")
        assert node["owner"] == "@" + owner.removeprefix("@")
        assert node["due"] == due.isoformat()
        assert node["tags"] == list(dict.fromkeys(words))
    assert back.node("Go")["status"] == status
    assert split_attributes(f"Go {{status: {status}}}") == ("Go", {"status": status})
