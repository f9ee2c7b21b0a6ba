"""One person, one name: an agenda's ``@lidel`` and a map's author ``lidel`` are one person."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import conceptmap as cm
from conceptmap.cli import main
from conceptmap.core.schema import people, person_key
from conceptmap.drawing.html import page_data, render_html
from conceptmap.rfc.draft import STYLES

WORKED = Path(__file__).parent.parent / "maps" / "locking-the-ipfs-repo-for-concurrent-access.jsonl"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("@lidel", "lidel", True),
        ("@Lidel", "LIDEL", True),
        (" @lidel ", "lidel", True),
        ("Alan  Shaw", "alan shaw", True),
        ("@alanshaw", "@alanshaw2", False),
        ("lidel", "@@lidel", False),  # only one @ is the handle's
        ("alice", "bob", False),
    ],
)
def test_person_key(a: str, b: str, same: bool) -> None:
    assert (person_key(a) == person_key(b)) is same


@pytest.mark.parametrize(
    ("names", "shown"),
    [
        ([], []),
        (["alice", "bob", "alice"], ["alice", "bob"]),
        # the handle wins, wherever it comes, and the person keeps their first place
        (["@lidel", "alice", "lidel"], ["@lidel", "alice"]),
        (["lidel", "alice", "@lidel"], ["@lidel", "alice"]),
        (["Lidel", "lidel"], ["Lidel"]),  # no handle: the first spelling
        (["@Lidel", "@lidel"], ["@Lidel"]),  # two handles: the first
        (["@", "", "bob"], ["bob"]),  # nobody's name
        (["x\n# Injected heading"], ["x\n# Injected heading"]),  # shown as it was written
    ],
)
def test_people_lists_each_person_once(names: list[str], shown: list[str]) -> None:
    before = list(names)
    assert people(names) == shown
    assert names == before  # the input is not changed


@pytest.fixture
def worked() -> cm.ConceptMap:
    m = cm.ConceptMap.load(WORKED)
    # what was recorded stays: the agenda's handle and the author's name
    assert {"@alanshaw", "alanshaw"} <= set(m.meta["participants"])
    return m


def alanshaws(names: list[str]) -> list[str]:
    return [n for n in names if person_key(n) == "alanshaw"]


def test_the_summary_and_show_list_each_person_once(worked: cm.ConceptMap) -> None:
    assert alanshaws(worked.summary()["participants"]) == ["@alanshaw"]
    result = CliRunner().invoke(main, ["show", str(WORKED)])
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("participants: ")]
    assert alanshaws(line.removeprefix("participants: ").split(", ")) == ["@alanshaw"]
    info = json.loads(CliRunner().invoke(main, ["show", str(WORKED), "--json"]).stdout)
    assert info["participants"] == worked.summary()["participants"]
    assert cm.ConceptMap.load(WORKED).meta["participants"] == worked.meta["participants"]


def test_the_page_header_lists_each_person_once(worked: cm.ConceptMap) -> None:
    data = page_data(worked, positions={})
    assert alanshaws(data["meta"]["participants"]) == ["@alanshaw"]
    # a node by "alanshaw" is drawn in @alanshaw's colour
    assert data["authors"]["alanshaw"] == data["authors"]["@alanshaw"]
    shown = {person_key(n): n for n in data["meta"]["participants"]}
    assert all(c == data["authors"][shown[person_key(n)]] for n, c in data["authors"].items())
    header = re.search(r'<span id="cm-participants">(.*?)</span></span>', render_html(worked))
    assert header is not None
    names = re.findall(r"</i>([^<]*)</span>", header.group(0))
    assert names == data["meta"]["participants"]


def rfc_people(text: str, style: str) -> list[str]:
    if style in ("ipip", "ietf", "adr"):
        head = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))
        if style == "adr":  # MADR 4: decision-makers in the front matter
            return list(head["decision-makers"])
        return [p["name"] for p in head["editors" if style == "ipip" else "author"]]
    field = {"rust": "- Authors: "}[style]
    (line,) = [x for x in text.splitlines() if x.startswith(field)]
    return line.removeprefix(field).replace("\\", "").split(", ")


@pytest.mark.parametrize("style", STYLES)
def test_every_rfc_style_lists_each_person_once(worked: cm.ConceptMap, style: str) -> None:
    names = rfc_people(worked.rfc(style), style)
    assert names == people(worked.meta["participants"])
    assert alanshaws(names) == ["@alanshaw"]
    assert len({person_key(n) for n in names}) == len(names)


def test_the_shipped_draft_lists_alanshaw_once() -> None:
    text = WORKED.with_suffix(".md").read_text(encoding="utf-8")
    assert alanshaws(rfc_people(text, "ipip")) == ["@alanshaw"]
