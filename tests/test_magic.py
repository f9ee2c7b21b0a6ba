"""The %%conceptmap magic without a kernel: IPython's own cell transforms, then the magic.

tests/test_notebook.py runs the same cells in a real kernel.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("IPython")

from IPython.core.error import UsageError
from IPython.core.inputtransformer2 import TransformerManager

import conceptmap as cm
from conceptmap.jupyter import magic


def run_cell(raw: str, namespace: dict[str, Any]) -> cm.ConceptMap | None:
    """Run a cell as typed in the editor, as IPython does once the extension is loaded."""
    manager = TransformerManager()  # type: ignore[no-untyped-call]
    manager.cleanup_transforms.insert(0, magic._body_lines_kept)
    code = manager.transform_cell(raw)
    call = ast.parse(code).body[0]
    assert isinstance(call, ast.Expr), code
    assert isinstance(call.value, ast.Call), code
    name, line, body = (ast.literal_eval(a) for a in call.value.args)
    assert name == "conceptmap"
    # IPython refuses an empty body itself, with a bare message, before the magic runs
    assert body != "", "the magic would never see this cell"
    return magic.conceptmap_cell(line, body, namespace)


@pytest.fixture
def namespace() -> dict[str, Any]:
    return {"m": cm.ConceptMap("Private DHT", author="ann")}


@pytest.mark.parametrize(
    ("cell", "line", "text"),
    [
        ("%%conceptmap m\nobstcle: typo", 2, "obstcle: typo"),
        ("%%conceptmap m\nconcept: fine\n\n# note\nobstcle: typo\n", 5, "obstcle: typo"),
        ("%%conceptmap m\n  concept: fine\n  obstcle: typo", 3, "obstcle: typo"),  # dedented
        # IPython drops blank lines above the magic; the editor still counts them
        ("\n\n%%conceptmap m\nobstcle: typo", 4, "obstcle: typo"),
        ("  \n%%conceptmap m\nconcept: A\nA -solves-> B\n", 4, "A -solves-> B"),
    ],
)
def test_an_error_names_the_line_the_editor_shows(
    namespace: dict[str, Any], cell: str, line: int, text: str
) -> None:
    with pytest.raises(UsageError) as error:
        run_cell(cell, namespace)
    assert str(error.value).startswith(f"cell, line {line} ({text!r}): ")
    assert "\n" not in str(error.value)
    assert len(namespace["m"]) == 1  # nothing of the cell was applied


def test_a_message_that_cites_another_line_uses_the_editors_numbers(
    namespace: dict[str, Any],
) -> None:
    with pytest.raises(UsageError) as error:
        run_cell("%%conceptmap m\nproposal: P\nconcept: P\n", namespace)
    assert str(error.value) == (
        "cell, line 3 ('concept: P'): 'P' is declared a concept here but a proposal on line 2"
    )


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "%%conceptmap",
            "%%conceptmap: the cell is empty; name the map on its first line and write one "
            "fact per line under it, e.g. %%conceptmap maps/session.jsonl, then "
            "obstacle: Two tabs write the same repo",
        ),
        (
            "\n%%conceptmap\n  \n",
            "%%conceptmap: the cell is empty; name the map on its first line and write one "
            "fact per line under it, e.g. %%conceptmap maps/session.jsonl, then "
            "obstacle: Two tabs write the same repo",
        ),
        (
            "%%conceptmap maps/x.jsonl",
            "%%conceptmap maps/x.jsonl: nothing to add; write one fact per line under the "
            "%%conceptmap line, e.g. obstacle: Two tabs write the same repo",
        ),
        (
            "%%conceptmap maps/x.jsonl\n\n   \n",
            "%%conceptmap maps/x.jsonl: nothing to add; write one fact per line under the "
            "%%conceptmap line, e.g. obstacle: Two tabs write the same repo",
        ),
    ],
)
def test_an_empty_cell_says_what_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as error:
        run_cell(cell, {})
    assert str(error.value) == message
    assert list(tmp_path.iterdir()) == []  # no map (and no lock file) was made


def test_a_good_cell_applies_and_returns_the_map(
    namespace: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    shown = run_cell("\n%%conceptmap m\n\nobstacle: Peers leak lookups\n", namespace)
    assert shown is namespace["m"]
    assert shown.node("Peers leak lookups")["kind"] == "obstacle"
    assert capsys.readouterr().out == "1 node added\n"


def test_other_cells_are_left_to_ipython() -> None:
    for lines in (["x = 1\n"], ["\n", "%%timeit\n", "x\n"], ["%%conceptmaps m\n"], ["\n"], []):
        assert magic._body_lines_kept(list(lines)) == lines


def test_loading_the_extension_twice_adds_the_transform_once() -> None:
    class Shell:
        def __init__(self) -> None:
            self.user_ns: dict[str, Any] = {}
            self.input_transformers_cleanup: list[Any] = [lambda lines: lines]
            self.magics: list[str] = []

        def register_magic_function(self, fn: Any, magic_kind: str, magic_name: str) -> None:
            self.magics.append(f"{magic_kind}:{magic_name}")

    shell = Shell()
    magic.load_ipython_extension(shell)
    magic.load_ipython_extension(shell)
    assert shell.input_transformers_cleanup[0] is magic._body_lines_kept
    assert shell.input_transformers_cleanup.count(magic._body_lines_kept) == 1
    assert shell.magics == ["cell:conceptmap", "cell:conceptmap"]


def test_a_path_names_the_notebooks_own_map_on_that_file(tmp_path: Path) -> None:
    """``%%conceptmap maps/x.jsonl`` writes as the author the notebook opened the map with."""
    path = tmp_path / "x.jsonl"
    mine = cm.ConceptMap.open(path, "Private DHT", author="ann")
    shown = run_cell(f"%%conceptmap {path}\nobstacle: Peers leak lookups", {"m": mine})
    assert shown is mine
    assert cm.ConceptMap.load(path).node("Peers leak lookups")["author"] == "ann"
