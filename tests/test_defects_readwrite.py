"""Reading and writing files: defects from the adversarial and interop review (issue 9).

Each test names the review item it reproduces. They use only the public API
(``conceptmap`` and its CLI), and the tools other programs read our files with:
the GraphML and GEXF schemas vendored in ``tests/data/schemas`` (see SOURCES.md
there), lxml, python-igraph, PyJSONCanvas, cmarkgfm and markdown-it-py. A test
that needs a tool which is missing is skipped, saying which; under CI
(``CI=true``) that is a failure instead.
"""

from __future__ import annotations

import contextlib
import html
import importlib
import json
import math
import os
import random
import re
import tempfile
import traceback
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import conceptmap as cm
from conceptmap.cli import main
from tests.quick import examples

SCHEMAS = Path(__file__).parent / "data" / "schemas"
LOSSLESS = [".json", ".graphml", ".gexf", ".canvas"]
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"


def optional(module: str, package: str) -> Any:
    """``module``, or a skip saying how to install ``package`` (a failure under CI)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pass
    missing = f"{package} is not installed (pip install {package})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"interop tests must run under CI: {missing}")
    pytest.skip(missing)


def import_error(path: Path) -> cm.MapFileError:
    """The MapFileError that importing ``path`` raises; a failure saying what came in if none."""
    try:
        m = cm.import_map(path, author="tester")
    except cm.MapFileError as exc:
        return exc
    pytest.fail(f"imported without an error: {len(m)} nodes, metadata {m.meta!r:.300}")


def without_path(error: BaseException, path: Path) -> str:
    """The message of ``error``, which must name ``path``, with the path taken out.

    (pytest's folders are named after the test, so a word searched for in the
    message could otherwise be found in the path.)
    """
    message = str(error)
    assert str(path) in message, f"the message does not name the file: {message}"
    return message.replace(str(path), "<file>")


# -- maps the tests export ----------------------------------------------------------------
def enriched(m: cm.ConceptMap) -> cm.ConceptMap:
    """The worked example plus free metadata, tags, a url and linking phrases."""
    m.set_meta("participants", ["alanshaw", "lidel"])
    m.set_meta("date", "2019-07-15")
    m.set_meta("agenda", {"row": 3, "tags": ["browser", "storage"], "ok": True, "none": None})
    m.update("Web Locks API", tags=["browser", "locking"], url="https://w3c.github.io/web-locks/")
    # the attributes quick entry sets (owner, due, status): every format carries them
    m.update("Measure GC lock hold times on a large repo", owner="@alanshaw", due="2026-12-15")
    m.update("Use Web Locks per datastore, with a shared/exclusive lock for GC", status="accepted")
    m.link("Web Locks API", '"is specified by"', "IPFS repo")
    m.link("Web Locks API", '"is used by"', "IPFS repo")
    return m


def foreign(_: cm.ConceptMap) -> cm.ConceptMap:
    """A map imported from another program's graph: its node ids are its labels."""
    return cm.from_node_link(
        {
            "graph": {"source": "another program"},
            "nodes": [
                {"id": "Web Locks API", "label": "Web Locks API"},
                {"id": "IPFS repo", "label": "IPFS repo"},
                {"id": "1st <&> node", "label": "1st <&> node"},
            ],
            "edges": [
                {"source": "Web Locks API", "target": "IPFS repo", "relation": "part_of"},
                {"source": "1st <&> node", "target": "IPFS repo", "relation": "part_of"},
                {"source": "Web Locks API", "target": "IPFS repo", "phrase": "is stored in"},
            ],
        },
        author="bob",
    )


def unchanged(m: cm.ConceptMap) -> cm.ConceptMap:
    return m


MAPS = [
    pytest.param(unchanged, id="demo"),
    pytest.param(enriched, id="rich"),
    pytest.param(foreign, id="foreign-ids"),
]


