"""The commands that write what a map becomes: export, rfc, actions."""

from __future__ import annotations

from pathlib import Path

import click

from ..model import ConceptMap
from ..rfc.draft import STYLES
from . import MAP, main


@main.command()
@click.argument("path", type=MAP)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write; its suffix names the format (.json).",
)
def export(path: Path, output: Path) -> None:
    """Export a map to another format, chosen by the output's suffix.

    .html is the interactive map (one file, works offline); .json (node-link),
    .graphml, .gexf and .canvas (JSON Canvas) import back; .mmd (Mermaid) and
    .dot (Graphviz) are for drawing.

    \b
    Example:
        conceptmap export maps/x.jsonl -o x.html
    """
    ConceptMap.load(path).export(output)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("path", type=MAP)
@click.option(
    "--style",
    type=click.Choice(STYLES),
    default="ipip",
    show_default=True,
    help="The RFC process whose layout the draft follows.",
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own Jinja2 template (it gets the same data as the built-in styles).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The Markdown file to write (default: standard output); for --style adr, "
    "a directory gets one numbered record per decision.",
)
@click.option("--clean", is_flag=True, help="Leave out the trace comments and the appendix.")
def rfc(path: Path, style: str, template: Path | None, output: Path | None, clean: bool) -> None:
    """Write a draft RFC from a map, every item traced back to its node.

    The appendix accounts for every node, note and link of the map; --clean
    drops it and the trace comments, for a copy to send.

    \b
    Example:
        conceptmap rfc maps/x.jsonl --style rust -o drafts/x.md
        conceptmap rfc maps/x.jsonl --style adr --clean -o decisions/
    """
    from ..rfc.draft import write_rfc

    m = ConceptMap.load(path)
    if output is None:
        click.echo(m.rfc(style, template=template, clean=clean), nl=False)
    else:
        written = write_rfc(m, output, style, template, clean=clean)
        click.echo(f"wrote {written}")


@main.command()
@click.argument("path", type=MAP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="md: a Markdown checklist; json: one object per action, for an issue tracker.",
)
def actions(path: Path, fmt: str) -> None:
    """Print a map's actions with their owners and due dates.

    \b
    Example:
        conceptmap actions maps/x.jsonl
        conceptmap actions maps/x.jsonl --format json > actions.json
    """
    from ..rfc.actions import actions_json, actions_markdown

    m = ConceptMap.load(path)
    click.echo(actions_json(m) if fmt == "json" else actions_markdown(m), nl=False)
