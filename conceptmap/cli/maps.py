"""The commands that make and change one map: new, add, undo, show, check, import, compact."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..model import ConceptMap
from ..readwrite import import_map
from . import MAP, by_option, main


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
    from ..core.files import git_files

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
    from ..rfc.checks import design_findings

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
