"""The notebook display and the pyvis interop, without a browser."""

from __future__ import annotations

import base64
import gzip
import html
import json
import re

import pytest

import conceptmap as cm
from conceptmap.jupyter.display import MIME


def test_bundle_has_text_html_and_json(example: cm.ConceptMap) -> None:
    bundle = example._repr_mimebundle_()
    assert bundle["text/plain"].splitlines()[0] == repr(example)
    assert "participants: alanshaw" in bundle["text/plain"]
    assert bundle[MIME] == example.to_node_link()
    page = html.unescape(re.search(r"srcdoc='([^']*)'", bundle["text/html"]).group(1))  # type: ignore[union-attr]
    packed = re.search(r'id="cm-data-gz">([^<]*)<', page).group(1)  # type: ignore[union-attr]
    data = json.loads(gzip.decompress(base64.b64decode(packed)))
    assert [n["id"] for n in data["nodes"]] == list(example.graph.nodes)
    assert len(data["ops"]) == len(example.history)
    assert set(data["positions"]) == set(example.graph.nodes)


def test_display_never_raises(example: cm.ConceptMap, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("template missing")

    monkeypatch.setattr("conceptmap.drawing.html.render_html", broken)
    bundle = example._repr_mimebundle_()
    assert bundle == {"text/plain": "<ConceptMap: cannot be displayed: template missing>"}


def test_same_map_same_page(example: cm.ConceptMap) -> None:
    from conceptmap.drawing.html import render_html

    assert render_html(example) == render_html(example)


def test_to_pyvis_builds_the_network_without_touching_the_map(example: cm.ConceptMap) -> None:
    before = example.to_node_link()
    net = example.to_pyvis(height="600px")
    assert [n["id"] for n in net.nodes] == list(example.graph.nodes)
    assert net.node_ids == list(example.graph.nodes)
    assert len(net.edges) == example.graph.number_of_edges()
    assert net.get_adj_list()["web-locks-api"]  # pyvis's own methods work on it
    assert all("title" not in n for n in net.nodes)  # pyvis renders titles as HTML
    assert example.to_node_link() == before
