"""The README and the help texts keep up with the code."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

import conceptmap as cm
from conceptmap.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_is_in_the_readme_and_its_help_has_an_example(name: str) -> None:
    assert f"conceptmap {name} " in README
    command = main.commands[name]
    assert isinstance(command, click.Command)
    assert "Example:" in (command.help or "")
    assert f"conceptmap {name}" in (command.help or "")


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README


@pytest.mark.parametrize("kind", cm.KINDS)
def test_every_kind_is_in_the_readme(kind: str) -> None:
    assert f"`{kind}`" in README


@pytest.mark.parametrize("relation", cm.RELATIONS)
def test_every_relation_is_in_the_readme(relation: str) -> None:
    assert f"`{relation}`" in README


def test_the_syntax_example_in_the_readme_applies() -> None:
    block = README.split("## Quick-entry syntax", 1)[1].split("```", 2)[1]
    m = cm.ConceptMap(author="readme")
    m.apply(block)
    assert m.meta["topic"] == "Locking the IPFS repo for concurrent access"
    assert len(m) == 7


def test_exported_members_are_real_and_listed_once() -> None:
    # their order is ruff's RUF022 (isort-style), checked by `make lint`
    assert len(set(cm.__all__)) == len(cm.__all__)
    public = {
        n for n in dir(cm) if not n.startswith("_") and not isinstance(getattr(cm, n), type(cm))
    }
    assert public - {"annotations"} == set(cm.__all__) - {"__version__"}
    for name in cm.__all__:
        assert hasattr(cm, name), name


def test_public_names_have_docstrings() -> None:
    for name in cm.__all__:
        value = getattr(cm, name)
        if callable(value):
            assert value.__doc__, name


def test_the_api_tour_in_the_readme_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import networkx as nx

    block = README.split("## Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    block = block.replace("some_networkx_graph", "nx.path_graph(3)")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"nx": nx}
    exec(compile(block, "README.md", "exec"), namespace)  # our own README
    assert capsys.readouterr().out.startswith("2 nodes added, 2 links added")
    m = namespace["m"]
    assert isinstance(m, cm.ConceptMap)
    assert (tmp_path / "maps" / "locking.html").is_file()
    assert (
        cm.ConceptMap.load(tmp_path / "maps" / "locking.jsonl").to_node_link() == m.to_node_link()
    )
