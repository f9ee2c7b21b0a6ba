"""Session notebooks: one ready-to-use Jupyter notebook (and empty map) per session.

A generated notebook holds the session's facts and the deep-dive format, a cell
that opens the map with the participant's name, a ``%%conceptmap`` cell seeded
with the topic, and cells that write the HTML map and the RFC draft next to the
map. nbformat builds it; nothing here needs a kernel.

Files are written atomically, never through a symbolic link (a notebook or map
path that is one is refused), and a session that fails is reported with its
agenda line while the others are still written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.files import atomic_write, git_files
from ..core.schema import people, unique_slug
from ..errors import ConceptMapError, FileError
from ..model import ConceptMap

if TYPE_CHECKING:
    from .agenda import Session

FORMAT = """\
**Deep technical design** ({duration}): at most 4 people dive deep on one hard problem.

- **Objective:** deep knowledge transfer that only happens in synchronous interaction.
- **Outcome:** an RFC-like draft of the proposed solution (with its known shortcomings),
  or a map of the important concepts, obstacles and related topics."""

SYNTAX = """\
# One fact per line. Kinds: concept obstacle requirement proposal decision shortcoming
# question action related reference. Links: A -addresses-> B, A -"is stored in"-> B.
# Indented lines under a declaration are its notes. Re-running this cell is safe."""


def _md(text: str) -> str:
    """Agenda text as Markdown that shows it as written: no emphasis, HTML or images.

    An image (``![x](https://...)``) would be fetched when the notebook is
    opened; escaped, it shows as a link.
    """
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
    return text.replace("<", "&lt;").replace("![", "\\![")


def _facts(s: Session) -> str:
    rows = [
        ("Proposed by", ", ".join(s.proposer) or "unknown"),
        ("Participants", ", ".join(people(s.participants)) or "unknown"),
        ("Duration", s.duration or "75 minutes"),
        ("From", s.source),
    ]
    lines = [f"# {_md(s.topic)}", "", *[f"- **{k}:** {_md(v)}" for k, v in rows]]
    if s.description:
        lines += ["", _md(s.description)]
    return "\n".join(lines) + "\n\n" + FORMAT.format(duration=_md(s.duration or "75 minutes"))


def session_notebook(s: Session, map_path: str) -> Any:
    """The notebook for session ``s``, whose map is at ``map_path`` (relative to the notebook)."""
    import nbformat.v4 as nbf

    stem = map_path[: -len(".jsonl")] if map_path.endswith(".jsonl") else map_path
    open_map = (
        "%load_ext conceptmap\n"
        "import conceptmap as cm\n\n"
        "# Who you are: set CONCEPTMAP_AUTHOR before starting Jupyter, or write your name here.\n"
        "author = cm.default_author()\n"
        f"m = cm.ConceptMap.open({map_path!r}, topic={s.topic!r}, author=author)\n"
        "print(m)  # the %%conceptmap cells below draw it"
    )
    seed = f"%%conceptmap m\n{SYNTAX}\ntopic: {s.topic}\n" if _seedable(s.topic) else None
    cells = [
        nbf.new_markdown_cell(_facts(s)),
        nbf.new_code_cell(open_map),
        *([nbf.new_code_cell(seed)] if seed else []),
        nbf.new_markdown_cell("When the discussion is over: the HTML map and the RFC draft."),
        nbf.new_code_cell(
            f"print(m.write_html({stem + '.html'!r}))\n"
            f"print(m.write_rfc({stem + '.md'!r}))\n"
            "for finding in m.check():\n    print(finding)"
        ),
    ]
    nb = nbf.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["conceptmap"] = {"map": map_path, "source": s.source}
    return nb


def _seedable(topic: str) -> bool:
    from ..core.quickentry import parse
    from ..errors import ParseError

    try:
        (statement,) = parse(f"topic: {topic}")
    except (ParseError, ValueError):
        return False
    return statement.relation is None


@dataclass
class Written:
    """What ``write_sessions`` did, path by path, and the sessions that failed."""

    notebooks: list[Path] = field(default_factory=list)
    maps: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    #: the maps folder's ``.gitignore`` and ``.gitattributes`` where they were written, and why
    git_files: list[tuple[Path, str]] = field(default_factory=list)
    #: one message per session that could not be written, starting with its agenda line
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"wrote {p}" for p in [*self.notebooks, *self.maps]]
        lines += [f"wrote {path} ({why})" for path, why in self.git_files]
        lines += [f"kept {p} (exists; --force replaces notebooks, never maps)" for p in self.kept]
        return "\n".join(lines)


def write_sessions(
    sessions: list[Session],
    notebooks: str | os.PathLike[str] = "notebooks",
    maps: str | os.PathLike[str] = "maps",
    *,
    force: bool = False,
    author: str | None = None,
) -> Written:
    """One notebook and one empty map per session; existing maps are never replaced.

    The maps folder's ``.gitignore`` gets ``*.lock`` and its ``.gitattributes``
    ``*.jsonl merge=union`` if they lack them (see
    :func:`conceptmap.core.files.git_files`). A folder that cannot be made, or
    one of those files that cannot be written, is a :class:`FileError`.
    A session that cannot be written (a path that is a symbolic link, a notebook
    path that is a folder, a topic that is no label) is listed in ``failed`` and
    the others are written.
    """
    nb_dir, map_dir = Path(notebooks), Path(maps)
    for folder in (nb_dir, map_dir):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FileError(folder, f"cannot be made: {exc.strerror or exc}") from None
    done, taken = Written(git_files=git_files(map_dir)), set[str]()
    for s in sessions:
        slug = unique_slug(s.slug, taken)
        taken.add(slug)
        try:
            _write_session(
                s, nb_dir / f"{slug}.ipynb", map_dir / f"{slug}.jsonl", done, force, author
            )
        except (ConceptMapError, OSError) as exc:
            done.failed.append(f"{s.source}: {exc}")
    return done


def _write_session(
    s: Session, nb_path: Path, map_path: Path, done: Written, force: bool, author: str | None
) -> None:
    import nbformat

    for path in (map_path, nb_path):
        if path.is_symlink():  # dangling or not: it would create or change a file elsewhere
            raise FileError(path, "is a symbolic link; not written through")
    if map_path.exists():
        done.kept.append(map_path)
    else:
        _new_map(map_path, s, author)
        done.maps.append(map_path)
    if nb_path.exists() and not force:
        done.kept.append(nb_path)
        return
    relative = os.path.relpath(map_path, nb_path.parent).replace(os.sep, "/")
    nb = session_notebook(s, relative)
    nbformat.validate(nb)
    text = nbformat.writes(nb)  # the bytes nbformat.write would give, written atomically
    atomic_write(nb_path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    done.notebooks.append(nb_path)


def _new_map(path: Path, s: Session, author: str | None) -> None:
    """The session's map, built in memory first: a topic that is no label writes nothing."""
    m = ConceptMap(s.topic, author=author)
    meta = {
        "proposer": list(s.proposer),
        "participants": list(s.participants),
        "duration": s.duration,
        "source": s.source,
    }
    for key, value in meta.items():
        m.set_meta(key, value)
    if s.description:
        m.update(s.topic, notes=s.description)
    m.save(path)