# -- item 8: NaN and Infinity ---------------------------------------------------------------
def nan_file(tmp_path: Path, suffix: str, value: float) -> Path:
    """A small map file of ``suffix`` whose metadata hold ``value`` (NaN or +-Infinity)."""
    path = tmp_path / f"map{suffix}"
    m = cm.ConceptMap("Topic", author="alice")
    m.add("Web Locks API")
    if suffix == ".json":
        data = m.to_node_link()
        data["graph"]["agenda"] = {"row": value}
        path.write_text(json.dumps(data))  # Python writes NaN, Infinity, -Infinity
    elif suffix == ".canvas":
        data = json.loads(m.export(path).read_text())
        data["conceptmap"]["graph"]["score"] = value
        path.write_text(json.dumps(data))
    elif suffix == ".graphml":
        text = m.export(path).read_text()
        key = '<key id="score" for="graph" attr.name="score" attr.type="double" />'
        text = text.replace("<graph ", f"{key}\n  <graph ", 1)
        path.write_text(text.replace("</graph>", f'<data key="score">{value}</data></graph>'))
    else:  # GEXF keeps the metadata as JSON in <meta><description>
        text = m.export(path).read_text()
        meta = json.dumps({**m.meta, "score": value})
        text = re.sub(r"<description>.*?</description>", f"<description>{meta}</description>", text)
        path.write_text(text)
    return path


# item 8
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("suffix", LOSSLESS)
def test_nan_or_infinity_in_an_imported_file_is_refused(
    tmp_path: Path, suffix: str, value: float
) -> None:
    path = nan_file(tmp_path, suffix, value)
    message = without_path(import_error(path), path)  # else the HTML page cannot parse its data
    assert re.search(r"nan|infinity|finite", message, re.I), message


# item 8
@pytest.mark.parametrize("value", [math.nan, math.inf], ids=["nan", "inf"])
def test_from_node_link_refuses_nan_or_infinity(value: float) -> None:
    data = cm.ConceptMap("Topic", author="alice").to_node_link()
    data["graph"]["score"] = value
    with pytest.raises(cm.ConceptMapError, match=r"(?i)nan|infinity|finite"):
        cm.from_node_link(data)


# -- item 10: any text round-trips through the lossless exports -----------------------------
# item 10
@pytest.mark.parametrize("suffix", LOSSLESS)
def test_metadata_with_a_control_character_imports_back(tmp_path: Path, suffix: str) -> None:
    m = cm.ConceptMap("Topic", author="alice")
    m.set_meta("room", "Hall \x01 B")
    back = cm.import_map(m.export(tmp_path / f"map{suffix}"))
    assert back.to_node_link() == m.to_node_link()


# any character but lone surrogates (those are item 16), short, so Hypothesis finds clashes
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
KEYS = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12).filter(
    lambda k: k not in ("topic", "created", "participants")
)
VALUES = st.one_of(TEXT, st.lists(TEXT, max_size=2), st.dictionaries(TEXT, TEXT, max_size=2))


def text_map(nodes: list[tuple[str, str]], meta: dict[str, Any], phrase: str) -> cm.ConceptMap:
    """A map of these labels, notes, metadata and phrase (less what the model refuses)."""
    m = cm.ConceptMap("Topic", author="alice")
    for label, notes in nodes:
        try:
            m.add(label, "concept", notes=notes)
        except cm.ConceptMapError:
            try:
                m.add(label, "concept")
            except cm.ConceptMapError:
                continue
        with contextlib.suppress(cm.ConceptMapError):
            m.link("Topic", "relates_to", label, phrase=phrase)
    for key, value in meta.items():
        with contextlib.suppress(cm.ConceptMapError):
            m.set_meta(key, value)
    return m


# item 10
@pytest.mark.parametrize("suffix", LOSSLESS)
@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    nodes=st.lists(st.tuples(TEXT, TEXT), max_size=3),
    meta=st.dictionaries(KEYS, VALUES, max_size=3),
    phrase=TEXT,
)
@example(nodes=[], meta={"room": "a\x01b"}, phrase="")
@example(nodes=[], meta={"room": "a\rb"}, phrase="")
@example(nodes=[("a\ufffeb", "notes \ufffe")], meta={}, phrase="")
@example(nodes=[], meta={"conceptmap": "x"}, phrase="")
@example(nodes=[], meta={"node_default": "x"}, phrase="")
def test_lossless_exports_import_back_any_text(
    suffix: str, nodes: list[tuple[str, str]], meta: dict[str, Any], phrase: str
) -> None:
    m = text_map(nodes, meta, phrase)
    with tempfile.TemporaryDirectory() as folder:
        back = cm.import_map(m.export(Path(folder) / f"map{suffix}"))
    assert back.to_node_link() == m.to_node_link()


