"""Export formats: registry, round trips, what other tools read, and escaping."""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

import conceptmap as cm
from conceptmap.cli import main
from conceptmap.core.schema import link_text
from conceptmap.demo import example_text
from conceptmap.readwrite import READERS, WRITERS
from conceptmap.readwrite.canvas import (
    canvas_data,
    escape_markdown,
    from_canvas,
    read_canvas,
    unescape_markdown,
)
from conceptmap.readwrite.dot import CUT, MAX_QUOTED_BYTES, dot_data, quote, quote_label
from conceptmap.readwrite.mermaid import escape, flowchart, mermaid_data

HOSTILE = [
    'He said "hi"',
    "[brackets] (parens) {braces}",
    "a | b",
    "#1 issue; C# #quot;",
    "semi;colon",
    "<script>alert(1)</script>",
    "end",
    "graph",
    "subgraph",
    "flowchart",
    "classDef",
    "style",
    "click",
    "default",
    "node",
    "strict",
    "Über ✓ 日本語 🙂",
    "`backtick` start",
    '%%{init: {"theme": "dark"}}%%',
    "set direction LR now",
    "direction TB",
    "style: #fff;",
    "classDef x fill:#f00;",
    "A & B &amp; C",
    "-->|x| y",
    "@{ shape: circle }",
    "a\\b\\",
    "&#35; entity",
    ":::cls",
    "http://x.y/?a=1&b=2",
    "]) oops ([",
    '""',
    "A --> B",
    "click n0 call alert()",
    "\\N \\G \\l",
]
KINDS = list(cm.KINDS)
SUFFIXES = [".json", ".graphml", ".gexf", ".mmd", ".dot", ".canvas"]
LOSSLESS = [".json", ".graphml", ".gexf", ".canvas"]


def rich_map() -> cm.ConceptMap:
    """The worked example with tags, a url, an owner, a status, updates, phrases, metadata."""
    m = cm.ConceptMap(author="x")
    m.apply(example_text())
    m.set_meta("participants", ["alanshaw", "lidel"])
    m.set_meta("date", "2019-07-15")
    m.set_meta("agenda", {"row": 3, "tags": ["browser", "storage"], "ok": True, "none": None})
    m.update("Web Locks API", tags=["browser", "locking"], url="https://w3c.github.io/web-locks/")
    # the attributes quick entry sets (owner, due, status): every format carries them
    m.update("Measure GC lock hold times on a large repo", owner="@alanshaw", due="2026-12-15")
    m.update("Use Web Locks per datastore, with a shared/exclusive lock for GC", status="accepted")
    m.update("IPFS repo", notes="Line one.\n\tIndented & <tagged> line \\ two.")
    m.link("Web Locks API", '"is specified by"', "IPFS repo")
    return m


def hostile_map() -> cm.ConceptMap:
    """Every hostile label as a node of each kind in turn, linked with hostile phrases."""
    m = cm.ConceptMap('Topic "quoted" & <tagged>', author="x")
    for i, label in enumerate(HOSTILE):
        m.add(label, KINDS[1 + i % (len(KINDS) - 1)])
        if i:
            m.link(HOSTILE[i - 1], "relates_to", label, phrase=HOSTILE[(i * 7) % len(HOSTILE)])
    m.link(HOSTILE[0], "depends_on", HOSTILE[5])
    return m


@pytest.fixture(scope="module")
def rich() -> cm.ConceptMap:
    return rich_map()


@pytest.fixture(scope="module")
def hostile() -> cm.ConceptMap:
    return hostile_map()


# -- the registry ------------------------------------------------------------------------
def test_registry_names_every_format() -> None:
    assert set(WRITERS) == {*SUFFIXES, ".html", ".svg"}
    assert set(READERS) == {".json", ".graphml", ".gexf", ".canvas"}


@pytest.mark.parametrize(
    ("call", "table"),
    [
        (lambda p: cm.ConceptMap("T", author="a").export(p), WRITERS),
        (lambda p: cm.import_map(p), READERS),
    ],
    ids=["export", "import"],
)
@pytest.mark.parametrize("name", ["map.xlsx", "map", "map.mmd.txt"])
def test_unknown_suffix_lists_the_known_ones(
    tmp_path: Path, call: Any, table: dict[str, Any], name: str
) -> None:
    path = tmp_path / name
    path.write_text("{}")
    with pytest.raises(cm.InvalidValueError, match="unknown file type") as info:
        call(path)
    assert all(suffix in str(info.value) for suffix in table)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_suffix_is_case_insensitive(tmp_path: Path, rich: cm.ConceptMap, suffix: str) -> None:
    lower, upper = tmp_path / f"a{suffix}", tmp_path / f"b{suffix.upper()}"
    rich.export(lower)
    rich.export(upper)
    assert lower.read_bytes() == upper.read_bytes()


