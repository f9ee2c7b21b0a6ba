"""The ``conceptmap`` command: a thin layer over the library, one call per command.

A user's mistake is one line on stderr (exit 1 for bad input, 2 for bad usage),
never a traceback.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .errors import ConceptMapError, MapFileWarning
from .model import ConceptMap
from .readwrite import import_map
from .rfc.draft import STYLES
from .version import __version__

MAP = click.Path(dir_okay=False, path_type=Path)


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        click.echo(f"warning: {message}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always", MapFileWarning)
        warnings.showwarning = show
        yield


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        with _warnings_to_stderr():
            try:
                return super().invoke(ctx)
            except ConceptMapError as exc:
                raise click.ClickException(str(exc)) from exc


by_option = click.option(
    "--by",
    metavar="NAME",
    default=None,
    envvar="CONCEPTMAP_AUTHOR",
    help="Who is adding this (default: $CONCEPTMAP_AUTHOR, else your login name).",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conceptmap")
def main() -> None:
    """Map a deep-dive design session and turn it into a draft RFC.

    \b
    Example:
        conceptmap new maps/locking.jsonl --topic "Locking the IPFS repo"
        conceptmap add maps/locking.jsonl "obstacle: Two tabs write the same repo"
        conceptmap show maps/locking.jsonl
    """


@main.command()
@click.argument("path", type=MAP)
@click.option("--topic", required=True, help="The session's subject.")
@by_option
def new(path: Path, topic: str, by: str | None) -> None:
    """Create a new map file with its topic.

    The map's folder gets a .gitignore with *.lock (lock files belong to one
    machine) and a .gitattributes with *.jsonl merge=union (git merges maps
    line by line), each added to a file that lacks it.

    \b
    Example:
        conceptmap new maps/graphsync.jsonl --topic GraphSync --by vmx
    """
    from .core.files import git_files

    m = ConceptMap.create(path, topic, author=by)
    click.echo(f"created {path} (topic: {m.meta['topic']})")
    for written, why in git_files(path.parent):
        click.echo(f"wrote {written} ({why})")


@main.command()
@click.argument("path", type=MAP)
@click.argument("lines", nargs=-1)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.File("r", encoding="utf-8"),
    help="Read quick-entry text from FILE ('-' for standard input).",
)
@by_option
def add(path: Path, lines: tuple[str, ...], file: Any, by: str | None) -> None:
    """Add quick-entry lines to a map (all of them, or none if one is wrong).

    A new label close to an existing one is added, with a warning on stderr.

    \b
    Example:
        conceptmap add maps/x.jsonl "obstacle: Two tabs write the same repo" \\
            "proposal: One lock per datastore -addresses-> Two tabs write the same repo"
        conceptmap add maps/x.jsonl -f notes.cm --by alice
        conceptmap add maps/x.jsonl "rename: Two tabs write the same repo => Two writers"
    """
    if bool(lines) == bool(file):
        raise click.UsageError("give quick-entry LINES or -f FILE (one of the two)")
    text, source = (file.read(), file.name) if file else ("\n".join(lines), None)
    m = ConceptMap.load(path, author=by)
    change = m.apply(text, source=source)
    click.echo(change.summary())
    for warning in change.warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@click.argument("path", type=MAP)
@by_option
def undo(path: Path, by: str | None) -> None:
    """Undo your last change to a map (the one --by made last and did not undo yet).

    The undo is appended as new operations; run it again to undo the change
    before. A change someone else has built on since is not undone (exit 1).

    \b
    Example:
        conceptmap undo maps/x.jsonl --by alice
    """
    click.echo(str(ConceptMap.load(path, author=by).undo()))


@main.command()
@click.argument("path", type=MAP)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def show(path: Path, as_json: bool) -> None:
    """Summarise a map: counts by kind, participants, dates.

    \b
    Example:
        conceptmap show maps/x.jsonl --json
    """
    info = ConceptMap.load(path).summary()
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    click.echo(info["topic"] or "(no topic)")
    click.echo(
        f"{info['path']}: {info['nodes']} nodes, {info['links']} links, "
        f"{info['operations']} operations"
    )
    click.echo("kinds: " + (", ".join(f"{k} {n}" for k, n in info["kinds"].items()) or "none"))
    click.echo(
        "relations: " + (", ".join(f"{k} {n}" for k, n in info["relations"].items()) or "none")
    )
    click.echo("participants: " + (", ".join(info["participants"]) or "none"))
    click.echo(f"created: {info['created']}")


@main.command()
@click.argument("path", type=MAP)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(path: Path, strict: bool, as_json: bool) -> None:
    """Review a map: unaddressed obstacles, unanswered questions, orphans, ...

    Says first which design a draft will feature and why, and warns on a tie.
    Exits 1 when there are errors (with --strict, warnings too).

    \b
    Example:
        conceptmap check maps/x.jsonl --strict
    """
    from .rfc.checks import design_findings

    m = ConceptMap.load(path)
    findings = [*design_findings(m), *m.check()]  # which design a draft features, first
    if as_json:
        click.echo(json.dumps([f.__dict__ for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
    errors = sum(f.severity == "error" for f in findings)
    warned = sum(f.severity == "warning" for f in findings)
    if not as_json:
        click.echo(f"{path}: {errors} errors, {warned} warnings")
    if errors or (strict and warned):
        sys.exit(1)


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
    from .rfc.draft import write_rfc

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
    from .rfc.actions import actions_json, actions_markdown

    m = ConceptMap.load(path)
    click.echo(actions_json(m) if fmt == "json" else actions_markdown(m), nl=False)


@main.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=MAP, required=True, help="The map file to create.")
@click.option("--force", is_flag=True, help="Replace an existing map file.")
@by_option
def import_(source: Path, output: Path, force: bool, by: str | None) -> None:
    """Make a map file from a lossless export (.json, .graphml, .gexf, .canvas).

    \b
    Example:
        conceptmap import x.json -o maps/x.jsonl
    """
    m = import_map(source, author=by)
    m.save(output, overwrite=force)
    click.echo(f"wrote {output} ({len(m)} nodes)")


@main.command()
@click.argument("path", type=MAP)
def compact(path: Path) -> None:
    """Rewrite a map file as the shortest log of the same map (history is dropped).

    \b
    Example:
        conceptmap compact maps/x.jsonl
    """
    m = ConceptMap.load(path)
    before = path.stat().st_size
    m.compact()
    click.echo(f"compacted {path}: {before} -> {path.stat().st_size} bytes")


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
    from .core.history import diff as diff_versions
    from .core.history import read_version

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
    from .core.history import history_lines, read_version

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
    from .core.merging import merge_maps

    merged = merge_maps(first, second, output, force=force)
    _warn(merged.problems)
    graph = merged.state.graph
    click.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} links)")


def _warn(problems: list[str]) -> None:
    for text in problems:
        warnings.warn(text, MapFileWarning, stacklevel=2)


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
    from .jupyter.agenda import read_agenda
    from .jupyter.notebooks import write_sessions

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
    from .atlas import write_atlas

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
    from .demo import run_demo

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