# -- item 16: every bad file is one MapFileError, and one "Error:" line --------------------
def demo_file(tmp_path: Path, m: cm.ConceptMap, suffix: str) -> tuple[Path, str]:
    path = m.export(tmp_path / f"demo{suffix}")
    return path, path.read_text(encoding="utf-8")


def participants_number(tmp_path: Path, m: cm.ConceptMap) -> Path:
    path, text = demo_file(tmp_path, m, ".json")
    data = json.loads(text)
    data["graph"]["participants"] = 3
    path.write_text(json.dumps(data))
    return path


def participants_object(tmp_path: Path, m: cm.ConceptMap) -> Path:
    path, text = demo_file(tmp_path, m, ".json")
    data = json.loads(text)
    data["graph"]["participants"] = {"alice": True}
    path.write_text(json.dumps(data))
    return path


def surrogate_label(tmp_path: Path, m: cm.ConceptMap) -> Path:
    path, text = demo_file(tmp_path, m, ".json")
    path.write_text(text.replace('"label": "Blockstore"', '"label": "Block\\ud800store"', 1))
    assert "\\ud800" in path.read_text()
    return path


def surrogate_meta(tmp_path: Path, m: cm.ConceptMap) -> Path:
    path, text = demo_file(tmp_path, m, ".canvas")
    data = json.loads(text)
    data["conceptmap"]["graph"]["room"] = "\ud800"
    path.write_text(json.dumps(data))  # ASCII, with the JSON escape \ud800
    return path


def canvas_edge_without_phrase(tmp_path: Path, m: cm.ConceptMap) -> Path:
    path, text = demo_file(tmp_path, m, ".canvas")
    data = json.loads(text)
    for saved in data["conceptmap"]["edges"].values():  # each edge's attributes, by its id
        del saved["phrase"]
    path.write_text(json.dumps(data))
    return path


def gexf_attributes_without_class(tmp_path: Path, m: cm.ConceptMap) -> Path:
    path, text = demo_file(tmp_path, m, ".gexf")
    path.write_text(text.replace(' class="node"', "", 1))
    return path


def viz_color_without_a_channel(tmp_path: Path, m: cm.ConceptMap) -> Path:
    path, text = demo_file(tmp_path, m, ".gexf")
    path.write_text(re.sub(r'(<viz:color r="\d+") g="\d+"', r"\1", text, count=1))
    return path


def unknown_encoding(suffix: str) -> Callable[[Path, cm.ConceptMap], Path]:
    def build(tmp_path: Path, m: cm.ConceptMap) -> Path:
        path, text = demo_file(tmp_path, m, suffix)
        text = re.sub(r"^<\?xml[^>]*\?>\n?", "", text)
        path.write_text('<?xml version="1.0" encoding="klingon"?>\n' + text)
        return path

    return build


# each bad file, and what the message must name besides the file
SURROGATE = r"surrogate|U\+D800|\\ud800"
BAD_FILES = [
    pytest.param(participants_number, "participants", id="participants-number"),
    pytest.param(participants_object, "participants", id="participants-object"),
    pytest.param(surrogate_label, SURROGATE, id="lone-surrogate-json"),
    pytest.param(surrogate_meta, SURROGATE, id="lone-surrogate-canvas-meta"),
    pytest.param(canvas_edge_without_phrase, "phrase", id="canvas-edge-without-phrase"),
    pytest.param(gexf_attributes_without_class, "class", id="gexf-attributes-without-class"),
    pytest.param(viz_color_without_a_channel, "colou?r", id="viz-color-without-a-channel"),
    pytest.param(unknown_encoding(".graphml"), "encoding", id="unknown-encoding-graphml"),
    pytest.param(unknown_encoding(".gexf"), "encoding", id="unknown-encoding-gexf"),
]


# item 16
@pytest.mark.parametrize(("build", "names"), BAD_FILES)
def test_bad_file_is_one_map_file_error(
    tmp_path: Path,
    example: cm.ConceptMap,
    build: Callable[[Path, cm.ConceptMap], Path],
    names: str,
) -> None:
    path = build(tmp_path, example)
    message = without_path(import_error(path), path)
    assert re.search(names, message, re.I), f"the message does not say what is wrong: {message}"


def cli_import(source: Path, output: Path) -> Result:
    return CliRunner().invoke(main, ["import", str(source), "-o", str(output), "--by", "tester"])