# -- round trips ---------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", LOSSLESS)
@pytest.mark.parametrize("build", [rich_map, hostile_map, lambda: cm.ConceptMap("T", author="a")])
def test_lossless_formats_read_back_an_equal_map(tmp_path: Path, suffix: str, build: Any) -> None:
    m = build()
    path = m.export(tmp_path / f"map{suffix}")
    back = cm.import_map(path, author="someone else")
    assert back.to_node_link() == m.to_node_link()
    assert back.author == "someone else"


def test_round_trip_keeps_what_the_rich_map_has(tmp_path: Path, rich: cm.ConceptMap) -> None:
    back = read_canvas(rich.export(tmp_path / "map.canvas"))
    node = back.node("Web Locks API")
    assert node["tags"] == ["browser", "locking"]
    assert node["url"] == "https://w3c.github.io/web-locks/"
    assert "updated" in node
    assert back.meta["agenda"] == {
        "row": 3,
        "tags": ["browser", "storage"],
        "ok": True,
        "none": None,
    }
    assert ("web-locks-api", "ipfs-repo", "relates_to:is specified by") in {
        (e["source"], e["target"], e["key"]) for e in back.edges()
    }


# -- what networkx reads -----------------------------------------------------------------
def _kinds(graph: nx.Graph[Any]) -> dict[str, str]:
    return {str(n): a["kind"] for n, a in graph.nodes(data=True)}


def _relations(graph: nx.Graph[Any]) -> Counter[tuple[str, str, str, str]]:
    return Counter(
        (str(u), str(v), a["relation"], a["phrase"] or "") for u, v, a in graph.edges(data=True)
    )


@pytest.mark.parametrize(
    ("suffix", "read"),
    [
        (".graphml", lambda p: nx.read_graphml(p, force_multigraph=True)),
        (".gexf", nx.read_gexf),
    ],
)
@pytest.mark.parametrize("build", [rich_map, hostile_map])
def test_networkx_reads_kinds_and_relations(
    tmp_path: Path, suffix: str, read: Any, build: Any
) -> None:
    m = build()
    graph = read(m.export(tmp_path / f"map{suffix}"))
    assert graph.number_of_nodes() == m.graph.number_of_nodes()
    assert graph.number_of_edges() == m.graph.number_of_edges()
    assert _kinds(graph) == _kinds(m.graph)
    assert _relations(graph) == _relations(m.graph)
    labels = {str(n): a["label"] for n, a in graph.nodes(data=True)}
    assert labels == {n: a["label"] for n, a in m.graph.nodes(data=True)}
    for node, attrs in m.graph.nodes(data=True):
        assert graph.nodes[node]["author"] == attrs["author"]
        assert graph.nodes[node]["notes"] == attrs["notes"]
        if "tags" in attrs:
            assert json.loads(graph.nodes[node]["tags"]) == attrs["tags"]


def test_graphml_keeps_metadata_as_json(tmp_path: Path, rich: cm.ConceptMap) -> None:
    graph = nx.read_graphml(rich.export(tmp_path / "map.graphml"))
    assert graph.graph["topic"] == rich.meta["topic"]
    assert json.loads(graph.graph["participants"]) == rich.meta["participants"]
    assert json.loads(graph.graph["agenda"]) == rich.meta["agenda"]
    assert graph.graph["date"] == "2019-07-15"  # text stays text


def test_gexf_keeps_metadata_and_a_stable_date(tmp_path: Path, rich: cm.ConceptMap) -> None:
    root = ET.parse(rich.export(tmp_path / "map.gexf")).getroot()
    ns = {"g": "http://www.gexf.net/1.2draft"}
    meta = root.find("g:meta", ns)
    assert meta is not None
    assert json.loads(meta.findtext("g:description", "", ns)) == rich.meta
    stamps = [a.get("updated", a["created"]) for _, a in rich.graph.nodes(data=True)]
    newest = max(stamps + [a["created"] for _, _, a in rich.graph.edges(data=True)])
    assert meta.get("lastmodifieddate") == newest[:10]


FOREIGN = [(".graphml", nx.write_graphml, "GraphML"), (".gexf", nx.write_gexf, "GEXF")]


