"""The ``conceptmap`` command: a thin layer over the library, one call per command.

A user's mistake is one line on stderr (exit 1 for bad input, 2 for bad usage),
never a traceback. The commands live by what they work on: ``maps`` (one map),
``outputs`` (what a map becomes), ``history`` (versions of a map), ``meeting`` (every
session); importing them registers them on :func:`main`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import ConceptMapError, MapFileWarning
from ..version import __version__

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


# registering the commands: they need ``main`` above, so they come last
from . import history, maps, meeting, outputs  # noqa: E402, F401