# item 16
@pytest.mark.parametrize(("build", "names"), BAD_FILES)
def test_cli_import_of_a_bad_file_is_one_error_line(
    tmp_path: Path,
    example: cm.ConceptMap,
    build: Callable[[Path, cm.ConceptMap], Path],
    names: str,
) -> None:
    path = build(tmp_path, example)
    output = tmp_path / "maps" / "imported.jsonl"
    result = cli_import(path, output)
    if not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        pytest.fail("a traceback:\n" + "".join(traceback.format_exception(*result.exc_info)))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert str(path) in lines[0]
    assert re.search(names, lines[0].replace(str(path), "<file>"), re.I), lines[0]
    assert not output.exists()


# Mutations of real exports. Each returns the new file content and says what it did.
Mutation = Callable[[random.Random, bytes, str], tuple[bytes, str]]
# fmt: off
TOKENS = [
    b"{", b"}", b"[", b"]", b'"', b",", b":", b"null", b"true", b"0", b"-1", b"1e999", b"NaN",
    b"-Infinity", b'"\\ud800"', b'"\\u0000"', b"\\", b"<", b">", b"/>", b"</", b"&", b"&#0;",
    b"&#xD800;", b"&amp;", b"<!--", b"-->", b"<![CDATA[", b"]]>", b"<!DOCTYPE x>", b"\xff",
    b"\xef\xbb\xbf", b"\x00", b"\n", b" ", b"=", b"'", b"id", b"key", b"for", b"class",
    b"relates_to", b"topic", b"conceptmap", b"participants", b"phrase", b"label", b"nodes",
    b"edges", b"graph", b"viz:color", b"attvalue",
]
HOSTILE: list[Any] = [
    None, True, False, 0, -1, 2**64, 1.5, math.nan, math.inf, "", " ", "x", "\ud800",
    "a\udfffb", "a\x00b", "topic", "relates_to", "part_of", "nope", [], {}, [None], ["x"],
    {"": None}, {"a": [1]}, "x" * 400,
]
XML_HOSTILE = [
    "", " ", "x", "-1", "1e999", "NaN", "inf", "256", "0.5", "true", "double", "long",
    "boolean", "node", "edge", "graph", "all", "directed", "undirected", "static", "dynamic",
    "string", "liststring", "[", "{", '{"a": 1}', "[1, 2]", "\ud800", "d0", "d99", "0", "99",
]
# fmt: on


def byte_mutation(rng: random.Random, data: bytes, suffix: str) -> tuple[bytes, str]:
    n = len(data)
    at, length = rng.randrange(n + 1), rng.choice([1, 1, 2, 8, 64, 512])
    what = rng.choice(["delete", "insert", "replace", "duplicate", "truncate", "swap"])
    if what == "delete":
        return data[:at] + data[at + length :], f"delete {length} at {at}"
    if what == "insert":
        token = rng.choice(TOKENS)
        return data[:at] + token + data[at:], f"insert {token!r} at {at}"
    if what == "replace":
        token = rng.choice(TOKENS)
        return data[:at] + token + data[at + len(token) :], f"replace at {at} with {token!r}"
    if what == "duplicate":
        return data[:at] + data[at : at + length] * 2 + data[at + length :], f"dup at {at}"
    if what == "truncate":
        return data[:at], f"truncate at {at}"
    other = rng.randrange(n + 1)
    a, b = sorted((at, other))
    piece, rest = data[a : a + length], data[b : b + length]
    swapped = data[:a] + rest + data[a + length : b] + piece + data[b + length :]
    return swapped, f"swap {a} and {b}"


def json_mutation(rng: random.Random, data: bytes, suffix: str) -> tuple[bytes, str]:
    try:
        doc = json.loads(data)
    except ValueError:
        return byte_mutation(rng, data, suffix)
    # a container is picked by its place in the layout (/nodes/*/conceptmap), then which
    # one: every kind of place gets mutated, not mostly the many nodes
    places: dict[str, list[tuple[Any, str]]] = {}

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict | list):
            places.setdefault(re.sub(r"/\d+", "/*", where), []).append((value, where))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                walk(item, f"{where}/{key}")

    walk(doc, "")
    container, where = rng.choice(places[rng.choice(sorted(places))])
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    new = rng.choice(HOSTILE)
    if keys and rng.random() < 0.6:
        key = rng.choice(keys)
        container[key] = new
        said = f"{where}/{key} = {new!r:.40}"
    elif keys and rng.random() < 0.5:
        key = rng.choice(keys)
        del container[key]
        said = f"del {where}/{key}"
    elif isinstance(container, dict):
        key = rng.choice(["id", "label", "kind", "relation", "phrase", "type", "x", "text", "zz"])
        container[key] = new
        said = f"{where}/{key} = {new!r:.40}"
    else:
        container.append(new)
        said = f"{where} += {new!r:.40}"
    return json.dumps(doc).encode("utf-8", "surrogatepass"), said