def old_graphml(tmp_path: Path) -> Path:
    """A GraphML export as versions before 0.2 wrote it: real ids, keys as edge ids."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph.update(topic="T", participants='["ann"]', created="2026-01-01T00:00:00.000Z")
    g.graph.update({"conceptmap": "1", "conceptmap:json": '["participants"]', "date": "d"})
    stamp = {"author": "ann", "created": "2026-01-01T00:00:00.000Z"}
    g.add_node("t", label="T", kind="topic", notes="", **stamp)
    g.add_node("web locks", label="Web locks", kind="concept", notes="n", tags='["a"]', **stamp)
    g.add_edge("t", "web locks", "part_of", relation="part_of", phrase="", **stamp)
    path = tmp_path / "old.graphml"
    nx.write_graphml(g, path)
    return path


def test_graphml_written_by_an_earlier_version_imports(tmp_path: Path) -> None:
    m = cm.import_map(old_graphml(tmp_path))
    assert m.meta["participants"] == ["ann"]
    assert m.meta["date"] == "d"
    assert "conceptmap" not in m.meta
    assert m.node("web locks")["tags"] == ["a"]
    assert [(e["source"], e["relation"], e["target"]) for e in m.edges()] == [
        ("t", "part_of", "web locks")
    ]


def test_graphml_keeps_ids_that_are_no_xml_names(tmp_path: Path) -> None:
    m = cm.from_node_link(
        {
            "graph": {"room name": "B", "conceptmap": "x", "meta:y": 1},
            "nodes": [{"id": "a b", "label": "A"}, {"id": "n0", "label": "B"}],
            "edges": [{"source": "a b", "target": "n0"}],
        }
    )
    path = m.export(tmp_path / "map.graphml")
    root = ET.parse(path).getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert [n.get("id") for n in root.iterfind("g:graph/g:node", ns)] == ["n0-2", "n0"]
    assert {k.get("attr.name") for k in root.iterfind("g:key[@for='graph']", ns)} >= {
        "meta:room.20name",
        "meta:conceptmap",
        "meta:meta:y",
    }
    assert cm.import_map(path).to_node_link() == m.to_node_link()


@pytest.mark.parametrize(("suffix", "write", "name"), FOREIGN)
def test_another_programs_graph_reads(tmp_path: Path, suffix: str, write: Any, name: str) -> None:
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_edge("Web Locks API", "Browser", weight=3)
    write(g, tmp_path / f"other{suffix}")
    m = cm.import_map(tmp_path / f"other{suffix}", author="bob")
    assert {n["label"]: n["kind"] for n in m.nodes()} == {
        "Web Locks API": "concept",
        "Browser": "concept",
    }
    assert [e["relation"] for e in m.edges()] == ["relates_to"]
    assert {n["author"] for n in m.nodes()} == {"bob"}


@pytest.mark.parametrize(("suffix", "write", "name"), FOREIGN)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not xml at all", "is not {name}"),
        ({"kind": "gizmo"}, "unknown kind 'gizmo'"),
        ({"kind": "concept", "tags": "[not json"}, "holds a value that cannot be decoded"),
        ({"kind": "concept", "notes": 3}, "notes must be a string"),
    ],
)
def test_bad_graph_file_is_a_map_file_error(
    tmp_path: Path, suffix: str, write: Any, name: str, content: Any, message: str
) -> None:
    path = tmp_path / f"bad{suffix}"
    if isinstance(content, str):
        path.write_text(content)
    else:
        g: nx.DiGraph[str] = nx.DiGraph()
        g.add_node("a", **content)
        write(g, path)
    with pytest.raises(cm.MapFileError, match=message.format(name=name)) as info:
        cm.import_map(path)
    assert str(path) in str(info.value)


_GRAPHML = '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">{}</graphml>'


@pytest.mark.parametrize(
    "content",
    [
        '<key id="d0" for="node" attr.name="x" attr.type="boolean"><default/></key>'
        '<graph edgedefault="directed"><node id="a"/></graph>',
        '<graph edgedefault="directed"><node id="a" yfiles.foldertype="group"/></graph>',
    ],
    ids=["boolean-key-with-empty-default", "group-node-without-its-graph"],
)
def test_graphml_networkx_trips_over_is_a_map_file_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.graphml"
    path.write_text(_GRAPHML.format(content))
    with pytest.raises(cm.MapFileError, match="is not GraphML") as info:
        cm.import_map(path)
    assert str(path) in str(info.value)


# -- Mermaid -------------------------------------------------------------------------------
# The Mermaid flowchart grammar for the statements this exporter writes. Inside a
# quoted string Mermaid's lexer stops only at '"'; the rest is what would be read
# as an entity code, a directive, a Markdown string or HTML.
_Q = r'(?:[^"#%&<>`\x00-\x1f\x7f-\x9f]|#(?:quot|amp|lt|gt|\d+);)*'
_MERMAID = {
    "header": re.compile(r"flowchart (?:LR|RL|TB|BT)"),
    # shapes: ("round"), ["box"], (["stadium"]), {"rhombus"}, {{"hexagon"}}
    "node": re.compile(
        rf'    (n\d+)(?:\("({_Q})"\)|\["({_Q})"\]|\(\["({_Q})"\]\)'
        rf'|\{{"({_Q})"\}}|\{{\{{"({_Q})"\}}\}})'
    ),
    "edge": re.compile(rf'    (n\d+) -->\|"({_Q})"\| (n\d+)'),
    "classDef": re.compile(
        r"    classDef ([a-z]+) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}"
    ),
    "class": re.compile(r"    class (n\d+(?:,n\d+)*) ([a-z]+)"),
}


def mermaid_text(escaped: str) -> str:
    """What Mermaid shows for a quoted string (its entity codes, then HTML)."""
    codes = re.sub(r"#(\w+);", lambda c: f"&#{c[1]};" if c[1].isdigit() else f"&{c[1]};", escaped)
    return html.unescape(codes)


def parse_mermaid(text: str) -> dict[str, Any]:
    """Check every line against the grammar; return the nodes, edges and classes."""
    lines = text.splitlines()
    assert _MERMAID["header"].fullmatch(lines[0]), lines[0]
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    classes: dict[str, str] = {}
    styled: set[str] = set()
    for line in lines[1:]:
        # Mermaid reads these anywhere on a line, before its grammar does
        assert not re.search(r"direction\s+(?:TB|BT|RL|LR|TD)", line), line
        assert not re.search(r"(?:style|classDef).*:\S*#.*;", line), line
        assert "%%" not in line, line
        if match := _MERMAID["node"].fullmatch(line):
            label = next(g for g in match.groups()[1:] if g is not None)
            assert match[1] not in nodes
            nodes[match[1]] = mermaid_text(label)
        elif match := _MERMAID["edge"].fullmatch(line):
            edges.append((match[1], match[3], mermaid_text(match[2])))
        elif match := _MERMAID["classDef"].fullmatch(line):
            styled.add(match[1])
        elif match := _MERMAID["class"].fullmatch(line):
            assert match[2] in styled
            for ident in match[1].split(","):
                assert ident not in classes
                classes[ident] = match[2]
        else:
            pytest.fail(f"not Mermaid flowchart syntax: {line!r}")
    assert {u for u, _, _ in edges} | {v for _, v, _ in edges} <= set(nodes)
    return {"nodes": nodes, "edges": edges, "classes": classes}


@pytest.mark.parametrize("build", [rich_map, hostile_map])
def test_mermaid_draws_every_label_as_typed(build: Any) -> None:
    m = build()
    parsed = parse_mermaid(mermaid_data(m))
    graph = m.graph
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    assert parsed["nodes"] == {ids[n]: a["label"] for n, a in graph.nodes(data=True)}
    assert parsed["classes"] == {ids[n]: a["kind"] for n, a in graph.nodes(data=True)}
    assert parsed["edges"] == [(ids[u], ids[v], link_text(a)) for u, v, a in graph.edges(data=True)]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('say "hi"', "say #quot;hi#quot;"),
        ("C# #quot;", "C#35; #35;quot;"),
        ("<b>&amp;</b>", "#lt;b#gt;#amp;amp;#lt;/b#gt;"),
        ("`md`", "#96;md#96;"),
        ("%%{init}%%", "#37;#37;{init}#37;#37;"),
        ("[a] (b) {c} | d; end", "[a] (b) {c} | d; end"),
        ("line\nbreak\ttab", "line#10;break#9;tab"),
        ("set direction LR", "set direction#32;LR"),
        ("direction  TB", "direction#32; TB"),
        ("style: #fff;", "style#58; #35;fff;"),
        ("ratio: 3:1", "ratio: 3:1"),
        ("Über ✓ 日本語 🙂", "Über ✓ 日本語 🙂"),
        ("C:\\new\\n", "C:#92;new#92;n"),  # Mermaid would draw "\n" as a line break
    ],
)
def test_mermaid_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped
    assert mermaid_text(escape(text)) == text


def test_mermaid_subset_and_direction(rich: cm.ConceptMap) -> None:
    core = ["web-locks-api", "ipfs-repo", "no-such-node"]
    parsed = parse_mermaid(flowchart(rich.graph, direction="TB", nodes=core))
    assert sorted(parsed["nodes"].values()) == ["IPFS repo", "Web Locks API"]
    assert parsed["edges"] == [("n0", "n1", "is specified by")]
    with pytest.raises(cm.InvalidValueError, match="unknown direction 'XY'"):
        flowchart(rich.graph, direction="XY")


# -- DOT -------------------------------------------------------------------------------------
_S = r'"(?:[^"\\\n]|\\.)*"'
_ATTR = rf"(?:[A-Za-z_]\w*|{_S})={_S}"
_ALIST = rf"\[{_ATTR}(?:, {_ATTR})*\]"
_DOT = {
    "header": re.compile(rf"digraph {_S} {{"),
    "default": re.compile(rf"  (?:graph|node|edge) {_ALIST};"),
    "node": re.compile(rf"  ({_S}) ({_ALIST});"),
    "edge": re.compile(rf"  ({_S}) -> ({_S}) ({_ALIST});"),
}


def unquote(text: str) -> str:
    """The value of a quoted DOT string, read as Graphviz reads a label."""
    return re.sub(r"\\(.)", lambda c: "\n" if c[1] == "n" else c[1], text[1:-1])


def dot_attrs(alist: str) -> dict[str, str]:
    pairs = re.findall(rf"([A-Za-z_]\w*|{_S})=({_S})", alist)
    return {k if k[0] != '"' else unquote(k): unquote(v) for k, v in pairs}


def parse_dot(text: str) -> dict[str, Any]:
    lines = text.splitlines()
    assert _DOT["header"].fullmatch(lines[0]), lines[0]
    assert lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    for line in lines[1:-1]:
        if _DOT["default"].fullmatch(line):
            continue
        if match := _DOT["edge"].fullmatch(line):
            edges.append((unquote(match[1]), unquote(match[2]), dot_attrs(match[3])))
        elif match := _DOT["node"].fullmatch(line):
            nodes[unquote(match[1])] = dot_attrs(match[2])
        else:
            pytest.fail(f"not DOT syntax: {line!r}")
    return {"nodes": nodes, "edges": edges}


@pytest.mark.parametrize("build", [rich_map, hostile_map])
def test_dot_keeps_every_label_kind_and_relation(build: Any) -> None:
    m = build()
    parsed = parse_dot(dot_data(m))
    graph = m.graph
    assert list(parsed["nodes"]) == list(graph.nodes)
    for node, attrs in graph.nodes(data=True):
        got = parsed["nodes"][node]
        assert got["label"].replace("&amp;", "&") == attrs["label"]
        assert got["kind"] == got["class"] == attrs["kind"]
        assert got["notes"] == attrs["notes"]
    assert [(u, v, a["relation"], a["phrase"]) for u, v, a in parsed["edges"]] == [
        (u, v, a["relation"], a["phrase"]) for u, v, a in graph.edges(data=True)
    ]


@pytest.mark.parametrize(
    ("text", "quoted", "label"),
    [
        ('say "hi"', r'"say \"hi\""', r'"say \"hi\""'),
        ("back\\slash\\", r'"back\\slash\\"', r'"back\\slash\\"'),
        ("\\N \\G \\l", r'"\\N \\G \\l"', r'"\\N \\G \\l"'),
        ("two\nlines", r'"two\nlines"', r'"two\nlines"'),
        ("a &lt; b & c", '"a &lt; b & c"', '"a &amp;lt; b &amp; c"'),
        ("node -> edge; }", '"node -> edge; }"', '"node -> edge; }"'),
    ],
)
def test_dot_quote(text: str, quoted: str, label: str) -> None:
    assert quote(text) == quoted
    assert quote_label(text) == label
    assert unquote(quoted) == text


@pytest.mark.parametrize(
    "text",
    ["x" * 20_000, "漢字" * 4_000, '"\\' * 6_000, "a & b " * 3_000, "line\r\n" * 3_000],
    ids=["ascii", "wide", "escapes", "ampersands", "line breaks"],
)
def test_dot_cuts_a_value_too_long_for_graphviz(text: str) -> None:
    for quoted in (quote(text), quote_label(text)):
        assert len(quoted[1:-1].encode()) <= MAX_QUOTED_BYTES
        assert quoted.endswith(CUT + '"')
        kept = unquote(quoted).removesuffix(CUT)
        assert text.replace("\r\n", "\n").startswith(kept.replace("&amp;", "&"))
        assert len(kept) > len(text) // 5  # cut at the limit, not far before it
    assert quote("x" * 3_000) == '"' + "x" * 3_000 + '"'  # short values stay whole


def test_dot_metadata_cannot_set_graphviz_attributes() -> None:
    m = cm.ConceptMap("T", author="a")
    m.set_meta("bgcolor", "red")
    m.set_meta("graph", {"x": 1})
    head = parse_dot_head(dot_data(m))
    assert "bgcolor" not in head
    assert head["meta_bgcolor"] == "red"
    assert json.loads(head["meta_graph"]) == {"x": 1}
    assert json.loads(head["participants"]) == ["a"]


def parse_dot_head(text: str) -> dict[str, str]:
    line = text.splitlines()[1]
    assert line.startswith("  graph [")
    return dot_attrs(line)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_graphviz_draws_every_label_as_typed(tmp_path: Path, hostile: cm.ConceptMap) -> None:
    path = hostile.export(tmp_path / "map.dot")
    svg = subprocess.run(
        ["dot", "-Tsvg", str(path)], capture_output=True, check=True, timeout=60
    ).stdout
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    drawn: dict[str, str] = {}
    edges: list[str] = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        text = "".join(t.text or "" for t in group.findall(".//s:text", ns))
        classes = (group.get("class") or "").split()
        if "node" in classes:
            drawn[group.findtext("s:title", "", ns)] = text
            assert set(classes) - {"node"} == {
                hostile.graph.nodes[group.findtext("s:title", "", ns)]["kind"]
            }
        elif "edge" in classes:
            edges.append(text)
    assert drawn == {n: a["label"] for n, a in hostile.graph.nodes(data=True)}
    assert edges == [link_text(a) for _, _, a in hostile.graph.edges(data=True)]


# -- JSON Canvas -----------------------------------------------------------------------------
def check_canvas(data: dict[str, Any]) -> None:
    """JSON Canvas 1.0: what every node and edge must have."""
    ids = [n["id"] for n in data["nodes"]] + [e["id"] for e in data["edges"]]
    assert len(ids) == len(set(ids))
    for node in data["nodes"]:
        assert node["type"] == "text"
        assert isinstance(node["text"], str)
        for key in ("x", "y", "width", "height"):
            assert type(node[key]) is int, (key, node)
        assert re.fullmatch(r"#[0-9a-f]{6}|[1-6]", node["color"])
    nodes = {n["id"] for n in data["nodes"]}
    for edge in data["edges"]:
        assert edge["fromNode"] in nodes
        assert edge["toNode"] in nodes
        assert edge["fromSide"] in ("top", "right", "bottom", "left")
        assert edge["toSide"] in ("top", "right", "bottom", "left")
        assert isinstance(edge.get("label", ""), str)


def test_canvas_is_json_canvas(rich: cm.ConceptMap) -> None:
    data = canvas_data(rich)
    check_canvas(data)
    assert len(data["nodes"]) == len(rich)
    assert len(data["edges"]) == len(rich.edges())
    card = next(n for n in data["nodes"] if n["id"] == "ipfs-repo")
    assert card["text"].startswith("IPFS repo\n\nLine one.")
    assert data["conceptmap"]["nodes"]["ipfs-repo"]["kind"] == "concept"
    assert all(
        set(n) <= {"id", "type", "text", "x", "y", "width", "height", "color"}
        for n in data["nodes"]
    )
    labels = [e.get("label") for e in data["edges"]]
    assert "part of" in labels
    assert "is specified by" in labels
    assert data["conceptmap"]["graph"]["date"] == "2019-07-15"
    boxes = [(n["x"], n["y"], n["x"] + n["width"], n["y"] + n["height"]) for n in data["nodes"]]
    overlapping = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert overlapping == []  # a readable board, not a heap


def test_canvas_data_shares_nothing_with_the_map(rich: cm.ConceptMap) -> None:
    before = copy.deepcopy(rich.to_node_link())
    data = canvas_data(rich)
    for saved in data["conceptmap"]["nodes"].values():
        saved.setdefault("tags", []).append("changed")
        saved["label"] = "changed"
    data["conceptmap"]["graph"]["participants"].append("changed")
    data["conceptmap"]["graph"]["agenda"]["tags"].append("changed")
    assert rich.to_node_link() == before


def obsidian(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    """A canvas as Obsidian saves one: text cards with random ids, no extra fields."""
    base = {"x": 0, "y": 0, "width": 250, "height": 60}
    return {"nodes": [{**base, **n} for n in nodes], "edges": edges}


def card(ident: str, text: str) -> dict[str, Any]:
    return {"id": ident, "type": "text", "text": text}


def arrow(ident: str, a: str, b: str, **more: Any) -> dict[str, Any]:
    return {"id": ident, "fromNode": a, "toNode": b, **more}


@pytest.mark.parametrize(
    ("nodes", "edges", "want_nodes", "want_edges"),
    [
        (
            [card("6f0a", "Web Locks API\nnavigator.locks"), card("91bc", "## Browser")],
            [arrow("e1", "6f0a", "91bc", label="is implemented by")],
            {"Web Locks API": ("concept", "navigator.locks"), "Browser": ("concept", "")},
            [("Web Locks API", "relates_to", "is implemented by", "Browser")],
        ),
        (
            [card("a", "obstacle: Two tabs write"), card("b", "Risk: stale locks")],
            [arrow("e1", "a", "b", label="depends on"), arrow("e2", "b", "a")],
            {"Two tabs write": ("obstacle", ""), "stale locks": ("shortcoming", "")},
            [
                ("Two tabs write", "depends_on", "", "stale locks"),
                ("stale locks", "relates_to", "", "Two tabs write"),
            ],
        ),
        (
            [
                card("a", "Same"),
                card("b", "same"),
                {"id": "g", "type": "group", "label": "A group"},
                {"id": "l", "type": "link", "url": "https://example.org/x"},
                card("empty", "  \n "),
            ],
            [
                arrow("e1", "a", "b"),
                arrow("e2", "b", "l", fromEnd="arrow", toEnd="none"),
                arrow("e3", "a", "g"),
                arrow("e4", "a", "l", label="cites"),
                arrow("e5", "a", "l", label="cites"),
            ],
            {"Same": ("concept", ""), "https://example.org/x": ("reference", "")},
            [
                ("https://example.org/x", "relates_to", "", "Same"),
                ("Same", "cites", "", "https://example.org/x"),
            ],
        ),
    ],
    ids=["labels-and-phrases", "kinds-and-relations", "merged-skipped-reversed"],
)
def test_canvas_drawn_by_hand(
    tmp_path: Path,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    want_nodes: dict[str, tuple[str, str]],
    want_edges: list[tuple[str, str, str, str]],
) -> None:
    path = tmp_path / "board.canvas"
    path.write_text(json.dumps(obsidian(nodes, edges)))
    m = cm.import_map(path, author="carol")
    assert {n["label"]: (n["kind"], n["notes"]) for n in m.nodes()} == want_nodes
    label = {n["id"]: n["label"] for n in m.nodes()}
    assert sorted(
        (label[e["source"]], e["relation"], e["phrase"], label[e["target"]]) for e in m.edges()
    ) == sorted(want_edges)
    assert {n["author"] for n in m.nodes()} == {"carol"}
    assert all(re.fullmatch(r"[\w-]+", n["id"]) for n in m.nodes())  # slugs, not Obsidian's ids


def test_canvas_edited_in_obsidian(tmp_path: Path, rich: cm.ConceptMap) -> None:
    data = canvas_data(rich)
    for node in data["nodes"]:
        if node["id"] == "web-locks-api":
            node["text"] = "Web Locks\n\nRenamed on the board."
    for edge in data["edges"]:
        if edge.get("label") == "part of":
            edge["label"] = "is inside"
    data["nodes"].append(card("new1", "question: Who holds the lock?"))
    data["edges"].append(arrow("new-e", "new1", "web-locks-api"))
    m = from_canvas(copy.deepcopy(data), author="dave")
    node = m.node("web-locks-api")
    assert (node["label"], node["notes"], node["kind"]) == (
        "Web Locks",
        "Renamed on the board.",
        "concept",
    )
    assert node["tags"] == ["browser", "locking"]
    assert node["author"] == "x"
    assert m.node("Who holds the lock?")["kind"] == "question"
    phrases = Counter(e["phrase"] for e in m.edges())
    assert phrases["is inside"] == len([e for e in rich.edges() if e["relation"] == "part_of"])
    assert len(m.edges()) == len(rich.edges()) + 1


def test_canvas_written_by_an_earlier_version_imports() -> None:
    m = rich_map()
    m.add("# Heading-like *label*", notes="Notes *are* Markdown.")
    data = canvas_data(m)
    saved = data["conceptmap"]
    for where in ("nodes", "edges"):  # each card and edge kept its own, labels unescaped
        for item in data[where]:
            item["conceptmap"] = saved[where][item["id"]]
    for card in data["nodes"]:
        label, notes = card["conceptmap"]["label"], card["conceptmap"]["notes"]
        card["text"] = f"{label}\n\n{notes}" if notes else label
    del saved["nodes"], saved["edges"]
    assert from_canvas(data).to_node_link() == m.to_node_link()


@pytest.mark.parametrize(
    ("label", "markdown"),
    [
        ("Web Locks API", "Web Locks API"),
        ("# not a heading", "\\# not a heading"),
        ("1. not a list", "1\\. not a list"),
        ("- nor this", "\\- nor this"),
        ("*not* `code` [nor](link) <b>", "\\*not\\* \\`code\\` \\[nor\\](link) \\<b\\>"),
        ("A & B &amp; C", "A &amp; B &amp;amp; C"),
        ("see https://x.org, www.x.org", "see https\\://x.org, www\\.x.org"),
        ("C:\\dir\\", "C:\\\\dir\\\\"),
    ],
)
def test_canvas_label_markdown(label: str, markdown: str) -> None:
    assert escape_markdown(label) == markdown
    assert unescape_markdown(markdown) == label
    m = cm.ConceptMap("T", author="a")
    m.add(label, notes="*notes*")
    (card,) = [c for c in canvas_data(m)["nodes"] if c["id"] == m.id_of(label)]
    assert card["text"] == f"{markdown}\n\n*notes*"
    # edited by hand, the card's label reads as it shows
    assert from_canvas(obsidian([card], []), author="b").nodes()[0]["label"] == label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not JSON"),
        ("[]", "a canvas is a JSON object"),
        ('{"nodes": {}}', "must be lists"),
        ('{"nodes": [{"type": "text", "text": "x"}]}', "node 0 has no text 'id'"),
        ('{"nodes": [{"id": "a", "type": "text"}]}', "text card 'a' has no text"),
        (
            '{"nodes": [{"id": "a", "type": "text", "text": "A"}], '
            '"edges": [{"id": "e", "fromNode": "a", "toNode": "zz"}]}',
            "edge 'e' links the unknown node 'zz'",
        ),
        ('{"nodes": [{"id": "a", "type": "text", "text": "bad\\u0007"}]}', "control character"),
    ],
)
def test_bad_canvas_is_a_map_file_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.canvas"
    path.write_text(text)
    with pytest.raises(cm.MapFileError, match=re.escape(message)) as info:
        read_canvas(path)
    assert str(path) in str(info.value)


# -- limits ------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", LOSSLESS)
def test_node_limit_is_raised_by_its_environment_variable(
    tmp_path: Path, rich: cm.ConceptMap, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = rich.export(tmp_path / f"map{suffix}")
    monkeypatch.setenv("CONCEPTMAP_MAX_NODES", str(len(rich) - 1))
    with pytest.raises(cm.MapFileError, match="CONCEPTMAP_MAX_NODES") as info:
        cm.import_map(path)
    assert f"holds {len(rich)} nodes, more than the limit of {len(rich) - 1} nodes" in str(
        info.value
    )
    monkeypatch.setenv("CONCEPTMAP_MAX_NODES", str(len(rich)))
    assert len(cm.import_map(path)) == len(rich)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CONCEPTMAP_MAX_FILE_BYTES", "100", "bytes, more than the limit of 100 bytes"),
        ("CONCEPTMAP_MAX_FILE_BYTES", "lots", "must be a whole number, got 'lots'"),
        (
            "CONCEPTMAP_MAX_TEXT_LENGTH",
            "5",
            "notes are 6 characters long, more than the limit of 5",
        ),
    ],
)
def test_limits_from_the_environment(
    tmp_path: Path, variable: str, value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = cm.ConceptMap("T", author="a")
    m.add("A", notes="123456")
    path = m.export(tmp_path / "map.json")
    monkeypatch.setenv(variable, value)
    with pytest.raises(cm.MapFileError, match=re.escape(message)):
        cm.import_map(path)


# -- every format ------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_exports_do_not_change_the_map_and_are_deterministic(tmp_path: Path, suffix: str) -> None:
    m = rich_map()
    before = copy.deepcopy(m.to_node_link())
    history = len(m.history)
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    m.export(first)
    m.export(second)
    assert m.to_node_link() == before
    assert len(m.history) == history
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().decode("utf-8")  # UTF-8 text


@pytest.mark.parametrize("suffix", [*SUFFIXES, ".html"])
def test_writing_where_no_folder_is_a_map_file_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / "missing" / f"map{suffix}"
    with pytest.raises(cm.MapFileError, match="cannot be written"):
        cm.ConceptMap("T", author="a").export(path)


def _check_json(path: Path, m: cm.ConceptMap) -> None:
    assert cm.read_json(path).to_node_link() == m.to_node_link()


def _check_graphml(path: Path, m: cm.ConceptMap) -> None:
    assert _kinds(nx.read_graphml(path)) == _kinds(m.graph)


def _check_gexf(path: Path, m: cm.ConceptMap) -> None:
    assert _kinds(nx.read_gexf(path)) == _kinds(m.graph)


def _check_mermaid(path: Path, m: cm.ConceptMap) -> None:
    labels = parse_mermaid(path.read_text(encoding="utf-8"))["nodes"].values()
    assert sorted(labels) == sorted(a["label"] for _, a in m.graph.nodes(data=True))


def _check_dot(path: Path, m: cm.ConceptMap) -> None:
    assert set(parse_dot(path.read_text(encoding="utf-8"))["nodes"]) == set(m.graph.nodes)


def _check_canvas(path: Path, m: cm.ConceptMap) -> None:
    check_canvas(json.loads(path.read_text(encoding="utf-8")))
    assert read_canvas(path).to_node_link() == m.to_node_link()


def _check_html(path: Path, m: cm.ConceptMap) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".json", _check_json),
        (".graphml", _check_graphml),
        (".gexf", _check_gexf),
        (".mmd", _check_mermaid),
        (".dot", _check_dot),
        (".canvas", _check_canvas),
        (".html", _check_html),
    ],
)
def test_cli_export(tmp_path: Path, suffix: str, check: Any) -> None:
    map_path = tmp_path / "map.jsonl"
    cm.ConceptMap.create(map_path, "Locking the IPFS repo for concurrent access", author="x")
    cm.ConceptMap.load(map_path, author="x").apply(example_text())
    out = tmp_path / f"out{suffix}"
    result = CliRunner().invoke(main, ["export", str(map_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    check(out, cm.ConceptMap.load(map_path))


@pytest.mark.parametrize("suffix", LOSSLESS)
def test_cli_import(tmp_path: Path, rich: cm.ConceptMap, suffix: str) -> None:
    source = rich.export(tmp_path / f"export{suffix}")
    target = tmp_path / "imported.jsonl"
    result = CliRunner().invoke(main, ["import", str(source), "-o", str(target), "--by", "eve"])
    assert result.exit_code == 0, result.output
    back = cm.ConceptMap.load(target)
    assert back.nodes() == rich.nodes()
    assert back.edges() == rich.edges()


def test_export_svg_writes_the_static_picture(tmp_path: Path, example: cm.ConceptMap) -> None:
    from xml.etree import ElementTree

    path = example.export(tmp_path / "map.svg")
    root = ElementTree.fromstring(path.read_text())
    assert root.tag.endswith("svg")
    text = " ".join("".join(e.itertext()) for e in root.iter() if e.tag.endswith("text"))
    for node in example.nodes():
        assert node["label"].split()[0] in text
    assert "<script" not in path.read_text()
