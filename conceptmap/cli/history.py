"""The commands that read a map's history across versions: diff, log, merge."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from ..errors import MapFileWarning
from . import MAP, main


@main.command()
@click.argument("old", metavar="A")
@click.argument("new", metavar="B")
def diff(old: str, new: str) -> None:
    """List the nodes and links B added, removed and changed since A, by author.

    A and B are map files, or git:REV:PATH for a map as git holds it at REV.

    \b
    Example:
        conceptmap diff git:HEAD~1:maps/x.jsonl maps/x.jsonl
        conceptmap diff maps/x.jsonl theirs/x.jsonl
    """
    from ..core.history import diff as diff_versions
    from ..core.history import read_version

    versions = [read_version(spec) for spec in (old, new)]
    for version in versions:
        _warn(version.problems)
    click.echo(str(diff_versions(*versions)))


@main.command()
@click.argument("path", metavar="MAP")
@click.option("--since", metavar="DATE", help="Only changes from DATE on (2026-11-27, or a time).")
def log(path: str, since: str | None) -> None:
    """Print a map's history: one line per change, when, who, and what it did.

    MAP is a map file, or git:REV:PATH.

    \b
    Example:
        conceptmap log maps/x.jsonl --since 2026-11-27
    """
    from ..core.history import history_lines, read_version

    version = read_version(path)
    _warn(version.problems)
    for line in history_lines(version.state, since):
        click.echo(line)


@main.command()
@click.argument("first", metavar="A")
@click.argument("second", metavar="B")
@click.option("-o", "--output", type=MAP, required=True, help="The merged map file to write.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (never A or B).")
def merge(first: str, second: str, output: Path, force: bool) -> None:
    """Merge two versions of a map into a new file, as git's merge=union does.

    The result holds both maps' lines (the common ones once); it reads the same
    whichever map comes first. Concurrent changes are settled by time (the later
    one wins) and reported on stderr. A and B are never changed.

    \b
    Example:
        conceptmap merge maps/x.jsonl ../laptop/maps/x.jsonl -o merged.jsonl
    """
    from ..core.merging import merge_maps

    merged = merge_maps(first, second, output, force=force)
    _warn(merged.problems)
    graph = merged.state.graph
    click.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} links)")


def _warn(problems: list[str]) -> None:
    for text in problems:
        warnings.warn(text, MapFileWarning, stacklevel=2)