def xml_mutation(rng: random.Random, data: bytes, suffix: str) -> tuple[bytes, str]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return byte_mutation(rng, data, suffix)
    parents = {child: parent for parent in root.iter() for child in parent}
    by_tag: dict[str, list[ET.Element]] = {}
    for each in root.iter():
        by_tag.setdefault(each.tag, []).append(each)
    element = rng.choice(by_tag[rng.choice(sorted(by_tag))])  # every kind of element
    what = rng.choice(["attribute", "attribute", "drop-attribute", "remove", "duplicate", "text"])
    if what == "attribute" or (what == "drop-attribute" and not element.attrib):
        name = rng.choice([*element.attrib, "id", "key", "for", "class", "type", "r", "value"])
        element.set(name, rng.choice(XML_HOSTILE))
        said = f"<{element.tag}> {name}={element.get(name)!r}"
    elif what == "drop-attribute":
        name = rng.choice(list(element.attrib))
        del element.attrib[name]
        said = f"<{element.tag}> without {name}"
    elif what == "remove" and element in parents:
        parents[element].remove(element)
        said = f"remove <{element.tag}>"
    elif what == "duplicate" and element in parents:
        parent = parents[element]
        parent.insert(rng.randrange(len(parent) + 1), element)
        said = f"duplicate <{element.tag}>"
    else:
        element.text = rng.choice(XML_HOSTILE)
        said = f"<{element.tag}> text {element.text!r}"
    text = ET.tostring(root, encoding="unicode")
    return text.encode("utf-8", "surrogatepass"), said


STRUCTURED: dict[str, Mutation] = {
    ".json": json_mutation,
    ".canvas": json_mutation,
    ".graphml": xml_mutation,
    ".gexf": xml_mutation,
}


def import_problem(path: Path) -> tuple[str, str, str] | None:
    """What is wrong with importing ``path``: (what, where, message), or None if nothing."""
    try:
        m = cm.import_map(path)
    except cm.MapFileError as exc:
        if str(path) not in str(exc):
            return "MapFileError", "without the file's name", str(exc)
        return None
    except Exception as exc:  # what the fuzz test is looking for
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return type(exc).__name__, f"{Path(frame.filename).name}:{frame.lineno}", str(exc)
    try:  # what came in must fit a map file (UTF-8 JSON): `conceptmap import` saves it
        json.dumps(m.to_node_link(), ensure_ascii=False, allow_nan=False).encode()
    except (ValueError, UnicodeError) as exc:
        return type(exc).__name__, "imported what a map file cannot hold", str(exc)
    return None


def fuzz(example: cm.ConceptMap, tmp_path: Path, suffix: str, count: int) -> None:
    """Import ``count`` mutations of the demo export; anything but a MapFileError fails."""
    original = example.export(tmp_path / f"original{suffix}").read_bytes()
    path = tmp_path / f"fuzzed{suffix}"
    rng = random.Random(zlib.crc32(suffix.encode()))
    first: dict[tuple[str, str], str] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for _ in range(count):
        data, said = original, []
        for _ in range(rng.choice([1, 1, 2, 3])):
            mutate = STRUCTURED[suffix] if rng.random() < 0.5 else byte_mutation
            data, step = mutate(rng, data, suffix)
            said.append(step)
        path.write_bytes(data)
        problem = import_problem(path)
        if problem is not None:
            what, where, message = problem
            counts[(what, where)] += 1
            first.setdefault((what, where), f"{message[:120]!r} after {'; '.join(said)}")
    report = [
        f"{n}x {what} at {where}: {first[(what, where)]}" for (what, where), n in counts.items()
    ]
    assert not report, f"{counts.total()} of {count} inputs:\n" + "\n".join(report)


