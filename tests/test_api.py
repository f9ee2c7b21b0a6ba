"""The public accessors and the error classes the façade offers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import conceptmap as cm
from conceptmap.core.schema import link_text
from conceptmap.jupyter.display import mimebundle
from conceptmap.readwrite.mermaid import mermaid_data


def test_topic_id_names_the_topic_node() -> None:
    m = cm.ConceptMap("Private DHT", author="d")
    assert m.topic_id == "private-dht"
    assert m.node(m.topic_id)["kind"] == "topic"
    assert cm.ConceptMap(author="d").topic_id is None


def test_topic_id_follows_another_writer(map_path: Path) -> None:
    reader = cm.ConceptMap.load(map_path)
    writer = cm.ConceptMap.open(map_path, author="bob")
    writer.rename("Locking the IPFS repo", "Repo locking")
    assert reader.topic_id == "locking-the-ipfs-repo"
    assert reader.meta["topic"] == "Repo locking"


def test_from_ops_replays_and_leaves_the_ops_alone() -> None:
    ops: list[dict[str, Any]] = [
        {"op": "add_node", "id": "t", "label": "GraphSync", "kind": "topic", "by": "a", "at": "x"},
        {
            "op": "add_node",
            "id": "s",
            "label": "Selectors",
            "kind": "concept",
            "by": "b",
            "at": "y",
        },
        {
            "op": "add_edge",
            "source": "s",
            "target": "t",
            "relation": "part_of",
            "by": "b",
            "at": "y",
        },
    ]
    before = repr(ops)
    m = cm.ConceptMap.from_ops(ops, author="c", created="2019-07-15")
    assert repr(ops) == before
    assert (m.topic_id, len(m), m.graph.number_of_edges()) == ("t", 2, 1)
    assert m.meta["created"] == "2019-07-15"
    assert m.node("Selectors")["author"] == "b"
    assert m.author == "c"


def test_from_ops_names_the_operation_that_does_not_apply() -> None:
    ops: list[dict[str, Any]] = [
        {"op": "add_node", "id": "t", "label": "GraphSync", "kind": "banana", "by": "a", "at": "x"}
    ]
    with pytest.raises(cm.InvalidValueError, match=r"cannot import add_node 't'.*banana"):
        cm.ConceptMap.from_ops(ops)


@pytest.mark.parametrize("suffix", [".html", ".json", ".graphml", ".gexf", ".mmd", ".dot"])
def test_save_refuses_an_export_suffix_and_writes_nothing(tmp_path: Path, suffix: str) -> None:
    m = cm.ConceptMap("GraphSync", author="vmx")
    target = tmp_path / f"map{suffix}"
    with pytest.raises(cm.InvalidValueError, match=rf"use m\.export\(.*\) for \{suffix} files"):
        m.save(target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_save_writes_a_log_that_loads(tmp_path: Path) -> None:
    m = cm.ConceptMap("GraphSync", author="vmx")
    m.save(tmp_path / "graphsync.jsonl")
    assert cm.ConceptMap.load(tmp_path / "graphsync.jsonl").meta["topic"] == "GraphSync"


def test_write_rfc_refuses_a_misspelt_keyword(tmp_path: Path) -> None:
    m = cm.ConceptMap("GraphSync", author="vmx")
    with pytest.raises(TypeError, match="templat"):
        m.write_rfc(tmp_path / "rfc.md", templat="x.md.j2")  # type: ignore[call-arg]
    assert not (tmp_path / "rfc.md").exists()


def test_write_rfc_uses_the_template_keyword(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("# {{ a.title }}\n")
    m = cm.ConceptMap("GraphSync", author="vmx")
    path = m.write_rfc(tmp_path / "rfc.md", template=template)
    assert path.read_text() == "# GraphSync\n"


def test_a_failing_template_is_a_template_error(tmp_path: Path) -> None:
    template = tmp_path / "bad.md.j2"
    template.write_text("{{ a.nothing_here.at_all }}\n")
    with pytest.raises(cm.TemplateError, match=r"bad\.md\.j2, line 1"):
        cm.ConceptMap("GraphSync").rfc(template=template)
    with pytest.raises(cm.FileError, match="is not a template file") as caught:
        cm.ConceptMap("GraphSync").rfc(template=tmp_path / "missing.md.j2")
    assert not isinstance(caught.value, cm.MapFileError)


def test_map_file_errors_are_file_errors() -> None:
    assert issubclass(cm.MapFileError, cm.FileError)
    assert issubclass(cm.FileError, cm.ConceptMapError)
    assert issubclass(cm.TemplateError, cm.ConceptMapError)


@pytest.mark.parametrize(
    ("relation", "phrase", "said"),
    [("depends_on", "", "depends on"), ("relates_to", "is stored in", "is stored in")],
)
def test_every_output_words_a_link_the_same_way(relation: str, phrase: str, said: str) -> None:
    m = cm.ConceptMap("Repo", author="a")
    m.link("Lock", f'"{phrase}"' if phrase else relation, "Datastore")
    (attrs,) = [a for _, _, a in m.graph.edges(data=True)]
    assert link_text(attrs) == said
    assert f"—{said}→" in mimebundle(m)["text/html"]
    assert f'-->|"{said}"|' in mermaid_data(m)
    assert said in {e["label"] for e in m.to_pyvis().edges}
