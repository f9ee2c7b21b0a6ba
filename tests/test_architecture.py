"""The package's layers, read from its source: the rules survive the next contributor.

Layers, lowest first (CONTRIBUTING.md draws them):

- ``errors`` and ``version``: imported by anything;
- ``core``: the map itself; imports only itself and the two above;
- ``readwrite``, ``drawing``, ``rfc``: built on core; they may use each other
  but never ``jupyter`` or the top-level façade at module level;
- ``jupyter``: the notebook side; ``atlas`` (the site of a meeting's maps) beside it;
- top level: ``model`` (the ``ConceptMap`` façade), ``cli``, ``demo``.

An import inside a function (done when it is needed) or under
``TYPE_CHECKING`` is not a module-level dependency and is allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "conceptmap"
LEAVES = {"errors", "version"}
# what each layer may import at module level (besides itself and the leaves)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "readwrite": {"core", "drawing", "rfc"},
    "drawing": {"core", "readwrite", "rfc"},
    "rfc": {"core", "readwrite", "drawing"},
    "jupyter": {"core", "readwrite", "drawing", "rfc", "model"},
    "atlas": {"core", "readwrite", "drawing", "rfc", "model"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The absolute module names an ``import`` statement names."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = importer.split(".")
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, node.module] if node.module else parts)
    if node.module is None:  # from . import x: x may be a module
        return [f"{base}.{alias.name}" for alias in node.names]
    return [base]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_level_imports(source: str, importer: str, is_package: bool) -> list[tuple[int, str]]:
    """``(line, module)`` for every import that runs when the module is imported."""
    found: list[tuple[int, str]] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.extend((node.lineno, n) for n in resolve(importer, is_package, node))
            elif isinstance(node, ast.If) and not _type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            # functions and classes: their imports run when called, not on import

    visit(ast.parse(source).body)
    return found


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def violations(path: Path, source: str) -> list[str]:
    """The imports of one module that break the layer rules, as sentences."""
    importer = module_name(path)
    layer = layer_of(importer)
    if layer in LEAVES:
        allowed: set[str] = set()
    elif layer in ALLOWED:
        allowed = ALLOWED[layer]
    else:  # the top level: the façade, the CLI, the demo
        return []
    found = []
    for line, target in module_level_imports(source, importer, path.name == "__init__.py"):
        if not target.startswith("conceptmap"):
            continue
        other = layer_of(target)
        if other == layer or other in LEAVES or other in allowed:
            continue
        found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {importer} imports {target}")
    return found


def private_state_uses(path: Path, source: str) -> list[str]:
    """Lines outside model.py that touch a map's private ``_state``."""
    return [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: ._state"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "_state"
    ]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_layers_hold() -> None:
    broken = [v for path in SOURCES for v in violations(path, path.read_text())]
    assert broken == []


def test_only_the_facade_touches_private_state() -> None:
    touching = [
        v
        for path in SOURCES
        if path.name != "model.py" or path.parent != PACKAGE
        for v in private_state_uses(path, path.read_text())
    ]
    assert touching == []


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("core/store.py", "from conceptmap.jupyter import magic"),
        ("core/schema.py", "from ..jupyter import magic"),
        ("core/plan.py", "from ..drawing.html import render_html"),
        ("core/state.py", "import conceptmap.model"),
        ("readwrite/dot.py", "from ..jupyter.display import mimebundle"),
        ("rfc/checks.py", "from ..model import ConceptMap"),
        ("drawing/html.py", "from conceptmap.jupyter import magic"),
        ("drawing/html.py", "from conceptmap.atlas import write_atlas"),
        ("rfc/draft.py", "from ..atlas.site import write_site"),
        ("atlas/site.py", "from ..jupyter.display import mimebundle"),
        ("errors.py", "from .core import schema"),
    ],
)
def test_a_forbidden_import_is_caught(module: str, line: str) -> None:
    path = PACKAGE / module
    source = path.read_text() + f"\n{line}\n"
    assert violations(path, source), f"{line!r} in {module} was not caught"


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("core/store.py", "from .schema import slugify"),
        ("readwrite/dot.py", "from ..drawing.style import KIND_STYLES"),
        ("jupyter/magic.py", "from ..model import ConceptMap"),
        ("atlas/sessions.py", "from ..model import ConceptMap"),
        ("model.py", "from .jupyter.display import mimebundle"),
        (
            "core/plan.py",
            "def later() -> None:\n    from ..jupyter import magic\n",
        ),
        (
            "core/plan.py",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from ..model import ConceptMap\n",
        ),
    ],
)
def test_an_allowed_import_passes(module: str, line: str) -> None:
    path = PACKAGE / module
    assert violations(path, path.read_text() + f"\n{line}\n") == []


def test_reaching_into_private_state_is_caught() -> None:
    path = PACKAGE / "rfc" / "checks.py"
    assert private_state_uses(path, path.read_text() + "\nx = m._state.graph\n")


def test_the_top_level_stays_small() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 8, modules