# item 16 (the slow suite's 20,000-input run below covers this; it stays out of make quick)
@pytest.mark.slow
@pytest.mark.parametrize("suffix", LOSSLESS)
def test_fuzzed_exports_fail_only_with_a_map_file_error(
    tmp_path: Path, example: cm.ConceptMap, suffix: str
) -> None:
    fuzz(example, tmp_path, suffix, 150)  # 600 inputs


# item 16
@pytest.mark.slow
@pytest.mark.parametrize("suffix", LOSSLESS)
def test_many_fuzzed_exports_fail_only_with_a_map_file_error(
    tmp_path: Path, example: cm.ConceptMap, suffix: str
) -> None:
    fuzz(example, tmp_path, suffix, 5_000)  # 20,000 inputs over the four formats


# -- item 17: size limits -------------------------------------------------------------------
# The documented limits (an exact number may differ: each test is over both the decimal
# and the binary reading of it). The message must name the limit and say how to raise it.
MAX_NODES = 200_000
MAX_FILE = 100 * 2**20  # 100 MB
MAX_TEXT = 2**20  # 1 MB per label or note
NODE_LIMIT = r"200[,_ ]?000"
FILE_LIMIT = r"100\s*Mi?B|104[,_ ]?857[,_ ]?600|100[,_ ]?000[,_ ]?000"
TEXT_LIMIT = r"\b1\s*Mi?B|1[,_ ]?048[,_ ]?576|1[,_ ]?000[,_ ]?000"
HOW_TO_RAISE = r"(?i)\b(raise|increase|override)\b"


def assert_names_limit(error: BaseException, path: Path, what: str, amount: str) -> None:
    message = without_path(error, path)
    assert re.search(what, message, re.I), message
    assert re.search(amount, message), message
    assert re.search(HOW_TO_RAISE, message), message


def many_nodes(path: Path, count: int) -> Path:
    """A file of ``count`` tiny nodes, written as text (no map is built for it)."""
    ids = [f"n{i}" for i in range(count)]
    if path.suffix == ".json":
        nodes = ",".join(f'{{"id": "{i}", "label": "{i}"}}' for i in ids)
        text = f'{{"graph": {{}}, "edges": [], "nodes": [{nodes}]}}'
    elif path.suffix == ".canvas":
        box = '"x": 0, "y": 0, "width": 9, "height": 9'
        cards = ",".join(f'{{"id": "{i}", "type": "text", "text": "{i}", {box}}}' for i in ids)
        text = f'{{"edges": [], "nodes": [{cards}]}}'
    elif path.suffix == ".graphml":
        nodes = "".join(f'<node id="{i}"/>' for i in ids)
        text = (
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            f'<graph edgedefault="directed">{nodes}</graph></graphml>'
        )
    else:
        nodes = "".join(f'<node id="{i}" label="{i}"/>' for i in ids)
        text = (
            '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">'
            f'<graph defaultedgetype="directed"><nodes>{nodes}</nodes></graph></gexf>'
        )
    path.write_text(text)
    return path


# item 17
@pytest.mark.parametrize(
    "suffix",
    [
        ".json",
        pytest.param(".canvas", marks=pytest.mark.slow),
        pytest.param(".graphml", marks=pytest.mark.slow),
        pytest.param(".gexf", marks=pytest.mark.slow),
    ],
)
def test_a_file_over_the_node_limit_is_refused(tmp_path: Path, suffix: str) -> None:
    path = many_nodes(tmp_path / f"big{suffix}", MAX_NODES + 1)
    assert_names_limit(import_error(path), path, r"\bnodes\b", NODE_LIMIT)


# item 17
@pytest.mark.parametrize("suffix", LOSSLESS)
@pytest.mark.slow  # writes files at the real size limit
def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, suffix: str) -> None:
    path = cm.ConceptMap("Topic", author="alice").export(tmp_path / f"big{suffix}")
    with path.open("a") as f:  # white space after the document: valid, and cheap
        f.write(" " * (MAX_FILE + 1 - path.stat().st_size))
    assert path.stat().st_size == MAX_FILE + 1
    try:
        error = import_error(path)
        assert_names_limit(error, path, r"size|large|bytes|MB", FILE_LIMIT)
    finally:
        path.unlink()


