"""The commands for the whole meeting: sessions (from the agenda), atlas, demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..model import ConceptMap
from . import by_option, main


@main.command()
@click.argument("agenda", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "notebooks",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("notebooks"),
    show_default=True,
    help="Where the notebooks go.",
)
@click.option(
    "--maps",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps"),
    show_default=True,
    help="Where the (empty) session maps go.",
)
@click.option("--force", is_flag=True, help="Replace existing notebooks (maps are never replaced).")
@by_option
def sessions(agenda: Path, notebooks: Path, maps: Path, force: bool, by: str | None) -> None:
    """Make one notebook and one empty map per session of an agenda.

    AGENDA is a Markdown table of proposed sessions (topic, proposer, participants,
    description), or a single session page.

    \b
    Example:
        conceptmap sessions deep-dive-sessions.md -o notebooks/ --maps maps/
    """
    from ..jupyter.agenda import read_agenda
    from ..jupyter.notebooks import write_sessions

    found = read_agenda(agenda)
    done = write_sessions(found, notebooks, maps, force=force, author=by)
    for failure in done.failed:
        click.echo(f"Error: {failure}", err=True)
    click.echo(str(done))
    failed = f", {len(done.failed)} sessions failed" if done.failed else ""
    click.echo(
        f"{len(found)} sessions: {len(done.notebooks)} notebooks and {len(done.maps)} maps "
        f"written, {len(done.kept)} files kept{failed}"
    )
    if done.failed:
        sys.exit(1)


@main.command()
@click.argument("maps", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The folder the site goes into (its other files are left alone).",
)
@click.option("--title", default="The meeting", show_default=True, help="The meeting's name.")
def atlas(maps: Path, output: Path, title: str) -> None:
    """Write a static site of every map in MAPS: an index of the sessions, each map
    and its draft RFC, a meeting map, open items and actions, search.

    The site opens offline (double-click index.html) and can be published as it
    is (GitHub Pages): relative links only, no network requests.

    \b
    Example:
        conceptmap atlas maps/ -o site/ --title "IPFS Camp 2019"
    """
    from ..atlas import write_atlas

    index = write_atlas(maps, output, title=title)
    click.echo(f"wrote the atlas of {maps}: open {index}")


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to write into (default: a new temporary folder).",
)
def demo(output: Path | None) -> None:
    """Build the worked example ("Locking the IPFS repo") and print what it wrote.

    \b
    Example:
        conceptmap demo -o demo/
    """
    from ..demo import run_demo

    paths = run_demo(output)
    m = ConceptMap.load(paths["map"])
    info = m.summary()
    click.echo(f"{info['topic']}: {info['nodes']} nodes, {info['links']} links")
    click.echo("kinds: " + ", ".join(f"{k} {n}" for k, n in info["kinds"].items()))
    findings = m.check()
    click.echo(
        f"check: {len(findings)} findings, e.g. {findings[0].message}"
        if findings
        else "check: no findings"
    )
    for role, p in paths.items():
        click.echo(f"{role}: {p}")