# item 17
@pytest.mark.parametrize("suffix", LOSSLESS)
def test_notes_over_the_size_limit_are_refused(tmp_path: Path, suffix: str) -> None:
    m = cm.ConceptMap("Topic", author="alice")
    m.add("Web Locks API", notes="PLACEHOLDER")
    path = m.export(tmp_path / f"map{suffix}")
    path.write_text(path.read_text().replace("PLACEHOLDER", "x" * (MAX_TEXT + 1)))
    assert_names_limit(import_error(path), path, r"notes", TEXT_LIMIT)


# -- item 18: GraphML for other tools ---------------------------------------------------------
def schema_errors(path: Path, schema: Path, rename: dict[str, str] | None = None) -> list[str]:
    """What the XML schema at ``schema`` finds wrong with the file at ``path`` (lxml)."""
    etree = optional("lxml.etree", "lxml")
    doc = etree.parse(str(path))
    for old, new in (rename or {}).items():
        for element in doc.iter(f"{old}*"):
            element.tag = new + element.tag[len(old) :]
    validator = etree.XMLSchema(etree.parse(str(schema)))
    validator.validate(doc)
    return sorted({f"line {e.line}: {e.message}" for e in validator.error_log})


# item 18
@pytest.mark.parametrize("build", MAPS)
def test_graphml_export_is_valid_graphml(
    tmp_path: Path, example: cm.ConceptMap, build: Callable[[cm.ConceptMap], cm.ConceptMap]
) -> None:
    path = build(example).export(tmp_path / "map.graphml")
    errors = schema_errors(path, SCHEMAS / "graphml" / "graphml.xsd")
    assert not errors, "\n".join(errors[:8])


# item 18
def test_graphml_graph_data_comes_before_the_edges(tmp_path: Path, example: cm.ConceptMap) -> None:
    graph = ET.parse(example.export(tmp_path / "map.graphml")).getroot().find(f"{GRAPHML}graph")
    assert graph is not None
    tags = [child.tag.removeprefix(GRAPHML) for child in graph]
    assert "data" in tags
    last_data = max(i for i, tag in enumerate(tags) if tag == "data")
    assert last_data < tags.index("edge"), "graph-tool reads graph <data> only before the edges"


# item 18
@pytest.mark.parametrize("build", MAPS)
def test_igraph_reads_graphml_with_every_attribute(
    tmp_path: Path, example: cm.ConceptMap, build: Callable[[cm.ConceptMap], cm.ConceptMap]
) -> None:
    igraph = optional("igraph", "python-igraph")
    m = build(example)
    g = igraph.Graph.Read_GraphML(str(m.export(tmp_path / "map.graphml")))
    assert (g.vcount(), g.ecount()) == (len(m), len(m.edges()))
    assert {"label", "kind", "notes", "author", "created"} <= set(g.vs.attributes())
    assert {"relation", "phrase", "author", "created"} <= set(g.es.attributes())
    assert {k for k, v in m.meta.items() if v is not None} <= set(g.attributes())
    assert Counter(zip(g.vs["label"], g.vs["kind"], strict=True)) == Counter(
        (n["label"], n["kind"]) for n in m.nodes()
    )
    label = {n["id"]: n["label"] for n in m.nodes()}
    assert Counter(
        (g.vs[e.source]["label"], e["relation"], e["phrase"], g.vs[e.target]["label"]) for e in g.es
    ) == Counter(
        (label[e["source"]], e["relation"], e["phrase"], label[e["target"]]) for e in m.edges()
    )


# -- item 19: GEXF for other tools ------------------------------------------------------------
# item 19
@pytest.mark.parametrize("build", MAPS)
def test_gexf_export_is_valid_gexf_12draft(
    tmp_path: Path, example: cm.ConceptMap, build: Callable[[cm.ConceptMap], cm.ConceptMap]
) -> None:
    path = build(example).export(tmp_path / "map.gexf")
    # The 1.2draft XSD (and RelaxNG) puts <color>, <position>, <size>, <shape> in the
    # main namespace; the primer, Gephi and networkx use the viz namespace, which the
    # schema's author meant. Read viz elements as the schema spells them.
    errors = schema_errors(path, SCHEMAS / "gexf12" / "gexf.xsd", rename={VIZ: GEXF})
    assert not errors, "\n".join(errors[:8])


# -- item 20: JSON Canvas -----------------------------------------------------------------------
MARKDOWN_LABELS = [
    "# Heading-like",
    "## Two hashes",
    "- list item",
    "* star item",
    "+ plus item",
    "1. numbered",
    "2) numbered",
    "> quoted",
    "**bold**",
    "*em* and _em_",
    "`code` span",
    "~~struck~~",
    "[link](https://example.org)",
    "![image](x.png)",
    "<b>html</b>",
    "<!-- comment -->",
    "a \\* b",
    "A &amp; B",
    "---",
    "***",
    "| a | b |",
    "[ref]: https://example.org",
    "Trailing backslash\\",
]


def render_markdown(renderer: str, text: str) -> str:
    if renderer == "markdown-it":
        return str(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text))
    cmarkgfm = optional("cmarkgfm", "cmarkgfm")
    return str(cmarkgfm.github_flavored_markdown_to_html(text))


def canvas_card(m: cm.ConceptMap, label: str, tmp_path: Path) -> str:
    data = json.loads(m.export(tmp_path / "map.canvas").read_text())
    (card,) = [c for c in data["nodes"] if c["id"] == m.id_of(label)]
    return str(card["text"])


# item 20
@pytest.mark.parametrize("renderer", ["markdown-it", "cmarkgfm"])
@pytest.mark.parametrize("label", MARKDOWN_LABELS)
def test_canvas_card_shows_the_label_as_typed(tmp_path: Path, renderer: str, label: str) -> None:
    m = cm.ConceptMap("Topic", author="alice")
    m.add(label, notes="Notes *are* Markdown.")
    rendered = render_markdown(renderer, canvas_card(m, label, tmp_path))
    first = re.match(r"<p>(.*?)</p>\n", rendered, re.S)
    assert first is not None, f"the label is not a paragraph: {rendered!r}"
    assert "<" not in first[1], f"the label is not plain text: {rendered!r}"
    assert html.unescape(first[1]) == label
    assert "<em>are</em>" in rendered  # the notes stay Markdown


# item 20
@pytest.mark.parametrize("build", MAPS)
def test_canvas_loads_in_pyjsoncanvas(
    tmp_path: Path, example: cm.ConceptMap, build: Callable[[cm.ConceptMap], cm.ConceptMap]
) -> None:
    pyjsoncanvas = optional("pyjsoncanvas", "PyJSONCanvas")
    m = build(example)
    canvas = pyjsoncanvas.Canvas.from_json(m.export(tmp_path / "map.canvas").read_text())
    assert canvas.validate()
    assert (len(canvas.nodes), len(canvas.edges)) == (len(m), len(m.edges()))


# item 20
def test_canvas_with_markdown_labels_imports_back(tmp_path: Path) -> None:
    m = cm.ConceptMap("# Topic", author="alice")
    for i, label in enumerate(MARKDOWN_LABELS):
        m.add(label, notes=f"**note** {i}")
        m.link("# Topic", "relates_to", label, phrase=MARKDOWN_LABELS[-1 - i])
    back = cm.import_map(m.export(tmp_path / "map.canvas"))
    assert back.to_node_link() == m.to_node_link()


# -- item 21: Mermaid -------------------------------------------------------------------------
# Mermaid turns "\n" (backslash, n) into a line break in any label (getRows in
# mermaid's common.ts: s.replace(/\\n/g, '#br#')), as it does <br>.
BREAKS = re.compile(r"\\n|<br\s*/?>", re.I)
MERMAID_CODES = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}


def mermaid_shown(quoted: str) -> str:
    """The text Mermaid shows for a quoted string (its #code; entities decoded)."""

    def code(match: re.Match[str]) -> str:
        name = match[1]
        return chr(int(name)) if name.isdigit() else MERMAID_CODES[name]

    return re.sub(r"#(\w+);", code, quoted)


# item 21
@pytest.mark.parametrize(
    "label", ["a\\nb", "C:\\new\\notes", "\\n", "ends in \\", "x \\\\n y", "<br> tag"]
)
def test_mermaid_keeps_a_literal_backslash_n(tmp_path: Path, label: str) -> None:
    m = cm.ConceptMap("Topic", author="alice")
    m.add(label)
    m.link("Topic", "relates_to", label, phrase=f"says {label}")
    text = m.export(tmp_path / "map.mmd").read_text()
    quoted = re.findall(r'"([^"]*)"', text)
    assert label in [mermaid_shown(q) for q in quoted]
    assert f"says {label}" in [mermaid_shown(q) for q in quoted]
    for q in quoted:
        assert not BREAKS.search(q), f"Mermaid draws a line break in {q!r}"
